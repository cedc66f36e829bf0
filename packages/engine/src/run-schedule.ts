import { type FlowGroup, maxMinGroupRates } from './bandwidth.js';
import { FinishHeap } from './finish-heap.js';
import type { Workload } from './model.js';
import type { AdoptedState, Policy } from './policy.js';

/** Finishes within this many simulated seconds of each other are one instant. */
export const INSTANT_SECONDS = 0.001;

/** When each disk ran, in simulated seconds from the start; NaN for a disk that never ran. */
export interface Timeline {
  start: Float64Array;
  end: Float64Array;
  /** Most disks in flight at one instant. */
  peakInFlight: number;
  /** Time the last disk finished. */
  makespan: number;
}

/**
 * In-flight disks of one host with one rate. They always move at the same rate, so one counter of bytes moved per
 * disk serves them all: a disk started when the counter read p finishes when it reads p + its size.
 */
interface RunningGroup extends FlowGroup {
  /** Bytes each disk of the group has moved since the group was made. */
  progress: number;
  finishes: FinishHeap;
}

/**
 * Runs a policy against the bandwidth model until every disk has finished. At each instant all finishes are
 * applied before any admission; rates are recomputed whenever a disk starts or finishes; a disk of size 0
 * finishes when it starts. An event costs O(groups + log disks), groups being the (host, rate) pairs in flight.
 * `adopted`: the state the policy has already adopted (see adoptState), whose running disks move from time 0.
 */
export function runSchedule(workload: Workload, policy: Policy, adopted?: AdoptedState): Timeline {
  const n = workload.disks.length;
  const start = new Float64Array(n).fill(Number.NaN);
  const end = new Float64Array(n).fill(Number.NaN);
  const hostBandwidth = workload.hosts.map((h) => h.bandwidth);
  const groups: RunningGroup[] = [];
  const groupIndex = new Map<string, number>();
  let active: RunningGroup[] = [];
  let inFlight = 0;
  let t = 0;
  let peak = 0;

  const run = (d: number, bytes = workload.disks[d].bytes) => {
    const { host, rate } = workload.disks[d];
    const key = `${host}/${rate}`;
    let g = groupIndex.get(key);
    if (g === undefined) {
      g = groups.push({ host, rate, count: 0, progress: 0, finishes: new FinishHeap() }) - 1;
      groupIndex.set(key, g);
    }
    const group = groups[g];
    if (group.count === 0) active.push(group);
    group.count++;
    group.finishes.push(group.progress + bytes, d);
    inFlight++;
  };

  const settle = () => {
    for (;;) {
      const admitted = policy.admit();
      if (admitted.length === 0) break;
      for (const d of admitted) {
        start[d] = t;
        if (workload.disks[d].bytes > 0) run(d);
        else {
          end[d] = t;
          policy.finish(d);
        }
      }
    }
    if (inFlight > peak) peak = inFlight;
  };

  // The policy has adopted these (adoptState). They count from time 0: done ones took no time, running ones have
  // `left` bytes to go.
  for (const d of adopted?.done ?? []) {
    start[d] = 0;
    end[d] = 0;
  }
  for (const [d, left] of adopted?.running ?? []) {
    start[d] = 0;
    if (left > 0) run(d, left);
    else {
      end[d] = 0;
      policy.finish(d);
    }
  }
  settle();
  while (inFlight > 0) {
    const rates = maxMinGroupRates(active, hostBandwidth, workload.networkBandwidth);
    let dt = Infinity;
    active.forEach((g, i) => {
      dt = Math.min(dt, (g.finishes.peekKey() - g.progress) / rates[i]);
    });
    if (!Number.isFinite(dt)) throw new Error('runSchedule: disks in flight but none moves');
    t += dt;
    const finished: number[] = [];
    active.forEach((g, i) => {
      g.progress += rates[i] * dt;
      while (g.finishes.size > 0 && (g.finishes.peekKey() - g.progress) / rates[i] <= INSTANT_SECONDS) {
        finished.push(g.finishes.pop());
        g.count--;
      }
    });
    active = active.filter((g) => g.count > 0);
    inFlight -= finished.length;
    finished.sort((a, b) => a - b);
    for (const d of finished) {
      end[d] = t;
      policy.finish(d);
    }
    settle();
  }
  if (policy.queuedCount > 0) throw new Error(`runSchedule: ${policy.queuedCount} disks queued but nothing runs`);
  return { start, end, peakInFlight: peak, makespan: t };
}
