/** Hand-built runner events for the live-view tests: one plan of VMs with disks on a few hosts. */
import type { LearnedHost } from '@kubectl-mtv/engine';
import type { DiskRef, QueuedDisk, RunEvent, RunSummary } from '../../../src/runner/run-events.js';
import { RunSnapshotBuilder } from '../../../src/runner/run-snapshot.js';

export const GiB = 2 ** 30;
export const T0 = Date.parse('2025-05-01T10:00:00Z');

/** RFC 3339 time `seconds` after T0. */
export function at(seconds: number): string {
  return new Date(T0 + seconds * 1000).toISOString();
}

export function disk(vm: string, index = 0, host = 'esx-01'): DiskRef {
  return { vm, index, name: `plan-a-${vm}-disk-${index}`, host };
}

export function planEvent(patch: Partial<Extract<RunEvent, { type: 'plan' }>> = {}): RunEvent {
  return {
    type: 'plan',
    time: at(0),
    plan: 'plan-a',
    namespace: 'openshift-mtv',
    targetNamespace: 'vms',
    policy: 'disk',
    objective: 'makespan',
    maxInFlight: 20,
    maxInFlightPerHost: null,
    controllerMaxInFlight: null,
    disks: 10,
    bytes: 1000 * GiB,
    bytesDone: 0,
    adopted: { done: 0, running: 0, stuck: 0 },
    planning: null,
    mtvRelease: { release: '2.12', source: 'schema' },
    ...patch,
  };
}

export function started(d: DiskRef, bytes: number, seconds: number, adopted = false): RunEvent {
  return { type: 'started', time: at(seconds), disk: d, bytes, ...(adopted && { adopted: true as const }) };
}

export function progress(
  d: DiskRef,
  bytes: number,
  bytesDone: number,
  seconds: number,
  patch: { rate?: number | null; phase?: string; restarts?: number } = {},
): RunEvent {
  return {
    type: 'progress',
    time: at(seconds),
    disk: d,
    bytes,
    bytesDone,
    rate: patch.rate === undefined ? null : patch.rate,
    phase: patch.phase ?? 'ImportInProgress',
    restarts: patch.restarts ?? 0,
  };
}

export function queue(head: QueuedDisk[], total: number, seconds: number): RunEvent {
  return { type: 'queue', time: at(seconds), head, total };
}

export function queued(d: DiskRef, bytes: number, reason = 'cap 20/20'): QueuedDisk {
  return { disk: d, bytes, reason };
}

export function finished(d: DiskRef, bytes: number, seconds: number, inFlightSeconds: number | null): RunEvent {
  return { type: 'finished', time: at(seconds), disk: d, bytes, seconds: inFlightSeconds };
}

export function stuck(d: DiskRef, bytes: number, seconds: number, reason: string, failed = false): RunEvent {
  return { type: 'stuck', time: at(seconds), disk: d, bytes, reason, ...(failed && { failed: true }) };
}

export function settings(seconds: number, patch: Partial<Extract<RunEvent, { type: 'settings' }>> = {}): RunEvent {
  return {
    type: 'settings',
    time: at(seconds),
    paused: false,
    maxInFlight: 20,
    maxInFlightPerHost: null,
    source: { kind: 'keyboard' },
    ...patch,
  };
}

export function summaryEvent(seconds: number, patch: Partial<RunSummary> = {}): RunEvent {
  return {
    type: 'summary',
    time: at(seconds),
    summary: {
      outcome: 'completed',
      plan: 'plan-a',
      namespace: 'openshift-mtv',
      disks: 10,
      transferred: 10,
      stuck: 0,
      failed: 0,
      notStarted: 0,
      inFlight: 0,
      bytes: 1000 * GiB,
      elapsedSeconds: seconds,
      problems: [],
      note: '',
      ...patch,
    },
  };
}

export const MiB = 2 ** 20;

/** A host as adaptive admission reports it; climbing, 2 allowed, nothing measured unless patched. */
export function learnedHost(name: string, patch: Partial<LearnedHost> = {}): LearnedHost {
  return { name, limit: 2, phase: 'climbing', bandwidth: null, throughput: null, inFlight: 0, ...patch };
}

/**
 * What adaptive admission learned of busyRun's hosts: esx-01 settled at 3 at 305 MiB/s, esx-02 climbing at 4 with
 * 210 MiB/s measured at its level; importers 104 MiB/s.
 */
export function throughput(
  seconds: number,
  hosts: LearnedHost[] = [
    learnedHost('esx-02', { limit: 4, throughput: 210.4 * MiB, inFlight: 1 }),
    learnedHost('esx-01', { limit: 3, phase: 'holding', bandwidth: 305 * MiB, throughput: 301 * MiB, inFlight: 2 }),
  ],
  diskRate: number | null = 104 * MiB,
  cause: 'limit' | 'replan' | 'measure' = 'measure',
): RunEvent {
  return { type: 'throughput', time: at(seconds), cause, hosts, diskRate };
}

export function fold(events: RunEvent[], holder: string | null = null): RunSnapshotBuilder {
  const builder = new RunSnapshotBuilder(holder);
  for (const event of events) builder.apply(event);
  return builder;
}

/**
 * A busy run: 3 disks in flight (one restarted), a queue of `queuedTotal` disks whose head lists `head` of them,
 * one disk done and one stuck. `vmName` makes the VM names as long as a test needs.
 */
export function busyRun(
  options: { head?: number; queuedTotal?: number; vmName?: (i: number) => string } = {},
): RunEvent[] {
  const name = options.vmName ?? ((i: number) => `app-${String(i).padStart(2, '0')}`);
  const head = options.head ?? 8;
  const total = options.queuedTotal ?? 40;
  const flying = [disk(name(1), 0, 'esx-01'), disk(name(2), 1, 'esx-02'), disk(name(3), 0, 'esx-01')];
  const done = disk(name(4), 0, 'esx-02');
  const bad = disk(name(5), 2, 'esx-01');
  return [
    planEvent({ disks: total + 5, bytes: (total + 5) * 100 * GiB }),
    started(done, 100 * GiB, 1),
    started(bad, 100 * GiB, 1),
    ...flying.map((d, i) => started(d, 100 * GiB, 2 + i)),
    queue(
      Array.from({ length: head }, (_, i) =>
        queued(
          disk(name(10 + i), 0, i % 2 ? 'esx-02' : 'esx-01'),
          50 * GiB,
          i % 2 ? 'host esx-02 saturated' : 'cap 20/20',
        ),
      ),
      total,
      5,
    ),
    progress(flying[0], 100 * GiB, 10 * GiB, 10, { rate: 100 * 2 ** 20 }),
    progress(flying[1], 100 * GiB, 45 * GiB, 10, { rate: 200 * 2 ** 20, restarts: 2 }),
    progress(flying[2], 100 * GiB, 0, 10, { phase: 'Paused' }),
    finished(done, 100 * GiB, 253, 252),
    stuck(bad, 100 * GiB, 300, 'importer restarted 3 times'),
    progress(flying[0], 100 * GiB, 60 * GiB, 300, { rate: 180 * 2 ** 20 }),
  ];
}
