import { type FlowDemand, maxMinRates } from './bandwidth.js';
import type { TransferPlan } from './model.js';
import type { Policy } from './policy.js';

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
 * Runs a policy against the bandwidth model until every disk has finished. At each instant all finishes are
 * applied before any admission; rates are recomputed whenever a disk starts or finishes; a disk of size 0
 * finishes when it starts.
 */
export function runSchedule(plan: TransferPlan, policy: Policy): Timeline {
  const n = plan.disks.length;
  const start = new Float64Array(n).fill(Number.NaN);
  const end = new Float64Array(n).fill(Number.NaN);
  const remaining = new Float64Array(n);
  const hostBandwidth = plan.hosts.map((h) => h.bandwidth);
  let running: number[] = [];
  let t = 0;
  let peak = 0;

  const settle = () => {
    for (;;) {
      const admitted = policy.admit();
      if (admitted.length === 0) break;
      for (const d of admitted) {
        start[d] = t;
        remaining[d] = plan.disks[d].bytes;
        if (remaining[d] > 0) {
          running.push(d);
        } else {
          end[d] = t;
          policy.finish(d);
        }
      }
    }
    if (running.length > peak) peak = running.length;
  };

  settle();
  while (running.length > 0) {
    const flows: FlowDemand[] = running.map((d) => plan.disks[d]);
    const rates = maxMinRates(flows, hostBandwidth, plan.networkBandwidth);
    let dt = Infinity;
    for (let i = 0; i < running.length; i++) dt = Math.min(dt, remaining[running[i]] / rates[i]);
    if (!Number.isFinite(dt)) throw new Error('runSchedule: disks in flight but none moves');
    t += dt;
    const still: number[] = [];
    const finished: number[] = [];
    for (let i = 0; i < running.length; i++) {
      const d = running[i];
      const left = remaining[d] - rates[i] * dt;
      if (left / rates[i] <= INSTANT_SECONDS) finished.push(d);
      else {
        remaining[d] = left;
        still.push(d);
      }
    }
    running = still;
    for (const d of finished) {
      end[d] = t;
      remaining[d] = 0;
      policy.finish(d);
    }
    settle();
  }
  if (policy.queuedCount > 0) throw new Error(`runSchedule: ${policy.queuedCount} disks queued but nothing runs`);
  return { start, end, peakInFlight: peak, makespan: t };
}
