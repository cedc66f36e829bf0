import { windowStats } from '../metrics.js';
import type { Workload } from '../model.js';
import type { WarmSimulationOptions } from './warm-simulation-options.js';
import type {
  WarmSimulatedCopy,
  WarmSimulatedRound,
  WarmSimulatedVm,
  WarmSimulationResult,
} from './warm-simulation-result.js';

/** What a finished warm simulation recorded, per VM by plan index (seconds from the start). */
export interface WarmRunRecord {
  precopyIntervalSeconds: number;
  cutoverSeconds: number;
  peakInFlight: number;
  rounds: readonly (readonly WarmSimulatedRound[])[];
  /** When each VM was made. */
  finished: Float64Array;
  /** Bytes each VM copied over all rounds. */
  vmBytes: Float64Array;
  copies: WarmSimulatedCopy[];
}

/** The result of a warm simulation: per VM its rounds and downtime, and the figures over the run. */
export function summarizeWarmRun(
  workload: Workload,
  options: WarmSimulationOptions,
  run: WarmRunRecord,
): WarmSimulationResult {
  const vms: WarmSimulatedVm[] = workload.vms.map((vm, v) => {
    const rounds = run.rounds[v];
    const first = rounds.find((r) => r.round === 1);
    const final = rounds.find((r) => r.final);
    if (!final) throw new Error(`summarizeWarmRun: VM ${vm.name} has no final round`);
    // a VM without disks copies nothing: its final round is its only one, and no round of copies
    const copied = vm.disks.length === 0 ? 0 : rounds.length;
    return {
      name: vm.name,
      host: workload.hosts[vm.host].name,
      rounds: copied,
      precopies: Math.max(0, copied - 2),
      round1EndSeconds: first?.endSeconds ?? 0,
      snapshotAgeSeconds: first ? first.endSeconds - first.snapshotSeconds : 0,
      cutoverSeconds: final.startSeconds,
      finishedSeconds: run.finished[v],
      downtimeSeconds: run.finished[v] - final.startSeconds,
      bytes: run.vmBytes[v],
      roundTimes: rounds.map((r) => ({ ...r })),
    };
  });
  const downtimes = vms.map((vm) => vm.downtimeSeconds);
  const { maxInFlight, perHost } = options.caps;
  return {
    policy: options.mode,
    maxInFlight,
    maxInFlightPerHost: perHost ?? null,
    appliedCaps:
      options.mode === 'forklift'
        ? { run: null, perHost: perHost ?? maxInFlight }
        : { run: maxInFlight, perHost: perHost ?? null },
    order: options.order,
    bandwidth: 'scenario',
    precopyIntervalSeconds: run.precopyIntervalSeconds,
    cutoverSeconds: run.cutoverSeconds,
    cutoverGiven: options.cutoverAtSeconds !== undefined,
    cutoverReadySeconds: Math.max(
      0,
      ...vms.filter((_, v) => workload.vms[v].disks.length > 0).map((vm) => vm.round1EndSeconds),
    ),
    makespanSeconds: Math.max(0, ...vms.map((vm) => vm.finishedSeconds)),
    peakInFlight: run.peakInFlight,
    downtimeSeconds: { ...windowStats(downtimes), total: downtimes.reduce((a, b) => a + b, 0) },
    bytes: run.copies.reduce((sum, copy) => sum + copy.bytes, 0),
    vms,
    copies: run.copies,
  };
}
