import type { OrderName, PolicyName, Scenario } from './model.js';

/** When one disk ran in a simulated schedule (seconds from the start of the run). */
export interface SimulatedDisk {
  vm: string;
  disk: number;
  host: string;
  bytes: number;
  startSeconds: number;
  endSeconds: number;
}

/** A VM's transfer window: its first disk's start to its last disk's end (seconds). */
export interface SimulatedVm {
  name: string;
  host: string;
  startSeconds: number;
  endSeconds: number;
}

/** Mean, 95th percentile and maximum of the VMs' transfer windows (seconds). */
export interface WindowStats {
  mean: number;
  p95: number;
  max: number;
}

/**
 * What a schedule knew of the bandwidths: `scenario`, each host's bandwidth and each disk's rate, as the simulated
 * hosts have them (clairvoyant); `unknown`, none (blind: hosts uncapped and one assumed importer rate, as `migrate`
 * plans), while the simulated hosts keep the scenario's.
 */
export type BandwidthAssumption = 'scenario' | 'unknown';

/** A source host as a blind run learned it (`simulate --blind`). */
export interface BlindHost {
  name: string;
  /** Bytes/s it plateaued at, as learned at the end of the run; null: never learned (it never saturated). */
  bandwidth: number | null;
  /** When its bandwidth was first learned (seconds from the start); null: never. */
  learnedAtSeconds: number | null;
  /** Transfers in flight it was allowed at the end of the run. */
  limit: number;
  /** Its bandwidth in the scenario (bytes/s; null: uncapped), what the run should have learned. */
  scenarioBandwidth: number | null;
}

/** How a blind run went: what it assumed, and what it learned (`simulate --blind`). */
export interface BlindFacts {
  /** true: adaptive admission learned each host (`migrate --adaptive`); false: admitted up to the caps. */
  adaptive: boolean;
  /** Bytes/s the runner assumes per importer before it measures one. */
  planningRate: number;
  /** Seconds between two progress readings of one import (CDI's cadence). */
  progressEverySeconds: number;
  /** Re-plans made with learned figures. */
  replans: number;
  /** Bytes/s one importer reached, once measured; null: never. */
  diskRate: number | null;
  /** The hosts as learned (none without adaptive admission). */
  hosts: BlindHost[];
}

/** The outcome of simulating one policy on a scenario; the JSON contract of `simulate -o json`. */
export interface SimulationResult {
  policy: PolicyName;
  /** Cap over the whole run (legacy and forklift: the per-host cap when maxInFlightPerHost is null). */
  maxInFlight: number;
  maxInFlightPerHost: number | null;
  /**
   * The caps as this policy applies them: over the whole run and per host (null: none). The controller's policies
   * (legacy, forklift) cap each host, never the run; disk and gang cap the run, and each host only when asked.
   */
  appliedCaps: { run: number | null; perHost: number | null };
  order: OrderName;
  /** What the schedule knew of the bandwidths (see BandwidthAssumption). */
  bandwidth: BandwidthAssumption;
  /** How the `disk` policy's planner chose to run the plan (absent for the other policies). */
  strategy?: string;
  /** The lower bound of the makespan under this policy's caps (seconds). */
  lowerBoundSeconds: number;
  /**
   * The packing bound under the same caps (seconds): how the disks pack into the cap's transfer slots at their own
   * rates, which the lower bound ignores (see `packingBound`). No schedule ends before max(lower, packing).
   */
  packingBoundSeconds: number;
  /** Time the last disk finishes (seconds). */
  makespanSeconds: number;
  ratioToLowerBound: number;
  /** Most disks in flight at one instant. */
  peakInFlight: number;
  transferWindowSeconds: WindowStats;
  /** Bytes copied. */
  bytes: number;
  vms: SimulatedVm[];
  disks: SimulatedDisk[];
  /** A blind run's assumptions and what it learned (`bandwidth: unknown` only). */
  blind?: BlindFacts;
}

/** The scenario in four numbers, as the reports show it. */
export interface ScenarioSummary {
  name: string;
  vms: number;
  disks: number;
  /** Bytes to copy over all disks. */
  bytes: number;
}

/** The JSON contract of `simulate -o json`: the scenario and one result per policy, in the requested order. */
export interface SimulateReport {
  scenario: ScenarioSummary;
  results: SimulationResult[];
}

/** The scenario's summary; `fallbackName` names a scenario that has no name of its own (its file's, say). */
export function summarizeScenario(scenario: Scenario, fallbackName: string): ScenarioSummary {
  const disks = scenario.vms.flatMap((vm) => vm.disks);
  return {
    name: scenario.name ?? fallbackName,
    vms: scenario.vms.length,
    disks: disks.length,
    bytes: disks.reduce((sum, disk) => sum + disk.size, 0),
  };
}
