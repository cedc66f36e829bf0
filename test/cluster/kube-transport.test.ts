/**
 * The one retry policy, through the one transport, against a small HTTP server that answers what each test scripts
 * (a real peer on loopback: status codes, Retry-After, connections refused and cut).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSandboxTls } from '@kubectl-mtv/sandbox';
import { afterEach, describe, expect, it } from 'vitest';
import { connectKube } from '../../src/cluster/kube-client.js';
import { ClusterUnreachableError, KubeApiError } from '../../src/cluster/kube-errors.js';
import { MAX_CONNECTIONS } from '../../src/cluster/kube-transport.js';
import { inNamespace, RESOURCES } from '../../src/cluster/resource-types.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy, retryDelayMs } from '../../src/cluster/retry-policy.js';
import { ExitCode } from '../../src/errors.js';

type Reply = { status: number; headers?: Record<string, string>; body?: unknown } | 'reset';

/** A server answering request i with replies[i] (the last one for every request after), recording when each came. */
async function scripted(replies: Reply[]): Promise<{ server: Server; url: string; times: number[] }> {
  const times: number[] = [];
  const server = createServer((req, res) => {
    const reply = replies[Math.min(times.length, replies.length - 1)];
    times.push(performance.now());
    req.resume();
    if (reply === 'reset') {
      req.socket.destroy();
      return;
    }
    res.writeHead(reply.status, { 'Content-Type': 'application/json', ...reply.headers });
    res.end(JSON.stringify(reply.body ?? { kind: 'Status', code: reply.status, message: `answer ${reply.status}` }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${port}`, times };
}

const dirs: string[] = [];
const servers: Server[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A client of `url`: over plain HTTP, or over HTTPS verified with `ca`. */
async function clientOf(url: string, retry: Partial<RetryPolicy>, ca?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'transport-'));
  dirs.push(dir);
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      // client-node sends a token over plain HTTP only with insecure-skip-tls-verify
      clusters: [
        {
          name: 'c',
          cluster: ca
            ? { server: url, 'certificate-authority-data': Buffer.from(ca).toString('base64') }
            : { server: url, 'insecure-skip-tls-verify': true },
        },
      ],
      users: [{ name: 'u', user: { token: 't' } }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u', namespace: 'ns' } }],
      'current-context': 'x',
    }),
  );
  return connectKube({ kubeconfig, env: {}, retry, requestTimeoutMs: 5_000 });
}

const PLANS = inNamespace(RESOURCES.plans, 'ns');
const FAST = { attempts: 4, firstDelayMs: 1, maxDelayMs: 4 };

describe('the retry policy', () => {
  it('doubles from the first delay up to the maximum, and takes a Retry-After up to its bound', () => {
    expect(retryDelayMs(DEFAULT_RETRY_POLICY, 1)).toBe(200);
    expect(retryDelayMs(DEFAULT_RETRY_POLICY, 3)).toBe(800);
    expect(retryDelayMs(DEFAULT_RETRY_POLICY, 20)).toBe(10_000);
    expect(retryDelayMs(DEFAULT_RETRY_POLICY, 1, 2)).toBe(2000);
    expect(retryDelayMs(DEFAULT_RETRY_POLICY, 1, 3600)).toBe(30_000);
  });

  it('refuses a policy without attempts, naming the value', async () => {
    await expect(clientOf('http://127.0.0.1:1', { attempts: 0 })).rejects.toThrow(
      'RetryPolicy: attempts must be a whole number >= 1, got 0',
    );
  });
});

describe('the transport', () => {
  it('retries a 503 and a 429 until an answer comes', async () => {
    const peer = await scripted([{ status: 503 }, { status: 429 }, { status: 200, body: { items: [{ a: 1 }] } }]);
    servers.push(peer.server);
    const client = await clientOf(peer.url, FAST);
    expect(await client.list(PLANS)).toEqual([{ a: 1 }]);
    expect(peer.times).toHaveLength(3);
  });

  it('gives up after the attempts with the last answer: a UserError with exit 3', async () => {
    const peer = await scripted([{ status: 500 }]);
    servers.push(peer.server);
    const client = await clientOf(peer.url, FAST);
    const error = await client.list(PLANS).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeApiError);
    expect(error).toMatchObject({ status: 500, exitCode: ExitCode.unreachable });
    expect(peer.times).toHaveLength(FAST.attempts);
  });

  it('does not retry an answer about the object (404 on a list, 422 on a create)', async () => {
    const peer = await scripted([
      { status: 422, body: { kind: 'Status', code: 422, reason: 'Invalid', message: 'no' } },
    ]);
    servers.push(peer.server);
    const client = await clientOf(peer.url, FAST);
    const error = await client.create(PLANS, {}).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 422, reason: 'Invalid', detail: 'no', answer: '422 Invalid' });
    expect(peer.times).toHaveLength(1);
  });

  it('waits as long as a Retry-After says, up to the policy bound', async () => {
    const peer = await scripted([
      { status: 429, headers: { 'Retry-After': '3600' } },
      { status: 200, body: {} },
    ]);
    servers.push(peer.server);
    const client = await clientOf(peer.url, { ...FAST, maxRetryAfterSeconds: 0.3 });
    await client.list(PLANS);
    expect(peer.times).toHaveLength(2);
    // the wait is the bound (300 ms), not the back-off (1 ms) and not an hour
    expect(peer.times[1] - peer.times[0]).toBeGreaterThanOrEqual(290);
  });

  it('retries a cut connection', async () => {
    const peer = await scripted(['reset', { status: 200, body: { items: [] } }]);
    servers.push(peer.server);
    const client = await clientOf(peer.url, FAST);
    expect(await client.list(PLANS)).toEqual([]);
    expect(peer.times).toHaveLength(2);
  });

  it('says a refused first connection at once, but retries one once the server has answered', async () => {
    const peer = await scripted([{ status: 200, body: { items: [] } }]);
    const { port } = peer.server.address() as { port: number };
    const client = await clientOf(peer.url, { attempts: 6, firstDelayMs: 100, maxDelayMs: 100 });
    await client.list(PLANS);
    await new Promise((resolve) => peer.server.close(resolve));
    // the server comes back on the same port while the client is backing off
    const again = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"items":[{"back":true}]}');
    });
    servers.push(again);
    const listing = client.list(PLANS);
    setTimeout(() => again.listen(port, '127.0.0.1'), 150);
    expect(await listing).toEqual([{ back: true }]);

    const fresh = await clientOf(`http://127.0.0.1:${port}`, { attempts: 6, firstDelayMs: 100, maxDelayMs: 100 });
    await new Promise((resolve) => again.close(resolve));
    servers.splice(servers.indexOf(again), 1);
    const refused = await fresh.list(PLANS).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ClusterUnreachableError);
    expect(refused).toMatchObject({ code: 'ECONNREFUSED', exitCode: ExitCode.unreachable });
    // one attempt, not six
    expect(fresh.transport.sent).toBe(1);
  });

  it('sends an urgent request on connections of its own: never queued behind the shared ones, sent once, within its deadline', async () => {
    // over TLS, as every cluster serves (the connection lanes are agents of https); every request for plan "slow" is
    // held unanswered until the test lets it go, plan "unavailable" is answered 503, the others at once
    const tls = createSandboxTls();
    const held: ServerResponse[] = [];
    const paths: string[] = [];
    const server = createHttpsServer({ cert: tls.serverCert, key: tls.serverKey }, (req, res) => {
      paths.push(req.url ?? '');
      req.resume();
      if (req.url?.includes('/slow')) {
        held.push(res);
        return;
      }
      const status = req.url?.includes('/unavailable') ? 503 : 200;
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(status === 200 ? { metadata: { name: 'fast' } } : { kind: 'Status', code: status }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    const { port } = server.address() as { port: number };
    const client = await clientOf(`https://127.0.0.1:${port}`, FAST, tls.caCert);
    try {
      // the run's requests take every shared connection, and four more wait for one
      const burst = Array.from({ length: MAX_CONNECTIONS + 4 }, () => client.get(PLANS, 'slow').catch(() => 'failed'));
      while (held.length < MAX_CONNECTIONS) await new Promise((resolve) => setTimeout(resolve, 5));
      const urgent = client.urgently(1_000);
      expect(await urgent.get(PLANS, 'fast')).toEqual({ metadata: { name: 'fast' } });
      expect(held).toHaveLength(MAX_CONNECTIONS);
      // a 503 is the caller's to retry: one request, where the shared lane sends FAST.attempts
      const before = paths.length;
      const refused = await urgent.get(PLANS, 'unavailable').catch((e: unknown) => e);
      expect(refused).toMatchObject({ status: 503 });
      expect(paths.length - before).toBe(1);
      // one left unanswered fails at the urgent deadline, and says so, not the transport's 5 s
      const slow = await client
        .urgently(200)
        .get(PLANS, 'slow')
        .catch((e: unknown) => e);
      expect(slow).toBeInstanceOf(ClusterUnreachableError);
      expect((slow as Error).message).toMatch(/does not answer within 0.2s/);
      for (const res of held.splice(0)) res.end('{}');
      await Promise.all(burst);
    } finally {
      for (const res of held.splice(0)) res.end('{}');
      server.closeAllConnections();
    }
  });
});
