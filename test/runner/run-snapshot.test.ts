import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/runner/run-events.js';
import { hostThroughput, RATE_WINDOW_MS, type RunSnapshot, RunSnapshotBuilder } from '../../src/runner/run-snapshot.js';
import {
  decodeSnapshot,
  encodeSnapshot,
  encodeStatus,
  PUBLISHED_LIMITS,
  STATUS_MAX_BYTES,
} from '../../src/runner/snapshot-codec.js';
import {
  at,
  disk,
  finished,
  fold,
  GiB,
  learnedHost,
  planEvent,
  progress,
  queue,
  queued,
  settings,
  started,
  stuck,
  summaryEvent,
  T0,
  throughput,
} from '../ui/live/run-events-fixture.js';

const MiB = 2 ** 20;
const a = disk('app-01', 0, 'esx-01');
const b = disk('app-02', 0, 'esx-02');
const c = disk('app-03', 1, 'esx-01');

describe('RunSnapshotBuilder', () => {
  it('has no snapshot before the plan event', () => {
    const builder = new RunSnapshotBuilder();
    expect(builder.snapshot()).toBeUndefined();
    expect(builder.started).toBe(false);
  });

  it('counts the bytes copied and the aggregate rate over the window, and the ETA at that rate', () => {
    const snapshot = fold([
      planEvent({ disks: 2, bytes: 200 * GiB }),
      started(a, 100 * GiB, 0),
      started(b, 100 * GiB, 0),
      progress(a, 100 * GiB, 10 * GiB, 10, { rate: GiB }),
      progress(b, 100 * GiB, 10 * GiB, 10, { rate: GiB }),
      progress(a, 100 * GiB, 20 * GiB, 20, { rate: GiB }),
      progress(b, 100 * GiB, 20 * GiB, 20, { rate: GiB }),
    ]).snapshot();
    expect(snapshot?.bytesDone).toBe(40 * GiB);
    // the window keeps the reading 10 s back: 20 GiB in 10 s
    expect(snapshot?.rate).toBe(2 * GiB);
    expect(snapshot?.etaSeconds).toBe(80);
    expect(snapshot?.elapsedSeconds).toBe(20);
    expect(snapshot?.inFlight.map((d) => [d.vm, d.progress, d.rate, d.etaSeconds])).toEqual([
      ['app-01', 0.2, GiB, 80],
      ['app-02', 0.2, GiB, 80],
    ]);
  });

  it('forgets readings older than the rate window', () => {
    const builder = fold([
      planEvent({ disks: 1, bytes: 100 * GiB }),
      started(a, 100 * GiB, 0),
      progress(a, 100 * GiB, 50 * GiB, 5),
      progress(a, 100 * GiB, 51 * GiB, 60),
      progress(a, 100 * GiB, 52 * GiB, 60 + RATE_WINDOW_MS / 1000),
    ]);
    expect(builder.snapshot()?.rate).toBeCloseTo(GiB / (RATE_WINDOW_MS / 1000));
  });

  it('has no rate and no ETA before two readings', () => {
    const snapshot = fold([planEvent(), started(a, 100 * GiB, 0)]).snapshot();
    expect(snapshot?.rate).toBeNull();
    expect(snapshot?.etaSeconds).toBeNull();
    expect(snapshot?.inFlight[0]).toMatchObject({ phase: 'Pending', rate: null, etaSeconds: null, startedAt: at(0) });
  });

  it('replaces the opening queue with each queue event, and takes a started disk off the queue', () => {
    const builder = fold([planEvent({ disks: 3 })]);
    for (const q of [queued(a, GiB), queued(b, GiB), queued(c, GiB)]) {
      builder.apply({ type: 'queued', time: at(0), disk: q.disk, bytes: q.bytes, reason: q.reason });
    }
    expect(builder.snapshot()?.queued.map((q) => q.vm)).toEqual(['app-01', 'app-02', 'app-03']);
    builder.apply(queue([queued(c, GiB, 'starts now'), queued(b, GiB, 'host esx-02 saturated')], 3, 1));
    expect(builder.snapshot()?.queued.map((q) => [q.vm, q.reason])).toEqual([
      ['app-03', 'starts now'],
      ['app-02', 'host esx-02 saturated'],
    ]);
    builder.apply(started(c, GiB, 2));
    const snapshot = builder.snapshot();
    expect(snapshot?.queued.map((q) => q.vm)).toEqual(['app-02']);
    expect(snapshot?.queuedTotal).toBe(2);
    expect(builder.snapshot(undefined, { queued: 0 })?.queued).toEqual([]);
  });

  it('counts what a re-run adopted: done bytes, disks in flight without a start time, stuck disks', () => {
    const builder = fold([
      planEvent({ disks: 10, bytes: 1000 * GiB, bytesDone: 300 * GiB, adopted: { done: 3, running: 1, stuck: 1 } }),
      started(a, 100 * GiB, 0, true),
    ]);
    const snapshot = builder.snapshot();
    expect(snapshot).toMatchObject({ completed: 3, stuck: 1, bytesDone: 300 * GiB, queuedTotal: 5 });
    expect(snapshot?.inFlight[0].startedAt).toBeNull();
    builder.apply(finished(a, 100 * GiB, 50, null));
    expect(builder.snapshot()).toMatchObject({ completed: 4, bytesDone: 400 * GiB });
    expect(builder.completions[0]).toMatchObject({ vm: 'app-01', outcome: 'done', seconds: null, rate: null });
  });

  it('keeps every completion, done, stuck or failed, with its time in flight, rate and reason', () => {
    const builder = fold([
      planEvent({ disks: 3 }),
      started(a, 100 * GiB, 0),
      started(b, 100 * GiB, 0),
      started(c, 100 * GiB, 10),
      finished(a, 100 * GiB, 200, 200),
      stuck(b, 100 * GiB, 300, 'importer restarted 3 times'),
      stuck(c, 100 * GiB, 310, 'DataVolume Failed', true),
    ]);
    expect(builder.completions.map((d) => [d.vm, d.outcome, d.seconds, d.rate, d.reason])).toEqual([
      ['app-01', 'done', 200, (100 * GiB) / 200, undefined],
      ['app-02', 'stuck', 300, null, 'importer restarted 3 times'],
      ['app-03', 'failed', 300, null, 'DataVolume Failed'],
    ]);
    const snapshot = builder.snapshot();
    expect(snapshot).toMatchObject({ completed: 1, stuck: 1, failed: 1, inFlight: [] });
    expect(builder.snapshot(undefined, { recent: 2 })?.recent.map((d) => d.vm)).toEqual(['app-02', 'app-03']);
  });

  it('counts disks in flight per host, hosts in name order', () => {
    const snapshot = fold([planEvent(), started(b, GiB, 0), started(a, GiB, 0), started(c, GiB, 0)]).snapshot();
    expect(snapshot?.perHost).toEqual([
      { host: 'esx-01', inFlight: 2 },
      { host: 'esx-02', inFlight: 1 },
    ]);
  });

  it('follows pause and cap changes and who made them', () => {
    const builder = fold([
      planEvent(),
      settings(5, { paused: true, maxInFlight: 8, maxInFlightPerHost: 2, source: { kind: 'remote', by: 'alice@ws1' } }),
    ]);
    expect(builder.snapshot()).toMatchObject({
      paused: true,
      cap: 8,
      perHostCap: 2,
      lastChange: { source: { kind: 'remote', by: 'alice@ws1' }, time: at(5) },
    });
  });

  it('ends with the outcome, and no ETA', () => {
    const builder = fold([
      planEvent({ disks: 1, bytes: 100 * GiB }),
      started(a, 100 * GiB, 0),
      progress(a, 100 * GiB, 50 * GiB, 10, { rate: 5 * GiB }),
      summaryEvent(20, { outcome: 'interrupted' }),
    ]);
    expect(builder.snapshot()).toMatchObject({ outcome: 'interrupted', etaSeconds: null });
  });

  it('takes the clock from the caller: elapsed and updatedAt follow `now`', () => {
    const snapshot = fold([planEvent()]).snapshot(T0 + 90_000);
    expect(snapshot).toMatchObject({ elapsedSeconds: 90, updatedAt: at(90), startedAt: at(0) });
  });

  it('counts bytes copied, never negative: a stuck disk keeps its share, a restart loses progress, not throughput', () => {
    const snapshot = fold([
      planEvent({ disks: 2, bytes: 200 * GiB }),
      started(a, 100 * GiB, 0),
      progress(a, 100 * GiB, 20 * GiB, 1, { rate: 100 * MiB }),
      progress(a, 100 * GiB, 80 * GiB, 15, { rate: 100 * MiB }),
      stuck(a, 100 * GiB, 16, 'importer restarted 3 times'),
    ]).snapshot();
    // 80 GiB copied from 1 s to 16 s, the stuck disk's share included
    expect(snapshot?.rate).toBeCloseTo((60 * GiB) / 15);
    expect(snapshot?.bytesDone).toBe(0);
    const restarted = fold([
      planEvent({ disks: 1, bytes: 100 * GiB }),
      started(a, 100 * GiB, 0),
      progress(a, 100 * GiB, 50 * GiB, 5),
      progress(a, 100 * GiB, 60 * GiB, 20),
      progress(a, 100 * GiB, GiB, 21, { restarts: 1 }),
    ]).snapshot();
    // 10 GiB copied between the readings at 5 s and 21 s; the restart's loss is not negative throughput
    expect(restarted?.rate).toBeCloseTo((10 * GiB) / 16);
    expect(restarted?.bytesDone).toBe(GiB);
  });

  it("counts a disk adopted in flight from its first reading: what an earlier run copied is not this run's rate", () => {
    const snapshot = fold([
      planEvent({ disks: 2, bytes: 200 * GiB, adopted: { done: 0, running: 1, stuck: 0 } }),
      started(a, 100 * GiB, 0, true),
      started(b, 100 * GiB, 0),
      // the first reading of the adopted disk: 80 GiB an earlier run copied
      progress(a, 100 * GiB, 80 * GiB, 1, { rate: null }),
      progress(b, 100 * GiB, GiB, 1, { rate: null }),
      progress(a, 100 * GiB, 81 * GiB, 2, { rate: GiB }),
      progress(b, 100 * GiB, 2 * GiB, 2, { rate: GiB }),
    ]).snapshot();
    // 2 GiB in the second from 1 s to 2 s (and 1 GiB in b's first second), never the 80 GiB found copied
    expect(snapshot?.rate).toBeCloseTo((3 * GiB) / 2);
    expect(snapshot?.bytesDone).toBe(83 * GiB);
    // the ETA is never sooner than the slowest disk in flight: b has 98 GiB to go at 1 GiB/s
    expect(snapshot?.etaSeconds).toBeCloseTo(98);
    expect(snapshot?.inFlight.find((d) => d.name === b.name)?.etaSeconds).toBeCloseTo(98);
  });

  it('bumps the revision on every event', () => {
    const builder = fold([planEvent(), started(a, GiB, 0)]);
    expect(builder.revision).toBe(2);
  });
});

describe('RunSnapshotBuilder: VMs', () => {
  const created = (vm: string, seconds: number): RunEvent => ({
    type: 'vm-created',
    time: at(seconds),
    vm,
    name: vm.toLowerCase(),
    namespace: 'demo',
    runStrategy: 'Always',
    why: 'the source VM was powered off',
  });

  it('has no vms before the first VM event, then each VM with its last state', () => {
    const before = fold([planEvent({ disks: 2, bytes: 2 * GiB })]).snapshot();
    expect(before?.vms).toBeUndefined();
    const snapshot = fold([
      planEvent({ disks: 2, bytes: 2 * GiB }),
      created('Web_01', 1),
      created('Web_02', 2),
      { type: 'vm-ready', time: at(3), vm: 'Web_01', name: 'web-01', status: 'Running' },
      { type: 'vm-failed', time: at(4), vm: 'Web_02', name: 'web-02', reason: 'KubeVirt reports CrashLoopBackOff' },
      { type: 'vm-failed', time: at(5), vm: 'db', reason: 'its conversion failed' },
    ]).snapshot();
    expect(snapshot?.vms).toEqual([
      { vm: 'Web_01', name: 'web-01', state: 'ready', runStrategy: 'Always', status: 'Running' },
      {
        vm: 'Web_02',
        name: 'web-02',
        state: 'failed',
        runStrategy: 'Always',
        reason: 'KubeVirt reports CrashLoopBackOff',
      },
      { vm: 'db', name: 'db', state: 'failed', reason: 'its conversion failed' },
    ]);
    // what top reads back from the Lease
    const decoded = decodeSnapshot(encodeSnapshot(snapshot as RunSnapshot));
    expect(decoded?.vms).toEqual(snapshot?.vms);
    expect(
      decodeSnapshot(JSON.stringify({ ...snapshot, vms: [{ vm: 'x', name: 'x', state: 'gone' }] })),
    ).toBeUndefined();
  });

  it('shows a source shutting down (--power-off-source) until it is off, and a source that stayed on as failed', () => {
    const power = (vm: string, seconds: number, phase: 'requested' | 'off' | 'failed', reason?: string): RunEvent => ({
      type: 'source-power',
      time: at(seconds),
      vm,
      phase,
      action: 'shutdown',
      was: 'poweredOn',
      ...(reason !== undefined && { reason }),
    });
    const shutting = fold([planEvent({ disks: 2, bytes: 2 * GiB }), power('web-1', 1, 'requested')]).snapshot();
    expect(shutting?.vms).toEqual([{ vm: 'web-1', name: 'web-1', state: 'shutting-down' }]);
    expect(decodeSnapshot(encodeSnapshot(shutting as RunSnapshot))?.vms).toEqual(shutting?.vms);
    const later = fold([
      planEvent({ disks: 2, bytes: 2 * GiB }),
      power('web-1', 1, 'requested'),
      power('web-2', 1, 'requested'),
      power('web-1', 2, 'off'),
      power('web-2', 9, 'failed', 'still poweredOn 8 s after ShutdownGuest'),
    ]).snapshot();
    expect(later?.vms).toEqual([
      { vm: 'web-2', name: 'web-2', state: 'failed', reason: 'still poweredOn 8 s after ShutdownGuest' },
    ]);
  });
});

describe('RunSnapshotBuilder: learned hosts', () => {
  const flying = [planEvent(), started(b, GiB, 0), started(a, GiB, 0), started(c, GiB, 0)];

  it('has none before a throughput event (a --no-adaptive run never has one)', () => {
    expect(fold(flying).snapshot()?.learned).toBeUndefined();
  });

  it("takes the latest throughput event's hosts, with their disks in flight now, busy hosts first, rates whole", () => {
    const hosts = [
      learnedHost('esx-03', { limit: 1, phase: 'holding', bandwidth: 90 * MiB + 0.4, throughput: 88 * MiB }),
      learnedHost('esx-02', { limit: 4, throughput: 210.4 * MiB, inFlight: 3 }),
      learnedHost('esx-01', { limit: 3, phase: 'probing', bandwidth: 305 * MiB, throughput: null, inFlight: 2 }),
    ];
    const builder = fold([...flying, throughput(5), throughput(6, hosts, 104.6 * MiB, 'limit')]);
    expect(builder.snapshot()?.learned).toEqual({
      hosts: [
        { name: 'esx-01', inFlight: 2, limit: 3, phase: 'probing', bandwidth: 305 * MiB, throughput: null },
        {
          name: 'esx-02',
          inFlight: 1,
          limit: 4,
          phase: 'climbing',
          bandwidth: null,
          throughput: Math.round(210.4 * MiB),
        },
        { name: 'esx-03', inFlight: 0, limit: 1, phase: 'holding', bandwidth: 90 * MiB, throughput: 88 * MiB },
      ],
      hostsTotal: 3,
      diskRate: Math.round(104.6 * MiB),
    });
    // a disk leaving flight counts at once, before the next throughput event
    builder.apply(finished(b, GiB, 7, 7));
    expect(builder.snapshot()?.learned?.hosts.map((h) => [h.name, h.inFlight])).toEqual([
      ['esx-01', 2],
      ['esx-02', 0],
      ['esx-03', 0],
    ]);
    expect(builder.snapshot(undefined, { hosts: 1 })?.learned).toMatchObject({
      hosts: [{ name: 'esx-01' }],
      hostsTotal: 3,
    });
  });

  it("calls a host's throughput its bandwidth once settled, else its current level's", () => {
    const settled = { phase: 'holding' as const, bandwidth: 300, throughput: 280 };
    expect(hostThroughput(settled)).toBe(300);
    expect(hostThroughput({ ...settled, phase: 'probing' })).toBe(280);
    expect(hostThroughput({ ...settled, phase: 'probing', throughput: null })).toBe(300);
    expect(hostThroughput({ phase: 'climbing', bandwidth: null, throughput: null })).toBeNull();
  });

  it('reaches top through the Lease as it was, and a malformed one is refused', () => {
    const snapshot = fold([...flying, throughput(5)]).snapshot() as RunSnapshot;
    expect(decodeSnapshot(encodeSnapshot(snapshot))?.learned).toEqual(snapshot.learned);
    const learned = snapshot.learned as NonNullable<RunSnapshot['learned']>;
    const broken = (patch: object) =>
      decodeSnapshot(JSON.stringify({ ...snapshot, learned: { ...learned, ...patch } }));
    expect(broken({ hosts: [{ ...learned.hosts[0], phase: 'sleeping' }] })).toBeUndefined();
    expect(broken({ hosts: [{ ...learned.hosts[0], limit: '3' }] })).toBeUndefined();
    expect(broken({ diskRate: 'fast' })).toBeUndefined();
    expect(broken({ hostsTotal: undefined })).toBeUndefined();
    expect(decodeSnapshot(JSON.stringify({ ...snapshot, learned: null }))).toBeUndefined();
    // a snapshot without them (an older runner, --no-adaptive) is read as before
    expect(decodeSnapshot(JSON.stringify({ ...snapshot, learned: undefined }))?.learned).toBeUndefined();
  });

  it('publishes a plan of many hosts with long names within the status limit, the first hosts listed', () => {
    const name = (i: number) => `esxi-${String(i).padStart(3, '0')}.${'rack-and-row.'.repeat(17)}example.com`;
    const hosts = Array.from({ length: 400 }, (_, i) =>
      learnedHost(name(i), {
        limit: 12,
        phase: 'probing',
        bandwidth: 312.123456 * MiB,
        throughput: 298.987654 * MiB,
        inFlight: 11,
      }),
    );
    const disks = Array.from({ length: 300 }, (_, i) => disk(`vm-${i}`, 0, name(i % 20)));
    const builder = fold([
      planEvent({ disks: 300, bytes: 300 * GiB }),
      ...disks.map((d) => started(d, GiB, 1)),
      throughput(2, hosts),
    ]);
    const snapshot = builder.snapshot(undefined, PUBLISHED_LIMITS) as RunSnapshot;
    const text = encodeStatus(snapshot);
    if (text === undefined) throw new Error('not published');
    expect(text.length).toBeLessThanOrEqual(STATUS_MAX_BYTES);
    const published = decodeSnapshot(text);
    expect(published?.learned?.hosts).toHaveLength(PUBLISHED_LIMITS.hosts);
    expect(published?.learned?.hostsTotal).toBe(400);
    // the hosts with disks in flight are the ones listed first
    expect(published?.learned?.hosts.slice(0, 20).every((h) => h.inFlight > 0)).toBe(true);
    // the hosts take a small share of the status: the disks in flight keep most of it
    expect(JSON.stringify(published?.learned).length).toBeLessThan(STATUS_MAX_BYTES / 2);
    expect(published?.inFlight.length).toBeGreaterThan(0);
    // every host listed would not fit
    expect(
      encodeStatus(builder.snapshot(undefined, { ...PUBLISHED_LIMITS, hosts: 400 }) as RunSnapshot),
    ).toBeUndefined();
  });
});
