/**
 * Kubeconfigs as kubectl reads them, each shape against the sandbox over real TLS: a token, a tokenFile, a client
 * certificate (files and data), a proxy-url that carries the API server's and the inventory's requests, and no
 * kubeconfig at all in a pod (the service account). Files that are missing are named before anything is sent.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_SANDBOX_SCENARIO, sandboxKubeconfig } from '@kubectl-mtv/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectKube, type KubeClient } from '../../src/cluster/kube-client.js';
import { SERVICE_ACCOUNT_DIR_VARIABLE } from '../../src/cluster/kubeconfig-loading.js';
import { inNamespace, RESOURCES } from '../../src/cluster/resource-types.js';
import { ExitCode } from '../../src/errors.js';
import { type ClusterFixture, startCluster, userError } from './cluster-fixture.js';

const PLANS = inNamespace(RESOURCES.plans, 'openshift-mtv');
const planNames = async (client: KubeClient) =>
  (await client.list<{ metadata: { name: string } }>(PLANS)).map((plan) => plan.metadata.name);

describe('kubeconfig shapes against the sandbox', () => {
  let cluster: ClusterFixture;
  const kubeconfig = (name: string, options: Partial<Parameters<typeof sandboxKubeconfig>[0]>) =>
    cluster.file(
      name,
      sandboxKubeconfig({
        server: cluster.sandbox.apiUrl,
        token: cluster.sandbox.token,
        caCert: cluster.sandbox.caCert,
        ...options,
      }),
    );
  const connect = (path: string, env: NodeJS.ProcessEnv = {}) => connectKube({ kubeconfig: path, env });

  beforeAll(async () => {
    cluster = await startCluster(DEFAULT_SANDBOX_SCENARIO, { clientCertificate: true, proxy: true });
  });

  afterAll(async () => {
    await cluster?.close();
  });

  it("reads a user's tokenFile relative to the kubeconfig, for the API server and the inventory", async () => {
    cluster.file('token', `${cluster.sandbox.token}\n`);
    // kubectl trims the file: a token written by `echo` ends with a newline
    const path = cluster.file(
      'token-file.kubeconfig',
      sandboxKubeconfig({ server: cluster.sandbox.apiUrl, token: 'x', caCert: cluster.sandbox.caCert }).replace(
        /token: x/,
        'tokenFile: token',
      ),
    );
    const client = await connect(path);
    expect(await planNames(client)).toEqual(['plan-a', 'plan-remote']);
    const vms = await cluster.newInventory({}, client).vsphereVms(cluster.sandbox.providerUid);
    expect(vms.length).toBe(DEFAULT_SANDBOX_SCENARIO.vms.length);
  });

  it('names a tokenFile that does not exist, before any request (exit 2)', async () => {
    const path = cluster.file(
      'missing-token.kubeconfig',
      sandboxKubeconfig({ server: cluster.sandbox.apiUrl, token: 'x', caCert: cluster.sandbox.caCert }).replace(
        /token: x/,
        'tokenFile: /nonexistent/token',
      ),
    );
    const error = await userError(connect(path));
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.message).toBe(
      'context "mtv-sandbox": tokenFile of user "mtv-sandbox" "/nonexistent/token" cannot be read (ENOENT)',
    );
  });

  it('authenticates with a client certificate from files and from data; the inventory then says it needs a token', async () => {
    const certificate = cluster.sandbox.clientCertificate;
    expect(certificate).toBeDefined();
    const cert = cluster.file('client.crt', certificate?.cert ?? '');
    const key = cluster.file('client.key', certificate?.key ?? '');
    const fromFiles = await connect(
      kubeconfig('cert-files.kubeconfig', { clientCertificate: { certFile: cert, keyFile: key } }),
    );
    expect(await planNames(fromFiles)).toEqual(['plan-a', 'plan-remote']);
    const fromData = await connect(
      kubeconfig('cert-data.kubeconfig', {
        clientCertificate: { certData: certificate?.cert ?? '', keyData: certificate?.key ?? '' },
      }),
    );
    expect(await planNames(fromData)).toEqual(['plan-a', 'plan-remote']);
    const inventory = await userError(cluster.newInventory({}, fromData).vsphereVms(cluster.sandbox.providerUid));
    expect(inventory.exitCode).toBe(ExitCode.unreachable);
    expect(inventory.message).toBe('context "mtv-sandbox" has no bearer token, which the Forklift inventory requires');
  });

  it('names a client key file that does not exist, not a 401 (exit 2)', async () => {
    const cert = cluster.file('only.crt', cluster.sandbox.clientCertificate?.cert ?? '');
    const path = kubeconfig('no-key.kubeconfig', {
      clientCertificate: { certFile: cert, keyFile: join(cluster.dir, 'gone.key') },
    });
    const error = await userError(connect(path));
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.message).toBe(
      `context "mtv-sandbox": client-key of user "mtv-sandbox" "${join(cluster.dir, 'gone.key')}" cannot be read (ENOENT)`,
    );
  });

  it("sends the API server's and the inventory's requests through the cluster's proxy-url", async () => {
    const proxyUrl = cluster.sandbox.proxyUrl as string;
    const client = await connect(kubeconfig('proxy.kubeconfig', { proxyUrl }));
    const before = cluster.sandbox.proxyCarried();
    expect(await planNames(client)).toEqual(['plan-a', 'plan-remote']);
    await cluster.newInventory({}, client).vsphereVms(cluster.sandbox.providerUid);
    const after = cluster.sandbox.proxyCarried();
    const api = new URL(cluster.sandbox.apiUrl).host;
    const inventory = new URL(cluster.sandbox.inventoryUrl).host;
    expect((after[api] ?? 0) - (before[api] ?? 0)).toBeGreaterThan(0);
    expect((after[inventory] ?? 0) - (before[inventory] ?? 0)).toBeGreaterThan(0);
  });

  it("uses the pod's service account when there is no kubeconfig, as kubectl does", async () => {
    const account = join(cluster.dir, 'serviceaccount');
    mkdirSync(account);
    writeFileSync(join(account, 'token'), cluster.sandbox.token);
    writeFileSync(join(account, 'ca.crt'), cluster.sandbox.caCert ?? '');
    writeFileSync(join(account, 'namespace'), 'openshift-mtv');
    const home = join(cluster.dir, 'home');
    mkdirSync(home);
    const api = new URL(cluster.sandbox.apiUrl);
    const env = {
      HOME: home,
      KUBERNETES_SERVICE_HOST: api.hostname,
      KUBERNETES_SERVICE_PORT: api.port,
      [SERVICE_ACCOUNT_DIR_VARIABLE]: account,
    };
    const client = await connectKube({ env });
    expect(client).toMatchObject({ context: 'in-cluster', namespace: 'openshift-mtv' });
    expect(await planNames(client)).toEqual(['plan-a', 'plan-remote']);
    // without the pod's variables, no kubeconfig is no kubeconfig
    const error = await userError(connectKube({ env: { HOME: home } }));
    expect(error.message).toMatch(/^no kubeconfig: KUBECONFIG is unset and .* does not exist$/);
  });
});
