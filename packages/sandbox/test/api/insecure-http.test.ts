/**
 * Plain HTTP: the kubectl on these machines sends its bearer token only over TLS, so over HTTP it is served only
 * when the server allows anonymous requests; a wrong token is refused either way.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needs } from '@kubectl-mtv/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiServer, startApiServer } from '../../src/api/api-server.js';
import { kubectl as kubectlTool } from './sandbox-fixture.js';

let dir: string;

function kubectl(server: ApiServer, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const kubeconfig = join(dir, `kubeconfig-${new URL(server.url).port}`);
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'sandbox', cluster: { server: server.url, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'sandbox', user: { token: 'http-token' } }],
      contexts: [{ name: 'sandbox', context: { cluster: 'sandbox', user: 'sandbox' } }],
      'current-context': 'sandbox',
    }),
  );
  return new Promise((resolve) => {
    execFile(
      kubectlTool.path(),
      args,
      { env: { PATH: process.env.PATH ?? '', HOME: dir, KUBECONFIG: kubeconfig, KUBECACHEDIR: join(dir, 'cache') } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) || 1 : 0, stdout, stderr }),
    );
  });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sandbox-http-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('the API server over plain HTTP', needs(kubectlTool), () => {
  it('serves kubectl when anonymous requests are allowed, and refuses a wrong token', async () => {
    const server = await startApiServer({ token: 'http-token', allowAnonymous: true });
    try {
      const namespaces = await kubectl(server, ['get', 'namespaces', '-o', 'name']);
      expect(namespaces.stdout).toContain('namespace/default');
      const wrong = await fetch(`${server.url}/api`, { headers: { Authorization: 'Bearer nope' } });
      expect(wrong.status).toBe(401);
    } finally {
      await server.close();
    }
  });

  it('refuses kubectl, which sends no token over HTTP, when anonymous requests are not allowed', async () => {
    const server = await startApiServer({ token: 'http-token' });
    try {
      const refused = await kubectl(server, ['get', 'namespaces']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('You must be logged in to the server');
      const withToken = await fetch(`${server.url}/api`, { headers: { Authorization: 'Bearer http-token' } });
      expect(withToken.status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
