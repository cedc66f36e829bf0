/**
 * Fault injection: the seeded schedule on its own (repeatable, the asked share, kinds spread evenly), then a real
 * sandbox over HTTP answering 429/500/503/reset to a client that retries and still gets through, 403 for a deny
 * rule, watches cut after N events, and latency on every request.
 */

import { seededRandom } from '@kubectl-mtv/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAULT_KINDS, type FaultKind, FaultSchedule } from '../src/faults.js';
import { type Sandbox, startSandbox } from '../src/sandbox.js';
import { DEFAULT_SANDBOX_SCENARIO } from '../src/seed/default-scenario.js';

function draws(rate: number, seed: number, count: number): (FaultKind | undefined)[] {
  const schedule = new FaultSchedule(rate, seed);
  return Array.from({ length: count }, () => schedule.next());
}

describe('the fault schedule', () => {
  it('gives the same faults for the same seed, and others for another seed', () => {
    expect(draws(0.3, 42, 200)).toEqual(draws(0.3, 42, 200));
    expect(draws(0.3, 42, 200)).not.toEqual(draws(0.3, 43, 200));
  });

  it.each([0.05, 0.25, 0.5, 0.9])('faults about a share of %f of 10000 requests', (rate) => {
    const faulted = draws(rate, 7, 10_000).filter((kind) => kind !== undefined).length;
    expect(Math.abs(faulted / 10_000 - rate)).toBeLessThan(0.02);
  });

  it('faults nothing at rate 0 and everything at rate 1', () => {
    expect(draws(0, 1, 1000).every((kind) => kind === undefined)).toBe(true);
    expect(draws(1, 1, 1000).every((kind) => kind !== undefined)).toBe(true);
  });

  it('lets 429, 500, 503 and reset take turns, so each gets a quarter of the faults', () => {
    const faults = draws(0.5, 3, 400).filter((kind) => kind !== undefined);
    expect(faults.slice(0, 8)).toEqual([...FAULT_KINDS, ...FAULT_KINDS]);
    for (const kind of FAULT_KINDS) {
      expect(Math.abs(faults.filter((k) => k === kind).length - faults.length / 4)).toBeLessThanOrEqual(1);
    }
  });

  it('draws uniformly in [0, 1)', () => {
    const random = seededRandom(99);
    const values = Array.from({ length: 10_000 }, random);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    expect(Math.abs(values.reduce((sum, v) => sum + v, 0) / values.length - 0.5)).toBeLessThan(0.02);
  });

  it('refuses a rate outside 0..1', () => {
    expect(() => new FaultSchedule(1.5, 1)).toThrow('rate must be from 0 to 1, got 1.5');
  });
});

type Outcome = number | 'reset';

/** A GET that retries on 429, 5xx and a broken connection, as a well-behaved client does; returns every outcome. */
async function getWithRetries(sandbox: Sandbox, path: string): Promise<{ outcomes: Outcome[]; last: Response }> {
  const outcomes: Outcome[] = [];
  for (let attempt = 0; attempt < 30; attempt++) {
    try {
      const response = await fetch(`${sandbox.apiUrl}${path}`, {
        headers: { Authorization: `Bearer ${sandbox.token}` },
      });
      outcomes.push(response.status);
      if (response.status !== 429 && response.status < 500) return { outcomes, last: response };
      await response.arrayBuffer();
    } catch {
      outcomes.push('reset');
    }
  }
  throw new Error(`no success after 30 attempts: ${outcomes.join(', ')}`);
}

async function stats(sandbox: Sandbox) {
  const response = await fetch(`${sandbox.apiUrl}/sandbox/v1/stats`, {
    headers: { Authorization: `Bearer ${sandbox.token}` },
  });
  // biome-ignore lint/suspicious/noExplicitAny: the stats document as sent
  return (await response.json()) as any;
}

describe('a sandbox failing half of its resource requests', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: DEFAULT_SANDBOX_SCENARIO,
      insecureHttp: true,
      faults: { rate: 0.5, seed: 11 },
    });
  });

  afterAll(async () => {
    await sandbox?.close();
  });

  it('answers 429 with Retry-After, 500, 503 and resets, and a retrying client still gets every answer', async () => {
    const seen: Outcome[] = [];
    const bodies = new Map<number, { reason: string; code: number }>();
    for (let i = 0; i < 24; i++) {
      const path = '/apis/forklift.konveyor.io/v1beta1/namespaces/openshift-mtv/plans/plan-a';
      const { outcomes, last } = await getWithRetries(sandbox, path);
      seen.push(...outcomes);
      expect(last.status).toBe(200);
      expect(((await last.json()) as { metadata: { name: string } }).metadata.name).toBe('plan-a');
    }
    for (const kind of [429, 500, 503, 'reset'] as const) expect(seen).toContain(kind);
    // one of each failure, looked at closely
    for (let i = 0; i < 40 && bodies.size < 3; i++) {
      const response = await fetch(`${sandbox.apiUrl}/api/v1/namespaces`, {
        headers: { Authorization: `Bearer ${sandbox.token}` },
      }).catch(() => undefined);
      if (!response || response.status === 200) continue;
      const status = (await response.json()) as { kind: string; reason: string; code: number };
      expect(status.kind).toBe('Status');
      if (response.status === 429) expect(response.headers.get('retry-after')).toBe('1');
      bodies.set(response.status, status);
    }
    expect(bodies.get(429)).toMatchObject({ reason: 'TooManyRequests', code: 429 });
    expect(bodies.get(500)).toMatchObject({ reason: 'InternalError', code: 500 });
    expect(bodies.get(503)).toMatchObject({ reason: 'ServiceUnavailable', code: 503 });
    const { faults, requests } = await stats(sandbox);
    expect(faults.injected).toBe(
      faults.byKind['429'] + faults.byKind['500'] + faults.byKind['503'] + faults.byKind.reset,
    );
    expect(faults.byKind.reset).toBeGreaterThan(0);
    // every attempt was received and counted, faulted or not
    expect(requests.byResource['plans.forklift.konveyor.io']).toBe(seen.length);
  });

  it('never faults discovery or /version, which clients need before anything else', async () => {
    for (const path of ['/version', '/api', '/apis', '/apis/cdi.kubevirt.io/v1beta1', '/openapi/v2']) {
      for (let i = 0; i < 5; i++) {
        const response = await fetch(`${sandbox.apiUrl}${path}`, {
          headers: { Authorization: `Bearer ${sandbox.token}` },
        });
        expect(response.status, path).toBe(200);
        await response.arrayBuffer();
      }
    }
  });
});

describe('a sandbox with latency, a deny rule and watches cut every 3 events', () => {
  const latencyMs = 150;
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({
      scenario: DEFAULT_SANDBOX_SCENARIO,
      insecureHttp: true,
      deny: ['create:datavolumes'],
      faults: { watchDropEvery: 3, latencyMs },
    });
  });

  afterAll(async () => {
    await sandbox?.close();
  });

  const request = (method: string, path: string, body?: unknown) =>
    fetch(`${sandbox.apiUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${sandbox.token}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('answers a denied verb and resource 403 Forbidden', async () => {
    const response = await request('POST', '/apis/cdi.kubevirt.io/v1beta1/namespaces/demo/datavolumes', {
      apiVersion: 'cdi.kubevirt.io/v1beta1',
      kind: 'DataVolume',
      metadata: { name: 'denied' },
      spec: { source: { blank: {} }, storage: { resources: { requests: { storage: '1Gi' } } } },
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ kind: 'Status', reason: 'Forbidden', code: 403 });
    const list = await request('GET', '/apis/cdi.kubevirt.io/v1beta1/namespaces/demo/datavolumes');
    expect(list.status).toBe(200);
  });

  it('delays every request by at least the latency', async () => {
    for (const path of ['/version', '/api/v1/namespaces', '/apis/forklift.konveyor.io/v1beta1/plans']) {
      const started = performance.now();
      const response = await request('GET', path);
      await response.arrayBuffer();
      expect(performance.now() - started, path).toBeGreaterThanOrEqual(latencyMs);
    }
  });

  it('cuts a watch once it has sent 3 events', async () => {
    const response = await request('GET', '/api/v1/namespaces/demo/configmaps?watch=1&labelSelector=test%3Ddrop');
    expect(response.status).toBe(200);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const received: string[] = [];
    let buffered = '';
    let broken: unknown;
    const reading = (async () => {
      const decoder = new TextDecoder();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          buffered += decoder.decode(value, { stream: true });
          const lines = buffered.split('\n');
          buffered = lines.pop() ?? '';
          received.push(...lines.filter(Boolean));
        }
      } catch (error) {
        broken = error;
      }
    })();
    for (let i = 0; i < 5; i++) {
      const created = await request('POST', '/api/v1/namespaces/demo/configmaps', {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `drop-${i}`, labels: { test: 'drop' } },
        data: { i: String(i) },
      });
      expect(created.status).toBe(201);
    }
    await reading;
    expect(received.map((line) => JSON.parse(line).object.metadata.name)).toEqual(['drop-0', 'drop-1', 'drop-2']);
    // the stream broke rather than ended: the client sees a dropped connection
    expect(broken).toBeDefined();
    expect((await stats(sandbox)).faults.watchesDropped).toBe(1);
  });
});
