/**
 * The plan's destination cluster (destination.ts), against the sandbox's two API servers: the host one and the
 * remote one plan-remote copies to (its own CA and token, context mtv-sandbox-remote). Each cluster answers the
 * access reviews for its own part, as the identity that acts there.
 */
import { DEFAULT_SANDBOX_SCENARIO, SEED_NAMES } from '@kubectl-mtv/sandbox';
import { afterEach, describe, expect, it } from 'vitest';
import { apiServerKey, connectDestination, type DestinationProvider } from '../../src/cluster/destination.js';
import { ExitCode } from '../../src/errors.js';
import { type MigrateOptions, migrate } from '../../src/services/migrate.js';
import { type ClusterFixture, startCluster, userError } from './cluster-fixture.js';

const NS = SEED_NAMES.forkliftNamespace;

let cluster: ClusterFixture | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

const remoteProvider = (fixture: ClusterFixture): DestinationProvider => ({
  name: 'remote',
  namespace: NS,
  type: 'openshift',
  url: fixture.sandbox.remote.apiUrl,
  secret: { name: 'remote-secret', namespace: NS },
});

describe('apiServerKey', () => {
  it.each([
    ['https://API.example.com:443/', 'https://api.example.com'],
    ['https://api.example.com:6443', 'https://api.example.com:6443/'],
    ['http://127.0.0.1', 'http://127.0.0.1:80'],
  ])('takes %s and %s for the same server', (a, b) => {
    expect(apiServerKey(a)).toBe(apiServerKey(b));
  });

  it.each([
    ['https://api.example.com:6443', 'https://api.example.com:443'],
    ['https://api.example.com', 'http://api.example.com'],
    ['https://a.example.com', 'https://b.example.com'],
    ['https://proxy.example.com/a', 'https://proxy.example.com/b'],
  ])('tells %s from %s', (a, b) => {
    expect(apiServerKey(a)).not.toBe(apiServerKey(b));
  });
});

describe('connectDestination', () => {
  it('gives the host client for a host destination, and refuses the remote flags there', async () => {
    cluster = await startCluster(DEFAULT_SANDBOX_SCENARIO);
    const host = { name: 'host', namespace: NS, type: 'openshift', url: '' };
    const reached = await connectDestination(cluster.kube, 'plan-a', host, { connection: {} });
    expect(reached.client).toBe(cluster.kube);
    expect(reached.where).toEqual({ kind: 'host' });
    const error = await userError(
      connectDestination(cluster.kube, 'plan-a', host, { context: 'mtv-sandbox-remote', connection: {} }),
    );
    expect(error.message).toBe(
      'plan "plan-a" copies to the host cluster (destination provider "host" has no URL): --destination-context and --use-provider-credentials are for a remote destination',
    );
    expect(error.exitCode).toBe(ExitCode.usage);
  });

  it('reaches the remote cluster through a context of the same kubeconfig, checked against the provider URL', async () => {
    cluster = await startCluster(DEFAULT_SANDBOX_SCENARIO);
    const connection = { kubeconfig: cluster.kubeconfigPath, env: {} };
    const reached = await connectDestination(cluster.kube, 'plan-remote', remoteProvider(cluster), {
      context: 'mtv-sandbox-remote',
      connection,
    });
    expect(reached.client.transport.server).toBe(cluster.sandbox.remote.apiUrl);
    // the remote cluster has the target namespace and its CDI, and no plan
    expect(await reached.client.get({ version: 'v1', plural: 'namespaces' }, 'demo')).toBeDefined();
    expect(await reached.client.get({ version: 'v1', plural: 'namespaces' }, NS)).toBeUndefined();
    const both = await userError(
      connectDestination(cluster.kube, 'plan-remote', remoteProvider(cluster), {
        context: 'mtv-sandbox-remote',
        useProviderCredentials: true,
        connection,
      }),
    );
    expect(both.message).toBe(
      '--destination-context and --use-provider-credentials both name how to reach the destination',
    );
  });

  it("reaches it with the provider Secret's token and CA only when the user may read that Secret (exit 3 otherwise)", async () => {
    cluster = await startCluster(DEFAULT_SANDBOX_SCENARIO, { deny: ['get:secrets@openshift-mtv'] });
    const error = await userError(
      connectDestination(cluster.kube, 'plan-remote', remoteProvider(cluster), {
        useProviderCredentials: true,
        connection: {},
      }),
    );
    expect(error.exitCode).toBe(ExitCode.unreachable);
    expect(error.message).toBe(
      'context "mtv-sandbox" may not get Secret "remote-secret" in namespace "openshift-mtv" (destination provider "remote"), so --use-provider-credentials cannot be used',
    );
    await cluster.close();
    cluster = await startCluster(DEFAULT_SANDBOX_SCENARIO);
    const reached = await connectDestination(cluster.kube, 'plan-remote', remoteProvider(cluster), {
      useProviderCredentials: true,
      connection: {},
    });
    expect(reached.where).toEqual({
      kind: 'remote',
      provider: 'openshift-mtv/remote',
      url: cluster.sandbox.remote.apiUrl,
      via: { providerSecret: 'openshift-mtv/remote-secret' },
    });
    // TLS verified against the Secret's CA (the remote cluster's own, not the host's)
    expect(await reached.client.get({ version: 'v1', plural: 'namespaces' }, 'demo')).toBeDefined();
  });
});

describe('migrate plan-remote in process', () => {
  const options = (fixture: ClusterFixture, extra: Partial<MigrateOptions>): MigrateOptions => ({
    connection: { kubeconfig: fixture.kubeconfigPath, env: {}, namespace: NS, requestTimeoutMs: 5_000 },
    inventory: { env: {} },
    plan: 'plan-remote',
    allowPoweredOn: true,
    scheduler: { policy: 'disk', maxInFlight: 20, order: 'largest' },
    maxRestarts: 3,
    stuckAfterMs: 600_000,
    output: 'table',
    takeover: false,
    signal: new AbortController().signal,
    streams: { stdout: { write: () => true }, stderr: { write: () => true } },
    ...extra,
  });

  it.each([
    [{ context: 'mtv-sandbox-remote' }, 'mtv-sandbox-remote'],
    [{ useProviderCredentials: true }, 'provider:openshift-mtv/remote'],
  ])(
    'asks the remote cluster about the target namespace, as the identity that acts there (%j)',
    async (destination, who) => {
      cluster = await startCluster(DEFAULT_SANDBOX_SCENARIO, { remoteDeny: ['create:datavolumes'] });
      const before = cluster.sandbox.remote.store.list('datavolumes.cdi.kubevirt.io', 'demo').length;
      const error = await userError(migrate(options(cluster, { destination })));
      expect(error.exitCode).toBe(ExitCode.unreachable);
      expect(error.message).toBe(`context "${who}" lacks permissions: create datavolumes.cdi.kubevirt.io in "demo"`);
      expect(cluster.sandbox.remote.store.list('datavolumes.cdi.kubevirt.io', 'demo').length).toBe(before);
    },
  );

  it('--dry-run=server sends the DataVolumes to the remote cluster (dryRun=All), so its CDI webhook judges them', async () => {
    // the host would refuse them: they must go to the remote cluster to be accepted
    cluster = await startCluster(DEFAULT_SANDBOX_SCENARIO, { deny: ['create:datavolumes'] });
    let stdout = '';
    const code = await migrate(
      options(cluster, {
        destination: { context: 'mtv-sandbox-remote' },
        dryRun: 'server',
        streams: { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: () => true } },
      }),
    );
    expect(code).toBe(ExitCode.ok);
    const disks = DEFAULT_SANDBOX_SCENARIO.vms.reduce((sum, vm) => sum + vm.disks.length, 0);
    expect(stdout.match(/created \(server dry run\)/g)?.length).toBe(disks);
    expect(cluster.sandbox.remote.store.list('datavolumes.cdi.kubevirt.io', 'demo')).toEqual([]);
  });
});
