import { describe, expect, it } from 'vitest';
import { boundCaps, lowerBound, packingBound } from '../src/lower-bound.js';
import type { Scenario, SchedulerOptions } from '../src/model.js';
import { DiskPlanner, describeStrategy } from '../src/policies/disk-planner.js';
import { simulateScenario } from '../src/simulator.js';
import { toWorkload } from '../src/workload.js';

const Gi = 2 ** 30;
const Mi = 2 ** 20;

/**
 * One host, a cap of 4 and a VM of five disks (wider than the cap) beside a VM of one 50Gi disk. The controller starts
 * the wide VM whole on the idle host, so its window is one disk long; `disk` may not pass the cap, and keeping that
 * window short costs the plan a third of its length.
 */
const wide: Scenario = {
  name: 'one-host-wide-vm',
  migration: 'cold',
  maxInFlight: 4,
  diskRate: 100 * Mi,
  hosts: [{ name: 'esx-01' }],
  vms: [
    { name: 'wide', host: 'esx-01', disks: [30, 10, 40, 30, 30].map((g) => ({ size: g * Gi })) },
    { name: 'db', host: 'esx-01', disks: [{ size: 50 * Gi }] },
  ],
};

const options = (objective?: 'makespan' | 'downtime'): SchedulerOptions => ({
  policy: 'disk',
  maxInFlight: 4,
  order: 'largest',
  ...(objective && { objective }),
});

describe('objective', () => {
  const seconds = (g: number) => (g * Gi) / (100 * Mi);
  const workload = toWorkload(wide);
  const caps = boundCaps(options());

  it('has a packing bound above the lower bound on the wide plan: p_4 + p_5 = 30 s + 30 s at 100Mi', () => {
    expect(lowerBound(workload, caps)).toBeCloseTo(seconds(50), 6);
    expect(packingBound(workload, caps)).toBeCloseTo(seconds(60), 6);
  });

  it('makespan reaches the packing bound on a single host with a VM wider than the cap', () => {
    const result = simulateScenario(wide, options('makespan'));
    expect(result.makespanSeconds).toBeCloseTo(seconds(60), 6);
    expect(result.packingBoundSeconds).toBeCloseTo(seconds(60), 6);
  });

  it("downtime keeps the wide VM's window near the controller's and ends a third later", () => {
    const makespan = simulateScenario(wide, options('makespan'));
    const downtime = simulateScenario(wide, options('downtime'));
    expect(downtime.makespanSeconds).toBeGreaterThan(1.3 * makespan.makespanSeconds);
    expect(downtime.transferWindowSeconds.mean).toBeLessThan(makespan.transferWindowSeconds.mean);
  });

  it('defaults to makespan', () => {
    expect(simulateScenario(wide, options()).makespanSeconds).toBe(
      simulateScenario(wide, options('makespan')).makespanSeconds,
    );
  });

  it('refines only under makespan: more simulations, every one counted in done', () => {
    const planner = (objective: 'makespan' | 'downtime') =>
      new DiskPlanner(workload, 'largest', { maxInFlight: 4 }, undefined, objective).finish();
    const makespan = planner('makespan');
    const downtime = planner('downtime');
    expect(makespan.total).toBeGreaterThan(downtime.total);
    expect(makespan.done).toBe(makespan.total);
    expect(downtime.done).toBe(downtime.total);
  });

  it('names a refined strategy by what the refinement changed, hosts by name', () => {
    const refined = describeStrategy(
      {
        kind: 'list',
        grouping: 'disk',
        hostPick: 'rank',
        saturation: 1,
        hostSaturation: [1, 0],
        hostBoost: [1, 3],
        perturbation: 2,
      },
      ['esx-01', 'esx-02'],
    );
    expect(refined).toBe(
      "disk order perturbed (seed 2) (esx-02 3x sooner), best-ranked host first, hosts saturated 1x but esx-02's " +
        'disks at full rate',
    );
  });
});
