import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPolicy } from '../src/create-policy.js';
import type { AdoptedState } from '../src/policy.js';
import { runSchedule } from '../src/run-schedule.js';
import { toWorkload } from '../src/workload.js';
import { cases, RUNS } from './arbitrary-plans.js';

/**
 * A re-run adopts the cluster's state: take a schedule, stop it at a random instant, hand the disks done and in
 * flight to a fresh policy, and run it to the end.
 */
describe('adopting a run in progress', () => {
  it('starts every other disk exactly once, never an adopted one again, and holds the cap', () => {
    fc.assert(
      fc.property(cases, fc.double({ min: 0, max: 1, noNaN: true }), ({ scenario, options }, cut) => {
        const workload = toWorkload(scenario);
        const first = runSchedule(workload, createPolicy(workload, options));
        const at = cut * first.makespan;
        const done: number[] = [];
        const running = new Map<number, number>();
        workload.disks.forEach((d) => {
          if (first.end[d.id] <= at) done.push(d.id);
          else if (first.start[d.id] <= at) {
            const share = (first.end[d.id] - at) / (first.end[d.id] - first.start[d.id]);
            running.set(d.id, d.bytes * share);
          }
        });
        const adopted: AdoptedState = { running, done };
        const policy = createPolicy(workload, options, adopted);
        const second = runSchedule(workload, policy, adopted);
        for (const d of workload.disks) {
          expect(Number.isFinite(second.end[d.id]), `disk ${d.id} ends`).toBe(true);
          if (done.includes(d.id) || running.has(d.id)) expect(second.start[d.id]).toBe(0);
        }
        if (options.policy === 'disk' && scenario.migration === 'cold') {
          // In flight at each start: the adopted ones may exceed a cap; admissions never add to an excess.
          const events = workload.disks
            .filter((d) => d.bytes > 0 && !done.includes(d.id))
            .flatMap((d) => [
              { t: second.start[d.id], delta: 1 },
              { t: second.end[d.id], delta: -1 },
            ])
            .sort((a, b) => a.t - b.t || a.delta - b.delta);
          let inFlight = 0;
          for (const e of events) {
            inFlight += e.delta;
            if (e.delta > 0 && e.t > 0) expect(inFlight).toBeLessThanOrEqual(options.maxInFlight);
          }
        }
      }),
      { numRuns: RUNS },
    );
  });
});
