import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isWarmReport, type SimulateReport, type SimulationResult } from '@kubectl-mtv/engine';
import { describe, expect, it } from 'vitest';
import { simulateOptions } from '../../src/commands/support/simulate-flags.js';
import { ExitCode, UserError } from '../../src/errors.js';
import { type SimulateOptions, simulate } from '../../src/services/simulate.js';

const Mi = 2 ** 20;
const dir = mkdtempSync(join(tmpdir(), 'simulate-blind-'));
const saturating = 'bench/saturation/1-one-host-cap20-huge.yaml';
const warmFile = join(dir, 'warm.yaml');
writeFileSync(
  warmFile,
  JSON.stringify({
    migration: 'warm',
    hosts: [{ name: 'esx-01' }],
    vms: [{ name: 'a', host: 'esx-01', disks: [{ size: '1Gi' }] }],
  }),
);

async function cold(patch: Partial<SimulateOptions> = {}): Promise<SimulateReport> {
  const report = await simulate({ scenarioPath: saturating, order: 'largest', ...patch });
  if (isWarmReport(report)) throw new Error('a cold scenario gave a warm report');
  return report;
}

async function refusal(patch: Partial<SimulateOptions>): Promise<UserError> {
  const error = await cold(patch).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof UserError)) throw new Error(`expected a UserError, got ${String(error)}`);
  expect(error.exitCode).toBe(ExitCode.usage);
  return error;
}

const label = (r: SimulationResult) => (r.blind ? `${r.policy} blind ${r.blind.adaptive}` : r.policy);

describe('simulate --blind on a cold scenario whose host saturates', () => {
  it('follows the disk row with disk run blind, without and then with adaptive admission', async () => {
    const report = await cold({ blind: true, policies: ['forklift', 'disk', 'gang'] });
    expect(report.results.map(label)).toEqual(['forklift', 'disk', 'disk blind false', 'disk blind true', 'gang']);
    expect(report.results.map((r) => r.bandwidth)).toEqual(['scenario', 'scenario', 'unknown', 'unknown', 'scenario']);
  });

  it('predicts the blind run: without adaptive far behind the clairvoyant schedule, with it close', async () => {
    const [clairvoyant, blind, adaptive] = (await cold({ blind: true, policies: ['disk'] })).results;
    expect(blind.lowerBoundSeconds).toBe(clairvoyant.lowerBoundSeconds);
    expect(adaptive.lowerBoundSeconds).toBe(clairvoyant.lowerBoundSeconds);
    expect(blind.ratioToLowerBound).toBeGreaterThan(1.3);
    expect(blind.peakInFlight).toBe(20);
    expect(adaptive.makespanSeconds).toBeLessThan(clairvoyant.makespanSeconds * 1.05);
    expect(adaptive.makespanSeconds).toBeLessThan(blind.makespanSeconds * 0.8);
    expect(adaptive.peakInFlight).toBeLessThan(10);
    expect(adaptive.disks).toHaveLength(62);
  });

  it('says what the blind runs assumed and what they learned of each host, and when', async () => {
    const [, blind, adaptive] = (await cold({ blind: true, policies: ['disk'] })).results;
    expect(blind.blind).toEqual({
      adaptive: false,
      planningRate: 100 * Mi,
      progressEverySeconds: 2,
      replans: 0,
      diskRate: null,
      hosts: [],
    });
    expect(adaptive.blind).toMatchObject({ adaptive: true, planningRate: 100 * Mi, progressEverySeconds: 2 });
    expect(adaptive.blind?.replans).toBeGreaterThan(0);
    const [host] = adaptive.blind?.hosts ?? [];
    expect(host).toMatchObject({ name: 'esx-01', scenarioBandwidth: 300 * Mi, limit: expect.any(Number) });
    expect(Math.abs((host.bandwidth ?? 0) / (300 * Mi) - 1)).toBeLessThan(0.1);
    expect(host.learnedAtSeconds).toBeGreaterThan(0);
    expect(host.learnedAtSeconds).toBeLessThan(adaptive.makespanSeconds / 10);
  });

  it('reads progress as often as told', async () => {
    const [, , adaptive] = (await cold({ blind: true, policies: ['disk'], progressEverySeconds: 10 })).results;
    expect(adaptive.blind?.progressEverySeconds).toBe(10);
  });

  it('without --blind, every row assumes the scenario bandwidths and none is blind', async () => {
    const report = await cold();
    expect(report.results.every((r) => r.bandwidth === 'scenario' && r.blind === undefined)).toBe(true);
  });

  it('refuses --blind without disk among the policies, and --progress-every without --blind', async () => {
    expect((await refusal({ blind: true, policies: ['forklift'] })).line).toBe(
      '--blind: simulates the disk policy blind; --policy forklift has no disk (try: --policy with disk in it)',
    );
    expect((await refusal({ progressEverySeconds: 5 })).line).toBe(
      '--progress-every: applies with --blind, to the blind runs',
    );
  });

  it('refuses --blind on a warm scenario, in one line', async () => {
    expect((await refusal({ scenarioPath: warmFile, blind: true })).line).toBe(
      '--blind: scenario "warm" is a warm migration; --blind simulates a cold one (a warm run learns no bandwidth yet)',
    );
  });

  it('reads --progress-every as seconds, 1s to 1h', () => {
    const flags = {
      scenario: saturating,
      policy: undefined,
      'max-inflight': undefined,
      'max-inflight-per-host': undefined,
      order: 'largest',
      objective: 'makespan',
      'precopy-interval': undefined,
      cutover: undefined,
      output: 'table',
      'no-headers': false,
      svg: undefined,
      blind: true,
      'progress-every': '5s',
    };
    expect(simulateOptions(flags)).toMatchObject({ blind: true, progressEverySeconds: 5 });
    expect(() => simulateOptions({ ...flags, 'progress-every': '500ms' })).toThrow(
      '--progress-every: "500ms" must be a duration from 1s to 1h',
    );
  });
});
