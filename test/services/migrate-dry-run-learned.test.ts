/**
 * `migrate --dry-run=client` of an adaptive run (the default) against the embedded sandbox: the schedule shown starts where the run would,
 * from the bandwidths the throughput record holds, and its header says so; without the record, or without
 * --no-adaptive, it assumes every host unknown.
 */
import { DEFAULT_SANDBOX_SCENARIO } from '@kubectl-mtv/sandbox';
import { afterEach, describe, expect, it } from 'vitest';
import { inNamespace, RESOURCES } from '../../src/cluster/resource-types.js';
import { ThroughputRecord } from '../../src/cluster/throughput-record.js';
import { ExitCode } from '../../src/errors.js';
import { type MigrateOptions, migrate } from '../../src/services/migrate.js';
import { type ClusterFixture, startCluster } from '../cluster/cluster-fixture.js';

const NS = 'openshift-mtv';
const Mi = 2 ** 20;

let cluster: ClusterFixture | undefined;

afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

/** The dry run's stdout. */
async function dryRun(fixture: ClusterFixture, adaptive: boolean): Promise<string> {
  let stdout = '';
  const options: MigrateOptions = {
    connection: { kubeconfig: fixture.kubeconfigPath, env: {}, namespace: NS, requestTimeoutMs: 5_000 },
    inventory: { env: {} },
    plan: 'plan-a',
    allowPoweredOn: true,
    scheduler: { policy: 'disk', maxInFlight: 20, order: 'largest' },
    adaptive,
    maxRestarts: 3,
    stuckAfterMs: 600_000,
    dryRun: 'client',
    output: 'table',
    takeover: false,
    signal: new AbortController().signal,
    streams: { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: () => true } },
  };
  expect(await migrate(options)).toBe(ExitCode.ok);
  return stdout;
}

/** The schedule's rows as printed: DATAVOLUME, HOST, START, END. */
const times = (stdout: string) =>
  stdout
    .split('\n')
    .filter((line) => /^# \d+ /.test(line))
    .map((line) => {
      const row = line.slice(2).split(/ {2,}/);
      return [row[3], row[4], row[6], row[7]].join(' ');
    });

describe('migrate --dry-run=client of an adaptive run', () => {
  it('plans with the learned bandwidths and says so; with --no-adaptive, unknown', async () => {
    cluster = await startCluster(DEFAULT_SANDBOX_SCENARIO);
    const unknown = await dryRun(cluster, true);
    expect(unknown).toContain('# Bandwidth unknown: the schedule assumes every host uncapped');
    const providers = await cluster.kube.list<{
      metadata: { name: string; namespace: string; uid: string };
      spec?: { type?: string };
    }>(inNamespace(RESOURCES.providers, NS));
    const provider = providers.find((p) => p.spec?.type === 'vsphere')?.metadata;
    if (!provider) throw new Error('the sandbox has no vSphere Provider');
    const record = new ThroughputRecord(cluster.kube, provider);
    await record.write([
      {
        host: 'host-1',
        bandwidth: 200 * Mi,
        limit: 2,
        updatedAt: '2026-12-01T10:00:00.000Z',
        plan: `${NS}/plan-a`,
        run: 'jane@ws/1',
      },
    ]);
    const learned = await dryRun(cluster, true);
    expect(learned).toContain(
      `# Bandwidth: host-1 200 MiB/s learned from the cluster (ConfigMap ${NS}/${record.name}, 2026-12-01T10:00:00Z), host-2 unknown (uncapped); importers 100 MiB/s assumed (unknown): the schedule starts from these, as the run does;`,
    );
    expect(times(learned)).toHaveLength(times(unknown).length);
    expect(times(learned)).not.toEqual(times(unknown));
    // a --no-adaptive run reads no record: nor does its dry run
    expect(await dryRun(cluster, false)).toContain('# Bandwidth unknown: the schedule assumes every host uncapped');
  });
});
