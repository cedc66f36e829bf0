import type { SimulateReport, SimulationResult } from '@kubectl-mtv/engine';
import { describe, expect, it } from 'vitest';
import { formatSimulateJson } from '../../src/ui/simulate-json.js';
import {
  formatBandwidthLine,
  formatCaps,
  formatDuration,
  formatLearnedTable,
  formatScenarioLine,
  formatSimulateTable,
} from '../../src/ui/simulate-table.js';

const TiB = 2 ** 40;

function result(patch: Partial<SimulationResult>): SimulationResult {
  return {
    policy: 'disk',
    maxInFlight: 20,
    maxInFlightPerHost: null,
    appliedCaps: { run: 20, perHost: null },
    order: 'largest',
    bandwidth: 'scenario',
    lowerBoundSeconds: 5120,
    packingBoundSeconds: 5000,
    makespanSeconds: 5120,
    ratioToLowerBound: 1,
    peakInFlight: 20,
    transferWindowSeconds: { mean: 5000, p95: 5100, max: 5120 },
    bytes: 5.76 * TiB,
    vms: [],
    disks: [],
    ...patch,
  };
}

const report: SimulateReport = {
  scenario: { name: 'seed-10x10', vms: 10, disks: 100, bytes: 5.76 * TiB },
  results: [
    result({
      policy: 'forklift',
      appliedCaps: { run: null, perHost: 20 },
      makespanSeconds: 10_240.4,
      ratioToLowerBound: 2.000078,
      peakInFlight: 20,
      transferWindowSeconds: { mean: 4321.6, p95: 10_000, max: 10_240.4 },
    }),
    result({ policy: 'disk' }),
  ],
};

describe('the simulate table', () => {
  it('prints one row per policy under upper-case headers, columns three spaces apart', () => {
    expect(formatSimulateTable(report).split('\n')).toEqual([
      'POLICY     CAP           MAKESPAN   LOWER BOUND   PACKING BOUND   RATIO   PEAK   WINDOW MEAN   WINDOW P95   WINDOW MAX   BYTES',
      'forklift   20 per host   2h50m40s   1h25m20s      1h23m20s        2.00    20     1h12m2s       2h46m40s     2h50m40s     5.76 TiB',
      'disk       20 in all     1h25m20s   1h25m20s      1h23m20s        1.00    20     1h23m20s      1h25m        1h25m20s     5.76 TiB',
    ]);
  });

  it('ends no line with spaces and prints no title', () => {
    const lines = formatSimulateTable(report).split('\n');
    expect(lines[0].startsWith('POLICY')).toBe(true);
    for (const line of lines) expect(line).toBe(line.trimEnd());
  });

  it('says what was simulated in a line meant for stderr', () => {
    expect(formatScenarioLine(report)).toBe('scenario seed-10x10: 10 VMs, 100 disks, 5.76 TiB');
    const one = { ...report, scenario: { name: 'tiny', vms: 1, disks: 1, bytes: 1536 } };
    expect(formatScenarioLine(one)).toBe('scenario tiny: 1 VM, 1 disk, 1.5 KiB');
  });
});

describe('blind rows', () => {
  const Mi = 2 ** 20;
  const facts = { planningRate: 100 * Mi, progressEverySeconds: 2, replans: 0, diskRate: null, hosts: [] };
  const blindReport: SimulateReport = {
    ...report,
    results: [
      result({ policy: 'disk' }),
      result({ policy: 'disk', bandwidth: 'unknown', blind: { ...facts, adaptive: false } }),
      result({
        policy: 'disk',
        bandwidth: 'unknown',
        blind: {
          ...facts,
          adaptive: true,
          replans: 2,
          diskRate: 100 * Mi,
          hosts: [
            { name: 'esx-01', bandwidth: 301 * Mi, learnedAtSeconds: 124, limit: 4, scenarioBandwidth: 300 * Mi },
            { name: 'esx-02', bandwidth: null, learnedAtSeconds: null, limit: 6, scenarioBandwidth: null },
          ],
        },
      }),
    ],
  };

  it('name how the run went in the policy column', () => {
    const policies = formatSimulateTable(blindReport)
      .split('\n')
      .map((line) => line.split('   ')[0].trimEnd());
    expect(policies).toEqual(['POLICY', 'disk', 'disk (blind)', 'disk (blind, adaptive)']);
  });

  it('list what the adaptive run learned of each host, when, and what the scenario has', () => {
    expect(formatLearnedTable(blindReport).split('\n')).toEqual([
      'POLICY                   HOST     LEARNED     LEARNED AT   LIMIT   SCENARIO',
      'disk (blind, adaptive)   esx-01   301 MiB/s   2m4s         4       300 MiB/s',
      'disk (blind, adaptive)   esx-02   -           -            6       uncapped',
    ]);
    expect(formatLearnedTable(report)).toBe('');
  });

  it('say on stderr what each schedule assumed of the bandwidths', () => {
    expect(formatBandwidthLine(report)).toBe(
      "bandwidth: the scenario's, known to each schedule (clairvoyant); a real run knows none: --blind shows what it does",
    );
    expect(formatBandwidthLine(blindReport)).toBe(
      "bandwidth: the scenario's, known to each schedule (clairvoyant); blind rows: none known (hosts uncapped, " +
        "importers at 100 MiB/s, progress read every 2s), the hosts keep the scenario's",
    );
  });
});

describe('the cap column', () => {
  it.each([
    [{ run: 20, perHost: null }, '20 in all'],
    [{ run: null, perHost: 4 }, '4 per host'],
    [{ run: 20, perHost: 5 }, '20 in all, 5 per host'],
    [{ run: null, perHost: null }, 'none'],
  ])('%j reads %s', (caps, text) => {
    expect(formatCaps(caps)).toBe(text);
  });
});

describe('durations in the table', () => {
  it.each([
    [0, '0s'],
    [0.2, '<1s'],
    [0.5, '1s'],
    [59.4, '59s'],
    [60, '1m'],
    [3605, '1h5s'],
    [5120, '1h25m20s'],
    [90_061, '1d1h1m1s'],
  ])('%s seconds read %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});

describe('the simulate JSON', () => {
  it('is the report itself, times unrounded', () => {
    const parsed = JSON.parse(formatSimulateJson(report));
    expect(parsed).toEqual(report);
    expect(parsed.results[0].makespanSeconds).toBe(10_240.4);
  });
});
