import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  isWarmReport,
  POLICY_NAMES,
  type SimulateReport,
  simulateWarmScenario,
  type WarmSimulateReport,
} from '@kubectl-mtv/engine';
import { DEFAULT_SANDBOX_SCENARIO } from '@kubectl-mtv/sandbox';
import { describe, expect, it } from 'vitest';
import { simulateOptions } from '../../src/commands/support/simulate-flags.js';
import { ExitCode, UserError } from '../../src/errors.js';
import { loadScenarioFile } from '../../src/services/scenario-file.js';
import { type SimulateOptions, simulate } from '../../src/services/simulate.js';

const HOUR = 3600;
const dir = mkdtempSync(join(tmpdir(), 'simulate-warm-'));

/** Writes a scenario file (JSON, which is YAML too) and returns its path. */
function scenarioFile(name: string, file: object): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, JSON.stringify(file));
  return path;
}

const warmFile = scenarioFile('warm-two-hosts', {
  migration: 'warm',
  maxInFlight: 3,
  hosts: [
    { name: 'esx-01', bandwidth: '200Mi' },
    { name: 'esx-02', bandwidth: '200Mi' },
  ],
  vms: [
    {
      name: 'db',
      host: 'esx-01',
      powerState: 'poweredOn',
      changeRate: '5%/h',
      disks: [{ size: '200Gi' }, { size: '20Gi' }],
    },
    { name: 'app', count: 3, host: 'esx-02', powerState: 'poweredOn', disks: [{ size: '50Gi' }] },
    { name: 'nas', host: 'esx-02', disks: [{ size: '300Gi' }] },
  ],
});
const coldFile = scenarioFile('cold', {
  hosts: [{ name: 'esx-01' }],
  vms: [{ name: 'a', host: 'esx-01', disks: [{ size: '10Gi' }] }],
});

const options = (patch: Partial<SimulateOptions> = {}): SimulateOptions => ({
  scenarioPath: warmFile,
  order: 'largest',
  ...patch,
});

async function warm(patch: Partial<SimulateOptions> = {}): Promise<WarmSimulateReport> {
  const report = await simulate(options(patch));
  if (!isWarmReport(report)) throw new Error('a warm scenario gave a cold report');
  return report;
}

async function refusal(patch: Partial<SimulateOptions>): Promise<UserError> {
  const error = await simulate(options(patch)).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(UserError);
  expect((error as UserError).exitCode).toBe(ExitCode.usage);
  return error as UserError;
}

describe('simulate on a warm scenario', () => {
  it('simulates forklift then disk unless told, as the engine does with the same settings', async () => {
    const report = await warm({ precopyIntervalSeconds: 30 * 60, cutoverSeconds: 3 * HOUR, maxInFlightPerHost: 2 });
    expect(report.migration).toBe('warm');
    expect(report.scenario).toMatchObject({ name: 'warm-two-hosts', vms: 5, disks: 6 });
    expect(report.results.map((r) => r.policy)).toEqual(['forklift', 'disk']);
    const scenario = await loadScenarioFile(warmFile);
    for (const result of report.results) {
      const direct = simulateWarmScenario(scenario, {
        mode: result.policy,
        caps: { maxInFlight: 3, perHost: 2 },
        order: 'largest',
        precopyIntervalSeconds: 30 * 60,
        cutoverAtSeconds: 3 * HOUR,
      });
      expect(result).toEqual(direct);
      expect(result).toMatchObject({ cutoverSeconds: 3 * HOUR, cutoverGiven: true, precopyIntervalSeconds: 1800 });
    }
  });

  it('keeps the order of --policy, and takes the scenario cap and a 60 min interval unless told', async () => {
    const report = await warm({ policies: ['disk', 'forklift'] });
    expect(report.results.map((r) => [r.policy, r.maxInFlight, r.precopyIntervalSeconds, r.cutoverGiven])).toEqual([
      ['disk', 3, HOUR, false],
      ['forklift', 3, HOUR, false],
    ]);
  });

  it('sizes deltas by the scenario change rate and shuts down the VMs that run', async () => {
    const [result] = (await warm({ policies: ['disk'], cutoverSeconds: 2 * HOUR })).results;
    const delta = (vm: string) => result.copies.find((c) => c.vm === vm && c.disk === 0 && c.round === 2)?.bytes ?? 0;
    // db changes 5 %/h of 200 Gi, nas the default 1 %/h of 300 Gi
    expect(delta('db') / delta('nas')).toBeCloseTo((5 * 200) / 300, 0);
    const finalSnapshot = (vm: string) => {
      const final = result.vms.find((v) => v.name === vm)?.roundTimes.find((r) => r.final);
      return (final?.snapshotSeconds ?? 0) - (final?.startSeconds ?? 0);
    };
    // both have one disk: the same snapshot tasks, and 15 s of shutdown for the running one
    expect(finalSnapshot('app-01') - finalSnapshot('nas')).toBe(15);
  });

  it.each([['legacy'], ['gang']] as const)('refuses --policy %s, naming what works', async (policy) => {
    const error = await refusal({ policies: ['disk', policy] });
    expect(error.message).toBe(
      `--policy: "${policy}" cannot simulate scenario "warm-two-hosts", a warm migration (choose from forklift, disk)`,
    );
  });

  it('refuses a cutover that would take more than 1000 precopies per VM', async () => {
    const error = await refusal({ cutoverSeconds: 596 * HOUR, precopyIntervalSeconds: 60 });
    expect(error.line).toBe(
      '--cutover: 24d20h at a precopy every 1m is up to 35760 precopies per VM; simulate runs at most 1000 ' +
        '(try: a longer --precopy-interval or an earlier --cutover)',
    );
  });
});

describe('simulate on a cold scenario', () => {
  it('runs every policy unless told, as before', async () => {
    const report = (await simulate(options({ scenarioPath: coldFile }))) as SimulateReport;
    expect(isWarmReport(report)).toBe(false);
    expect(report.results.map((r) => r.policy)).toEqual([...POLICY_NAMES]);
  });

  it.each([
    ['--cutover', { cutoverSeconds: HOUR }],
    ['--precopy-interval', { precopyIntervalSeconds: HOUR }],
  ] as const)('refuses %s, which only a warm scenario takes', async (flag, patch) => {
    const error = await refusal({ scenarioPath: coldFile, ...patch });
    expect(error.line).toBe(
      `${flag}: scenario "cold" is a cold migration; --cutover and --precopy-interval apply to a warm one ` +
        '(try: migration: warm in the scenario file)',
    );
  });
});

describe("simulate's flags", () => {
  const flags: Parameters<typeof simulateOptions>[0] = {
    scenario: warmFile,
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
    blind: false,
    'progress-every': undefined,
  };

  it('reads --objective, and refuses one it does not know in one line', () => {
    expect(simulateOptions({ ...flags, objective: 'downtime' })).toMatchObject({ objective: 'downtime' });
    expect(simulateOptions(flags)).toMatchObject({ objective: 'makespan' });
    expect(() => simulateOptions({ ...flags, objective: 'fastest' })).toThrow(
      '--objective: "fastest" is not an objective (choose from makespan, downtime)',
    );
  });

  it('reads durations into seconds and leaves what is not given to the service', () => {
    expect(simulateOptions({ ...flags, 'precopy-interval': '30s', cutover: '4h' })).toMatchObject({
      precopyIntervalSeconds: 30,
      cutoverSeconds: 4 * HOUR,
    });
    expect(simulateOptions({ ...flags, 'precopy-interval': '1h30m', cutover: '0' })).toMatchObject({
      precopyIntervalSeconds: 5400,
      cutoverSeconds: 0,
    });
    const plain = simulateOptions(flags);
    expect([plain.policies, plain.precopyIntervalSeconds, plain.cutoverSeconds]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });

  it.each([
    [
      { cutover: 'soon' },
      '--cutover: "soon" is not a duration (e.g. 45s, 90m, 2h, 1h30m, or 0 for a cutover at the start)',
    ],
    [{ 'precopy-interval': '0' }, '--precopy-interval: "0" must be a duration from 1ms to 596h'],
    [{ 'precopy-interval': '60' }, '--precopy-interval: "60" is not a duration (e.g. 45s, 90m, 2h, 1h30m)'],
  ])('refuses %j in one line', (patch, line) => {
    expect(() => simulateOptions({ ...flags, ...patch })).toThrow(new UserError(line));
  });
});

describe('the sandbox scenario made warm', () => {
  const file = scenarioFile('sandbox-warm', {
    migration: 'warm',
    maxInFlight: DEFAULT_SANDBOX_SCENARIO.maxInFlight,
    diskRate: DEFAULT_SANDBOX_SCENARIO.diskRate,
    hosts: DEFAULT_SANDBOX_SCENARIO.hosts.map((h) => ({ name: h.name, bandwidth: h.bandwidth })),
    vms: DEFAULT_SANDBOX_SCENARIO.vms.map((vm) => ({
      name: vm.name,
      host: vm.host,
      ...(vm.powerState && { powerState: vm.powerState }),
      disks: vm.disks.map((d) => ({ size: d.size })),
    })),
  });

  it('cuts over at 4 h after every VM could, with disk under its cap and forklift past it at the cutover', async () => {
    const report = await warm({ scenarioPath: file, cutoverSeconds: 4 * HOUR, precopyIntervalSeconds: HOUR });
    const [forklift, disk] = report.results;
    for (const r of [forklift, disk]) {
      expect(r.cutoverReadySeconds).toBeLessThan(4 * HOUR);
      expect(r.makespanSeconds).toBeGreaterThan(4 * HOUR);
      for (const vm of r.vms) expect(vm.precopies, `${r.policy} ${vm.name}`).toBeGreaterThanOrEqual(1);
    }
    expect(disk.peakInFlight).toBe(20);
    // every VM is paused at 4 h: forklift starts every final round at once, all 92 disks
    expect(forklift.peakInFlight).toBe(92);
  });
});
