import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPolicy } from '../src/create-policy.js';
import { toWorkload } from '../src/workload.js';
import { cases, RUNS } from './arbitrary-plans.js';

/**
 * Drives a policy by hand, finishing disks in an order fast-check picks and changing the caps on the way, and checks
 * that what `status` says agrees with what `admit` does, and that nothing stalls after a cap change.
 */
describe('policy status', () => {
  it('says start for a queued disk exactly when the next admission starts something, and for the first it starts', () => {
    fc.assert(
      fc.property(
        cases,
        fc.array(fc.nat(), { minLength: 200, maxLength: 200 }),
        fc.array(fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }), { minLength: 200, maxLength: 200 }),
        ({ scenario, options }, picks, newCaps) => {
          const workload = toWorkload(scenario);
          const policy = createPolicy(workload, options);
          const running: number[] = [];
          let done = 0;
          for (let step = 0; done < workload.disks.length; step++) {
            const queued = policy.queued(Number.POSITIVE_INFINITY);
            const statuses = queued.map((d) => policy.status(d));
            for (const s of statuses) if (s.kind !== 'start') expect(s.reason.length).toBeGreaterThan(0);
            const saidStart = queued.filter((_, i) => statuses[i].kind === 'start');
            const started = policy.admit();
            expect(started.length > 0, `step ${step}: admit started ${started}, status said ${saidStart}`).toBe(
              saidStart.length > 0,
            );
            if (started.length > 0) expect(saidStart).toContain(started[0]);
            running.push(...started);
            // Nothing in flight and nothing admitted while disks wait would be a stall.
            expect(running.length, `step ${step}: stalled with ${policy.queuedCount} queued`).toBeGreaterThan(0);
            const cap = newCaps[step % newCaps.length];
            if (cap !== undefined && step % 3 === 0) {
              policy.setCaps({ maxInFlight: cap, perHost: options.maxInFlightPerHost === undefined ? undefined : cap });
            }
            const [d] = running.splice(picks[step % picks.length] % running.length, 1);
            policy.finish(d);
            done++;
          }
          expect(policy.queuedCount).toBe(0);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
