import { describe, expect, it } from 'vitest';
import type { OrderName, Scenario } from '../src/model.js';
import { GangPolicy } from '../src/policies/gang.js';
import { simulateScenario } from '../src/simulator.js';
import { Gi, Mi, planOf, vmsOf } from './hand-built-plans.js';

describe('gang policy: order', () => {
  // vm-0 [50, 20]: largest 50, total 70; vm-1 [10]; vm-2 [50]: largest 50, total 50; vm-3 [30, 30, 30]: largest 30,
  // total 90; vm-4 [20, 50]: the same cost as vm-0.
  const workload = planOf(
    ['esx-01'],
    [
      [0, [50, 20]],
      [0, [10]],
      [0, [50]],
      [0, [30, 30, 30]],
      [0, [20, 50]],
    ],
  );

  it.each<[OrderName, number[]]>([
    ['largest', [0, 4, 2, 3, 1]],
    ['smallest', [1, 3, 2, 0, 4]],
    ['plan', [0, 1, 2, 3, 4]],
  ])('takes VMs in %s order (largest disk, then total bytes, then plan order): %j', (order, expected) => {
    const policy = new GangPolicy(workload, order, { maxInFlight: 100 });
    const started = policy.admit();
    expect(vmsOf(workload, started)).toEqual(expected);
    expect(started).toHaveLength(workload.disks.length);
    expect(policy.queuedCount).toBe(0);
  });

  it.each<[OrderName, number[]]>([
    ['largest', [0, 4, 2, 3, 1]],
    ['smallest', [1, 3, 2, 0, 4]],
    ['plan', [0, 1, 2, 3, 4]],
  ])('lists queued disks VM by VM in %s order', (order, expected) => {
    const policy = new GangPolicy(workload, order, { maxInFlight: 100 });
    expect(vmsOf(workload, policy.queued(100))).toEqual(expected);
    expect(policy.queued(3)).toHaveLength(3);
  });

  it('starts all disks of a VM together, in disk order', () => {
    const policy = new GangPolicy(workload, 'largest', { maxInFlight: 3 });
    // vm-0 (2 disks) fits; vm-4 (2) does not fit the one slot left; vm-2 (1) does.
    expect(policy.admit()).toEqual([...workload.vms[0].disks, ...workload.vms[2].disks]);
  });

  it('skips a VM that does not fit and starts a later one that does (first fit in cost order)', () => {
    const policy = new GangPolicy(workload, 'largest', { maxInFlight: 4 });
    expect(vmsOf(workload, policy.admit())).toEqual([0, 4]);
    policy.finish(workload.vms[0].disks[0]);
    // 3 in flight, room 1: vm-2 (1 disk) is next in cost order and fits; vm-3 (3) does not.
    expect(vmsOf(workload, policy.admit())).toEqual([2]);
    expect(policy.status(workload.vms[3].disks[0])).toEqual({ kind: 'wait', reason: 'cap 4/4' });
  });
});

describe('gang policy: caps', () => {
  it('holds the run-wide cap and the per-host cap at once', () => {
    // Three one-disk VMs on each of two hosts; at most 3 in flight, 2 per host.
    const workload = planOf(
      ['esx-01', 'esx-02'],
      [
        [0, [10]],
        [0, [10]],
        [0, [10]],
        [1, [10]],
        [1, [10]],
        [1, [10]],
      ],
    );
    const policy = new GangPolicy(workload, 'plan', { maxInFlight: 3, perHost: 2 });
    expect(vmsOf(workload, policy.admit())).toEqual([0, 1, 3]);
    expect(policy.status(2)).toEqual({ kind: 'wait', reason: 'cap 3/3' });

    policy.finish(3);
    expect(policy.status(2)).toEqual({ kind: 'wait', reason: 'host esx-01 at 2/2' });
    expect(policy.status(4)).toEqual({ kind: 'start' });
    expect(vmsOf(workload, policy.admit())).toEqual([4]);

    policy.finish(0);
    // Both hosts have room for one; esx-01's vm-2 comes first in plan order.
    expect(vmsOf(workload, policy.admit())).toEqual([2]);
    expect(policy.status(5)).toEqual({ kind: 'wait', reason: 'cap 3/3' });
  });

  // Unsplit (a warm plan's VMs start all their disks together); a cold plan's `gang` splits: policy-caps.test.ts.
  it('unsplit: starts a VM wider than the run-wide cap only when nothing is in flight', () => {
    const workload = planOf(
      ['esx-01'],
      [
        [0, [10]],
        [0, [10, 10, 10, 10, 10]],
        [0, [10]],
      ],
    );
    const policy = new GangPolicy(workload, 'plan', { maxInFlight: 3 });
    expect(vmsOf(workload, policy.admit())).toEqual([0, 2]);
    expect(policy.status(workload.vms[1].disks[0])).toEqual({
      kind: 'wait',
      reason: "waits for VM vm-1's gang of 5 disks to fit",
    });
    policy.finish(workload.vms[0].disks[0]);
    expect(policy.admit()).toEqual([]);
    policy.finish(workload.vms[2].disks[0]);
    expect(policy.status(workload.vms[1].disks[0])).toEqual({ kind: 'start' });
    expect(policy.admit()).toEqual(workload.vms[1].disks);
  });

  it('unsplit: starts a VM wider than the per-host cap only when its host is idle', () => {
    const workload = planOf(
      ['esx-01', 'esx-02'],
      [
        [0, [10]],
        [0, [10, 10, 10]],
        [1, [10]],
      ],
    );
    const policy = new GangPolicy(workload, 'plan', { maxInFlight: 10, perHost: 2 });
    // esx-02 being busy does not hold esx-01's wide VM back; only esx-01's own disk does.
    expect(vmsOf(workload, policy.admit())).toEqual([0, 2]);
    expect(policy.admit()).toEqual([]);
    policy.finish(workload.vms[0].disks[0]);
    expect(policy.admit()).toEqual(workload.vms[1].disks);
  });

  it('applies new caps to later admissions', () => {
    const workload = planOf(
      ['esx-01'],
      Array.from({ length: 6 }, (): [number, number[]] => [0, [10]]),
    );
    const policy = new GangPolicy(workload, 'plan', { maxInFlight: 2 });
    expect(policy.admit()).toEqual([0, 1]);
    policy.setCaps({ maxInFlight: 5 });
    expect(policy.admit()).toEqual([2, 3, 4]);
    policy.setCaps({ maxInFlight: 1 });
    policy.finish(0);
    expect(policy.admit()).toEqual([]);
    expect(policy.status(5)).toEqual({ kind: 'wait', reason: 'cap 4/1' });
  });
});

describe('gang policy: simulated', () => {
  const scenario: Scenario = {
    migration: 'cold',
    maxInFlight: 20,
    diskRate: 100 * Mi,
    hosts: [{ name: 'esx-01' }],
    vms: Array.from({ length: 10 }, (_, v) => ({
      name: `app-${v + 1}`,
      host: 'esx-01',
      disks: [{ size: 500 * Gi }, ...Array.from({ length: 9 }, () => ({ size: 10 * Gi }))],
    })),
  };

  it('starts each VM of the seed with all its disks at one instant and never runs more than 20', () => {
    const result = simulateScenario(scenario, { policy: 'gang', maxInFlight: 20, order: 'largest' });
    for (const vm of result.vms) {
      const starts = new Set(result.disks.filter((d) => d.vm === vm.name).map((d) => d.startSeconds));
      expect(starts.size).toBe(1);
    }
    expect(result.peakInFlight).toBeLessThanOrEqual(20);
    // Two VMs at t=0; each further VM needs 10 free slots, which the 500Gi disks hold until they finish.
    expect(result.makespanSeconds).toBeCloseTo(5939.2, 6);
  });
});
