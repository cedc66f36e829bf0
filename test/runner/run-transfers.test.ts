import { setTimeout as delay } from 'node:timers/promises';
import type { Scenario } from '@kubectl-mtv/engine';
import { afterEach, describe, expect, it } from 'vitest';
import { buildPlanDataVolumes } from '../../src/cluster/datavolume-builder.js';
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
    // the VDDK Secret was made from the Provider's right after the plan event, and went once every disk was copied
    const secretName = runner.resolved.vddkSecret;
    expect(events[1]).toMatchObject({ type: 'secret', action: 'created', name: secretName, namespace: 'demo' });
    expect(events.at(-2)).toMatchObject({ type: 'secret', action: 'deleted', name: secretName });
    expect(runner.cluster.sandbox.store.get('secrets', 'demo', secretName)).toBeUndefined();
    expect(runner.dataVolumes.every((dv) => dv.manifest.spec.source.vddk.secretRef === secretName)).toBe(true);
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

  it('reports a started disk whose percent stops moving as stalled and keeps its slot: never more than the cap', async () => {
    // the importer of vm-01's first disk stops half way: ImportInProgress, running, no error, no restart
    runner = await startRunner(scenario(1, 2, 1), { stallDisks: ['vm-01/0'] });
    // --timeout leaves the stall detector (300 ms without a new percent) seconds of margin on a loaded machine
    const { events, done } = runner.run({ stuckAfterMs: 300, timeoutMs: 6000 });
    const summary = await done;
    const alerts = events.filter((e) => e.type === 'alert');
    expect(alerts[0]).toMatchObject({ type: 'alert', kind: 'stalled', disk: { vm: 'vm-01' } });
    expect(alerts[0]?.type === 'alert' && alerts[0].reason).toMatch(
      /^no new percent for .* at \d+% .*its slot stays taken$/,
    );
    // its importer runs: the run waits for it (here until --timeout), the second disk never starts
    expect(summary).toMatchObject({ outcome: 'timeout', stuck: 0, inFlight: 1 });
    expect(runner.cluster.sandbox.stats().imports.peak).toBe(1);
    expect(events.filter((e) => e.type === 'stuck')).toHaveLength(0);
    expect(runner.stored().map((dv) => dv.annotations[STUCK_ANNOTATION])).toEqual([undefined, undefined]);
  });

  it('reports a blocked importer (CreateContainerConfigError) at once, then stuck with its slot still counted', async () => {
    runner = await startRunner(scenario(1, 2, 1));
    // a Secret that does not exist: CDI's importer pod never starts
    const resolved = { ...runner.resolved, vddkSecret: 'no-such-secret', vddkSecretSource: { kind: 'given' } as const };
    const { dataVolumes } = buildPlanDataVolumes(resolved);
    const { events, done } = runner.run({ resolved, dataVolumes, stuckAfterMs: 1500 });
    const summary = await done;
    const started = events.find((e) => e.type === 'started');
    const blocked = events.find((e) => e.type === 'alert' && e.kind === 'blocked');
    expect(blocked).toMatchObject({
      reason: 'importer cannot start: CreateContainerConfigError: secret "no-such-secret" not found',
    });
    // reported from the DataVolume's Running condition within 30 s (here: within one tick)
    expect(Date.parse(blocked?.time ?? '') - Date.parse(started?.time ?? '')).toBeLessThan(30_000);
    // stuck after --stuck-after, and its slot stays taken: the second disk never starts
    expect(summary).toMatchObject({ outcome: 'stuck', stuck: 1, notStarted: 1, inFlight: 0 });
    expect(summary.problems[0].reason).toMatch(/^importer cannot start for .* CreateContainerConfigError/);
    expect(runner.stored()).toHaveLength(1);
    expect(runner.cluster.sandbox.stats().imports.started).toBe(0);
  });

  it('keeps a healthy 6 TB disk (whole percents, a host shared by 10) in flight with a --stuck-after shorter than 1%', async () => {
    const TB = 1e12;
    const sc: Scenario = {
      name: 'busy-host',
      migration: 'cold',
      maxInFlight: 10,
      diskRate: 100 * 2 ** 20,
      hosts: [{ name: 'esx-01', bandwidth: 250e6 }],
      vms: Array.from({ length: 10 }, (_, v) => ({
        name: `vm-${v}`,
        host: 'esx-01',
        disks: [{ size: v === 0 ? 6 * TB : 0.6 * TB, datastore: 'ds-1' }],
      })),
    };
    // 1% of 6 TB at a tenth of 250 MB/s: 2,400 simulated seconds, 0.6 s here; --stuck-after 0.3 s
    runner = await startRunner(sc, { speed: 4000 });
    const { events, done } = runner.run({ stuckAfterMs: 300, timeoutMs: 5000 });
    const summary = await done;
    const big = runner.dataVolumes.find((dv) => dv.bytes === 6 * TB)?.manifest.metadata.name ?? '';
    const stored = runner.cluster.sandbox.store.get('datavolumes.cdi.kubevirt.io', 'demo', big) as unknown as {
      status: { progress: string };
    };
    // several whole percents went by, each longer than --stuck-after
    expect(Number.parseFloat(stored.status.progress)).toBeGreaterThanOrEqual(3);
    // the 6 TB disk is never stalled nor stuck; no disk is taken out of the cap (a 0.6 TB disk may be called stalled
    // while its importer starts, longer than this --stuck-after, and is cleared when it moves)
    expect(events.filter((e) => e.type === 'stuck')).toEqual([]);
    expect(events.filter((e) => e.type === 'alert' && e.disk.name === big)).toEqual([]);
    expect(summary).toMatchObject({ outcome: 'timeout', stuck: 0, inFlight: 10 });
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
    // and says why, once: who holds it now
    expect(first.events.filter((e) => e.type === 'warning').map((e) => e.type === 'warning' && e.message)).toEqual([
      'lease kubectl-mtv-plan-a is now held by bob@ws2/7',
    ]);
  });
});
