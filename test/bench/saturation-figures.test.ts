import type { Scenario } from '@kubectl-mtv/engine';
import type { SandboxStats } from '@kubectl-mtv/sandbox';
import { describe, expect, it } from 'vitest';
import {
  blindGoals,
  compare,
  furthestFromOne,
  type GoalTerms,
  importerMakespan,
  runnerMakespan,
  scenarioShape,
} from '../../bench/saturation-figures.js';
import type { RunEvent } from '../../src/runner/run-events.js';

const Gi = 2 ** 30;
const Mi = 2 ** 20;

const imports = (over: Partial<SandboxStats['imports']>): SandboxStats['imports'] => ({
  started: 3,
  succeeded: 3,
  current: 0,
  peak: 3,
  peakByHost: {},
  firstStartSeconds: 40,
  lastEndSeconds: 1040,
  ...over,
});

const disk = { vm: 'a', index: 0, name: 'dv', host: 'h' };
const at = (type: 'started' | 'finished' | 'progress', iso: string) =>
  ({ type, time: iso, disk, bytes: 1, seconds: null }) as unknown as RunEvent;

describe('importerMakespan', () => {
  it('is the importer clock from the first start to the last end once every disk succeeded', () => {
    expect(importerMakespan(imports({}), 3)).toBe(1000);
  });

  it('is NaN while a disk has not succeeded, or before any import', () => {
    expect(importerMakespan(imports({ succeeded: 2 }), 3)).toBeNaN();
    expect(importerMakespan(imports({ firstStartSeconds: null, lastEndSeconds: null }), 0)).toBeNaN();
  });
});

describe('runnerMakespan', () => {
  it('is the first started to the last finished event, wall seconds times the speed', () => {
    const events = [
      at('started', '2026-12-04T10:00:01.000Z'),
      at('started', '2026-12-04T10:00:00.500Z'),
      at('progress', '2026-12-04T10:00:09.000Z'),
      at('finished', '2026-12-04T10:00:05.500Z'),
      at('finished', '2026-12-04T10:00:03.000Z'),
    ];
    expect(runnerMakespan(events, 200)).toBe(1000);
  });

  it('is NaN without a start or a finish', () => {
    expect(runnerMakespan([at('started', '2026-12-04T10:00:00Z')], 10)).toBeNaN();
  });
});

describe('compare', () => {
  it('divides one column by another, NaN when either is missing', () => {
    expect(compare({ disk: 120, LB: 100 }, { of: 'disk', to: 'LB' })).toBe(1.2);
    expect(compare({ disk: 120 }, { of: 'disk', to: 'LB' })).toBeNaN();
  });
});

describe('furthestFromOne', () => {
  it('finds the row whose ratio is furthest from 1, either side, a failed run before any', () => {
    const rows = [
      { name: 'a', makespans: { real: 103, sim: 100 } },
      { name: 'b', makespans: { real: 95, sim: 100 } },
    ];
    const of = { of: 'real', to: 'sim' };
    expect(furthestFromOne(rows, of)).toEqual({ row: 'b', x: 0.95 });
    expect(furthestFromOne([...rows, { name: 'c', makespans: { sim: 100 } }], of)?.row).toBe('c');
    expect(furthestFromOne([], of)).toBeUndefined();
  });
});

describe('scenarioShape', () => {
  it('lists the hosts, counts the disks and VMs, and finds the largest disk in plan order', () => {
    const scenario: Scenario = {
      name: 's',
      migration: 'cold',
      maxInFlight: 8,
      diskRate: 100 * Mi,
      hosts: [
        { name: 'a', bandwidth: 300 * Mi },
        { name: 'b', bandwidth: Infinity },
      ],
      vms: [
        { name: 'x', host: 'a', disks: [{ size: 10 * Gi }, { size: 20 * Gi }] },
        { name: 'y', host: 'b', disks: [{ size: 1024 * Gi }, { size: 1024 * Gi }, { size: 5 * Gi }] },
      ],
    };
    expect(scenarioShape(scenario)).toEqual({
      hosts: ['300Mi', 'uncapped'],
      bandwidths: [300 * Mi, undefined],
      disks: 5,
      vms: 2,
      widestVm: 3,
      bytes: 2083 * Gi,
      largest: { bytes: 1024 * Gi, position: 3 },
    });
  });
});

describe('blindGoals', () => {
  const terms: GoalTerms = {
    disk: 'disk',
    simulated: 'sim',
    forklift: 'forklift',
    lowerBound: 'LB',
    within: 0.05,
    atMost: 0.9,
    forkliftAbove: 1.1,
  };

  it('judges disk against simulate on every plan and against forklift where forklift is above 1.1 x LB', () => {
    const goals = blindGoals(
      [
        { name: 'p1', makespans: { LB: 100, sim: 100, disk: 104, forklift: 130 } },
        { name: 'p2', makespans: { LB: 100, sim: 100, disk: 96, forklift: 105 } },
        { name: 'p3', makespans: { LB: 100, sim: 100, disk: 124, forklift: 127 } },
      ],
      terms,
    );
    expect(goals.againstSimulate).toEqual({ worst: 1.24, worstRow: 'p3', met: 2, of: 3 });
    expect(goals.againstForklift.worstRow).toBe('p3');
    expect(goals.againstForklift.worst).toBeCloseTo(124 / 127);
    expect(goals.againstForklift).toMatchObject({ met: 1, of: 2 });
  });

  it('counts a failed run (NaN) as the furthest and not met', () => {
    const goals = blindGoals(
      [
        { name: 'p1', makespans: { LB: 100, sim: 100, disk: 120, forklift: 130 } },
        { name: 'p2', makespans: { LB: 100, sim: 100, disk: Number.NaN, forklift: 130 } },
      ],
      terms,
    );
    expect(goals.againstSimulate).toMatchObject({ worstRow: 'p2', met: 0, of: 2 });
    expect(goals.againstSimulate.worst).toBeNaN();
  });
});
