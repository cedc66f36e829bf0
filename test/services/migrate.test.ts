/**
 * The migrate, clean and demo services in process, against the embedded sandbox over real HTTP: RBAC gaps stop a run
 * before anything is created, the dry-run schedule is the engine's, clean leaves a plan a runner holds alone.
 */

import type { SchedulerOptions } from '@kubectl-mtv/engine';
import { simulateScenario } from '@kubectl-mtv/engine';
import { DEFAULT_SANDBOX_SCENARIO } from '@kubectl-mtv/sandbox';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ExitCode } from '../../src/errors.js';
import { clean } from '../../src/services/clean.js';
import { DEMO_SECONDS, demoSpeed } from '../../src/services/demo.js';
import { type MigrateOptions, migrate } from '../../src/services/migrate.js';
import { type ClusterFixture, startCluster, userError } from '../cluster/cluster-fixture.js';

const NS = 'openshift-mtv';
const SCHEDULER: SchedulerOptions = { policy: 'disk', maxInFlight: 20, order: 'largest' };
const DISKS = DEFAULT_SANDBOX_SCENARIO.vms.reduce((sum, vm) => sum + vm.disks.length, 0);

/** What the tests read of a DataVolume in a List. */
interface DataVolumeJson {
  kind: string;
  metadata: { name: string };
}

let cluster: ClusterFixture | undefined;

afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

function captured() {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    streams: {
      stdout: { write: (text: string) => (out.stdout += text) },
      stderr: { write: (text: string) => (out.stderr += text) },
    },
  };
}

function options(fixture: ClusterFixture, extra: Partial<MigrateOptions> = {}): MigrateOptions {
  return {
    connection: { kubeconfig: fixture.kubeconfigPath, env: {}, namespace: NS, requestTimeoutMs: 5_000 },
    inventory: { env: {} },
    plan: 'plan-a',
    allowPoweredOn: true,
    scheduler: SCHEDULER,
    maxRestarts: 3,
    stuckAfterMs: 600_000,
    output: 'table',
    takeover: false,
    signal: new AbortController().signal,
    ...extra,
  };
}

describe('migrate service', () => {
  it('stops at a missing permission with exit 3 before it creates anything', async () => {
    cluster = await startCluster(DEFAULT_SANDBOX_SCENARIO, { deny: ['create:datavolumes'] });
    const before = await cluster.revision();
    const { streams } = captured();
    const error = await userError(migrate(options(cluster, { streams })));
    expect(error.exitCode).toBe(ExitCode.unreachable);
    expect(error.message).toMatch(/lacks permissions: create datavolumes\.cdi\.kubevirt\.io in "demo"$/);
    expect(await cluster.revision()).toBe(before);
  });

  it('--dry-run=client shows the schedule in start order, the cap at once, and every DataVolume', async () => {
    cluster = await startCluster(DEFAULT_SANDBOX_SCENARIO);
    const before = await cluster.revision();
    const { out, streams } = captured();
    expect(await migrate(options(cluster, { dryRun: 'client', adaptive: false, streams }))).toBe(ExitCode.ok);
    // the schedule's comment rows: `# N  VM  DISK  DATAVOLUME  HOST  SIZE  START  END`
    const rows = out.stdout
      .split('\n')
      .filter((line) => /^# \d+ /.test(line))
      .map((line) => line.slice(2).split(/ {2,}/));
    expect(rows).toHaveLength(DISKS);
    expect(rows.filter((row) => row[6] === 'at once')).toHaveLength(SCHEDULER.maxInFlight);
    expect(rows.findIndex((row) => row[6] !== 'at once')).toBe(SCHEDULER.maxInFlight);
    expect(out.stderr).toContain('dry run (client): 92 DataVolumes shown, none created');
    // what the schedule assumes: no bandwidth known; --no-adaptive admits up to the caps, the default learns them
    expect(out.stdout).toContain('# Bandwidth unknown: the schedule assumes every host uncapped');
    expect(out.stdout).toContain('# The run admits up to the caps whatever the hosts sustain');
    const adaptive = captured();
    await migrate(options(cluster, { dryRun: 'client', streams: adaptive.streams }));
    expect(adaptive.out.stdout).toContain("# The run learns each host's bandwidth while it copies");
    // the Secrets a run would make: vCenter's, and esx-01's (its Host CR is Ready), their content never shown
    const made = out.stderr.split('\n').filter((line) => line.startsWith('a run makes Secret'));
    expect(made).toEqual([
      expect.stringMatching(
        /^a run makes Secret demo\/plan-a-vddk-[0-9a-f]{8} for CDI's importers from the Provider Secret openshift-mtv\/vsphere-a-secret /,
      ),
      expect.stringMatching(
        /^a run makes Secret demo\/plan-a-vddk-[0-9a-f]{8}-host-1 for CDI's importers reading from ESXi host esx-01 \(Host openshift-mtv\/vsphere-a-host-1\) from its Secret openshift-mtv\/vsphere-a-host-1-secret, the CA from the Provider Secret openshift-mtv\/vsphere-a-secret /,
      ),
    ]);
    // -o json: the same DataVolumes as a v1 List, in the schedule's order
    const json = captured();
    await migrate(options(cluster, { dryRun: 'client', dryRunOutput: 'json', streams: json.streams }));
    const list = JSON.parse(json.out.stdout) as { apiVersion: string; kind: string; items: DataVolumeJson[] };
    expect([list.apiVersion, list.kind]).toEqual(['v1', 'List']);
    expect(list.items.map((dv) => dv.metadata.name)).toEqual(rows.map((row) => row[3]));
    expect(new Set(list.items.map((dv) => dv.kind))).toEqual(new Set(['DataVolume']));
    expect(await cluster.revision()).toBe(before);
  });

  it('--dry-run=server -o yaml lists the DataVolumes as the API server answered them, and creates none', async () => {
    cluster = await startCluster(DEFAULT_SANDBOX_SCENARIO);
    const before = await cluster.revision();
    const { out, streams } = captured();
    expect(await migrate(options(cluster, { dryRun: 'server', dryRunOutput: 'yaml', streams }))).toBe(ExitCode.ok);
    const list = parse(out.stdout) as { kind: string; items: (DataVolumeJson & { metadata: { uid?: string } })[] };
    expect(list.kind).toBe('List');
    expect(list.items).toHaveLength(DISKS);
    // the server's answer, not our manifest: it carries what the server fills in
    for (const dv of list.items) expect(dv.metadata.uid).toEqual(expect.any(String));
    expect(out.stdout).not.toContain('created (server dry run)');
    expect(out.stderr).toContain('dry run (server): 92 DataVolumes accepted; none created');
    expect(await cluster.revision()).toBe(before);
  });

  it('returns 130 without creating anything when interrupted before the run starts', async () => {
    cluster = await startCluster(DEFAULT_SANDBOX_SCENARIO);
    const before = await cluster.revision();
    const aborter = new AbortController();
    aborter.abort();
    const { streams } = captured();
    expect(await migrate(options(cluster, { signal: aborter.signal, streams }))).toBe(ExitCode.interrupted);
    expect(await cluster.revision()).toBe(before);
  });
});

describe('clean service', () => {
  it('refuses a plan a live runner holds with exit 5 and deletes nothing', async () => {
    cluster = await startCluster(DEFAULT_SANDBOX_SCENARIO);
    const now = new Date();
    await cluster.kube.transport.request('POST', `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases`, {
      body: {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: 'kubectl-mtv-plan-a', namespace: NS },
        spec: {
          holderIdentity: 'ada@ws-1/42',
          leaseDurationSeconds: 15,
          renewTime: now.toISOString().replace('Z', '000Z'),
        },
      },
    });
    const { out, streams } = captured();
    const connection = { kubeconfig: cluster.kubeconfigPath, env: {}, namespace: NS };
    // nothing to delete: clean says so and never looks at the lease
    expect(await clean({ connection, plan: 'plan-a', stuckOnly: false, yes: true, streams })).toBe(ExitCode.ok);
    expect(out.stderr).toBe('no DataVolumes of plan "plan-a" in namespace "demo"\n');
    // with DataVolumes: the dry run creates none, so make one the way a run would
    const dryRun = captured();
    await migrate(options(cluster, { dryRun: 'client', dryRunOutput: 'json', streams: dryRun.streams }));
    const manifest = (JSON.parse(dryRun.out.stdout) as { items: unknown[] }).items[0];
    await cluster.kube.transport.request('POST', '/apis/cdi.kubevirt.io/v1beta1/namespaces/demo/datavolumes', {
      body: manifest,
    });
    const error = await userError(
      clean({ connection, plan: 'plan-a', stuckOnly: false, yes: true, streams, now: () => now.getTime() + 1000 }),
    );
    expect(error.exitCode).toBe(ExitCode.locked);
    expect(error.line).toBe(
      'plan "plan-a" is being run by ada@ws-1/42 (Lease kubectl-mtv-plan-a); nothing deleted (try: stop that run first (Ctrl-C), then clean)',
    );
    // once the lease has expired, it deletes
    expect(
      await clean({
        connection,
        plan: 'plan-a',
        stuckOnly: false,
        yes: true,
        streams,
        now: () => now.getTime() + 60_000,
      }),
    ).toBe(ExitCode.ok);
    expect(out.stdout).toMatch(/^datavolume\.cdi\.kubevirt\.io\/plan-a-\S+ deleted\n$/);
  });
});

describe('demo speed', () => {
  it("runs the default scenario's simulated makespan in about a minute", () => {
    const { speed, makespanSeconds } = demoSpeed();
    expect(makespanSeconds).toBe(simulateScenario(DEFAULT_SANDBOX_SCENARIO, SCHEDULER).makespanSeconds);
    expect(makespanSeconds / speed).toBeCloseTo(DEMO_SECONDS, 6);
  });
});
