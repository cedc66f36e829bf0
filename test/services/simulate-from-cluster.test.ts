/**
 * `simulate --from-cluster` in process, against the embedded sandbox over real HTTP: the plan is read as migrate reads
 * it, each host's bandwidth is the throughput record's where it has one and unknown elsewhere, the schedules change
 * with it, nothing is written to the cluster, a missing record is a note, a 403 on it a warning, and a plan not found
 * is one line with exit 2.
 */
import type { Scenario, SimulationResult } from '@kubectl-mtv/engine';
import { afterEach, describe, expect, it } from 'vitest';
import { inNamespace, RESOURCES } from '../../src/cluster/resource-types.js';
import { ThroughputRecord } from '../../src/cluster/throughput-record.js';
import { fromClusterOptions } from '../../src/commands/support/simulate-flags.js';
import { ExitCode } from '../../src/errors.js';
import { loadScenarioFile } from '../../src/services/scenario-file.js';
import {
  type FromClusterOptions,
  type FromClusterReport,
  simulateFromCluster,
} from '../../src/services/simulate-from-cluster.js';
import { formatBandwidthLine, formatScenarioLine } from '../../src/ui/simulate-table.js';
import { type ClusterFixture, startCluster, userError } from '../cluster/cluster-fixture.js';

const NS = 'openshift-mtv';
const Mi = 2 ** 20;
const Gi = 2 ** 30;
const SCENARIO: Scenario = {
  name: 'from-cluster',
  migration: 'cold',
  maxInFlight: 10,
  diskRate: 100 * Mi,
  hosts: [{ name: 'esx-01' }, { name: 'esx-02' }],
  vms: [
    ...Array.from({ length: 4 }, (_, i) => ({
      name: `app-${i}`,
      host: 'esx-01',
      powerState: 'poweredOff',
      disks: [{ size: 20 * Gi, datastore: 'ds-1' }],
    })),
    { name: 'db', host: 'esx-02', powerState: 'poweredOff', disks: [{ size: 40 * Gi, datastore: 'ds-1' }] },
  ],
};

let cluster: ClusterFixture | undefined;

afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

async function simulateIt(
  fixture: ClusterFixture,
  extra: Partial<FromClusterOptions> = {},
): Promise<{ report: FromClusterReport; stderr: string }> {
  let stderr = '';
  const report = await simulateFromCluster(
    {
      plan: 'plan-a',
      connection: { kubeconfig: fixture.kubeconfigPath, env: {}, namespace: NS, requestTimeoutMs: 5_000 },
      inventory: { env: {} },
      stderr: { write: (text: string) => (stderr += text) },
      ...extra,
    },
    { policies: ['forklift', 'disk'], order: 'largest', maxInFlight: 20 },
  );
  return { report, stderr };
}

const disk = (report: FromClusterReport) =>
  (report.results as SimulationResult[]).find((r) => r.policy === 'disk') as SimulationResult;

/** The plan's source Provider (the sandbox's vSphere one). */
async function providerOf(fixture: ClusterFixture) {
  const providers = await fixture.kube.list<{
    metadata: { name: string; namespace: string; uid: string };
    spec?: { type?: string };
  }>(inNamespace(RESOURCES.providers, NS));
  const vsphere = providers.find((p) => p.spec?.type === 'vsphere');
  if (!vsphere) throw new Error('the sandbox has no vSphere Provider');
  return vsphere.metadata;
}

describe('simulate --from-cluster', () => {
  it("plans with the hosts' learned bandwidths where the record has them, unknown elsewhere, and writes nothing", async () => {
    cluster = await startCluster(SCENARIO);
    const unknown = await simulateIt(cluster);
    expect(unknown.stderr).toMatch(
      /^note: no learned throughput for provider ".+" \(ConfigMap openshift-mtv\/kubectl-mtv-throughput-.+ not found\): bandwidth unknown/m,
    );
    expect(unknown.report.cluster.assumed.hosts.every((h) => h.bandwidth === null)).toBe(true);
    expect(formatScenarioLine(unknown.report)).toMatch(
      /^plan openshift-mtv\/plan-a \(cold\): 5 VMs, 5 disks, 120 GiB, hosts \S+, \S+$/,
    );
    expect(formatBandwidthLine(unknown.report)).toMatch(
      /^bandwidth: \S+ unknown \(uncapped\), \S+ unknown \(uncapped\); importers 100 MiB\/s assumed \(unknown\)/,
    );

    // the four app VMs' host: learned at 50 MiB/s, half of one importer's rate
    const appHost = disk(unknown.report).disks.find((d) => d.vm === 'app-0')?.host as string;
    const provider = await providerOf(cluster);
    const record = new ThroughputRecord(cluster.kube, provider);
    await record.write([
      {
        host: appHost,
        bandwidth: 50 * Mi,
        limit: 2,
        updatedAt: '2026-12-01T10:00:00.000Z',
        plan: `${NS}/plan-a`,
        run: 'jane@ws/1',
      },
    ]);
    const before = await cluster.revision();
    const learned = await simulateIt(cluster);
    expect(await cluster.revision()).toBe(before);
    expect(learned.stderr).toBe('');
    const line = formatBandwidthLine(learned.report);
    expect(line).toContain(
      `${appHost} 50 MiB/s learned from the cluster (ConfigMap ${NS}/${record.name}, 2026-12-01T10:00:00Z)`,
    );
    expect(line).toMatch(/, \S+ unknown \(uncapped\); importers 100 MiB\/s assumed \(unknown\)/);
    // 80 GiB through 50 MiB/s: 1638 s at least, against 20 GiB at 100 MiB/s (205 s) not knowing the host
    expect(disk(unknown.report).makespanSeconds).toBeLessThan(500);
    expect(disk(learned.report).makespanSeconds).toBeGreaterThan(1600);
  });

  it('says one warning and goes on unknowing when the record may not be read (403)', async () => {
    cluster = await startCluster(SCENARIO, { deny: ['get:configmaps'] });
    // the inventory's CA is read from a ConfigMap: given here instead, as --inventory-url does
    const inventory = { env: {}, url: cluster.sandbox.inventoryUrl, insecureSkipTlsVerify: true };
    const { report, stderr } = await simulateIt(cluster, { inventory });
    expect(stderr).toMatch(
      /^warning: cannot read ConfigMap openshift-mtv\/kubectl-mtv-throughput-\S+ \(forbidden\): bandwidth unknown\n$/,
    );
    expect(report.cluster.assumed.hosts.map((h) => h.bandwidth)).toEqual([null, null]);
  });

  it('simulates a warm plan as a warm scenario: rounds, precopies, the cutover', async () => {
    cluster = await startCluster(await loadScenarioFile('examples/warm.yaml'));
    let stderr = '';
    const report = await simulateFromCluster(
      {
        plan: 'plan-a',
        connection: { kubeconfig: cluster.kubeconfigPath, env: {}, namespace: NS, requestTimeoutMs: 5_000 },
        inventory: { env: {} },
        stderr: { write: (text: string) => (stderr += text) },
      },
      { order: 'largest', maxInFlight: 20, cutoverSeconds: 4 * 3600 },
    );
    expect(stderr).toMatch(/^note: no learned throughput/);
    expect(report.cluster.migration).toBe('warm');
    expect('migration' in report && report.migration).toBe('warm');
    expect(report.results.map((r) => r.policy)).toEqual(['forklift', 'disk']);
    expect(formatScenarioLine(report)).toMatch(/^plan openshift-mtv\/plan-a \(warm\): /);
    // --blind simulates a cold run: the refusal names the plan, not a scenario
    await expect(
      simulateFromCluster(
        {
          plan: 'plan-a',
          connection: { kubeconfig: cluster.kubeconfigPath, env: {}, namespace: NS, requestTimeoutMs: 5_000 },
          inventory: { env: {} },
          stderr: { write: () => undefined },
        },
        { order: 'largest', maxInFlight: 20, blind: true },
      ),
    ).rejects.toThrow('--blind: plan "openshift-mtv/plan-a" is a warm migration; --blind simulates a cold one');
  });

  it('defaults --max-inflight as migrate does, and refuses a connection flag without --from-cluster', () => {
    const flags = { order: 'largest', output: 'table', 'no-headers': false, blind: false, 'request-timeout': '30s' };
    const cap = (extra: object, env: NodeJS.ProcessEnv) =>
      fromClusterOptions({ ...flags, 'from-cluster': 'plan-a', ...extra }, env)?.maxInFlight;
    expect(cap({}, {})).toBe(20);
    expect(cap({}, { MAX_VM_INFLIGHT: '7' })).toBe(7);
    expect(cap({ 'max-inflight': '3' }, { MAX_VM_INFLIGHT: '7' })).toBe(3);
    expect(fromClusterOptions({ ...flags, scenario: 'x.yaml' }, {})).toBeUndefined();
    expect(() => fromClusterOptions({ ...flags, scenario: 'x.yaml', kubeconfig: 'k' }, {})).toThrow(
      '--kubeconfig: applies with --from-cluster',
    );
  });

  it('refuses a plan not found with one line naming it and the fix, exit 2', async () => {
    cluster = await startCluster(SCENARIO);
    const error = await userError(simulateIt(cluster, { plan: 'no-such-plan' }));
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.line).toBe('plan "no-such-plan" not found in namespace "openshift-mtv" (try: kubectl get plans -A)');
  });
});
