import { createServer } from 'node:net';
import { delimiter } from 'node:path';
import { DEFAULT_SANDBOX_SCENARIO, sandboxKubeconfig } from '@kubectl-mtv/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectKube } from '../../src/cluster/kube-client.js';
import { ExitCode } from '../../src/errors.js';
import { type ClusterFixture, startCluster, userError } from './cluster-fixture.js';

const PLANS = { group: 'forklift.konveyor.io', version: 'v1beta1', plural: 'plans' };

/** A port nothing listens on: bound, read, closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('the kube client against the sandbox', () => {
  let cluster: ClusterFixture;

  beforeAll(async () => {
    cluster = await startCluster(DEFAULT_SANDBOX_SCENARIO);
  });

  afterAll(async () => {
    await cluster?.close();
  });

  it("takes the context's namespace, and -n over it", async () => {
    expect(cluster.kube).toMatchObject({ context: 'mtv-sandbox', namespace: 'openshift-mtv' });
    expect(cluster.kube.server).toBe(cluster.sandbox.apiUrl);
    expect((await cluster.connect({ namespace: 'demo' })).namespace).toBe('demo');
  });

  it('gets and lists custom objects, and answers undefined for a missing one', async () => {
    const plan = await cluster.kube.get<{ metadata: { name: string } }>(
      { ...PLANS, namespace: 'openshift-mtv' },
      'plan-a',
    );
    expect(plan?.metadata.name).toBe('plan-a');
    expect(await cluster.kube.get({ ...PLANS, namespace: 'openshift-mtv' }, 'nope')).toBeUndefined();
    const plans = await cluster.kube.list<{ metadata: { name: string } }>({ ...PLANS, namespace: 'openshift-mtv' });
    expect(plans.map((item) => item.metadata.name)).toEqual(['plan-a', 'plan-remote']);
  });

  it('deletes with a resourceVersion precondition, the DeleteOptions body sent with its length', async () => {
    const ref = { version: 'v1', plural: 'configmaps', namespace: 'demo' };
    for (const name of ['cm-a', 'cm-b']) {
      await cluster.kube.create(ref, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: '1' } });
    }
    const stale = await cluster.kube.get<{ metadata: { resourceVersion: string } }>(ref, 'cm-a');
    await cluster.kube.mergePatch(ref, 'cm-a', { data: { a: '2' } });
    // a body without a length would be read as the next request on the kept-alive connection: 400, not 409
    const conflict = await cluster.kube.delete(ref, 'cm-a', { resourceVersion: stale?.metadata.resourceVersion }).then(
      () => 'deleted',
      (error: { status?: number }) => error.status,
    );
    expect(conflict).toBe(409);
    for (const name of ['cm-a', 'cm-b']) {
      const current = await cluster.kube.get<{ metadata: { resourceVersion: string } }>(ref, name);
      await cluster.kube.delete(ref, name, { resourceVersion: current?.metadata.resourceVersion });
      expect(await cluster.kube.get(ref, name)).toBeUndefined();
    }
  });

  it("hands the inventory the kubeconfig's bearer token and cluster CA", async () => {
    expect(await cluster.kube.bearerToken()).toBe(cluster.sandbox.token);
    expect(cluster.kube.clusterCa()).toBe(cluster.sandbox.caCert);
  });

  it('refuses a wrong token with exit 3, naming the server and never the token', async () => {
    const wrong = 'wrong-token-123456';
    const path = cluster.file(
      'wrong-token',
      sandboxKubeconfig({ server: cluster.sandbox.apiUrl, token: wrong, caCert: cluster.sandbox.caCert }),
    );
    const kube = await connectKube({ kubeconfig: path, env: {} });
    const error = await userError(kube.get({ ...PLANS, namespace: 'openshift-mtv' }, 'plan-a'));
    expect(error.exitCode).toBe(ExitCode.unreachable);
    expect(error.message).toBe(
      `the API server ${cluster.sandbox.apiUrl} rejects the credentials of context "mtv-sandbox" (401 Unauthorized)`,
    );
    expect(error.line).not.toContain(wrong);
  });

  it('reports an unreachable API server (a closed port) with exit 3', async () => {
    const server = `https://127.0.0.1:${await closedPort()}`;
    const path = cluster.file(
      'closed',
      sandboxKubeconfig({ server, token: 'secret-token', caCert: cluster.sandbox.caCert }),
    );
    const kube = await connectKube({ kubeconfig: path, env: {} });
    const error = await userError(kube.list({ ...PLANS, namespace: 'openshift-mtv' }));
    expect(error.exitCode).toBe(ExitCode.unreachable);
    expect(error.message).toBe(`the API server ${server} is unreachable: connection refused (ECONNREFUSED)`);
    expect(error.line).not.toContain('secret-token');
  });

  it('gives up on a server that accepts but never answers, after --request-timeout', async () => {
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const server = `https://127.0.0.1:${(silent.address() as { port: number }).port}`;
    try {
      const path = cluster.file('silent', sandboxKubeconfig({ server, token: 't', caCert: cluster.sandbox.caCert }));
      const kube = await connectKube({ kubeconfig: path, env: {}, requestTimeoutMs: 200 });
      const error = await userError(kube.list({ ...PLANS, namespace: 'openshift-mtv' }));
      expect(error.exitCode).toBe(ExitCode.unreachable);
      expect(error.message).toBe(`the API server ${server} does not answer within 0.2s (context "mtv-sandbox")`);
    } finally {
      silent.close();
    }
  });

  it('signs requests with an exec credential plugin, and hands its token to the inventory', async () => {
    const plugin = cluster.file(
      'credential.mjs',
      `console.log(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1beta1', kind: 'ExecCredential', ` +
        `status: { token: ${JSON.stringify(cluster.sandbox.token)} } }));`,
    );
    const user = `exec:\n        apiVersion: client.authentication.k8s.io/v1beta1\n        command: ${process.execPath}\n        args: [${JSON.stringify(plugin)}]`;
    const text = cluster.sandbox.kubeconfigText.replace(/token: .*/, user);
    const kube = await connectKube({ kubeconfig: cluster.file('exec', text), env: {} });
    expect(await kube.get({ ...PLANS, namespace: 'openshift-mtv' }, 'plan-a')).toBeDefined();
    expect(await kube.bearerToken()).toBe(cluster.sandbox.token);
  });

  it('turns a 403 into exit 3 quoting what is forbidden', async () => {
    const denied = await startCluster(DEFAULT_SANDBOX_SCENARIO, { deny: ['get:plans'] });
    try {
      const error = await userError(denied.kube.get({ ...PLANS, namespace: 'openshift-mtv' }, 'plan-a'));
      expect(error.exitCode).toBe(ExitCode.unreachable);
      expect(error.message).toMatch(/forbids it \(403\): .*cannot get resource "plans"/);
    } finally {
      await denied.close();
    }
  });

  describe('kubeconfig loading', () => {
    it('merges several KUBECONFIG paths the way kubectl does: first current-context and first name win', async () => {
      const sandboxFile = cluster.kubeconfigPath;
      const other = cluster.file(
        'other',
        sandboxKubeconfig({
          server: 'https://other.example:6443',
          token: 'other-token',
          caCert: cluster.sandbox.caCert,
          contextName: 'other',
          namespace: 'team-b',
        }),
      );
      // the same context name again: kubectl keeps the first definition
      const shadow = cluster.file(
        'shadow',
        sandboxKubeconfig({ server: 'https://shadow.example', token: 'x', caCert: cluster.sandbox.caCert }),
      );
      const env = { KUBECONFIG: [sandboxFile, `${cluster.dir}/missing`, other, shadow].join(delimiter) };
      const first = await connectKube({ env });
      expect(first).toMatchObject({ context: 'mtv-sandbox', server: cluster.sandbox.apiUrl });
      expect(await first.get({ ...PLANS, namespace: 'openshift-mtv' }, 'plan-a')).toBeDefined();

      const chosen = await connectKube({ env, context: 'other' });
      expect(chosen).toMatchObject({ context: 'other', server: 'https://other.example:6443', namespace: 'team-b' });
      expect(await chosen.bearerToken()).toBe('other-token');

      const reversed = await connectKube({ env: { KUBECONFIG: [other, sandboxFile].join(delimiter) } });
      expect(reversed.context).toBe('other');
    });

    it('refuses an unknown context with exit 2, listing the ones there are', async () => {
      const error = await userError(cluster.connect({ context: 'prod' }));
      expect(error.exitCode).toBe(ExitCode.usage);
      expect(error.line).toBe(
        'context "prod" is not in the kubeconfig (try: --context with one of: mtv-sandbox, mtv-sandbox-remote)',
      );
    });

    it('refuses a --kubeconfig that does not exist, and a missing default, with exit 2', async () => {
      const missing = await userError(connectKube({ kubeconfig: `${cluster.dir}/nope`, env: {} }));
      expect(missing.message).toBe(`kubeconfig "${cluster.dir}/nope" does not exist`);
      const noDefault = await userError(connectKube({ env: { HOME: cluster.dir } }));
      expect(noDefault.exitCode).toBe(ExitCode.usage);
      expect(noDefault.message).toBe(
        `no kubeconfig: KUBECONFIG is unset and ${cluster.dir}/.kube/config does not exist`,
      );
    });

    it('defaults the namespace to "default" when the context names none', async () => {
      const path = cluster.file(
        'no-namespace',
        cluster.sandbox.kubeconfigText.replace(/\n\s+namespace: openshift-mtv/, ''),
      );
      expect((await connectKube({ kubeconfig: path, env: {} })).namespace).toBe('default');
    });
  });
});
