import { DEFAULT_SANDBOX_SCENARIO, sandboxKubeconfig } from '@kubectl-mtv/sandbox';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { InventoryClient, InventoryOptions } from '../../src/cluster/inventory-client.js';
import { connectKube } from '../../src/cluster/kube-client.js';
import { ExitCode } from '../../src/errors.js';
import { type ClusterFixture, startCluster, userError } from './cluster-fixture.js';

describe('the inventory client against the sandbox', () => {
  let cluster: ClusterFixture;

  beforeAll(async () => {
    cluster = await startCluster(DEFAULT_SANDBOX_SCENARIO);
  });

  afterAll(async () => {
    await cluster?.close();
  });

  it('finds the inventory through the Route, trusting the ingress CA, and fetches every VM in one request', async () => {
    const inventory = cluster.newInventory();
    expect(await inventory.baseUrl()).toBe(cluster.sandbox.inventoryUrl);
    const vms = await inventory.vsphereVms(cluster.sandbox.providerUid);
    expect(inventory.requestCount()).toBe(1);
    expect(vms).toHaveLength(DEFAULT_SANDBOX_SCENARIO.vms.length);
    expect(vms[0]).toMatchObject({ id: 'vm-1', name: 'app-01', host: 'host-1', powerState: 'poweredOff' });
    expect(vms[0].uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(vms[0].disks[0]).toMatchObject({ key: 2000, file: '[ds-1] app-01/app-01.vmdk', capacity: 500 * 2 ** 30 });
  });

  it('prefers --inventory-url, then MTV_INVENTORY_URL, to the Route', async () => {
    const elsewhere = 'https://127.0.0.1:1';
    expect(await cluster.newInventory({ url: `${cluster.sandbox.inventoryUrl}/` }).baseUrl()).toBe(
      cluster.sandbox.inventoryUrl,
    );
    expect(await cluster.newInventory({ env: { MTV_INVENTORY_URL: elsewhere } }).baseUrl()).toBe(elsewhere);
  });

  it('answers 401 for a token the inventory rejects: exit 3, the token never shown', async () => {
    const path = cluster.file(
      'wrong',
      sandboxKubeconfig({ server: cluster.sandbox.apiUrl, token: 'not-the-token', caCert: cluster.sandbox.caCert }),
    );
    const kube = await connectKube({ kubeconfig: path, env: {} });
    // a rejected token cannot read the ingress CA either: the user passes it
    const caFile = cluster.file('ingress-ca.pem', cluster.sandbox.ingressCaCert as string);
    const inventory = cluster.newInventory({ url: cluster.sandbox.inventoryUrl, caFile }, kube);
    const error = await userError(inventory.vsphereVms(cluster.sandbox.providerUid));
    expect(error.exitCode).toBe(ExitCode.unreachable);
    expect(error.message).toBe(
      `the Forklift inventory ${cluster.sandbox.inventoryUrl} rejects the bearer token of context "mtv-sandbox" (401: the bearer token is not valid)`,
    );
    expect(error.line).not.toContain('not-the-token');
  });

  it('refuses a kubeconfig user without a bearer token with exit 3', async () => {
    const text = cluster.sandbox.kubeconfigText.replace(/token: .*/, 'username: admin\n      password: admin');
    const kube = await connectKube({ kubeconfig: cluster.file('basic', text), env: {} });
    const error = await userError(cluster.newInventory({ url: cluster.sandbox.inventoryUrl }, kube).baseUrl());
    expect(error.exitCode).toBe(ExitCode.unreachable);
    expect(error.message).toBe('context "mtv-sandbox" has no bearer token, which the Forklift inventory requires');
  });

  it('verifies TLS against the ingress CA, --inventory-ca, or skips it only when told', async () => {
    // a kubeconfig that trusts the API server without a CA; the ingress CA is still read through it
    const insecure = await connectKube({
      kubeconfig: cluster.file(
        'insecure',
        sandboxKubeconfig({ server: cluster.sandbox.apiUrl, token: cluster.sandbox.token, insecure: true }),
      ),
      env: {},
    });
    const url = cluster.sandbox.inventoryUrl;
    const viaIngress = cluster.newInventory({ url }, insecure);
    expect(await viaIngress.vsphereVms(cluster.sandbox.providerUid)).toHaveLength(DEFAULT_SANDBOX_SCENARIO.vms.length);
    const caFile = cluster.file('ca.pem', cluster.sandbox.ingressCaCert as string);
    const withCa = cluster.newInventory({ url, caFile }, insecure);
    expect(await withCa.vsphereVms(cluster.sandbox.providerUid)).toHaveLength(DEFAULT_SANDBOX_SCENARIO.vms.length);
    const skipping = cluster.newInventory({ url, insecureSkipTlsVerify: true }, insecure);
    expect(await skipping.vsphereVms(cluster.sandbox.providerUid)).toHaveLength(DEFAULT_SANDBOX_SCENARIO.vms.length);
  });

  it('reports an unknown provider as an inventory error (exit 3)', async () => {
    for (const read of [
      (client: InventoryClient) => client.vsphereVms('no-such-uid'),
      (client: InventoryClient) => client.vsphereProvider('no-such-uid'),
    ]) {
      const error = await userError(read(cluster.newInventory()));
      expect(error.exitCode).toBe(ExitCode.unreachable);
      expect(error.message).toBe('the Forklift inventory does not know provider no-such-uid (404 ProviderNotFound)');
    }
  });

  it('reads the provider with its VM count, one VM by id (undefined when missing) and VMs by name', async () => {
    const inventory = cluster.newInventory();
    const uid = cluster.sandbox.providerUid;
    expect(await inventory.vsphereProvider(uid)).toMatchObject({ uid, name: 'vsphere-a', vmCount: 15 });
    expect(await inventory.vsphereVm(uid, 'vm-2')).toMatchObject({
      id: 'vm-2',
      name: 'app-02',
      disks: expect.any(Array),
    });
    expect(await inventory.vsphereVm(uid, 'vm-404')).toBeUndefined();
    expect((await inventory.vsphereVmsNamed(uid, 'web-03')).map((vm) => [vm.id, vm.host])).toEqual([
      ['vm-9', 'host-1'],
    ]);
    expect(await inventory.vsphereVmsNamed(uid, 'nobody')).toEqual([]);
    expect(inventory.requestCount()).toBe(5);
  });
});

describe('the ingress CA, where OpenShift publishes it or not', () => {
  const clusters: ClusterFixture[] = [];
  afterEach(async () => {
    await Promise.all(clusters.splice(0).map((cluster) => cluster.close()));
  });
  const start = async (options: Parameters<typeof startCluster>[1] = {}) => {
    const cluster = await startCluster(DEFAULT_SANDBOX_SCENARIO, options);
    clusters.push(cluster);
    return cluster;
  };
  const debugged = (cluster: ClusterFixture, options: InventoryOptions = {}) => {
    const lines: string[] = [];
    const inventory = cluster.newInventory({ ...options, debug: (line) => lines.push(line) });
    return { inventory, lines };
  };

  it('is what the Route is trusted by: without the ConfigMap the inventory fails TLS verification', async () => {
    const cluster = await start();
    const trusted = debugged(cluster);
    expect(await trusted.inventory.vsphereProvider(cluster.sandbox.providerUid)).toMatchObject({ vmCount: 15 });
    expect(trusted.lines).toEqual([
      'trusting the ingress CA of ConfigMap openshift-config-managed/default-ingress-cert',
    ]);

    // plain Kubernetes: no such ConfigMap; the client goes on without it and says so on the debug line only
    cluster.sandbox.store.delete('configmaps', 'openshift-config-managed', 'default-ingress-cert');
    const without = debugged(cluster);
    const error = await userError(without.inventory.vsphereProvider(cluster.sandbox.providerUid));
    expect(error.exitCode).toBe(ExitCode.unreachable);
    expect(error.line).toMatch(
      /^the Forklift inventory .* is unreachable: its TLS certificate is not signed by a trusted CA .*\(try: --inventory-ca FILE trusts its CA/,
    );
    expect(without.lines).toEqual([
      'ingress CA not trusted: no ConfigMap openshift-config-managed/default-ingress-cert (not OpenShift?)',
    ]);
    // --inventory-ca still works where the ConfigMap is gone
    const caFile = cluster.file('ingress-ca.pem', cluster.sandbox.ingressCaCert as string);
    expect(await cluster.newInventory({ caFile }).vsphereProvider(cluster.sandbox.providerUid)).toMatchObject({
      vmCount: 15,
    });
  });

  it('is skipped when the user may not read it (403), with a debug line and no error of its own', async () => {
    const cluster = await start({ deny: ['get:configmaps'] });
    const denied = debugged(cluster);
    const error = await userError(denied.inventory.vsphereProvider(cluster.sandbox.providerUid));
    expect(error.line).toMatch(/is unreachable: its TLS certificate is not signed by a trusted CA/);
    expect(denied.lines).toEqual([
      'ingress CA not trusted: ConfigMap openshift-config-managed/default-ingress-cert may not be read (403); going on without it',
    ]);
    const caFile = cluster.file('ingress-ca.pem', cluster.sandbox.ingressCaCert as string);
    const given = debugged(cluster, { caFile });
    expect(await given.inventory.vsphereProvider(cluster.sandbox.providerUid)).toMatchObject({ vmCount: 15 });
  });

  it('is not read when TLS verification is skipped, nor for a plain-HTTP inventory', async () => {
    const cluster = await start();
    const skipping = debugged(cluster, { insecureSkipTlsVerify: true });
    expect(await skipping.inventory.vsphereProvider(cluster.sandbox.providerUid)).toMatchObject({ vmCount: 15 });
    expect(skipping.lines).toEqual([]);
    const before = cluster.sandbox.stats().requests.byResource.configmaps ?? 0;
    const plain = await start({ insecureHttp: true });
    const overHttp = debugged(plain);
    expect(await overHttp.inventory.vsphereProvider(plain.sandbox.providerUid)).toMatchObject({ vmCount: 15 });
    expect(overHttp.lines).toEqual([]);
    expect(plain.sandbox.stats().requests.byResource.configmaps ?? 0).toBe(0);
    expect(cluster.sandbox.stats().requests.byResource.configmaps ?? 0).toBe(before);
    // where it is read, the sandbox counts that read
    await cluster.newInventory().baseUrl();
    expect(cluster.sandbox.stats().requests.byResource.configmaps).toBe(before + 1);
  });
});

describe('a provider the inventory is still syncing (206 Partial Content)', () => {
  let cluster: ClusterFixture | undefined;
  afterEach(async () => {
    await cluster?.close();
    cluster = undefined;
  });
  const FAST = { firstDelayMs: 20, maxDelayMs: 80, timeoutMs: 10_000 };

  it('is asked again with back-off, one progress line per 206, until it answers', async () => {
    // at 1000x, Forklift's 10 s parity wait is 10 ms
    cluster = await startCluster(DEFAULT_SANDBOX_SCENARIO, { speed: 1000, inventorySyncing: { requests: 3 } });
    const lines: string[] = [];
    const inventory = cluster.newInventory({ syncWait: FAST, progress: (line) => lines.push(line) });
    const started = performance.now();
    expect(await inventory.vsphereVms(cluster.sandbox.providerUid)).toHaveLength(DEFAULT_SANDBOX_SCENARIO.vms.length);
    // 20 + 40 + 80 ms of back-off
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(lines).toEqual([
      'the Forklift inventory is still syncing the provider with vCenter (206 Partial Content): asking again in 20ms',
      'the Forklift inventory is still syncing the provider with vCenter (206 Partial Content): asking again in 40ms',
      'the Forklift inventory is still syncing the provider with vCenter (206 Partial Content): asking again in 80ms',
    ]);
    expect(inventory.requestCount()).toBe(4);
    expect(cluster.sandbox.inventoryCounts().partialContent).toBe(3);
  });

  it('gives up with exit 3 once it has synced longer than the wait allows', async () => {
    cluster = await startCluster(DEFAULT_SANDBOX_SCENARIO, { speed: 1000, inventorySyncing: { requests: 1000 } });
    const lines: string[] = [];
    const inventory = cluster.newInventory({
      syncWait: { ...FAST, timeoutMs: 300 },
      progress: (line) => lines.push(line),
    });
    const error = await userError(inventory.vsphereProvider(cluster.sandbox.providerUid));
    expect(error.exitCode).toBe(ExitCode.unreachable);
    expect(error.line).toMatch(
      /^the Forklift inventory https:\/\/127\.0\.0\.1:\d+ is still syncing the provider with vCenter after \d+ms \(206 Partial Content\) \(try: wait for the inventory's first sync/,
    );
    expect(lines.length).toBeGreaterThanOrEqual(3);
  });

  it('stops waiting when its signal aborts', async () => {
    cluster = await startCluster(DEFAULT_SANDBOX_SCENARIO, { speed: 1000, inventorySyncing: { requests: 1000 } });
    const stop = new AbortController();
    const inventory = cluster.newInventory({
      syncWait: { firstDelayMs: 60_000, maxDelayMs: 60_000, timeoutMs: 600_000 },
      progress: () => stop.abort(),
      signal: stop.signal,
    });
    const started = performance.now();
    const error = await userError(inventory.vsphereProvider(cluster.sandbox.providerUid));
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(error.message).toMatch(
      /^stopped while the Forklift inventory .* was still syncing the provider with vCenter$/,
    );
    // Ctrl-C's code, or the one the signal's reason carries (SIGTERM 143)
    expect(error.exitCode).toBe(ExitCode.interrupted);
  });
});
