import type { OrderName } from '../model.js';
import type { BandwidthAssumption, ScenarioSummary, SimulateReport, WindowStats } from '../simulation-result.js';
import type { WarmMode } from './warm-scheduler.js';

/** One disk's copy in one round (seconds from the start of the run). */
export interface WarmSimulatedCopy {
  vm: string;
  /** 0-based index of the disk within its VM. */
  disk: number;
  host: string;
  /** 1 = the initial copy (the whole disk); later rounds copy a delta. */
  round: number;
  /** The round is the final one (the source is off). */
  final: boolean;
  /** Bytes copied. */
  bytes: number;
  startSeconds: number;
  endSeconds: number;
}

/** One round of a VM: its snapshot decided, its snapshot there, its last copy done (seconds). */
export interface WarmSimulatedRound {
  round: number;
  final: boolean;
  /** The round's snapshot was decided (final: the source's shutdown begins). */
  startSeconds: number;
  /** The round's snapshot exists (final: the source is off and the snapshot taken). */
  snapshotSeconds: number;
  /** The round's last copy ended. */
  endSeconds: number;
}

/** What a warm migration did with one VM. */
export interface WarmSimulatedVm {
  name: string;
  host: string;
  /** Rounds copied, the initial and the final one included. */
  rounds: number;
  /** Delta rounds before the final one. */
  precopies: number;
  /** The initial round ended: the VM could cut over from here (0 for a VM without disks). */
  round1EndSeconds: number;
  /** Its initial snapshot's age when round 1 ended: snapshot there → last disk of round 1 copied (seconds). */
  snapshotAgeSeconds: number;
  /** Its final round began: the source's shutdown (or, already off, its final snapshot) began. */
  cutoverSeconds: number;
  /** Its VirtualMachine was made. */
  finishedSeconds: number;
  /** The source down until the VM is made: cutoverSeconds → finishedSeconds. */
  downtimeSeconds: number;
  /** Bytes copied over all rounds. */
  bytes: number;
  roundTimes: WarmSimulatedRound[];
}

/** The outcome of simulating a warm migration under one policy; the JSON contract of `simulate -o json` (warm). */
export interface WarmSimulationResult {
  policy: WarmMode;
  maxInFlight: number;
  maxInFlightPerHost: number | null;
  /** The caps as the policy applies them: `disk` over the run (and per host when asked), `forklift` per host. */
  appliedCaps: { run: number | null; perHost: number | null };
  order: OrderName;
  /** What the schedule knew of the bandwidths: the scenario's (a warm run is simulated clairvoyant only). */
  bandwidth: BandwidthAssumption;
  precopyIntervalSeconds: number;
  /** When the cutover began (seconds from the start): as given, or the default (see `cutoverGiven`). */
  cutoverSeconds: number;
  /** The cutover time was given; false: it began once every VM had copied its round 1 and one precopy. */
  cutoverGiven: boolean;
  /** Every VM had finished its round 1, so all could have cut over from here. */
  cutoverReadySeconds: number;
  /** The last VM was made. */
  makespanSeconds: number;
  /** Most slots held at one instant: copies, and in `disk` mode a disk held while its round's snapshot is taken. */
  peakInFlight: number;
  /** Downtime over the VMs (seconds): `total` summed, mean, p95, max. */
  downtimeSeconds: WindowStats & { total: number };
  /** Bytes copied over all rounds. */
  bytes: number;
  vms: WarmSimulatedVm[];
  copies: WarmSimulatedCopy[];
}

/** The JSON contract of `simulate -o json` for a scenario with `migration: warm`: one result per policy. */
export interface WarmSimulateReport {
  scenario: ScenarioSummary;
  migration: 'warm';
  results: WarmSimulationResult[];
}

/** The report is a warm migration's (its results are WarmSimulationResults). */
export function isWarmReport(report: SimulateReport | WarmSimulateReport): report is WarmSimulateReport {
  return 'migration' in report && report.migration === 'warm';
}
