import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { leaseName, REQUEST_ANNOTATION, STATUS_ANNOTATION } from '../../src/cluster/lease.js';
import { readControlRequest, sendControlRequest } from '../../src/cluster/lease-control.js';
import type { RunController } from '../../src/runner/run-controller.js';
import type { RunEvent } from '../../src/runner/run-events.js';
import type { RunSnapshot } from '../../src/runner/run-snapshot.js';
import { NS, type RunnerFixture, scenario, startRunner } from './runner-fixture.js';

const LEASES = 'leases.coordination.k8s.io';

async function until(ready: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await delay(5);
  }
}

/** Disks in flight after each event (started minus finished or stuck). */
function inFlightAfter(events: readonly RunEvent[]): number[] {
  let n = 0;
  return events.map((e) => {
    if (e.type === 'started') n++;
    if (e.type === 'finished' || e.type === 'stuck') n--;
    return n;
  });
}

describe('steering a run', () => {
  let runner: RunnerFixture | undefined;

  afterEach(async () => {
    await runner?.close();
    runner = undefined;
  });

  it('pauses admissions (the run waits, even with nothing in flight) and resumes them', async () => {
    runner = await startRunner(scenario(4, 2, 2), { speed: 200 });
    let controller: RunController | undefined;
    const { events, done } = runner.run({ onController: (c) => (controller = c) });
    await until(() => events.some((e) => e.type === 'started'));
    controller?.setPaused(true, { kind: 'keyboard' });
    const pausedAt = events.length;
    const settings = events.filter((e) => e.type === 'settings');
    expect(settings).toMatchObject([{ paused: true, maxInFlight: 2, source: { kind: 'keyboard' } }]);
    // everything started before the pause drains; nothing new starts; the run does not end
    await until(() => inFlightAfter(events).at(-1) === 0);
    await delay(300);
    expect(events.slice(pausedAt).filter((e) => e.type === 'started')).toHaveLength(0);
    expect(events.some((e) => e.type === 'summary')).toBe(false);
    const queue = events.filter((e) => e.type === 'queue').at(-1);
    expect(queue?.type === 'queue' && queue.head[0].reason).toMatch(/paused/);
    controller?.setPaused(false, { kind: 'keyboard' });
    const summary = await done;
    expect(summary).toMatchObject({ outcome: 'completed', transferred: 8 });
  });

  it('ends a paused run once nothing is left to start, and holds caps set before the run began', async () => {
    runner = await startRunner(scenario(2, 2, 4), { speed: 200 });
    let controller: RunController | undefined;
    const { events, done } = runner.run({
      onController: (c) => {
        controller = c;
        // a key pressed while the run still lists its DataVolumes
        c.setCaps({ maxInFlight: 1 }, { kind: 'keyboard' });
      },
    });
    await until(() => events.some((e) => e.type === 'started'));
    expect(events.find((e) => e.type === 'plan')).toMatchObject({ maxInFlight: 1 });
    await until(() => events.filter((e) => e.type === 'finished').length === 3, 20_000);
    // the last disk is in flight, nothing is queued: pausing now must not keep the run alive
    controller?.setPaused(true, { kind: 'keyboard' });
    const summary = await done;
    expect(summary).toMatchObject({ outcome: 'completed', transferred: 4 });
    expect(Math.max(...inFlightAfter(events))).toBe(1);
    expect(runner.cluster.sandbox.stats().imports.peak).toBe(1);
  });

  it('raises and lowers the cap while running; the cluster never holds more than the cap of the moment', async () => {
    runner = await startRunner(scenario(6, 2, 1), { speed: 100 });
    let controller: RunController | undefined;
    const { events, done } = runner.run({ onController: (c) => (controller = c) });
    await until(() => events.some((e) => e.type === 'started'));
    controller?.setCaps({ maxInFlight: 3 }, { kind: 'keyboard' });
    await until(() => Math.max(...inFlightAfter(events)) === 3);
    const raisedAt = events.findIndex((e) => e.type === 'settings');
    expect(Math.max(...inFlightAfter(events).slice(0, raisedAt))).toBe(1);
    controller?.setCaps({ maxInFlight: 1 }, { kind: 'keyboard' });
    controller?.setCaps({ maxInFlight: 0 }, { kind: 'keyboard' }); // refused: the cap stays 1
    expect(controller?.caps.maxInFlight).toBe(1);
    const loweredAt = events.length;
    await done;
    // after lowering, starts happen only once the run is back under the new cap
    const flight = inFlightAfter(events);
    events.forEach((e, i) => {
      if (i > loweredAt && e.type === 'started') expect(flight[i]).toBeLessThanOrEqual(1);
    });
    expect(runner.cluster.sandbox.stats().imports.peak).toBeLessThanOrEqual(3);
    expect(events.filter((e) => e.type === 'settings').map((e) => e.type === 'settings' && e.maxInFlight)).toEqual([
      3, 1,
    ]);
  });

  it('publishes its view in the Lease and obeys a top --control request patched into it', async () => {
    runner = await startRunner(scenario(6, 2, 2), { speed: 40 });
    const { events, done } = runner.run({ statusEveryMs: 100 });
    const lease = () => runner?.cluster.sandbox.store.get(LEASES, NS, leaseName('plan-a'));
    const status = (): RunSnapshot | undefined => {
      const text = lease()?.metadata.annotations?.[STATUS_ANNOTATION];
      return text === undefined ? undefined : JSON.parse(text);
    };
    const copyingNow = () =>
      (runner?.stored() ?? [])
        .filter((dv) => dv.phase !== 'Succeeded')
        .map((dv) => dv.name)
        .sort();
    // the check: a status that shows 2 in flight and names the DataVolumes the cluster copies, read together (a
    // status is up to statusEveryMs old, and a disk may finish between a publication and the read); never: timeout
    let published: RunSnapshot | undefined;
    await until(() => {
      published = status();
      const names = published?.inFlight.map((d) => d.name).sort() ?? [];
      return names.length === 2 && names.join() === copyingNow().join();
    }, 20_000);
    if (!published) throw new Error('no status published');
    expect(published).toMatchObject({ plan: 'plan-a', namespace: NS, holder: 'alice@ws1/1', policy: 'disk', cap: 2 });
    expect(published.queued.length).toBeGreaterThan(0);
    expect(published.queuedTotal).toBe(12 - 2 - published.completed);

    await sendControlRequest(
      runner.cluster.kube,
      { name: leaseName('plan-a'), namespace: NS },
      { id: 'r1', by: 'bob@ws2/7', time: new Date().toISOString(), action: 'cap', maxInFlight: 4 },
    );
    await until(() => events.some((e) => e.type === 'settings'));
    expect(events.find((e) => e.type === 'settings')).toMatchObject({
      maxInFlight: 4,
      source: { kind: 'remote', by: 'bob@ws2/7' },
    });
    await until(() => status()?.cap === 4);
    expect(status()?.lastChange?.source).toEqual({ kind: 'remote', by: 'bob@ws2/7' });
    await sendControlRequest(
      runner.cluster.kube,
      { name: leaseName('plan-a'), namespace: NS },
      { id: 'r2', by: 'bob@ws2/7', time: new Date().toISOString(), action: 'pause' },
    );
    await until(() => status()?.paused === true);
    await sendControlRequest(
      runner.cluster.kube,
      { name: leaseName('plan-a'), namespace: NS },
      { id: 'r3', by: 'bob@ws2/7', time: new Date().toISOString(), action: 'resume' },
    );
    const summary = await done;
    expect(summary).toMatchObject({ outcome: 'completed', transferred: 12 });
    expect(runner.cluster.sandbox.stats().imports.peak).toBeLessThanOrEqual(4);
    // released although top's patches moved its resourceVersion
    expect(lease()).toBeUndefined();
    // a request for the run that has ended says so, and creates nothing
    expect(
      await sendControlRequest(
        runner.cluster.kube,
        { name: leaseName('plan-a'), namespace: NS },
        { id: 'r4', by: 'bob@ws2/7', time: new Date().toISOString(), action: 'pause' },
      ),
    ).toBe('ended');
    expect(lease()).toBeUndefined();
    // a request whose sender is not a plain user@host/pid is ignored (it would be printed on a terminal)
    expect(
      readControlRequest({
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: {
          name: 'x',
          namespace: NS,
          annotations: {
            [REQUEST_ANNOTATION]: JSON.stringify({ id: 'r9', by: 'x\u001b[2J', time: 't', action: 'pause' }),
          },
        },
        spec: {},
      }),
    ).toBeUndefined();
  });

  it('does not apply a request an earlier run left in the Lease', async () => {
    runner = await startRunner(scenario(2, 2, 2), { speed: 200 });
    const store = runner.cluster.sandbox.store;
    store.create(LEASES, {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: leaseName('plan-a'),
        namespace: NS,
        annotations: {
          [REQUEST_ANNOTATION]: JSON.stringify({
            id: 'old',
            by: 'x@y/1',
            time: '2026-01-01T00:00:00Z',
            action: 'pause',
          }),
        },
      },
      spec: { holderIdentity: 'gone@ws9/1', leaseDurationSeconds: 15, renewTime: '2026-01-01T00:00:00.000000Z' },
    });
    const { events, done } = runner.run({ statusEveryMs: 50 });
    // the expired lease is taken without the earlier run's request and status
    await until(() => events.some((e) => e.type === 'started'));
    const taken = store.get(LEASES, NS, leaseName('plan-a'));
    expect(taken?.metadata.annotations?.[REQUEST_ANNOTATION]).toBeUndefined();
    const summary = await done;
    expect(summary.outcome).toBe('completed');
    expect(events.filter((e) => e.type === 'settings')).toHaveLength(0);
  });
});
