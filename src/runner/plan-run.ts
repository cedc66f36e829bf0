/**
 * One run of the loop: the cluster's DataVolumes (one list, one watch) are the facts, the engine's policy makes
 * every decision. After each batch of watch events (and on a timer, for stuck detection) the run reads the disks in
 * flight, tells the policy which left flight, then creates the DataVolumes `admit()` returns. A disk is in flight
 * from its DataVolume's creation until it is Succeeded or Failed, or the run marks it stuck; a stuck disk's slot is
 * freed only once its annotation is written, so the cluster never sees more than the cap copying.
 */
import { dataVolumeSelector } from '../cluster/datavolume-builder.js';
import { KubeApiError, resourcePath } from '../cluster/kube-client.js';
import { type MigrationObject, takesOver } from '../cluster/migration-guard.js';
import { ResourceWatch } from '../cluster/resource-watch.js';
import type { KubeCalls } from '../cluster/retrying-calls.js';
import { createPolicy } from '../engine/create-policy.js';
import type { SchedulerOptions } from '../engine/model.js';
import type { Policy } from '../engine/policy.js';
import { adoptDataVolumes } from './adoption.js';
import { type DataVolumeObject, readDataVolume, STUCK_ANNOTATION, slimDataVolume } from './datavolume-state.js';
import { type DiskPhase, type DiskRun, progressEvent, summarize } from './disk-run.js';
import {
  planEvent,
  QUEUE_HEAD,
  type QueuedDisk,
  type RunEvent,
  type RunOutcome,
  type RunSummary,
  type SettingsSource,
} from './run-events.js';
import type { RunOptions } from './run-plan.js';
import { StuckDetector } from './stuck-detector.js';
import { transferPlanOf } from './transfer-plan.js';

const DATAVOLUMES = { group: 'cdi.kubevirt.io', version: 'v1beta1', plural: 'datavolumes' };
const MIGRATIONS = { group: 'forklift.konveyor.io', version: 'v1beta1', plural: 'migrations' };
/** Most often a `queue` event goes out (ms). */
const QUEUE_EVERY_MS = 1000;

/** What a running run lets its user change: admissions paused or not, and the caps. */
export interface RunController {
  setPaused(paused: boolean, source: SettingsSource): void;
  /** New caps apply to admissions; disks in flight go on. `maxInFlight` >= 1. */
  setCaps(caps: { maxInFlight: number; perHost?: number }, source: SettingsSource): void;
  readonly paused: boolean;
  readonly caps: { maxInFlight: number; perHost?: number };
}

export class PlanRun implements RunController {
  private readonly now: () => number;
  private readonly disks: DiskRun[];
  private readonly byName = new Map<string, number>();
  private readonly dataVolumes = new Map<string, DataVolumeObject>();
  private readonly stuck: StuckDetector;
  private readonly problems: RunSummary['problems'] = [];
  private readonly writes = new Set<Promise<unknown>>();
  private policy: Policy | undefined;
  private outcome: RunOutcome | undefined;
  private failure: unknown;
  private wake: (() => void) | undefined;
  private readonly startedAt: number;
  private isPaused = false;
  private currentCaps: { maxInFlight: number; perHost?: number };
  /** The last queue event's content, and when it went out: a new one goes out when it changed, at most every QUEUE_EVERY_MS. */
  private lastQueue = '';
  private lastQueueAt = -Infinity;
  private queueTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: RunOptions,
    private readonly calls: KubeCalls,
    private readonly emit: (e: RunEvent) => void,
  ) {
    this.now = options.now ?? Date.now;
    this.currentCaps = {
      maxInFlight: options.scheduler.maxInFlight,
      ...(options.scheduler.maxInFlightPerHost !== undefined && { perHost: options.scheduler.maxInFlightPerHost }),
    };
    this.startedAt = this.now();
    this.stuck = new StuckDetector({
      maxRestarts: options.maxRestarts ?? 3,
      stuckAfterMs: options.stuckAfterMs ?? 600_000,
    });
    this.disks = options.dataVolumes.map((dv, id) => {
      this.byName.set(dv.manifest.metadata.name, id);
      return {
        ref: { vm: dv.vmName, index: dv.diskIndex, name: dv.manifest.metadata.name, host: dv.host || 'default' },
        bytes: dv.bytes,
        phase: 'queued',
        lastProgressAt: 0,
        lastBytesDone: 0,
      };
    });
  }

  get paused(): boolean {
    return this.isPaused;
  }

  get caps(): { maxInFlight: number; perHost?: number } {
    return { ...this.currentCaps };
  }

  setPaused(paused: boolean, source: SettingsSource): void {
    if (this.outcome !== undefined || paused === this.isPaused) return;
    this.isPaused = paused;
    this.settingsChanged(source);
  }

  setCaps(caps: { maxInFlight: number; perHost?: number }, source: SettingsSource): void {
    if (this.outcome !== undefined) return;
    if (!(Number.isInteger(caps.maxInFlight) && caps.maxInFlight >= 1)) return;
    if (caps.perHost !== undefined && !(Number.isInteger(caps.perHost) && caps.perHost >= 1)) return;
    this.currentCaps = { maxInFlight: caps.maxInFlight, ...(caps.perHost !== undefined && { perHost: caps.perHost }) };
    this.policy?.setCaps(this.currentCaps);
    this.settingsChanged(source);
  }

  /** The run's scheduler options with the caps of the moment. */
  private scheduler(): SchedulerOptions {
    const { maxInFlightPerHost: _, ...rest } = this.options.scheduler;
    return {
      ...rest,
      maxInFlight: this.currentCaps.maxInFlight,
      ...(this.currentCaps.perHost !== undefined && { maxInFlightPerHost: this.currentCaps.perHost }),
    };
  }

  private settingsChanged(source: SettingsSource): void {
    this.emit({
      type: 'settings',
      time: this.time(),
      paused: this.isPaused,
      maxInFlight: this.currentCaps.maxInFlight,
      maxInFlightPerHost: this.currentCaps.perHost ?? null,
      source,
    });
    this.lastQueueAt = -Infinity;
    this.step();
  }

  /** Ends admission (idempotent: the first reason wins). Transfers in flight go on. */
  stop(outcome: RunOutcome): void {
    this.outcome ??= outcome;
    this.wake?.();
  }

  async run(): Promise<RunSummary> {
    const { options } = this;
    const target = options.resolved.plan.targetNamespace;
    const dvWatch = new ResourceWatch<DataVolumeObject>(
      this.calls,
      { ...DATAVOLUMES, namespace: target },
      { labelSelector: dataVolumeSelector(options.resolved.plan.uid), list: true },
      {
        onList: (items) => {
          this.dataVolumes.clear();
          for (const dv of items) this.dataVolumes.set(dv.metadata.name ?? '', slimDataVolume(dv));
        },
        onEvent: (type, dv) => {
          if (type === 'DELETED') this.dataVolumes.delete(dv.metadata.name ?? '');
          else this.dataVolumes.set(dv.metadata.name ?? '', slimDataVolume(dv));
        },
        onBatch: () => this.step(),
        onError: (error) => this.fail(error),
      },
    );
    const migrationWatch = new ResourceWatch<MigrationObject>(
      this.calls,
      { ...MIGRATIONS, namespace: options.resolved.plan.namespace },
      { list: false },
      {
        onList: () => undefined,
        onEvent: (type, migration) => {
          if (type !== 'DELETED' && takesOver(migration, options.resolved.plan)) this.stop('controller-took-over');
        },
        onBatch: () => undefined,
        onError: (error) => this.fail(error),
      },
    );
    const timers: NodeJS.Timeout[] = [];
    const onAbort = () => this.stop('interrupted');
    options.signal.addEventListener('abort', onAbort);
    try {
      if (options.signal.aborted) this.stop('interrupted');
      const existing = await dvWatch.start();
      for (const dv of existing) this.dataVolumes.set(dv.metadata.name ?? '', slimDataVolume(dv));
      this.adopt();
      await migrationWatch.start();
      if (options.timeoutMs !== undefined) timers.push(setTimeout(() => this.stop('timeout'), options.timeoutMs));
      const tickMs = Math.max(50, Math.min(1000, (options.stuckAfterMs ?? 600_000) / 4));
      timers.push(setInterval(() => this.step(), tickMs));
      await new Promise<void>((resolve) => {
        this.wake = () => {
          if (this.outcome !== undefined || this.failure !== undefined) resolve();
        };
        this.step();
        this.wake();
      });
      // creates already sent and stuck annotations being written are let finish: they are the cluster's state now
      while (this.writes.size > 0) await Promise.allSettled([...this.writes]);
      if (this.failure !== undefined) throw this.failure;
      const { resolved } = options;
      return summarize(this.disks, {
        outcome: this.outcome ?? 'completed',
        plan: resolved.plan.name,
        namespace: resolved.plan.namespace,
        elapsedSeconds: (this.now() - this.startedAt) / 1000,
        problems: this.problems,
      });
    } finally {
      options.signal.removeEventListener('abort', onAbort);
      for (const timer of timers) clearTimeout(timer);
      clearTimeout(this.queueTimer);
      await Promise.all([dvWatch.stop(), migrationWatch.stop()]);
    }
  }

  private fail(error: unknown): void {
    this.failure ??= error;
    this.stop('interrupted');
  }

  /** Tells the policy what the cluster already holds and reports the plan. */
  private adopt(): void {
    const names = this.disks.map((d) => d.ref.name);
    const adoption = adoptDataVolumes(
      names,
      this.disks.map((d) => d.bytes),
      this.dataVolumes,
    );
    const plan = transferPlanOf(this.options.dataVolumes, this.options.planningRate);
    // caps changed before the run began (a key, a remote request) apply from the first admission
    this.policy = createPolicy(plan, this.scheduler(), adoption.state);
    const now = this.now();
    const counts = { done: 0, running: 0, stuck: 0 };
    for (const [id, kind] of adoption.kinds) {
      const disk = this.disks[id];
      if (kind === 'running') {
        disk.phase = 'running';
        const state = readDataVolume(this.dataVolumes.get(disk.ref.name) as DataVolumeObject);
        this.stuck.track(disk.ref.name, now, state.fraction);
        counts.running++;
      } else if (kind === 'done') {
        disk.phase = 'done';
        counts.done++;
      } else {
        disk.phase = kind;
        counts.stuck++;
        this.problems.push({ disk: disk.ref, reason: adoption.reasons.get(id) ?? kind });
      }
    }
    const { resolved } = this.options;
    const scheduler = this.scheduler();
    const doneBytes = this.disks.reduce((sum, d) => sum + (d.phase === 'done' ? d.bytes : 0), 0);
    this.emit(planEvent(resolved, scheduler, this.disks, counts, this.time(), doneBytes));
    for (const disk of this.disks) {
      if (disk.phase === 'running')
        this.emit({ type: 'started', time: this.time(), disk: disk.ref, bytes: disk.bytes, adopted: true });
    }
    for (const queued of this.queueHead(this.disks.length)) this.emit({ type: 'queued', time: this.time(), ...queued });
  }

  /** The engine's queue head with each disk's reason for waiting. */
  private queueHead(limit: number): QueuedDisk[] {
    const policy = this.policy;
    if (!policy) return [];
    return policy.queued(limit).map((id) => {
      const status = policy.status(id);
      const engine = status.kind === 'start' ? 'starts now' : status.reason;
      const reason = this.isPaused ? (status.kind === 'start' ? 'admission paused' : `paused; ${engine}`) : engine;
      return { disk: this.disks[id].ref, bytes: this.disks[id].bytes, reason };
    });
  }

  /** A `queue` event when the head changed, at most every QUEUE_EVERY_MS (a trailing one catches the last change). */
  private publishQueue(now: number): void {
    if (!this.policy) return;
    const wait = this.lastQueueAt + QUEUE_EVERY_MS - now;
    if (wait > 0) {
      this.queueTimer ??= setTimeout(() => {
        this.queueTimer = undefined;
        this.publishQueue(this.now());
      }, wait);
      return;
    }
    this.lastQueueAt = now;
    const head = this.queueHead(QUEUE_HEAD);
    const total = this.policy.queuedCount;
    const key = JSON.stringify([total, head.map((q) => [q.disk.name, q.reason])]);
    if (key === this.lastQueue) return;
    this.lastQueue = key;
    this.emit({ type: 'queue', time: this.time(), head, total });
  }

  /** Reads the disks in flight, frees what left flight, then admits. Runs after every batch of events. */
  private step(): void {
    const policy = this.policy;
    if (!policy || this.failure !== undefined) return;
    const now = this.now();
    this.disks.forEach((disk, id) => {
      if (disk.phase !== 'running' || disk.marking) return;
      const dv = this.dataVolumes.get(disk.ref.name);
      const state = dv && readDataVolume(dv);
      if (state?.phase === 'Succeeded') {
        this.leave(id, 'done');
        const seconds = disk.startedAt === undefined ? null : (now - disk.startedAt) / 1000;
        this.emit({ type: 'finished', time: this.time(), disk: disk.ref, bytes: disk.bytes, seconds });
        return;
      }
      if (state?.phase === 'Failed') {
        const reason = `DataVolume Failed${state.error ? `: ${state.error}` : ''}`;
        this.leave(id, 'failed', reason);
        this.emit({ type: 'stuck', time: this.time(), disk: disk.ref, bytes: disk.bytes, reason, failed: true });
        return;
      }
      if (state?.stuck !== undefined) {
        this.leave(id, 'stuck', state.stuck);
        this.emit({ type: 'stuck', time: this.time(), disk: disk.ref, bytes: disk.bytes, reason: state.stuck });
        return;
      }
      const reason = this.stuck.check(disk.ref.name, state, now);
      if (reason !== undefined) {
        this.markStuck(id, reason);
        return;
      }
      const reading = state ?? { fraction: 0, phase: '', restartCount: 0 };
      const progress = progressEvent(disk, reading, now, this.options.progressEveryMs ?? 2000);
      if (progress) this.emit({ ...progress, time: this.time() });
    });
    if (this.outcome === undefined && !this.isPaused) {
      for (const id of policy.admit()) this.start(id, now);
    }
    if (this.outcome === undefined) this.publishQueue(now);
    const inFlight = this.disks.some((d) => d.phase === 'running');
    // nothing in flight and nothing the policy will start: the run is over (a paused run waits to be resumed)
    if (this.outcome === undefined && !inFlight && (!this.isPaused || policy.queuedCount === 0)) {
      const all = this.disks.every((d) => d.phase === 'done');
      this.stop(all ? 'completed' : 'stuck');
    }
    this.wake?.();
  }

  private leave(id: number, phase: DiskPhase, reason?: string): void {
    const disk = this.disks[id];
    disk.phase = phase;
    this.stuck.forget(disk.ref.name);
    this.policy?.finish(id);
    if (reason !== undefined) this.problems.push({ disk: disk.ref, reason });
  }

  /** Creates a DataVolume the policy admitted; an AlreadyExists means an earlier create landed. */
  private start(id: number, now: number): void {
    const disk = this.disks[id];
    disk.phase = 'running';
    disk.startedAt = now;
    disk.lastProgressAt = now;
    this.stuck.track(disk.ref.name, now);
    this.emit({ type: 'started', time: this.time(), disk: disk.ref, bytes: disk.bytes });
    const manifest = this.options.dataVolumes[id].manifest;
    this.track(
      this.calls
        .request('POST', resourcePath({ ...DATAVOLUMES, namespace: manifest.metadata.namespace }), { body: manifest })
        .catch((error) => {
          if (error instanceof KubeApiError && error.status === 409) return;
          this.fail(error);
        }),
    );
  }

  /** Annotates the DataVolume stuck (merge patch), then frees its slot; the DataVolume and its disk stay. */
  private markStuck(id: number, reason: string): void {
    const disk = this.disks[id];
    disk.marking = true;
    const path = resourcePath({ ...DATAVOLUMES, namespace: this.options.resolved.plan.targetNamespace }, disk.ref.name);
    this.track(
      this.calls
        .request('PATCH', path, {
          body: { metadata: { annotations: { [STUCK_ANNOTATION]: reason } } },
          contentType: 'application/merge-patch+json',
        })
        .then(
          () => {
            disk.marking = false;
            this.leave(id, 'stuck', reason);
            this.emit({ type: 'stuck', time: this.time(), disk: disk.ref, bytes: disk.bytes, reason });
            this.step();
          },
          (error) => this.fail(error),
        ),
    );
  }

  private track(write: Promise<unknown>): void {
    this.writes.add(write);
    void write.finally(() => this.writes.delete(write));
  }

  private time(): string {
    return new Date(this.now()).toISOString();
  }
}
