import { DEFAULT_SANDBOX_SCENARIO, sandboxKubeconfig } from '@kubectl-mtv/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

  it('finds the inventory through the Route and fetches every VM with its details in one request', async () => {
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
    const inventory = cluster.newInventory({ url: cluster.sandbox.inventoryUrl }, kube);
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

  it('verifies TLS against the cluster CA, --inventory-ca, or skips it only when told', async () => {
    // a kubeconfig that trusts the API server without a CA gives the inventory nothing to verify against
    const insecure = await connectKube({
      kubeconfig: cluster.file(
        'insecure',
        sandboxKubeconfig({ server: cluster.sandbox.apiUrl, token: cluster.sandbox.token, insecure: true }),
      ),
      env: {},
    });
    const url = cluster.sandbox.inventoryUrl;
    const error = await userError(cluster.newInventory({ url }, insecure).vsphereVms(cluster.sandbox.providerUid));
    expect(error.exitCode).toBe(ExitCode.unreachable);
    expect(error.line).toMatch(
      /^the Forklift inventory .* is unreachable: its TLS certificate .*\(try: --inventory-ca FILE trusts its CA/,
    );
    const caFile = cluster.file('ca.pem', cluster.sandbox.caCert as string);
    const withCa = cluster.newInventory({ url, caFile }, insecure);
    expect(await withCa.vsphereVms(cluster.sandbox.providerUid)).toHaveLength(DEFAULT_SANDBOX_SCENARIO.vms.length);
    const skipping = cluster.newInventory({ url, insecureSkipTlsVerify: true }, insecure);
    expect(await skipping.vsphereVms(cluster.sandbox.providerUid)).toHaveLength(DEFAULT_SANDBOX_SCENARIO.vms.length);
  });

  it('reports an unknown provider as an inventory error (exit 3)', async () => {
    const error = await userError(cluster.newInventory().vsphereVms('no-such-uid'));
    expect(error.exitCode).toBe(ExitCode.unreachable);
    expect(error.message).toMatch(/answers 404 to GET \/providers\/vsphere\/no-such-uid\/vms/);
  });
});
