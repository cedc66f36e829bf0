import { describe, expect, it } from 'vitest';
import type { Scenario, Workload } from '../src/model.js';
import { VmCostPolicy } from '../src/policies/vm-cost.js';
import type { Caps } from '../src/policy.js';
import { simulateScenario } from '../src/simulator.js';
import { Gi, Mi, planOf as planOfSizes, vmsOf } from './hand-built-plans.js';

/** Each VM is [host index, disk count]; every disk is 1 Gi. */
function planOf(hosts: string[], vms: [host: number, disks: number][]) {
  return planOfSizes(
    hosts,
    vms.map(([host, count]) => [host, Array.from({ length: count }, () => 1)]),
  );
}

/** Finishes the first `count` disks of VM `v`. */
function finishDisks(policy: VmCostPolicy, workload: Workload, v: number, count: number) {
  for (const d of workload.vms[v].disks.slice(0, count)) policy.finish(d);
}

const MAX: Caps = { maxInFlight: 10 };

describe('forklift policy: the upstream scheduler cases (MAX = 10)', () => {
  it('starts only the cost-4 VM on a host at 6 with pending costs [6, 5, 4, 7]', () => {
    // vm-0 (10 disks) starts alone and fills the host; four of its disks finish, so the host is at 6.
    const workload = planOf(
      ['esx-01'],
      [
        [0, 10],
        [0, 6],
        [0, 5],
        [0, 4],
        [0, 7],
      ],
    );
    const policy = new VmCostPolicy(workload, 'forklift', MAX);
    expect(vmsOf(workload, policy.admit())).toEqual([0]);
    finishDisks(policy, workload, 0, 4);
    expect(policy.status(workload.vms[1].disks[0])).toEqual({
      kind: 'wait',
      reason: 'VM vm-1 costs 6; host esx-01 at 6/10',
    });
    expect(policy.status(workload.vms[3].disks[0])).toEqual({ kind: 'start' });

    expect(vmsOf(workload, policy.admit())).toEqual([3]);
    expect(policy.admit()).toEqual([]);
    expect(policy.queuedCount).toBe(6 + 5 + 7);
  });

  it.each([['forklift' as const], ['legacy' as const]])(
    'starts nothing on a host at 10 with pending costs [10, 0, 1] (%s)',
    (mode) => {
      // The engine never queues a VM without disks; the cost-0 VM of the upstream case is simply absent.
      const workload = planOf(
        ['esx-01'],
        [
          [0, 10],
          [0, 10],
          [0, 0],
          [0, 1],
        ],
      );
      const policy = new VmCostPolicy(workload, mode, MAX);
      expect(vmsOf(workload, policy.admit())).toEqual([0]);
      expect(policy.admit()).toEqual([]);
      expect(policy.status(workload.vms[3].disks[0])).toEqual({ kind: 'wait', reason: 'host esx-01 at 10/10' });
      expect(policy.status(workload.vms[1].disks[0])).toEqual({ kind: 'wait', reason: 'host esx-01 at 10/10' });
      expect(policy.queuedCount).toBe(11);
    },
  );

  it('starts the cost-11 VM first on an idle host with pending costs [11, 1, 2, 3, 10], and nothing beside it', () => {
    const workload = planOf(
      ['esx-01'],
      [
        [0, 11],
        [0, 1],
        [0, 2],
        [0, 3],
        [0, 10],
      ],
    );
    const policy = new VmCostPolicy(workload, 'forklift', MAX);
    expect(policy.status(workload.vms[0].disks[0])).toEqual({ kind: 'start' });
    expect(policy.status(workload.vms[1].disks[0])).toEqual({
      kind: 'wait',
      reason: 'behind an earlier VM in plan order on host esx-01',
    });

    const first = policy.admit();
    expect(first).toEqual(workload.vms[0].disks);
    expect(policy.admit()).toEqual([]);
    expect(policy.status(workload.vms[1].disks[0])).toEqual({ kind: 'wait', reason: 'host esx-01 at 11/10' });

    // Once it has finished, the host is idle again: 1 + 2 + 3 fit, the cost-10 VM does not (6 + 10 > 10).
    finishDisks(policy, workload, 0, 11);
    expect(vmsOf(workload, policy.admit())).toEqual([1, 2, 3]);
    expect(policy.status(workload.vms[4].disks[0])).toEqual({
      kind: 'wait',
      reason: 'VM vm-4 costs 10; host esx-01 at 6/10',
    });
  });

  it('says a VM wider than the cap waits for its host to be idle', () => {
    const workload = planOf(
      ['esx-01'],
      [
        [0, 1],
        [0, 11],
      ],
    );
    const policy = new VmCostPolicy(workload, 'forklift', MAX);
    expect(vmsOf(workload, policy.admit())).toEqual([0]);
    expect(policy.status(workload.vms[1].disks[0])).toEqual({
      kind: 'wait',
      reason: 'VM vm-1 costs 11 > cap 10; waits for host esx-01 to be idle',
    });
    finishDisks(policy, workload, 0, 1);
    expect(vmsOf(workload, policy.admit())).toEqual([1]);
  });
});

describe('forklift and legacy costs', () => {
  it('frees one unit per finished disk under forklift: a VM with 3 disks, one finished, costs 2', () => {
    const workload = planOf(
      ['esx-01'],
      [
        [0, 3],
        [0, 2],
      ],
    );
    const policy = new VmCostPolicy(workload, 'forklift', { maxInFlight: 4 });
    expect(vmsOf(workload, policy.admit())).toEqual([0]);
    expect(policy.status(workload.vms[1].disks[0])).toEqual({
      kind: 'wait',
      reason: 'VM vm-1 costs 2; host esx-01 at 3/4',
    });
    finishDisks(policy, workload, 0, 1);
    expect(policy.status(workload.vms[1].disks[0])).toEqual({ kind: 'start' });
    expect(vmsOf(workload, policy.admit())).toEqual([1]);
    expect(policy.status(workload.vms[1].disks[0]).kind).toBe('wait');
  });

  it('keeps charging all disks under legacy until the last disk of the VM finishes', () => {
    const workload = planOf(
      ['esx-01'],
      [
        [0, 3],
        [0, 2],
      ],
    );
    const policy = new VmCostPolicy(workload, 'legacy', { maxInFlight: 4 });
    expect(vmsOf(workload, policy.admit())).toEqual([0]);
    finishDisks(policy, workload, 0, 1);
    expect(policy.admit()).toEqual([]);
    expect(policy.status(workload.vms[1].disks[0])).toEqual({
      kind: 'wait',
      reason: 'VM vm-1 costs 2; host esx-01 at 3/4',
    });
    policy.finish(workload.vms[0].disks[1]);
    expect(policy.admit()).toEqual([]);
    policy.finish(workload.vms[0].disks[2]);
    expect(vmsOf(workload, policy.admit())).toEqual([1]);
  });

  it.each([
    ['forklift' as const, 2, [0, 1]],
    ['legacy' as const, 2, [0]],
  ])(
    'under %s, after %d of 3 disks finish, a 2-disk VM fits beside the first VM on a cap of 3 -> VMs %j',
    (mode, done, running) => {
      const workload = planOf(
        ['esx-01'],
        [
          [0, 3],
          [0, 2],
        ],
      );
      const policy = new VmCostPolicy(workload, mode, { maxInFlight: 3 });
      policy.admit();
      finishDisks(policy, workload, 0, done);
      const started = vmsOf(workload, policy.admit());
      expect([0, ...started]).toEqual(running);
    },
  );

  it('takes the first VM in plan order that fits, not the largest one', () => {
    const workload = planOf(
      ['esx-01'],
      [
        [0, 4],
        [0, 3],
        [0, 1],
        [0, 2],
      ],
    );
    const policy = new VmCostPolicy(workload, 'forklift', { maxInFlight: 6 });
    // vm-0 (4) starts; room 2: vm-1 (3) does not fit, vm-2 (1) does; room 1: vm-3 (2) does not.
    expect(vmsOf(workload, policy.admit())).toEqual([0, 2]);
  });
});

describe('forklift caps', () => {
  it('applies the cap per host: two hosts each run up to the cap', () => {
    const workload = planOf(
      ['esx-01', 'esx-02'],
      [
        [0, 2],
        [1, 2],
        [0, 1],
        [1, 1],
        [0, 1],
        [1, 1],
      ],
    );
    const policy = new VmCostPolicy(workload, 'forklift', { maxInFlight: 3 });
    const started = policy.admit();
    expect(started).toHaveLength(6);
    expect(vmsOf(workload, started).sort((a, b) => a - b)).toEqual([0, 1, 2, 3]);
    const perHost = [0, 0];
    for (const d of started) perHost[workload.disks[d].host]++;
    expect(perHost).toEqual([3, 3]);
    expect(policy.status(workload.vms[4].disks[0])).toEqual({ kind: 'wait', reason: 'host esx-01 at 3/3' });
    expect(policy.status(workload.vms[5].disks[0])).toEqual({ kind: 'wait', reason: 'host esx-02 at 3/3' });
  });

  it.each([['forklift' as const], ['legacy' as const]])(
    'uses the per-host cap instead of maxInFlight when one is set (%s)',
    (mode) => {
      const workload = planOf(
        ['esx-01', 'esx-02'],
        Array.from({ length: 8 }, (_, v): [number, number] => [v % 2, 1]),
      );
      const policy = new VmCostPolicy(workload, mode, { maxInFlight: 10, perHost: 2 });
      expect(vmsOf(workload, policy.admit())).toEqual([0, 2, 1, 3]);
      expect(policy.status(workload.vms[4].disks[0])).toEqual({ kind: 'wait', reason: 'host esx-01 at 2/2' });
    },
  );

  it('applies new caps to later admissions and stops nothing in flight', () => {
    const workload = planOf(
      ['esx-01'],
      Array.from({ length: 6 }, (): [number, number] => [0, 1]),
    );
    const policy = new VmCostPolicy(workload, 'forklift', { maxInFlight: 4 });
    expect(policy.admit()).toHaveLength(4);
    policy.setCaps({ maxInFlight: 10, perHost: 2 });
    expect(policy.admit()).toEqual([]);
    expect(policy.status(workload.vms[4].disks[0])).toEqual({ kind: 'wait', reason: 'host esx-01 at 4/2' });
    finishDisks(policy, workload, 0, 1);
    finishDisks(policy, workload, 1, 1);
    finishDisks(policy, workload, 2, 1);
    expect(vmsOf(workload, policy.admit())).toEqual([4]);
  });

  it('runs a simulated plan with --max-inflight-per-host as the per-host cap and no run-wide cap', () => {
    const scenario: Scenario = {
      migration: 'cold',
      maxInFlight: 20,
      diskRate: 100 * Mi,
      hosts: [{ name: 'esx-01' }, { name: 'esx-02' }],
      vms: Array.from({ length: 12 }, (_, v) => ({
        name: `vm-${v}`,
        host: v % 2 === 0 ? 'esx-01' : 'esx-02',
        disks: [{ size: 10 * Gi }],
      })),
    };
    const capped = simulateScenario(scenario, {
      policy: 'forklift',
      maxInFlight: 20,
      maxInFlightPerHost: 2,
      order: 'plan',
    });
    expect(capped.peakInFlight).toBe(4);
    expect(capped.maxInFlightPerHost).toBe(2);
    // Six one-disk VMs per host, two at a time at 100 Mi/s: three waves of 102.4 s.
    expect(capped.makespanSeconds).toBeCloseTo(3 * 102.4, 6);

    const uncapped = simulateScenario(scenario, { policy: 'forklift', maxInFlight: 4, order: 'plan' });
    // maxInFlight is the per-host cap for forklift: 4 per host, 8 in all.
    expect(uncapped.peakInFlight).toBe(8);
    expect(uncapped.maxInFlightPerHost).toBeNull();
  });

  it('starts every disk of a VM at once and keeps plan order on one host', () => {
    const scenario: Scenario = {
      migration: 'cold',
      maxInFlight: 3,
      diskRate: 100 * Mi,
      hosts: [{ name: 'esx-01' }],
      vms: [
        { name: 'small', host: 'esx-01', disks: [{ size: 1 * Gi }, { size: 1 * Gi }] },
        { name: 'big', host: 'esx-01', disks: [{ size: 100 * Gi }, { size: 100 * Gi }] },
        { name: 'tiny', host: 'esx-01', disks: [{ size: 1 * Gi }] },
      ],
    };
    const result = simulateScenario(scenario, { policy: 'forklift', maxInFlight: 3, order: 'largest' });
    const start = (vm: string) => result.disks.filter((d) => d.vm === vm).map((d) => d.startSeconds);
    // small (2) and tiny (1) fill the cap of 3 at t=0; big waits until small's disks finish at 10.24 s.
    expect(start('small')).toEqual([0, 0]);
    expect(start('tiny')).toEqual([0]);
    expect(start('big')[0]).toBeCloseTo(10.24, 9);
    expect(start('big')[1]).toBe(start('big')[0]);
  });
});
