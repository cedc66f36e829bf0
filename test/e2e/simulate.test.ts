import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SimulateReport, SimulationResult } from '@kubectl-mtv/engine';
import { POLICY_NAMES } from '@kubectl-mtv/engine';
import { beforeAll, describe, expect, it } from 'vitest';
import { kubectlMtv, repo } from './plugin-fixture.js';

const seed = 'examples/seed-10x10.yaml';
const Gi = 2 ** 30;
/** Float slack for comparing times computed along different paths. */
const eps = 1e-6;

function simulateJson(...args: string[]): SimulateReport {
  const run = kubectlMtv('simulate', '--scenario', seed, '-o', 'json', ...args);
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return JSON.parse(run.stdout) as SimulateReport;
}

function byPolicy(report: SimulateReport, policy: string): SimulationResult {
  const result = report.results.find((r) => r.policy === policy);
  if (!result) throw new Error(`no result for ${policy}`);
  return result;
}

beforeAll(() => {
  if (!existsSync(join(repo, 'dist', 'commands', 'simulate.js'))) {
    throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  }
});

describe('kubectl mtv --help', () => {
  it('lists the commands and not their base class', () => {
    const run = kubectlMtv('--help');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^\s+simulate\s/m);
    expect(run.stdout).toMatch(/^\s+version\s/m);
    expect(run.stdout).not.toMatch(/^\s+base\s/m);
  });

  it('shows simulate flags and examples as kubectl users type them', () => {
    const run = kubectlMtv('simulate', '--help');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('kubectl mtv simulate --scenario examples/seed-10x10.yaml');
    for (const flag of [
      '--scenario',
      '--policy',
      '--max-inflight',
      '--max-inflight-per-host',
      '--order',
      '--blind',
      '--progress-every',
      '--output',
    ]) {
      expect(run.stdout).toContain(flag);
    }
  });
});

describe('bad input to simulate: one line on stderr, nothing on stdout, exit 2', () => {
  const help = '(try: kubectl mtv simulate --help)';
  it.each([
    [[], `error: exactly one of the following must be provided: --from-cluster, --scenario ${help}`],
    [['--scenario', seed, '--bogus'], `error: unknown flag: --bogus ${help}`],
    [['--scenario', seed, 'extra'], `error: unknown command "extra" for "kubectl mtv simulate" ${help}`],
    [['--scenario', seed, '--max-inflight', '0'], 'error: --max-inflight: "0" must be a whole number from 1 to 100000'],
    [
      ['--scenario', seed, '--max-inflight', '2.5'],
      'error: --max-inflight: "2.5" must be a whole number from 1 to 100000',
    ],
    [['--scenario', seed, '--max-inflight=-1'], 'error: --max-inflight: "-1" must be a whole number from 1 to 100000'],
    [
      ['--scenario', seed, '--max-inflight-per-host', 'x'],
      'error: --max-inflight-per-host: "x" must be a whole number from 1 to 100000',
    ],
    [
      ['--scenario', seed, '--policy', 'fast'],
      'error: --policy: "fast" is not a policy (choose from legacy, forklift, gang, disk)',
    ],
    [
      ['--scenario', seed, '--policy', 'disk,,fast'],
      'error: --policy: "fast" is not a policy (choose from legacy, forklift, gang, disk)',
    ],
    [
      ['--scenario', seed, '--order', 'random'],
      'error: --order: "random" is not an order (choose from largest, smallest, plan)',
    ],
    [
      ['--scenario', seed, '-o', 'xml'],
      'error: --output: "xml" is not an output format (choose from table, json, yaml, jsonpath=TEMPLATE, ' +
        'custom-columns=SPEC)',
    ],
  ])('simulate %j', (args, line) => {
    const run = kubectlMtv('simulate', ...args);
    expect(run.stderr).toBe(`${line}\n`);
    expect(run.stdout).toBe('');
    expect(run.status).toBe(2);
  });

  it('names a scenario file that does not exist', () => {
    const run = kubectlMtv('simulate', '--scenario', 'examples/no-such-file.yaml');
    expect(run.stderr).toMatch(/^error: scenario file "examples\/no-such-file.yaml" not found.*\n$/);
    expect(run.stdout).toBe('');
    expect(run.status).toBe(2);
  });
});

// Everything below runs the engine.
describe('kubectl mtv simulate on the seed scenario', () => {
  it('reports the scenario and one result per default policy, in order, with the JSON contract', () => {
    const report = simulateJson();
    expect(report.scenario).toEqual({ name: 'seed-10x10', vms: 10, disks: 100, bytes: 10 * (500 + 9 * 10) * Gi });
    expect(report.results.map((r) => r.policy)).toEqual([...POLICY_NAMES]);
    for (const result of report.results) {
      expect(result).toMatchObject({
        maxInFlight: 20,
        maxInFlightPerHost: null,
        lowerBoundSeconds: expect.any(Number),
        packingBoundSeconds: expect.any(Number),
        makespanSeconds: expect.any(Number),
        ratioToLowerBound: expect.any(Number),
        peakInFlight: expect.any(Number),
        transferWindowSeconds: { mean: expect.any(Number), p95: expect.any(Number), max: expect.any(Number) },
      });
      expect(result.vms).toHaveLength(10);
      expect(result.vms[0]).toEqual({
        name: 'app-01',
        host: 'esx-01',
        startSeconds: expect.any(Number),
        endSeconds: expect.any(Number),
      });
      expect(result.disks).toHaveLength(report.scenario.disks);
      expect(Object.keys(result.disks[0]).sort()).toEqual([
        'bytes',
        'disk',
        'endSeconds',
        'host',
        'startSeconds',
        'vm',
      ]);
    }
  });

  it('copies every disk exactly once and ends when the last disk ends', () => {
    for (const result of simulateJson().results) {
      const keys = new Set(result.disks.map((d) => `${d.vm}/${d.disk}`));
      expect(keys.size).toBe(100);
      for (const disk of result.disks) expect(disk.endSeconds).toBeGreaterThanOrEqual(disk.startSeconds);
      expect(Math.max(...result.disks.map((d) => d.endSeconds))).toBeCloseTo(result.makespanSeconds, 6);
    }
  });

  it('never beats the lower bound, and the ratio is makespan over bound', () => {
    for (const result of simulateJson().results) {
      expect(result.makespanSeconds).toBeGreaterThanOrEqual(result.lowerBoundSeconds * (1 - eps));
      expect(result.ratioToLowerBound).toBeCloseTo(result.makespanSeconds / result.lowerBoundSeconds, 6);
    }
  });

  it('finishes no later with the disk policy than with forklift', () => {
    const report = simulateJson();
    expect(byPolicy(report, 'disk').makespanSeconds).toBeLessThanOrEqual(
      byPolicy(report, 'forklift').makespanSeconds * (1 + eps),
    );
  });

  // The seed's VMs have 10 disks each: under a cap of 7 or 3 per host, gang splits them.
  it.each([
    ['--max-inflight', 20],
    ['--max-inflight', 7],
    ['--max-inflight-per-host', 3],
  ])('keeps disk and gang within %s %i, a VM wider than the cap included', (flag, cap) => {
    const report = simulateJson(flag, String(cap), '--policy', 'gang,disk');
    const field = flag === '--max-inflight' ? 'maxInFlight' : 'maxInFlightPerHost';
    for (const result of report.results) expect(result[field]).toBe(cap);
    expect(byPolicy(report, 'disk').peakInFlight).toBeLessThanOrEqual(cap);
    expect(byPolicy(report, 'gang').peakInFlight).toBeLessThanOrEqual(cap);
  });

  // A cap of 7 is narrower than the seed's VMs: the controller's policies use the wide-VM rule, gang and disk split.
  it.each(POLICY_NAMES)('%s copies every disk when a VM has more disks than the cap', (policy) => {
    const run = kubectlMtv('simulate', '--scenario', seed, '-o', 'json', '--policy', policy, '--max-inflight', '7');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const [result] = (JSON.parse(run.stdout) as SimulateReport).results;
    expect(result.disks).toHaveLength(100);
    for (const d of result.disks) expect(d.endSeconds).toBeGreaterThanOrEqual(d.startSeconds);
    expect(Number.isFinite(result.makespanSeconds)).toBe(true);
    if (policy === 'disk' || policy === 'gang') expect(result.peakInFlight).toBeLessThanOrEqual(7);
  });

  it('reports the policies in the order asked for', () => {
    const report = simulateJson('--policy', 'disk,legacy');
    expect(report.results.map((r) => r.policy)).toEqual(['disk', 'legacy']);
  });

  it('prints a table of one row per policy on stdout and the scenario on stderr', () => {
    const run = kubectlMtv('simulate', '--scenario', seed, '--policy', 'forklift,disk');
    expect(run.status).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^POLICY {3,}CAP {3,}MAKESPAN {3,}LOWER BOUND {3,}PACKING BOUND {3,}RATIO {3,}PEAK {3,}WINDOW MEAN/,
    );
    expect(lines.slice(1).map((line) => line.split(' ')[0])).toEqual(['forklift', 'disk']);
    expect(run.stderr).toBe(
      'scenario seed-10x10: 10 VMs, 100 disks, 5.76 TiB\n' +
        "bandwidth: the scenario's, known to each schedule (clairvoyant); a real run knows none: --blind shows what it does\n",
    );
  });

  it('says in -o json that every schedule assumed the scenario bandwidths', () => {
    for (const result of simulateJson().results) expect(result.bandwidth).toBe('scenario');
  });
});

describe('kubectl mtv simulate --blind', () => {
  const saturating = 'bench/saturation/1-one-host-cap20-huge.yaml';
  const Mi = 2 ** 20;

  it('adds disk run blind, without and with adaptive admission, and what it learned, to the table', () => {
    const run = kubectlMtv('simulate', '--scenario', saturating, '--policy', 'forklift,disk', '--blind');
    expect(run.status).toBe(0);
    const [policies, learned] = run.stdout.trimEnd().split('\n\n');
    const rows = policies.split('\n').map((line) => line.split(/ {3,}/));
    expect(rows.map((row) => row[0])).toEqual(['POLICY', 'forklift', 'disk', 'disk (blind)', 'disk (blind, adaptive)']);
    const ratio = (i: number) => Number(rows[i][rows[0].indexOf('RATIO')]);
    // blind without learning admits all 20 onto a host that saturates at 3; learning gets close to clairvoyant
    expect(ratio(3)).toBeGreaterThan(1.3);
    expect(ratio(4)).toBeLessThan(ratio(2) * 1.05);
    expect(learned.split('\n')).toEqual([
      expect.stringMatching(/^POLICY {3,}HOST {3,}LEARNED {3,}LEARNED AT {3,}LIMIT {3,}SCENARIO$/),
      expect.stringMatching(/^disk \(blind, adaptive\) {3}esx-01 {3}\d{3} MiB\/s {3,}\S+ {3,}\d+ {3,}300 MiB\/s$/),
    ]);
    expect(run.stderr).toBe(
      'scenario one-host-cap20-huge: 35 VMs, 62 disks, 3.09 TiB\n' +
        "bandwidth: the scenario's, known to each schedule (clairvoyant); blind rows: none known (hosts uncapped, " +
        "importers at 100 MiB/s, progress read every 2s), the hosts keep the scenario's\n",
    );
  });

  it('gives each blind row its assumptions and what it learned in -o json', () => {
    const run = kubectlMtv('simulate', '--scenario', saturating, '--policy', 'disk', '--blind', '-o', 'json');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const [clairvoyant, blind, adaptive] = (JSON.parse(run.stdout) as SimulateReport).results;
    expect([clairvoyant.bandwidth, blind.bandwidth, adaptive.bandwidth]).toEqual(['scenario', 'unknown', 'unknown']);
    expect(clairvoyant.blind).toBeUndefined();
    expect(blind.blind).toMatchObject({ adaptive: false, planningRate: 100 * Mi, progressEverySeconds: 2, hosts: [] });
    expect(adaptive.blind).toMatchObject({ adaptive: true, planningRate: 100 * Mi, progressEverySeconds: 2 });
    expect(adaptive.blind?.hosts).toEqual([
      {
        name: 'esx-01',
        bandwidth: expect.any(Number),
        learnedAtSeconds: expect.any(Number),
        limit: expect.any(Number),
        scenarioBandwidth: 300 * Mi,
      },
    ]);
    expect(adaptive.makespanSeconds).toBeLessThan(blind.makespanSeconds * 0.8);
  });

  it('takes --progress-every', () => {
    const run = kubectlMtv(
      'simulate',
      '--scenario',
      saturating,
      '--policy',
      'disk',
      '--blind',
      '--progress-every',
      '10s',
      '-o',
      'json',
    );
    expect(run.status).toBe(0);
    expect((JSON.parse(run.stdout) as SimulateReport).results[2].blind?.progressEverySeconds).toBe(10);
  });

  it.each([
    [
      ['--scenario', 'examples/warm.yaml', '--blind'],
      'error: --blind: scenario "warm" is a warm migration; --blind simulates a cold one (a warm run learns no bandwidth yet)',
    ],
    [
      ['--scenario', seed, '--blind', '--policy', 'forklift'],
      'error: --blind: simulates the disk policy blind; --policy forklift has no disk (try: --policy with disk in it)',
    ],
    [
      ['--scenario', seed, '--progress-every', '5s'],
      'error: --progress-every: applies with --blind, to the blind runs',
    ],
    [
      ['--scenario', seed, '--blind', '--progress-every', 'soon'],
      'error: --progress-every: "soon" is not a duration (e.g. 45s, 90m, 2h, 1h30m)',
    ],
  ])('refuses simulate %j in one line, exit 2', (args, line) => {
    const run = kubectlMtv('simulate', ...args);
    expect(run.stderr).toBe(`${line}\n`);
    expect(run.stdout).toBe('');
    expect(run.status).toBe(2);
  });
});

describe('the executable and its errors', () => {
  it('runs through its shebang, as kubectl runs a plugin', () => {
    const run = spawnSync(join(repo, 'bin', 'kubectl-mtv'), ['version', '--client', '-o', 'json'], {
      cwd: repo,
      encoding: 'utf8',
    });
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout).nodeVersion).toBe(process.version);
  });

  it('refuses an unknown command with exit 2, suggesting the command meant as kubectl does', () => {
    const run = kubectlMtv('simulat');
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe('error: unknown command "simulat" for "kubectl mtv"\n\nDid you mean this?\n\tsimulate\n');
  });

  it('refuses a bad scenario file in one line naming the field and the value, with exit 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubectl-mtv-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'vms:\n  - name: app\n    disks: [{size: -5Gi}]\n');
    const run = kubectlMtv('simulate', '--scenario', file);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `error: ${file}: vms[0].disks[0].size: "-5Gi" is negative (a size is bytes to copy, 0 or more)\n`,
    );
  });
});

describe('kubectl mtv version', () => {
  it('prints the plugin and Node versions as JSON with --client -o json', () => {
    const run = kubectlMtv('version', '--client', '-o', 'json');
    expect(run.status).toBe(0);
    const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string };
    expect(JSON.parse(run.stdout)).toEqual({ pluginVersion: pkg.version, nodeVersion: process.version });
  });

  it('prints them as text by default', () => {
    const run = kubectlMtv('version', '--client');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Plugin Version: v\d+\.\d+\.\d+\nNode Version: v\d+\S+\n$/);
  });
});
