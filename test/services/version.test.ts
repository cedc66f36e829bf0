/** `version`'s server line against the embedded sandbox over real HTTP, and the reasons it gives when it cannot. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_SANDBOX_SCENARIO } from '@kubectl-mtv/sandbox';
import { afterEach, describe, expect, it } from 'vitest';
import { apiFailure, networkFailure } from '../../src/cluster/kube-errors.js';
import { UserError } from '../../src/errors.js';
import { shortReason, version } from '../../src/services/version.js';
import { type ClusterFixture, startCluster } from '../cluster/cluster-fixture.js';

let cluster: ClusterFixture | undefined;

afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

describe('version', () => {
  it("adds the API server's /version when it answers", async () => {
    cluster = await startCluster(DEFAULT_SANDBOX_SCENARIO);
    const report = await version({
      pluginVersion: '1.2.3',
      client: false,
      kubeconfig: cluster.kubeconfigPath,
      timeoutMs: 3000,
      env: {},
    });
    expect(report.pluginVersion).toBe('1.2.3');
    expect(report.nodeVersion).toBe(process.version);
    expect(report.serverVersion?.gitVersion).toMatch(/^v\d+\.\d+\.\d+/);
    expect(report.serverError).toBeUndefined();
  });

  it('asks nothing with client, not even the kubeconfig', async () => {
    const report = await version({ pluginVersion: '1.2.3', client: true, kubeconfig: '/nonexistent', timeoutMs: 1 });
    expect(report).toEqual({ pluginVersion: '1.2.3', nodeVersion: process.version });
  });

  it('says why in a few words when the server is unreachable, and never the token', async () => {
    cluster = await startCluster(DEFAULT_SANDBOX_SCENARIO);
    const port = Number(new URL(cluster.kube.server).port);
    await cluster.close();
    cluster = undefined;
    const file = join(process.env.TMPDIR ?? '/tmp', `kubectl-mtv-version-${process.pid}.kubeconfig`);
    writeFileSync(
      file,
      `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:${port}"}}]\n` +
        'contexts: [{name: x, context: {cluster: c, user: u}}]\nusers: [{name: u, user: {token: s3cret-t0ken}}]\n' +
        'current-context: x\n',
    );
    const report = await version({ pluginVersion: '1', client: false, kubeconfig: file, timeoutMs: 3000, env: {} });
    expect(report.serverError).toBe('connection refused');
    expect(JSON.stringify(report)).not.toContain('s3cret');
  });
});

describe('shortReason', () => {
  const endpoint = { server: 'https://h:6443', context: 'x' };
  const errno = (code: string) => Object.assign(new Error(code), { code });
  it.each([
    ['no host', networkFailure(endpoint, errno('ENOTFOUND'), 3000), 'host not found'],
    [
      'a timeout',
      networkFailure(endpoint, Object.assign(new Error('t'), { name: 'TimeoutError' }), 3000),
      'no answer within 3s',
    ],
    ['401', apiFailure(endpoint, 401, 'GET', '/version', undefined), '401 Unauthorized'],
    ['403', apiFailure(endpoint, 403, 'GET', '/version', { message: 'nope' }), '403 Forbidden'],
    ['503', apiFailure(endpoint, 503, 'GET', '/version', { message: 'down' }), 'HTTP 503'],
    [
      'a kubeconfig problem',
      new UserError('no kubeconfig: KUBECONFIG is unset and /h/.kube/config does not exist'),
      'no kubeconfig: KUBECONFIG is unset and /h/.kube/config does not exist',
    ],
  ])('%s -> %s', (_, error, reason) => {
    expect(shortReason(error, 3000)).toBe(reason);
  });
});
