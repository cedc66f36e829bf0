import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { STUCK_ANNOTATION } from '../../src/cluster/plan-datavolumes.js';
import { ExitCode } from '../../src/errors.js';
import { userError } from '../cluster/cluster-fixture.js';
import { type RunnerFixture, scenario, startRunner } from './runner-fixture.js';

/** Waits until `ready` holds (checked every 5 ms, at most `ms`). */
async function until(ready: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await delay(5);
  }
}

describe('runTransfers against the sandbox', () => {
  let runner: RunnerFixture | undefined;

  afterEach(async () => {
    await runner?.close();
    runner = undefined;
  });

  it('completes plan-a with one Succeeded DataVolume per disk and never more than the cap in flight', async () => {
    runner = await startRunner(scenario(6, 3, 4));
    const { events, done } = runner.run();
    const summary = await done;
    expect(summary).toMatchObject({ outcome: 'completed', disks: 18, transferred: 18, stuck: 0, notStarted: 0 });
    const stored = runner.stored();
    expect(stored.map((dv) => dv.name).sort()).toEqual(
      runner.dataVolumes.map((dv) => dv.manifest.metadata.name).sort(),
    );
    expect(stored.every((dv) => dv.phase === 'Succeeded')).toBe(true);
    expect(runner.cluster.sandbox.stats().imports.peak).toBeLessThanOrEqual(4);
    expect(events[0]).toMatchObject({ type: 'plan', disks: 18, adopted: { done: 0, running: 0, stuck: 0 } });
    expect(events.filter((e) => e.type === 'started')).toHaveLength(18);
    expect(events.filter((e) => e.type === 'finished')).toHaveLength(18);
    expect(events.at(-1)).toMatchObject({ type: 'summary' });
    // the lease is released
    expect(runner.cluster.sandbox.store.list('leases.coordination.k8s.io', 'openshift-mtv')).toHaveLength(0);
  });

  it('plans with every simulation within the budget, and with the best of those it ran once the budget is spent', async () => {
    runner = await startRunner(scenario(6, 3, 4));
    const full = await runner.run();
    await full.done;
    const planned = full.events[0].type === 'plan' ? full.events[0].planning : undefined;
    expect(planned?.simulations).toBe(planned?.of);
    expect(planned?.of).toBeGreaterThan(10);
    await runner.close();

    runner = await startRunner(scenario(6, 3, 4));
    // no budget at all: the controller's schedule and the first candidate only
    const cut = runner.run({ planningBudgetMs: 0 });
    const summary = await cut.done;
    const first = cut.events[0];
    expect(first.type).toBe('plan');
    const planning = first.type === 'plan' ? first.planning : null;
    expect(planning?.simulations).toBe(2);
    expect(planning?.of).toBe(planned?.of);
    // the plan it runs is still a whole one: every disk once, the cap held
    expect(summary).toMatchObject({ outcome: 'completed', transferred: 18 });
    expect(runner.cluster.sandbox.stats().imports.peak).toBeLessThanOrEqual(4);
  });

  it('marks a crash-looping disk stuck, frees its slot and leaves its DataVolume in place', async () => {
    runner = await startRunner(scenario(3, 2, 2), { failDisks: ['vm-02/1'] });
    const { events, done } = runner.run({ maxRestarts: 3 });
    const summary = await done;
    expect(summary).toMatchObject({ outcome: 'stuck', transferred: 5, stuck: 1, failed: 0 });
    const failing = runner.dataVolumes.find((dv) => dv.vmName === 'vm-02' && dv.diskIndex === 1);
    const dv = runner.stored().find((d) => d.name === failing?.manifest.metadata.name);
    expect(dv?.annotations[STUCK_ANNOTATION]).toMatch(/importer restarted 3 times/);
    expect(events.filter((e) => e.type === 'stuck')).toHaveLength(1);
    expect(runner.cluster.sandbox.stats().imports.peak).toBeLessThanOrEqual(2);
    // a re-run adopts it as stuck and never retries it
    const again = await runner.run().done;
    expect(again).toMatchObject({ outcome: 'stuck', transferred: 5, stuck: 1 });
    expect(runner.stored()).toHaveLength(6);
  });

  it('resumes after an interruption: no duplicate DataVolume, every disk Succeeded, the cap held across both runs', async () => {
    runner = await startRunner(scenario(8, 3, 3), { speed: 300 });
    const abort = new AbortController();
    const first = runner.run({ signal: abort.signal });
    const r = runner;
    await until(() => r.stored().length >= 4);
    abort.abort();
    const interrupted = await first.done;
    expect(interrupted.outcome).toBe('interrupted');
    expect(interrupted.notStarted).toBeGreaterThan(0);
    const second = runner.run();
    const summary = await second.done;
    expect(summary).toMatchObject({ outcome: 'completed', transferred: 24 });
    const planEvent = second.events[0];
    expect(planEvent.type === 'plan' && planEvent.adopted.done + planEvent.adopted.running).toBeGreaterThan(0);
    const stored = runner.stored();
    expect(stored).toHaveLength(24);
    expect(new Set(stored.map((dv) => dv.name)).size).toBe(24);
    expect(stored.every((dv) => dv.phase === 'Succeeded')).toBe(true);
    expect(runner.cluster.sandbox.stats().imports.peak).toBeLessThanOrEqual(3);
  });

  it('refuses a second concurrent runner with exit 5 naming the holder', async () => {
    runner = await startRunner(scenario(4, 2, 2), { speed: 20 });
    const abort = new AbortController();
    const first = runner.run({ signal: abort.signal });
    const r = runner;
    await until(() => r.stored().length >= 1);
    const error = await userError(runner.run({ holder: 'bob@ws2/7' }).done);
    expect(error.exitCode).toBe(ExitCode.locked);
    expect(error.message).toContain('alice@ws1/1');
    abort.abort();
    expect((await first.done).outcome).toBe('interrupted');
  });

  it('stops admitting when a Migration for the plan appears', async () => {
    runner = await startRunner(scenario(4, 2, 2), { speed: 20 });
    const first = runner.run();
    const r = runner;
    await until(() => r.stored().length >= 1);
    await runner.cluster.kube.transport.request(
      'POST',
      '/apis/forklift.konveyor.io/v1beta1/namespaces/openshift-mtv/migrations',
      {
        body: {
          apiVersion: 'forklift.konveyor.io/v1beta1',
          kind: 'Migration',
          metadata: { name: 'plan-a-run', namespace: 'openshift-mtv' },
          spec: { plan: { name: 'plan-a', namespace: 'openshift-mtv' } },
        },
      },
    );
    const summary = await first.done;
    expect(summary.outcome).toBe('controller-took-over');
    expect(summary.notStarted).toBeGreaterThan(0);
  });

  it('ends with timeout when --timeout passes, leaving transfers alone', async () => {
    runner = await startRunner(scenario(4, 2, 2), { speed: 20 });
    const summary = await runner.run({ timeoutMs: 300 }).done;
    expect(summary.outcome).toBe('timeout');
    expect(summary.inFlight).toBeGreaterThan(0);
  });

  it('uses about one API request per disk for a plan of 100 disks (lease renewals aside)', async () => {
    runner = await startRunner(scenario(25, 4, 20));
    const before = runner.cluster.sandbox.stats().requests;
    const summary = await runner.run().done;
    const after = runner.cluster.sandbox.stats().requests;
    expect(summary).toMatchObject({ outcome: 'completed', transferred: 100 });
    const leases =
      (after.byResource['leases.coordination.k8s.io'] ?? 0) - (before.byResource['leases.coordination.k8s.io'] ?? 0);
    const perDisk = (after.total - before.total - leases) / 100;
    console.log(`requests per disk (100 disks, leases aside): ${perDisk}`, after.byVerb);
    expect(perDisk).toBeLessThanOrEqual(1.3);
    expect(runner.cluster.sandbox.stats().imports.peak).toBeLessThanOrEqual(20);
  });
});

describe('runTransfers under faults', () => {
  let runner: RunnerFixture | undefined;

  afterEach(async () => {
    await runner?.close();
    runner = undefined;
  });

  it('completes through 429, 5xx, reset connections and dropped watches', async () => {
    runner = await startRunner(scenario(5, 2, 3), { faults: { rate: 0.15, seed: 7, watchDropEvery: 4 } });
    const summary = await runner.run().done;
    expect(summary).toMatchObject({ outcome: 'completed', transferred: 10 });
    const stats = runner.cluster.sandbox.stats();
    expect(stats.faults.injected).toBeGreaterThan(0);
    expect(stats.faults.watchesDropped).toBeGreaterThan(0);
    expect(runner.stored()).toHaveLength(10);
    expect(stats.imports.peak).toBeLessThanOrEqual(3);
  });

  it('marks a disk stuck when its progress stops moving for stuck-after', async () => {
    runner = await startRunner(scenario(1, 1, 1), { speed: 0.001 });
    const summary = await runner.run({ stuckAfterMs: 300 }).done;
    expect(summary).toMatchObject({ outcome: 'stuck', stuck: 1 });
    expect(summary.problems[0].reason).toMatch(/no progress for/);
  });

  it('stops admitting when the lease is lost', async () => {
    runner = await startRunner(scenario(4, 2, 2), { speed: 20 });
    const first = runner.run({ lease: { renewEveryMs: 30 } });
    const r = runner;
    await until(() => r.stored().length >= 1);
    const path = '/apis/coordination.k8s.io/v1/namespaces/openshift-mtv/leases/kubectl-mtv-plan-a';
    // another runner takes it (the store, so that no renewal races the write)
    const store = runner.cluster.sandbox.store;
    const current = store.get('leases.coordination.k8s.io', 'openshift-mtv', 'kubectl-mtv-plan-a');
    expect(current).toBeDefined();
    await runner.cluster.kube.transport.request('DELETE', path);
    await runner.cluster.kube.transport.request('POST', path.replace(/\/kubectl-mtv-plan-a$/, ''), {
      body: {
        ...current,
        metadata: { name: 'kubectl-mtv-plan-a', namespace: 'openshift-mtv' },
        spec: { holderIdentity: 'bob@ws2/7', leaseDurationSeconds: 15 },
      },
    });
    const summary = await first.done;
    expect(summary.outcome).toBe('lease-lost');
    expect(summary.notStarted).toBeGreaterThan(0);
  });
});
