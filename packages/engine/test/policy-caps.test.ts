/**
 * What each policy's cap means, held the same way by `simulate` and `migrate` (create-policy.ts): `gang` and `disk`
 * never pass `maxInFlight` over the run nor `perHost` on a host, even for a VM wider than the cap; `forklift` and
 * `legacy` cap each host as the controller does (kubev2v/forklift release-2.12,
 * pkg/controller/plan/scheduler/vsphere/scheduler.go `schedulable()`): a VM starts when its cost fits under the cap,
 * or, whatever its cost, on an idle host; nothing caps the run. Each policy is run by the simulator and also driven
 * the way `migrate`'s loop drives it (admit, then finish in whatever order the cluster finishes), on a plan with VMs
 * wider than the cap on several hosts.
 */
import { describe, expect, it } from 'vitest';
import { createPolicy } from '../src/create-policy.js';
import type { PolicyName, SchedulerOptions, Workload } from '../src/model.js';
import { seededRandom } from '../src/seeded-random.js';
import { simulateWorkload } from '../src/simulator.js';
import { planOf } from './hand-built-plans.js';

// esx-01: a 7-disk VM first in plan order, then small ones; esx-02: a 5-disk VM among small ones; esx-03: small ones.
// Sizes differ so that finishes spread out.
const workload: Workload = planOf(
  ['esx-01', 'esx-02', 'esx-03'],
  [
    [0, [40, 35, 30, 25, 20, 15, 10]],
    [1, [12, 8]],
    [2, [50]],
    [1, [30, 22, 18, 14, 6]],
    [0, [16]],
    [2, [9, 7]],
    [0, [11, 5]],
    [1, [3]],
    [2, [24, 4, 2]],
  ],
);
const hostOf = (d: number) => workload.disks[d].host;
const vmOf = (d: number) => workload.disks[d].vm;
const width = (v: number) => workload.vms[v].disks.length;

interface Peaks {
  run: number;
  host: number[];
}

/** Most disks in flight at once, over the run and per host, in a simulated schedule. */
function simulatedPeaks(options: SchedulerOptions): Peaks {
  const result = simulateWorkload(workload, options);
  const peaks: Peaks = { run: 0, host: workload.hosts.map(() => 0) };
  for (const t of new Set(result.disks.map((d) => d.startSeconds))) {
    const running = result.disks
      .map((d, id) => ({ ...d, id }))
      .filter((d) => d.bytes > 0 && d.startSeconds <= t && t < d.endSeconds);
    peaks.run = Math.max(peaks.run, running.length);
    workload.hosts.forEach((_, h) => {
      peaks.host[h] = Math.max(peaks.host[h], running.filter((d) => hostOf(d.id) === h).length);
    });
  }
  expect(result.peakInFlight).toBe(peaks.run);
  return peaks;
}

/** How the cluster finishes the disks in flight: the oldest first, the newest first, or at random (seeded). */
type FinishOrder = 'oldest' | 'newest' | number;

/**
 * Drives a policy as `migrate`'s loop does: admit, then one disk in flight finishes, until all are done. `check` sees
 * every admission with the disks in flight just before it, and the disks in flight after each batch.
 */
function drive(
  options: SchedulerOptions,
  order: FinishOrder,
  check: { admitted?: (disk: number, before: readonly number[]) => void; after?: (running: readonly number[]) => void },
): Peaks {
  const policy = createPolicy(workload, options);
  const random = typeof order === 'number' ? seededRandom(order) : () => 0;
  const running: number[] = [];
  const peaks: Peaks = { run: 0, host: workload.hosts.map(() => 0) };
  let finished = 0;
  while (finished < workload.disks.length) {
    for (const d of policy.admit()) {
      check.admitted?.(d, running);
      running.push(d);
    }
    check.after?.(running);
    peaks.run = Math.max(peaks.run, running.length);
    workload.hosts.forEach((_, h) => {
      peaks.host[h] = Math.max(peaks.host[h], running.filter((d) => hostOf(d) === h).length);
    });
    expect(running.length, `stalled with ${policy.queuedCount} queued`).toBeGreaterThan(0);
    const at = order === 'oldest' ? 0 : order === 'newest' ? running.length - 1 : Math.floor(random() * running.length);
    policy.finish(running.splice(at, 1)[0]);
    finished++;
  }
  expect(policy.queuedCount).toBe(0);
  return peaks;
}

const ORDERS: FinishOrder[] = ['oldest', 'newest', 1, 2, 3, 4, 5];

describe('gang and disk hold --max-inflight over the run and the per-host cap, VMs wider than the cap included', () => {
  it.each<[PolicyName, number, number | undefined]>([
    ['gang', 4, undefined],
    ['gang', 5, 2],
    ['gang', 1, undefined],
    ['disk', 4, undefined],
    ['disk', 5, 2],
    ['disk', 1, undefined],
  ])('%s, cap %i, per-host cap %s', (policy, maxInFlight, perHost) => {
    const options: SchedulerOptions = { policy, maxInFlight, maxInFlightPerHost: perHost, order: 'largest' };
    const hostCap = perHost ?? Infinity;
    const simulated = simulatedPeaks(options);
    expect(simulated.run).toBeLessThanOrEqual(maxInFlight);
    for (const peak of simulated.host) expect(peak).toBeLessThanOrEqual(hostCap);
    // the cap is used, not only held
    expect(simulated.run).toBe(Math.min(maxInFlight, hostCap * workload.hosts.length));
    for (const order of ORDERS) {
      const driven = drive(options, order, {});
      expect(driven.run, `finishing ${order}`).toBeLessThanOrEqual(maxInFlight);
      for (const peak of driven.host) expect(peak, `finishing ${order}`).toBeLessThanOrEqual(hostCap);
    }
  });

  it('gang: a VM wider than the cap takes the whole cap once it is free, largest disks first; its others go first', () => {
    const policy = createPolicy(workload, { policy: 'gang', maxInFlight: 4, order: 'plan' });
    // Plan order: the 7-disk vm-0 needs the whole cap, which is free: it starts its 4 largest disks, alone.
    expect(policy.admit()).toEqual([0, 1, 2, 3]);
    expect(policy.status(4)).toEqual({
      kind: 'wait',
      reason: 'next for VM vm-0, whose other disks have started; waits for a slot',
    });
    expect(policy.status(7)).toEqual({ kind: 'wait', reason: 'cap 4/4' });
    policy.finish(3);
    // vm-0's next disk goes ahead of vm-2, which would fit the free slot
    expect(policy.status(4)).toEqual({ kind: 'start' });
    expect(policy.admit()).toEqual([4]);
    policy.finish(0);
    policy.finish(1);
    expect(policy.admit()).toEqual([5, 6]);
    policy.finish(2);
    // vm-0 is all in flight; one slot: vm-1 waits for both of its, vm-2 (one disk) starts
    expect(policy.status(7)).toEqual({ kind: 'wait', reason: "waits for VM vm-1's gang of 2 disks to fit" });
    expect(policy.admit()).toEqual([9]);
  });

  it('gang: says how many free slots a VM wider than the cap waits for, following the caps', () => {
    const policy = createPolicy(workload, { policy: 'gang', maxInFlight: 4, order: 'largest' });
    // vm-2 (50), then first fit: vm-0 and vm-3 need the whole cap, vm-8's 3 disks fit
    expect(policy.admit()).toEqual([9, 21, 22, 23]);
    expect(policy.status(0)).toEqual({ kind: 'wait', reason: 'cap 4/4' });
    policy.finish(9);
    expect(policy.status(0)).toEqual({
      kind: 'wait',
      reason: "waits for 4 free slots to start VM vm-0's first 4 of 7 disks",
    });
    policy.setCaps({ maxInFlight: 6 });
    expect(policy.status(0)).toEqual({
      kind: 'wait',
      reason: "waits for 6 free slots to start VM vm-0's first 6 of 7 disks",
    });
    policy.setCaps({ maxInFlight: 8 });
    expect(policy.status(0)).toEqual({ kind: 'wait', reason: "waits for VM vm-0's gang of 7 disks to fit" });
  });
});

describe('forklift and legacy cap each host as the controller: a VM wider than the cap starts alone on an idle host', () => {
  /** What the controller charges a host for the disks in flight (scheduler.go `cost()`). */
  function charged(mode: 'forklift' | 'legacy', host: number, running: readonly number[]): number {
    const onHost = running.filter((d) => hostOf(d) === host);
    // forklift (2.7.2+, MTV-1537): a running VM costs its disks minus its finished disks
    if (mode === 'forklift') return onHost.length;
    // legacy: a running VM costs all its disks until every one has finished (they all start together)
    let cost = 0;
    for (const v of new Set(onHost.map(vmOf))) cost += width(v);
    return cost;
  }

  it.each<['forklift' | 'legacy', number, number | undefined]>([
    ['forklift', 4, undefined],
    ['forklift', 20, 3],
    ['forklift', 2, undefined],
    ['legacy', 4, undefined],
    ['legacy', 20, 3],
  ])('%s, cap %i, per-host cap %s', (policy, maxInFlight, perHost) => {
    const options: SchedulerOptions = { policy, maxInFlight, maxInFlightPerHost: perHost, order: 'largest' };
    // the controller's MAX_VM_INFLIGHT is one per-host figure: --max-inflight-per-host when given
    const cap = perHost ?? maxInFlight;
    const widest = workload.hosts.map((_, h) =>
      Math.max(...workload.vms.filter((vm) => vm.host === h).map((vm) => vm.disks.length)),
    );
    const simulated = simulatedPeaks(options);
    // per host: the cap, or a VM wider than the cap that started on the idle host, whole
    simulated.host.forEach((peak, h) => {
      // (every host here has more disks than the cap: one without a wider VM fills its cap)
      expect(peak, workload.hosts[h].name).toBe(Math.max(cap, widest[h]));
    });
    // the cap is per host, as the controller's; nothing caps the run: the hosts run side by side
    expect(simulated.run).toBeGreaterThan(cap);
    for (const order of ORDERS) {
      const started = new Set<number>();
      const driven = drive(options, order, {
        admitted: (d, before) => {
          const v = vmOf(d);
          if (started.has(v)) return;
          started.add(v);
          // scheduler.go schedulable(): a host at or above the cap starts nothing; a VM starts when its cost fits,
          // or on an idle host whatever its cost
          const inFlight = charged(policy, hostOf(d), before);
          const fits = inFlight + width(v) <= cap;
          expect(inFlight === 0 || (inFlight < cap && fits), `vm-${v} started on a host at ${inFlight}/${cap}`).toBe(
            true,
          );
        },
        after: (running) => {
          workload.hosts.forEach((_, h) => {
            const onHost = running.filter((d) => hostOf(d) === h);
            if (onHost.length <= cap) return;
            // over the cap only while one VM wider than the cap runs alone
            const vms = new Set(onHost.map(vmOf));
            expect(vms.size, `${onHost.length} on ${workload.hosts[h].name} over ${cap}`).toBe(1);
            expect(width([...vms][0])).toBeGreaterThan(cap);
          });
        },
      });
      driven.host.forEach((peak, h) => {
        expect(peak, `${workload.hosts[h].name}, finishing ${order}`).toBeLessThanOrEqual(Math.max(cap, widest[h]));
      });
    }
  });
});
