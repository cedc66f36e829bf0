import { describe, expect, it } from 'vitest';
import type { PolicyName, Scenario, SchedulerOptions } from '../src/model.js';
import { POLICY_NAMES } from '../src/model.js';
import { INSTANT_SECONDS } from '../src/run-schedule.js';
import { simulateScenario } from '../src/simulator.js';

const Ki = 2 ** 10;
const Mi = 2 ** 20;
const Gi = 2 ** 30;

/** One host, no caps on bandwidth, 100 Mi/s per disk; each VM is a list of disk sizes (bytes). */
function oneHost(vms: Record<string, number[]>): Scenario {
  return {
    migration: 'cold',
    maxInFlight: 20,
    diskRate: 100 * Mi,
    hosts: [{ name: 'esx-01' }],
    vms: Object.entries(vms).map(([name, sizes]) => ({
      name,
      host: 'esx-01',
      disks: sizes.map((size) => ({ size })),
    })),
  };
}

const gang = (maxInFlight: number): SchedulerOptions => ({ policy: 'gang', maxInFlight, order: 'plan' });

describe('simulateScenario: time', () => {
  it('finishes a zero-size disk when it starts, and does not count it in flight', () => {
    const result = simulateScenario(oneHost({ a: [100 * Mi], b: [0], c: [100 * Mi] }), gang(1));
    expect(result.disks.map((d) => [d.vm, d.startSeconds, d.endSeconds])).toEqual([
      ['a', 0, 1],
      ['b', 1, 1],
      ['c', 1, 2],
    ]);
    expect(result.peakInFlight).toBe(1);
  });

  it.each(POLICY_NAMES.map((p) => [p]))('ends a plan of empty disks at once under %s', (policy) => {
    const result = simulateScenario(oneHost({ a: [0, 0], b: [0] }), { policy, maxInFlight: 1, order: 'largest' });
    for (const d of result.disks) expect([d.startSeconds, d.endSeconds]).toEqual([0, 0]);
    expect(result.makespanSeconds).toBe(0);
    expect(result.lowerBoundSeconds).toBe(0);
    expect(result.ratioToLowerBound).toBe(1);
    expect(result.peakInFlight).toBe(0);
  });

  it('takes finishes less than 1 ms apart as one instant', () => {
    // 50 Ki more at 100 Mi/s is 0.49 ms more.
    const result = simulateScenario(oneHost({ a: [100 * Mi], b: [100 * Mi + 50 * Ki] }), gang(2));
    expect(INSTANT_SECONDS).toBe(0.001);
    expect(result.disks.map((d) => d.endSeconds)).toEqual([1, 1]);
    expect(result.makespanSeconds).toBe(1);
  });

  it('keeps finishes more than 1 ms apart distinct', () => {
    // 300 Ki more at 100 Mi/s is 2.9 ms more.
    const result = simulateScenario(oneHost({ a: [100 * Mi], b: [100 * Mi + 300 * Ki] }), gang(2));
    const [a, b] = result.disks.map((d) => d.endSeconds);
    expect(a).toBe(1);
    expect(b).toBeCloseTo(1 + (300 * Ki) / (100 * Mi), 9);
  });

  it('hands the bandwidth a finished disk frees to the disks still running', () => {
    // A host of 100 Mi/s: two disks share it at 50 each; after the 50Mi disk ends at 1 s, the other runs at 100.
    const scenario: Scenario = {
      ...oneHost({ a: [50 * Mi], b: [150 * Mi] }),
      hosts: [{ name: 'esx-01', bandwidth: 100 * Mi }],
    };
    const result = simulateScenario(scenario, gang(2));
    expect(result.disks.map((d) => d.endSeconds)).toEqual([1, 2]);
  });
});

describe('simulateScenario: lower bound', () => {
  // Host esx-a (150 B/s): a1 [1200, 600]; host esx-b (uncapped): b1 [900, 900, 900], b2 [300]; network 250 B/s;
  // 100 B/s a disk. Longest disk 12 s; all 4800 B; esx-a 1800 B; esx-b 3000 B.
  const scenario: Scenario = {
    migration: 'cold',
    maxInFlight: 2,
    diskRate: 100,
    networkBandwidth: 250,
    hosts: [{ name: 'esx-a', bandwidth: 150 }, { name: 'esx-b' }],
    vms: [
      { name: 'a1', host: 'esx-a', disks: [{ size: 1200 }, { size: 600 }] },
      { name: 'b1', host: 'esx-b', disks: [{ size: 900 }, { size: 900 }, { size: 900 }] },
      { name: 'b2', host: 'esx-b', disks: [{ size: 300 }] },
    ],
  };

  // Where a VM is wider than a cap it may run beyond the cap on an idle host, so only the formula is checked here.
  it.each<[PolicyName, number, number | undefined, number, string]>([
    ['forklift', 2, undefined, 19.2, 'no run-wide cap: the network, 4800 / 250'],
    ['legacy', 2, undefined, 19.2, 'no run-wide cap: the network, 4800 / 250'],
    ['gang', 2, undefined, 24, 'the run-wide cap, 4800 / (2 x 100)'],
    ['disk', 2, undefined, 24, 'the run-wide cap, 4800 / (2 x 100)'],
    ['forklift', 1, undefined, 30, 'maxInFlight per host: esx-b, 3000 / (1 x 100)'],
    ['gang', 1, undefined, 48, 'the run-wide cap, 4800 / (1 x 100)'],
    ['forklift', 3, 1, 30, 'the per-host cap: esx-b, 3000 / (1 x 100)'],
    ['gang', 3, 1, 30, 'the per-host cap: esx-b, 3000 / (1 x 100)'],
    ['legacy', 8, 4, 19.2, 'the network, 4800 / 250'],
    ['disk', 8, 4, 19.2, 'the network, 4800 / 250'],
    ['gang', 8, 1, 30, 'the per-host cap on esx-b (esx-a: 1800 / min(150, 100) = 18)'],
  ])('bounds %s with cap %d and per-host cap %s at %d s: %s', (policy, maxInFlight, perHost, bound) => {
    const result = simulateScenario(scenario, { policy, maxInFlight, maxInFlightPerHost: perHost, order: 'largest' });
    expect(result.lowerBoundSeconds).toBeCloseTo(bound, 9);
    expect(result.ratioToLowerBound).toBeCloseTo(result.makespanSeconds / bound, 9);
  });

  it.each<[PolicyName, number]>([
    ['forklift', 120],
    ['disk', 120],
  ])(
    'bounds %s by the longest disk at its own rate (1200 B at 10 B/s) when nothing else binds: %d s',
    (policy, bound) => {
      const slow: Scenario = {
        ...scenario,
        networkBandwidth: undefined,
        vms: scenario.vms.map((vm) =>
          vm.name === 'a1' ? { ...vm, disks: [{ size: 1200, rate: 10 }, { size: 600 }] } : vm,
        ),
      };
      const result = simulateScenario(slow, { policy, maxInFlight: 2, order: 'largest' });
      expect(result.lowerBoundSeconds).toBeCloseTo(bound, 9);
      expect(result.makespanSeconds).toBeGreaterThanOrEqual(bound);
    },
  );
});

describe('simulateScenario: transfer windows', () => {
  it('reports mean, nearest-rank 95th percentile and max of the windows, leaving out VMs without disks', () => {
    // 21 windows: 0 s (an empty disk) and 1..20 s. Mean 210 / 21 = 10; nearest rank ceil(0.95 x 21) = 20th: 19 s.
    const vms: Record<string, number[]> = { none: [], zero: [0] };
    for (let i = 1; i <= 20; i++) vms[`vm-${i}`] = [i * 100 * Mi];
    const result = simulateScenario(oneHost(vms), gang(20));
    expect(result.vms.map((v) => v.name)).not.toContain('none');
    expect(result.vms).toHaveLength(21);
    expect(result.transferWindowSeconds.mean).toBeCloseTo(10, 9);
    expect(result.transferWindowSeconds.p95).toBeCloseTo(19, 9);
    expect(result.transferWindowSeconds.max).toBeCloseTo(20, 9);
  });

  it('measures a window from the first disk start of a VM to its last disk end', () => {
    // Cap 2, plan order: p's two disks start at 0; q starts when p's 1 s disk ends, and ends with p at 3 s.
    const result = simulateScenario(oneHost({ p: [100 * Mi, 300 * Mi], q: [200 * Mi] }), gang(2));
    expect(result.vms).toEqual([
      { name: 'p', host: 'esx-01', startSeconds: 0, endSeconds: 3 },
      { name: 'q', host: 'esx-01', startSeconds: 1, endSeconds: 3 },
    ]);
    expect(result.transferWindowSeconds).toEqual({ mean: 2.5, p95: 3, max: 3 });
  });

  it('reports zeros when no VM has a disk', () => {
    const result = simulateScenario(oneHost({ a: [], b: [] }), gang(2));
    expect(result.vms).toEqual([]);
    expect(result.disks).toEqual([]);
    expect(result.transferWindowSeconds).toEqual({ mean: 0, p95: 0, max: 0 });
    expect(result.makespanSeconds).toBe(0);
  });
});

describe('simulateScenario: the JSON contract', () => {
  const scenario: Scenario = {
    ...oneHost({ web: [10 * Gi, 0], db: [50 * Gi], none: [] }),
    hosts: [{ name: 'esx-01', bandwidth: 150 * Mi }],
  };

  it.each(POLICY_NAMES.map((p) => [p]))('gives every field of `simulate -o json` under %s', (policy) => {
    const result = simulateScenario(scenario, { policy, maxInFlight: 4, order: 'smallest' });
    expect(Object.keys(result).sort()).toEqual(
      [
        'policy',
        'maxInFlight',
        'maxInFlightPerHost',
        'appliedCaps',
        'order',
        // what the schedule knew of the bandwidths: the scenario's (a blind run's is `unknown`)
        'bandwidth',
        'lowerBoundSeconds',
        'packingBoundSeconds',
        'makespanSeconds',
        'ratioToLowerBound',
        'peakInFlight',
        'transferWindowSeconds',
        'bytes',
        'vms',
        'disks',
        // The `disk` policy's planner says which way of running the plan it chose.
        ...(policy === 'disk' ? ['strategy'] : []),
      ].sort(),
    );
    if (policy === 'disk') expect(result.strategy).toMatch(/\w/);
    expect(result.bandwidth).toBe('scenario');
    // the controller's policies cap each host, never the run; disk and gang the run
    const controller = policy === 'legacy' || policy === 'forklift';
    expect(result.appliedCaps).toEqual(controller ? { run: null, perHost: 4 } : { run: 4, perHost: null });
    expect(result).toMatchObject({
      policy,
      maxInFlight: 4,
      maxInFlightPerHost: null,
      order: 'smallest',
      bytes: 60 * Gi,
    });
    expect(Object.keys(result.transferWindowSeconds).sort()).toEqual(['max', 'mean', 'p95']);
    expect(result.vms.map((v) => Object.keys(v).sort())).toEqual([
      ['endSeconds', 'host', 'name', 'startSeconds'],
      ['endSeconds', 'host', 'name', 'startSeconds'],
    ]);
    expect(result.disks.map((d) => [d.vm, d.disk, d.host, d.bytes])).toEqual([
      ['web', 0, 'esx-01', 10 * Gi],
      ['web', 1, 'esx-01', 0],
      ['db', 0, 'esx-01', 50 * Gi],
    ]);
    for (const d of result.disks) {
      expect(Object.keys(d).sort()).toEqual(['bytes', 'disk', 'endSeconds', 'host', 'startSeconds', 'vm']);
    }
    // Every number is finite, so the result survives JSON unchanged.
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  it('echoes the per-host cap when one is given', () => {
    const result = simulateScenario(scenario, { policy: 'disk', maxInFlight: 4, maxInFlightPerHost: 1, order: 'plan' });
    expect(result.maxInFlightPerHost).toBe(1);
    expect(result.peakInFlight).toBe(1);
  });
});
