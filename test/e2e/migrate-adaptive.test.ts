/**
 * Adaptive admission as a user runs it: `kubectl mtv migrate` of a cold plan whose one ESXi host saturates at three
 * importers (300 MiB/s, importers 100 MiB/s), against `kubectl mtv sandbox` whose CDI shares a host's bandwidth as the
 * engine's model does. The run learns the host's bandwidth from whole-percent progress, keeps the host near its
 * saturation instead of filling the cap, and re-plans with what it learned (the default; --no-adaptive fills the cap).
 * What it learned is kept in the cluster (ConfigMap kubectl-mtv-throughput-<provider>), and the next run starts there.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Scenario } from '@kubectl-mtv/engine';
import type { SandboxStats } from '@kubectl-mtv/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inNamespace, RESOURCES } from '../../src/cluster/resource-types.js';
import type { RunEvent } from '../../src/runner/run-events.js';
import { killAll, requireBuild, type SandboxProcess, start, startSandbox } from './plugin-fixture.js';

const Mi = 2 ** 20;
const Gi = 2 ** 30;
const CAP = 10;
const SPEED = 100;
const BANDWIDTH = 300 * Mi;
const SCENARIO: Scenario = {
  name: 'one-saturating-host',
  migration: 'cold',
  maxInFlight: CAP,
  diskRate: 100 * Mi,
  hosts: [{ name: 'esx-01', bandwidth: BANDWIDTH }],
  vms: [
    ...Array.from({ length: 14 }, (_, i) => ({
      name: `app-${i}`,
      host: 'esx-01',
      powerState: 'poweredOff',
      disks: [{ size: 12 * Gi }],
    })),
    { name: 'db', host: 'esx-01', powerState: 'poweredOff', disks: [{ size: 60 * Gi }] },
  ],
};
const DISKS = SCENARIO.vms.length;

let dir: string;

beforeAll(() => {
  requireBuild();
  dir = mkdtempSync(join(tmpdir(), 'kubectl-mtv-adaptive-e2e-'));
});

afterAll(() => {
  killAll();
  rmSync(dir, { recursive: true, force: true });
});

async function sandbox(...args: string[]): Promise<SandboxProcess> {
  const file = join(dir, `scenario-${Date.now()}.json`);
  writeFileSync(file, JSON.stringify(SCENARIO));
  return startSandbox(dir, '--scenario', file, '--speed', String(SPEED), ...args);
}

const stats = (cluster: SandboxProcess) => cluster.client.transport.request<SandboxStats>('GET', '/sandbox/v1/stats');

async function migrate(cluster: SandboxProcess, ...args: string[]) {
  const run = await start(
    [
      'migrate',
      'plan-a',
      '-n',
      'openshift-mtv',
      '--kubeconfig',
      cluster.kubeconfig,
      '--disks-only',
      ...(args.includes('--max-inflight') ? [] : ['--max-inflight', String(CAP)]),
      '-o',
      'ndjson',
      '--no-tui',
      ...args,
    ],
    dir,
  ).done;
  const events = run.stdout
    .trim()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as RunEvent);
  return { ...run, events };
}

describe('kubectl mtv migrate with adaptive admission', () => {
  it('learns the host bandwidth, keeps the host near its saturation instead of at the cap, and re-plans', async () => {
    const cluster = await sandbox();
    const run = await migrate(cluster, '--adaptive');
    expect(run.stderr).not.toContain('error:');
    expect(run.code).toBe(0);
    expect(run.events.filter((e) => e.type === 'finished')).toHaveLength(DISKS);
    const learned = run.events.flatMap((e) => (e.type === 'throughput' ? [e] : []));
    expect(learned.some((e) => e.cause === 'replan')).toBe(true);
    const host = learned.at(-1)?.hosts[0];
    expect(host?.phase).toBe('holding');
    // bytes/s of the run's clock: the sandbox's simulated bandwidth times its speed (the run's measurements are
    // seen through watch events, whose delay under a loaded machine the wide tolerance allows for)
    expect((host?.bandwidth ?? 0) / SPEED / BANDWIDTH).toBeGreaterThan(0.8);
    expect((host?.bandwidth ?? 0) / SPEED / BANDWIDTH).toBeLessThan(1.2);
    const limits = learned.flatMap((e) => e.hosts.map((h) => h.limit));
    const { imports } = await stats(cluster);
    // the host never had more in flight than its learned limit allowed, well under the cap
    expect(imports.peak).toBeLessThanOrEqual(Math.max(...limits));
    expect(imports.peak).toBeLessThan(CAP);
    expect(run.stderr).toMatch(
      /learned: \S+ at most \d+ in flight, [\d.]+ [KMGT]iB\/s \(settled\); importers [\d.]+ [KMGT]iB\/s; the rest re-planned with it/,
    );
    cluster.child.kill('SIGKILL');
  });

  it("remembers what it learned in the Provider's ConfigMap, and the next run starts settled there", async () => {
    const cluster = await sandbox();
    const first = await migrate(cluster, '--adaptive');
    expect(first.code).toBe(0);
    const firstLearned = first.events.flatMap((e) => (e.type === 'throughput' ? [e] : []));
    // nothing known yet: the host climbs
    expect(firstLearned[0]?.hosts[0]?.phase).toBe('climbing');
    const configMap = await cluster.client.get<{
      metadata: { labels?: Record<string, string> };
      data?: Record<string, string>;
    }>(inNamespace(RESOURCES.configMaps, 'openshift-mtv'), 'kubectl-mtv-throughput-vsphere-a');
    expect(configMap?.metadata.labels).toMatchObject({ 'kubectl-mtv.konveyor.io/use': 'throughput' });
    const hostName = firstLearned[0]?.hosts[0]?.name ?? '';
    expect(Object.keys(configMap?.data ?? {})).toEqual([hostName]);
    const entry = JSON.parse(configMap?.data?.[hostName] ?? '{}');
    expect(entry).toMatchObject({ host: hostName, plan: 'openshift-mtv/plan-a' });
    expect(entry.limit).toBeGreaterThanOrEqual(1);
    expect(entry.limit).toBeLessThan(CAP);
    // bytes/s of the run's clock: the sandbox's bandwidth times its speed
    expect(entry.bandwidth / SPEED / BANDWIDTH).toBeGreaterThan(0.8);
    expect(entry.bandwidth / SPEED / BANDWIDTH).toBeLessThan(1.2);
    expect(new Date(entry.updatedAt).getTime()).toBeGreaterThan(Date.now() - 300_000);

    const cleaned = await start(
      ['clean', 'plan-a', '-n', 'openshift-mtv', '--kubeconfig', cluster.kubeconfig, '--yes'],
      dir,
    ).done;
    expect(cleaned.code).toBe(0);
    const second = await migrate(cluster);
    expect(second.code).toBe(0);
    expect(second.stderr).toContain(
      'migrate: adaptive admission starts from what earlier runs learned (ConfigMap "kubectl-mtv-throughput-vsphere-a" in "openshift-mtv")',
    );
    const secondFirst = second.events.find((e) => e.type === 'throughput');
    expect(secondFirst?.type === 'throughput' && secondFirst.hosts[0]).toMatchObject({
      name: hostName,
      phase: 'holding',
      limit: entry.limit,
      bandwidth: entry.bandwidth,
    });
    cluster.child.kill('SIGKILL');
  });

  it('without access to the ConfigMap warns in one line, still learns, and remembers nothing', async () => {
    const cluster = await sandbox('--deny', 'update:configmaps@openshift-mtv');
    const run = await migrate(cluster);
    expect(run.code).toBe(0);
    expect(run.events.filter((e) => e.type === 'finished')).toHaveLength(DISKS);
    expect(run.stderr.match(/^warning: adaptive admission: .*$/gm)).toEqual([
      'warning: adaptive admission: no access to the learned throughput (update configmaps in "openshift-mtv")',
    ]);
    expect(run.events.some((e) => e.type === 'throughput' && e.hosts[0]?.phase === 'holding')).toBe(true);
    expect(
      await cluster.client.get(inNamespace(RESOURCES.configMaps, 'openshift-mtv'), 'kubectl-mtv-throughput-vsphere-a'),
    ).toBeUndefined();
    cluster.child.kill('SIGKILL');
  });

  it('with --max-inflight auto has no run-wide cap and holds the host at its learned limit', async () => {
    const cluster = await sandbox();
    const run = await migrate(cluster, '--max-inflight', 'auto');
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(
      `migrate: --max-inflight auto: no run-wide cap (${DISKS}, the plan's disks); each host's learned limit decides`,
    );
    expect(run.events.filter((e) => e.type === 'finished')).toHaveLength(DISKS);
    const limits = run.events.flatMap((e) => (e.type === 'throughput' ? e.hosts.map((h) => h.limit) : []));
    const { imports } = await stats(cluster);
    expect(imports.peak).toBeLessThanOrEqual(Math.max(...limits));
    expect(imports.peak).toBeLessThan(CAP);
    cluster.child.kill('SIGKILL');
  });

  it('with --no-adaptive admits up to the cap and learns nothing', async () => {
    const cluster = await sandbox();
    const run = await migrate(cluster, '--no-adaptive');
    expect(run.code).toBe(0);
    expect(run.events.filter((e) => e.type === 'finished')).toHaveLength(DISKS);
    expect(run.events.filter((e) => e.type === 'throughput')).toEqual([]);
    expect((await stats(cluster)).imports.peak).toBe(CAP);
    cluster.child.kill('SIGKILL');
  });
});
