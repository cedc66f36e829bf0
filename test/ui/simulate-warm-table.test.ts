import type { SimulateReport, WarmSimulatedVm, WarmSimulateReport, WarmSimulationResult } from '@kubectl-mtv/engine';
import { describe, expect, it } from 'vitest';
import { warmSimulationCharts } from '../../src/ui/simulate-gantt.js';
import { formatSimulateJson } from '../../src/ui/simulate-json.js';
import { formatSimulateTable } from '../../src/ui/simulate-table.js';
import { formatSimulateTables, formatWarmSimulateTable, formatWarmVmTable } from '../../src/ui/simulate-warm-table.js';

const GiB = 2 ** 30;
const HOUR = 3600;

function vm(name: string, precopies: number, downtimeSeconds: number): WarmSimulatedVm {
  return {
    name,
    host: 'esx-01',
    rounds: precopies + 2,
    precopies,
    round1EndSeconds: HOUR,
    snapshotAgeSeconds: HOUR - 13,
    cutoverSeconds: 4 * HOUR,
    finishedSeconds: 4 * HOUR + downtimeSeconds,
    downtimeSeconds,
    bytes: 100 * GiB,
    roundTimes: [],
  };
}

function result(patch: Partial<WarmSimulationResult>): WarmSimulationResult {
  return {
    policy: 'disk',
    maxInFlight: 20,
    maxInFlightPerHost: null,
    appliedCaps: { run: 20, perHost: null },
    order: 'largest',
    bandwidth: 'scenario',
    precopyIntervalSeconds: HOUR,
    cutoverSeconds: 4 * HOUR,
    cutoverGiven: true,
    cutoverReadySeconds: 2 * HOUR + 45 * 60 + 23,
    makespanSeconds: 4 * HOUR + 141,
    peakInFlight: 20,
    downtimeSeconds: { total: 1015, mean: 507.5, p95: 894, max: 894 },
    bytes: 4.33 * 2 ** 40,
    vms: [vm('app-01', 1, 121), vm('web-01', 3, 894)],
    copies: [
      {
        vm: 'app-01',
        disk: 0,
        host: 'esx-01',
        round: 1,
        final: false,
        bytes: 100 * GiB,
        startSeconds: 13,
        endSeconds: HOUR,
      },
    ],
    ...patch,
  };
}

const report: WarmSimulateReport = {
  scenario: { name: 'sandbox-warm', vms: 2, disks: 2, bytes: 200 * GiB },
  migration: 'warm',
  results: [
    result({
      policy: 'forklift',
      appliedCaps: { run: null, perHost: 20 },
      cutoverSeconds: 3 * HOUR + 47 * 60 + 56,
      cutoverGiven: false,
      peakInFlight: 92,
      vms: [vm('app-01', 2, 64), vm('web-01', 3, 39)],
      downtimeSeconds: { total: 103, mean: 51.5, p95: 64, max: 64 },
    }),
    result({}),
  ],
};

describe('the warm simulate tables', () => {
  it('show a row per policy: makespan, cutover ready, cutover (auto when not given), downtime, precopies', () => {
    expect(formatWarmSimulateTable(report).split('\n')).toEqual([
      'POLICY     CAP           MAKESPAN   CUTOVER READY   CUTOVER           DOWNTIME TOTAL   DOWNTIME MAX   PRECOPIES   PEAK   COPIED',
      'forklift   20 per host   4h2m21s    2h45m23s        3h47m56s (auto)   1m43s            1m4s           5           92     4.33 TiB',
      'disk       20 in all     4h2m21s    2h45m23s        4h                16m55s           14m54s         4           20     4.33 TiB',
    ]);
  });

  it('show a row per VM with its precopies and downtime under each policy, in report order', () => {
    expect(formatWarmVmTable(report).split('\n')).toEqual([
      'VM       HOST     FORKLIFT PRECOPIES   FORKLIFT DOWNTIME   DISK PRECOPIES   DISK DOWNTIME',
      'app-01   esx-01   2                    1m4s                1                2m1s',
      'web-01   esx-01   3                    39s                 3                14m54s',
    ]);
  });

  it('print both tables a blank line apart, and drop both header lines with --no-headers', () => {
    const both = formatSimulateTables(report, false).split('\n');
    expect(both).toHaveLength(3 + 1 + 3);
    expect(both[3]).toBe('');
    const bare = formatSimulateTables(report, true).split('\n');
    expect(bare.map((line) => line.split(/\s+/)[0])).toEqual(['forklift', 'disk', '', 'app-01', 'web-01']);
  });

  it('print a cold report as before', () => {
    const cold: SimulateReport = { scenario: report.scenario, results: [] };
    expect(formatSimulateTables(cold, false)).toBe(formatSimulateTable(cold));
    expect(formatSimulateTables(cold, true)).toBe('');
  });

  it('give JSON with the report as is', () => {
    expect(JSON.parse(formatSimulateJson(report))).toEqual(report);
  });

  it('draw a chart per policy with a bar per copy', () => {
    const charts = warmSimulationCharts(report.results);
    expect(charts.map((c) => c.title)).toEqual([
      'forklift — makespan 4h2m21s, cutover at 3h47m56s, downtime 1m43s in all',
      'disk — makespan 4h2m21s, cutover at 4h, downtime 16m55s in all',
    ]);
    expect(charts[0].disks).toEqual([
      { vm: 'app-01', index: 0, host: 'esx-01', bytes: 100 * GiB, startSeconds: 13, endSeconds: HOUR },
    ]);
  });
});
