import { setTimeout as delay } from 'node:timers/promises';
import { DEFAULT_SANDBOX_SCENARIO } from '@kubectl-mtv/sandbox';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLease, type HeldLease, LEASE_RETRY_MS, type LeaseOptions, leaseName } from '../../src/cluster/lease.js';
import { inNamespace, RESOURCES } from '../../src/cluster/resource-types.js';
import { ExitCode } from '../../src/errors.js';
import { type ClusterFixture, startCluster, userError } from './cluster-fixture.js';

const NS = 'openshift-mtv';
const LEASES = 'leases.coordination.k8s.io';
const PATH = `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases`;

interface StoredLease {
  metadata: { labels?: Record<string, string>; annotations?: Record<string, string>; resourceVersion?: string };
  spec: { holderIdentity?: string; renewTime?: string; leaseDurationSeconds?: number; leaseTransitions?: number };
}

describe('the plan Lease', () => {
  let cluster: ClusterFixture;
  const held: HeldLease[] = [];

  beforeEach(async () => {
    cluster = await startCluster(DEFAULT_SANDBOX_SCENARIO);
  });

  afterEach(async () => {
    for (const lease of held.splice(0)) await lease.release();
    await cluster?.close();
  });

  const options = (extra: Partial<LeaseOptions> = {}): LeaseOptions => ({
    plan: 'plan-a',
    namespace: NS,
    holder: 'alice@ws1/100',
    takeover: false,
    ...extra,
  });
  const acquire = async (extra: Partial<LeaseOptions> = {}) => {
    const lease = await acquireLease(cluster.kube, options(extra));
    held.push(lease);
    return lease;
  };
  const stored = () => cluster.sandbox.store.get(LEASES, NS, leaseName('plan-a')) as unknown as StoredLease | undefined;

  /** A lease written by another runner, renewed `agoSeconds` ago. */
  async function foreignLease(holder: string, agoSeconds: number): Promise<void> {
    const at = new Date(Date.now() - agoSeconds * 1000).toISOString().replace('Z', '000Z');
    await cluster.kube.transport.request('POST', PATH, {
      body: {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: leaseName('plan-a'), namespace: NS },
        spec: { holderIdentity: holder, leaseDurationSeconds: 15, acquireTime: at, renewTime: at },
      },
    });
  }

  it('creates the lease with its labels, holder and 15 s duration, and deletes it on release', async () => {
    const lease = await acquire();
    expect(stored()).toMatchObject({
      metadata: {
        labels: { 'app.kubernetes.io/managed-by': 'kubectl-mtv', 'kubectl-mtv.konveyor.io/plan-name': 'plan-a' },
      },
      spec: { holderIdentity: 'alice@ws1/100', leaseDurationSeconds: 15 },
    });
    await lease.release();
    expect(stored()).toBeUndefined();
  });

  it('refuses a live lease held by another runner with exit 5, naming the holder and its age', async () => {
    await foreignLease('bob@ws2/7', 3);
    const error = await userError(acquire());
    expect(error.exitCode).toBe(ExitCode.locked);
    expect(error.message).toMatch(/bob@ws2\/7/);
    expect(error.message).toMatch(/held for 3s/);
  });

  it('takes an expired lease at once', async () => {
    await foreignLease('bob@ws2/7', 60);
    const taken = await acquire();
    expect(stored()?.spec).toMatchObject({ holderIdentity: 'alice@ws1/100', leaseTransitions: 1 });
    expect(taken.tookLive).toBe(false);
  });

  it('with takeover, takes a live lease held by the same user@host, and only that', async () => {
    await foreignLease('alice@ws1/99', 1);
    const refused = await userError(acquire());
    expect(refused.hint).toMatch(/--takeover/);
    const taken = await acquire({ takeover: true });
    expect(stored()?.spec.holderIdentity).toBe('alice@ws1/100');
    // the runner it was taken from still admits until its next renewal fails: the new one waits that long
    expect(taken.tookLive).toBe(true);
    const other = await userError(acquire({ holder: 'bob@ws2/1', takeover: true }));
    expect(other.exitCode).toBe(ExitCode.locked);
  });

  it('renews with the resourceVersion, and is lost when another holder takes it', async () => {
    let lost = '';
    await acquire({ renewEveryMs: 30, onLost: (reason) => (lost = reason) });
    const first = stored()?.metadata.resourceVersion;
    await delay(100);
    expect(stored()?.metadata.resourceVersion).not.toBe(first);
    // a merge patch carries no resourceVersion: it lands whatever the renewals in between
    await cluster.kube.mergePatch(inNamespace(RESOURCES.leases, NS), leaseName('plan-a'), {
      spec: { holderIdentity: 'bob@ws2/7' },
    });
    await delay(100);
    expect(lost).toMatch(/held by bob@ws2\/7/);
    expect(stored()?.spec.holderIdentity).toBe('bob@ws2/7');
  });

  it('counts itself lost one renewal period before another runner could take it, when renewals stop landing', async () => {
    let clock = Date.now();
    let reason: string | undefined;
    const lease = await acquire({
      now: () => clock,
      durationSeconds: 15,
      renewEveryMs: 50,
      onLost: (why) => {
        reason = why;
      },
    });
    // The clock jumps past duration - period (15 s - 50 ms) with no renewal in between: the next tick gives up.
    clock += 15_000 - 50;
    const deadline = Date.now() + 2_000;
    while (!lease.isLost && Date.now() < deadline) await delay(10);
    expect(lease.isLost).toBe(true);
    expect(reason).toMatch(/could not be renewed in time/);
  });
});

describe('the plan Lease, when a renewal fails', () => {
  let cluster: ClusterFixture | undefined;
  afterEach(async () => {
    await cluster?.close();
  });

  it('sends each renewal once, and tries a failed one again a second later, not a renewal period later', async () => {
    // the first two renewals are answered 503; the transport alone would retry each within 200 ms and 400 ms
    cluster = await startCluster(DEFAULT_SANDBOX_SCENARIO, {
      faults: { answers: [{ verb: 'update', resource: 'leases', status: 503, count: 2 }] },
    });
    const sandbox = cluster.sandbox;
    const updates = () => sandbox.stats().requests.byVerb.update ?? 0;
    let lost: string | undefined;
    // renewals fall due every minute (of a lease three minutes long): only the publication below writes, and its retries
    const lease = await acquireLease(cluster.kube, {
      plan: 'plan-a',
      namespace: NS,
      holder: 'alice@ws1/100',
      takeover: false,
      durationSeconds: 180,
      renewEveryMs: 60_000,
      onLost: (reason) => (lost = reason),
    });
    try {
      const before = updates();
      const published = performance.now();
      lease.publish('{"phase":"copying"}');
      const status = () =>
        (sandbox.store.get(LEASES, NS, leaseName('plan-a')) as unknown as StoredLease | undefined)?.metadata
          .annotations?.['kubectl-mtv.konveyor.io/status'];
      while (status() === undefined && performance.now() - published < 10_000) await delay(20);
      const landed = performance.now() - published;
      expect(status()).toBe('{"phase":"copying"}');
      // two refused, each sent once, then the one that landed
      expect(updates() - before).toBe(3);
      // after two retry periods (LEASE_RETRY_MS), not the transport's back-off
      expect(landed).toBeGreaterThanOrEqual(2 * LEASE_RETRY_MS - 50);
      expect(lost).toBeUndefined();
    } finally {
      await lease.release();
    }
  });
});
