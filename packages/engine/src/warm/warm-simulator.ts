/**
 * A warm migration in simulated time: WarmScheduler decides, this carries the decisions out. Copies move by the
 * bandwidth model (bandwidth.ts: each disk at most its rate, a host's disks share its bandwidth, all share the
 * network), as cold schedules do in run-schedule.ts; a round-1 copy is the whole disk, a later one the delta the
 * guest wrote since that disk's previous copy ended (change-rate.ts, as the sandbox's CDI sizes it); snapshots,
 * shutdowns and finishes take the seconds the options give (warm-task-seconds.ts unless told). At each instant every
 * event is applied before the scheduler decides, and it decides again until it has nothing more to say.
 */
import { maxMinRates } from '../bandwidth.js';
import type { Scenario, Workload } from '../model.js';
import { INSTANT_SECONDS } from '../run-schedule.js';
import { toWorkload } from '../workload.js';
import { DEFAULT_CHANGE_RATE_PERCENT_PER_HOUR, deltaBytes } from './change-rate.js';
import { WarmScheduler } from './warm-scheduler.js';
import {
  DEFAULT_PRECOPY_INTERVAL_SECONDS,
  type WarmScenarioOptions,
  type WarmSimulationOptions,
} from './warm-simulation-options.js';
import type { WarmSimulatedCopy, WarmSimulatedRound, WarmSimulationResult } from './warm-simulation-result.js';
import { summarizeWarmRun } from './warm-summary.js';
import { snapshotTaskSeconds, WARM_VCENTER_SECONDS } from './warm-task-seconds.js';

/** A copy in flight. */
interface Flow {
  copy: WarmSimulatedCopy;
  vm: number;
  disk: number;
  rate: number;
  host: number;
  /** Bytes still to copy. */
  left: number;
}

/** A snapshot or a finish under way: done at `at`. */
interface Timer {
  at: number;
  kind: 'snapshot' | 'finish';
  vm: number;
}

/** Runs a warm migration of `workload` to its end (every VM made); deterministic: same input, same result. */
export function simulateWarm(workload: Workload, options: WarmSimulationOptions): WarmSimulationResult {
  const interval = options.precopyIntervalSeconds ?? DEFAULT_PRECOPY_INTERVAL_SECONDS;
  const scheduler = new WarmScheduler(workload, {
    mode: options.mode,
    caps: options.caps,
    order: options.order,
    precopyIntervalSeconds: interval,
    cutoverAt: options.cutoverAtSeconds,
  });
  const hostBandwidth = workload.hosts.map((h) => h.bandwidth);
  const lastEnd = new Float64Array(workload.disks.length).fill(Number.NaN);
  const rounds: WarmSimulatedRound[][] = workload.vms.map(() => []);
  /** Per VM: copies of its current round not yet ended, and rounds whose every copy ended. */
  const copiesLeft = new Int32Array(workload.vms.length);
  const roundsCopied = new Int32Array(workload.vms.length);
  const vmBytes = new Float64Array(workload.vms.length);
  const finished = new Float64Array(workload.vms.length).fill(Number.NaN);
  const copies: WarmSimulatedCopy[] = [];
  let flows: Flow[] = [];
  const timers: Timer[] = [];
  /** Copies that ended at `t`, in the order they ended (ties by disk id), still to report. */
  let ended: Flow[] = [];
  let cutoverAt = options.cutoverAtSeconds;
  let peak = 0;
  let t = 0;

  const behaviour = (vm: number) => options.vms?.[vm] ?? {};
  const snapshotSeconds = (vm: number, round: number, final: boolean) => {
    const disks = workload.vms[vm].disks.length;
    const shutdown =
      final && behaviour(vm).poweredOn !== false ? (options.shutdownSeconds ?? WARM_VCENTER_SECONDS.guestShutdown) : 0;
    // a VM without disks took no snapshot before its final one: nothing to remove
    const removes = round > 1 && disks > 0;
    return shutdown + (options.snapshotSeconds ?? snapshotTaskSeconds(disks, removes));
  };

  const startCopy = (vm: number, disk: number, round: number, final: boolean) => {
    const d = workload.disks[disk];
    const rate = behaviour(vm).changeRate ?? DEFAULT_CHANGE_RATE_PERCENT_PER_HOUR;
    const bytes = round === 1 || Number.isNaN(lastEnd[disk]) ? d.bytes : deltaBytes(d.bytes, rate, t - lastEnd[disk]);
    const copy: WarmSimulatedCopy = {
      vm: workload.vms[vm].name,
      disk: d.index,
      host: workload.hosts[d.host].name,
      round,
      final,
      bytes,
      startSeconds: t,
      endSeconds: Number.NaN,
    };
    copies.push(copy);
    vmBytes[vm] += bytes;
    const flow: Flow = { copy, vm, disk, rate: d.rate, host: d.host, left: bytes };
    if (bytes > 0) flows.push(flow);
    else ended.push(flow);
  };

  /** Every VM with disks has copied round 1 and one precopy: the default cutover is now. */
  const defaultCutoverDue = () => workload.vms.every((vm, v) => vm.disks.length === 0 || roundsCopied[v] >= 2);

  /** A round's every copy ended (or, for a VM without disks, its snapshot is there). */
  const roundEnded = (vm: number) => {
    (rounds[vm].at(-1) as WarmSimulatedRound).endSeconds = t;
    roundsCopied[vm]++;
  };

  const settleInstant = () => {
    for (;;) {
      let moved = false;
      for (const flow of ended) {
        flow.copy.endSeconds = t;
        lastEnd[flow.disk] = t;
        if (--copiesLeft[flow.vm] === 0) roundEnded(flow.vm);
        scheduler.copyDone(flow.vm, flow.disk, t, t - flow.copy.startSeconds);
        moved = true;
      }
      ended = [];
      timers.sort((a, b) => a.at - b.at);
      while (timers.length > 0 && timers[0].at <= t) {
        const timer = timers.shift() as Timer;
        if (timer.kind === 'snapshot') {
          (rounds[timer.vm].at(-1) as WarmSimulatedRound).snapshotSeconds = t;
          if (workload.vms[timer.vm].disks.length === 0) roundEnded(timer.vm);
          scheduler.snapshotTaken(timer.vm);
        } else {
          finished[timer.vm] = t;
          scheduler.vmFinished(timer.vm);
        }
        moved = true;
      }
      if (cutoverAt === undefined && defaultCutoverDue()) {
        cutoverAt = t;
        scheduler.setCutover(t);
      }
      for (const action of scheduler.decide(t)) {
        moved = true;
        if (action.kind === 'snapshot') {
          rounds[action.vm].push({
            round: action.round,
            final: action.final,
            startSeconds: t,
            snapshotSeconds: Number.NaN,
            endSeconds: Number.NaN,
          });
          copiesLeft[action.vm] = workload.vms[action.vm].disks.length;
          timers.push({
            at: t + snapshotSeconds(action.vm, action.round, action.final),
            kind: 'snapshot',
            vm: action.vm,
          });
        } else if (action.kind === 'copy') {
          startCopy(action.vm, action.disk, action.round, action.final);
        } else {
          timers.push({ at: t + (options.finishSeconds ?? 0), kind: 'finish', vm: action.vm });
        }
      }
      peak = Math.max(peak, scheduler.inFlightCount);
      if (!moved) return;
    }
  };

  for (;;) {
    settleInstant();
    if (scheduler.settled) break;
    const rates = maxMinRates(flows, hostBandwidth, workload.networkBandwidth);
    let next = Math.min(Infinity, ...timers.map((timer) => timer.at), scheduler.nextWakeAt(t) ?? Infinity);
    flows.forEach((flow, i) => {
      next = Math.min(next, t + flow.left / rates[i]);
    });
    if (!Number.isFinite(next)) throw new Error('simulateWarm: VMs left, but nothing runs and nothing is due');
    const dt = next - t;
    flows.forEach((flow, i) => {
      flow.left -= rates[i] * dt;
    });
    t = next;
    const [done, going] = partition(flows, (flow, i) => flow.left / rates[i] <= INSTANT_SECONDS);
    ended = done.sort((a, b) => a.disk - b.disk);
    flows = going;
  }
  return summarizeWarmRun(workload, options, {
    precopyIntervalSeconds: interval,
    cutoverSeconds: cutoverAt ?? t,
    peakInFlight: peak,
    rounds,
    finished,
    vmBytes,
    copies,
  });
}

/**
 * Simulates a warm migration of a scenario: each VM's `changeRate` sizes its deltas, and a VM whose `powerState` is
 * `poweredOn` is shut down at its cutover (the sandbox's inventory takes a VM without one as powered off, and
 * Forklift's PowerOff does nothing to a VM already off).
 */
export function simulateWarmScenario(scenario: Scenario, options: WarmScenarioOptions): WarmSimulationResult {
  const vms = scenario.vms.map((vm) => ({ changeRate: vm.changeRate, poweredOn: vm.powerState === 'poweredOn' }));
  return simulateWarm(toWorkload(scenario), { ...options, vms });
}

function partition<T>(items: T[], test: (item: T, index: number) => boolean): [T[], T[]] {
  const yes: T[] = [];
  const no: T[] = [];
  items.forEach((item, i) => {
    (test(item, i) ? yes : no).push(item);
  });
  return [yes, no];
}
