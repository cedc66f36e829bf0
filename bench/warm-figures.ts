/**
 * The figures the warm section compares, in simulated seconds from the start: from `simulate -o json` (one policy's
 * result) and from a `migrate -o ndjson` run against the sandbox (its events' times, times the sandbox's speed).
 */
import type { WarmMode, WarmSimulationResult } from '@kubectl-mtv/engine';
import type { RunEvent } from '../src/runner/run-events.js';
import type { WarmRun } from './warm-run.js';

/** Where a VM's downtime goes, summed over the VMs (seconds). */
export interface DowntimePhases {
  /** Cutover begun → the source off. */
  shutdown: number;
  /** Source off → final snapshot there: the previous snapshot removed, the final one taken. */
  snapshots: number;
  /** Final snapshot → the VM's last disk has its final checkpoint. */
  copy: number;
  /** Last disk copied → VM made: the final snapshot removed, the VirtualMachine created. */
  finish: number;
}

/** One policy's warm migration, measured (seconds from the start, simulated). */
export interface WarmFigures {
  /** Start-up: from the start to the run under way (0 for simulate). */
  startup: number;
  /** Every VM has copied its round 1. */
  cutoverReady: number;
  /** The first VM's cutover began. */
  cutover: number;
  /** The last VM was made. */
  makespan: number;
  downtimeTotal: number;
  downtimeMax: number;
  /** Delta rounds before the final ones, over all VMs. */
  precopies: number;
  vms: number;
  phases: DowntimePhases;
}

/** One policy: simulate's figures, its sandbox run, and the run's figures when it counts. */
export interface PolicyFigures {
  policy: WarmMode;
  simulated: WarmFigures;
  run: WarmRun;
  real?: WarmFigures;
}

/**
 * simulate's figures for one policy. Its final round runs from the cutover to the final snapshot in one interval: the
 * shutdown in it is `shutdownOf(vm)`, the seconds simulate gives that VM's shutdown.
 */
export function simulatedFigures(result: WarmSimulationResult, shutdownOf: (vm: string) => number): WarmFigures {
  const phases: DowntimePhases = { shutdown: 0, snapshots: 0, copy: 0, finish: 0 };
  for (const vm of result.vms) {
    const final = vm.roundTimes.find((r) => r.final);
    if (!final) continue;
    phases.shutdown += shutdownOf(vm.name);
    phases.snapshots += final.snapshotSeconds - final.startSeconds - shutdownOf(vm.name);
    phases.copy += final.endSeconds - final.snapshotSeconds;
    phases.finish += vm.finishedSeconds - final.endSeconds;
  }
  return {
    startup: 0,
    cutoverReady: result.cutoverReadySeconds,
    cutover: Math.min(...result.vms.map((vm) => vm.cutoverSeconds)),
    makespan: result.makespanSeconds,
    downtimeTotal: result.downtimeSeconds.total,
    downtimeMax: result.downtimeSeconds.max,
    precopies: result.vms.reduce((n, vm) => n + vm.precopies, 0),
    vms: result.vms.length,
    phases,
  };
}

/**
 * A run's figures from its events. `startMs` is the run's zero (ms since the epoch), `speed` the sandbox's simulated
 * seconds per real second. A VM's downtime is the run's own: its `downtime` event says how long after its cutover
 * began (as the run recorded it) the VM was made; its phases split that time at its source's `off`, its final
 * `snapshot` and its last `finished` disk.
 */
export function runFigures(events: readonly RunEvent[], startMs: number, speed: number): WarmFigures {
  const at = (e: RunEvent) => ((Date.parse(e.time) - startMs) / 1000) * speed;
  const warm = events.flatMap((e) => (e.type === 'warm' ? [e] : []));
  const of = (phase: string) => warm.filter((e) => e.phase === phase);
  const phases: DowntimePhases = { shutdown: 0, snapshots: 0, copy: 0, finish: 0 };
  const cutovers: number[] = [];
  const downtimes: number[] = [];
  for (const down of of('downtime')) {
    const vm = down.vm;
    const seconds = (down.seconds ?? 0) * speed;
    const made = at(down);
    downtimes.push(seconds);
    cutovers.push(made - seconds);
    const off = events.find((e) => e.type === 'source-power' && e.vm === vm && e.phase === 'off');
    const snapshot = warm.find((e) => e.vm === vm && e.phase === 'snapshot' && e.final);
    const copied = events.filter((e) => e.type === 'finished' && e.disk.vm === vm).map(at);
    if (!off || !snapshot || copied.length === 0) continue;
    phases.shutdown += at(off) - (made - seconds);
    phases.snapshots += at(snapshot) - at(off);
    phases.copy += Math.max(...copied) - at(snapshot);
    phases.finish += made - Math.max(...copied);
  }
  const started = events.find((e) => e.type === 'plan');
  return {
    startup: started ? at(started) : Number.NaN,
    cutoverReady: Math.max(...of('paused').flatMap((e) => (e.round === 1 ? [at(e)] : []))),
    cutover: Math.min(...cutovers),
    makespan: Math.max(...events.flatMap((e) => (e.type === 'vm-created' ? [at(e)] : []))),
    downtimeTotal: downtimes.reduce((a, b) => a + b, 0),
    downtimeMax: Math.max(...downtimes),
    precopies: of('snapshot').filter((e) => e.round >= 2 && !e.final).length,
    vms: downtimes.length,
    phases,
  };
}
