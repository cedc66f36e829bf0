/**
 * One run of the loop: the cluster's DataVolumes (one list, one watch) are the facts, the engine's policy makes
 * every decision. After each batch of watch events (and on a timer, for stuck detection) the run reads the disks in
 * flight, tells the policy which left flight, then creates the DataVolumes `admit()` returns. A disk is in flight
 * from its DataVolume's creation until it is Succeeded or Failed, or the run marks it stuck; a stuck disk's slot is
 * freed only once its annotation is written, so the cluster never sees more than the cap copying.
 */

import {
  AdaptiveAdmission,
  type AdoptedState,
  type Caps,
  DEFAULT_ADAPTIVE_SETTINGS,
  type Policy,
  type SchedulerOptions,
  type Workload,
} from '@kubectl-mtv/engine';
import type { PlanClusters } from '../cluster/destination.js';
import { isObjectScoped } from '../cluster/kube-errors.js';
import { type MigrationObject, takesOver } from '../cluster/migration-guard.js';
import { PlanDataVolumes } from '../cluster/plan-datavolumes.js';
import { inNamespace, RESOURCES } from '../cluster/resource-types.js';
import { adoptDataVolumes } from './adoption.js';
import { DEFAULT_PLANNING_BUDGET_MS, planPolicy } from './budgeted-planning.js';
import { type DataVolumeState, readDataVolume } from './datavolume-state.js';
import { acceptedCaps, type RunCaps, type RunController, schedulerWithCaps, startingCaps } from './run-controller.js';
import {
  type PlanningReport,
  planEvent,
  QUEUE_HEAD,
  type QueuedDisk,
  type RunEvent,
  type RunOutcome,
  type RunSummary,
  type SettingsSource,
} from './run-events.js';
import type { RunOptions } from './run-options.js';
import type { SourceGate } from './source-power.js';
import { StuckDetector } from './stuck-detector.js';
import { ThroughputMemory } from './throughput-memory.js';
import { type DiskPhase, progressEvent, summarizeRun, type TrackedDisk, trackedDisks } from './tracked-disk.js';
import { workloadOfDataVolumes } from './workload-of-datavolumes.js';

/** Where a run's copied disks go next (vm-finisher.ts): told of each disk done. */
export interface DiskSink {
  diskDone(dataVolume: string): void;
  /** DataVolume names whose disks are done though the DataVolume is gone (their VM was made). */
  doneWithoutDataVolume(): Promise<readonly string[]>;
}

/** A disk's reading before its DataVolume has a status (shared, never modified). */
const NO_READING = Object.freeze({ fraction: 0, phase: '', restartCount: 0 });
/** Most often a `queue` event goes out (ms). */
const QUEUE_EVERY_MS = 1000;
/** Most often a `throughput` event goes out when no limit changed (ms). */
const THROUGHPUT_EVERY_MS = 5000;

export class TransferLoop implements RunController {
  private readonly now: () => number;
  private readonly disks: TrackedDisk[];
  private readonly dataVolumeOps: PlanDataVolumes;
  private readonly byName = new Map<string, number>();
  /**
   * Each of the plan's DataVolumes as last read, by name: read once per watch event, not at every step, and only the
   * reading is kept (10,000 on a large plan).
   */
  private readonly dataVolumes = new Map<string, DataVolumeState>();
  /** Disks in flight (phase running), in plan order: a step reads these, not every disk of the plan. */
  private readonly running: number[] = [];
  private readonly stuck: StuckDetector;
  private readonly problems: RunSummary['problems'] = [];
  private readonly writes = new Set<Promise<unknown>>();
  private policy: Policy | undefined;
  private outcome: RunOutcome | undefined;
  private failure: unknown;
  private wake: (() => void) | undefined;
  private readonly startedAt: number;
  private isPaused = false;
  private currentCaps: RunCaps;
  /** The last queue event's content, and when it went out: a new one goes out when it changed, at most every QUEUE_EVERY_MS. */
  private lastQueue = '';
  private lastQueueAt = -Infinity;
  private queueTimer: NodeJS.Timeout | undefined;
  /** How the policy was planned (`disk` only), for the plan event. */
  private planning: PlanningReport | null = null;
  /** The engine's view of the plan (hosts and disks by index). */
  private plan: Workload | undefined;
  /** Adaptive admission (cold `disk` runs): learns each host's throughput and limit. */
  private adaptive: AdaptiveAdmission | undefined;
  private replanning = false;
  /** Per host index: disks still queued. */
  private queuedOnHost: number[] = [];
  /** Disks marked stuck whose slots stay counted (an importer that may yet start). */
  private readonly held = new Set<number>();
  private lastThroughputAt = -Infinity;
  /** Where what adaptive admission learns is written (the Provider's throughput record). */
  private memory: ThroughputMemory | undefined;

  constructor(
    private readonly options: RunOptions,
    /** The plan's clusters (the Migrations on the host, the DataVolumes on the destination), retries ended when the run stops. */
    private readonly clusters: PlanClusters,
    private readonly emit: (e: RunEvent) => void,
    /** Copies the run finishes VMs from: told of each disk done, asked which are done with no DataVolume. */
    private readonly vms?: DiskSink,
    /** Waited on before a VM's first DataVolume is created (--power-off-source). */
    private readonly source?: SourceGate,
  ) {
    this.now = options.now ?? Date.now;
    const { plan } = options.resolved;
    this.dataVolumeOps = new PlanDataVolumes(clusters.destination, plan.targetNamespace, plan.uid);
    this.currentCaps = startingCaps(options.scheduler);
    this.startedAt = this.now();
    this.stuck = new StuckDetector({
      maxRestarts: options.maxRestarts ?? 3,
      stuckAfterMs: options.stuckAfterMs ?? 600_000,
    });
    this.disks = trackedDisks(options.dataVolumes);
    for (const [id, disk] of this.disks.entries()) this.byName.set(disk.ref.name, id);
  }

  get paused(): boolean {
    return this.isPaused;
  }

  get caps(): RunCaps {
    return { ...this.currentCaps };
  }

  setPaused(paused: boolean, source: SettingsSource): void {
    if (this.outcome !== undefined || paused === this.isPaused) return;
    this.isPaused = paused;
    this.settingsChanged(source);
  }

  setCaps(caps: RunCaps, source: SettingsSource): void {
    const accepted = acceptedCaps(caps);
    if (this.outcome !== undefined || !accepted) return;
    this.currentCaps = accepted;
    this.policy?.setCaps(this.policyCaps());
    this.settingsChanged(source);
  }

  /** The caps the policy admits under: the user's, and each host's learned limit. */
  private policyCaps(): Caps {
    return this.adaptive ? { ...this.currentCaps, hostCaps: this.adaptive.hostCaps() } : this.currentCaps;
  }

  /** The run's scheduler options with the caps of the moment. */
  private scheduler(): SchedulerOptions {
    return schedulerWithCaps(this.options.scheduler, this.currentCaps);
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
    // a run stopped early ends the waits for sources; one that copied everything leaves them to the VMs being made
    if (this.outcome !== 'completed' && this.outcome !== 'stuck') this.source?.stop();
    this.wake?.();
  }

  async run(): Promise<RunSummary> {
    const { options } = this;
    const dvWatch = this.dataVolumeOps.watch({
      onList: (items) => {
        this.dataVolumes.clear();
        for (const dv of items) this.dataVolumes.set(dv.metadata.name ?? '', readDataVolume(dv));
      },
      onEvent: (type, dv) => {
        if (type === 'DELETED') this.dataVolumes.delete(dv.metadata.name ?? '');
        else this.dataVolumes.set(dv.metadata.name ?? '', readDataVolume(dv));
      },
      onBatch: () => this.step(),
      onError: (error) => this.fail(error),
    });
    const migrationWatch = this.clusters.host.watch<MigrationObject>(
      inNamespace(RESOURCES.migrations, options.resolved.plan.namespace),
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
      for (const dv of existing) this.dataVolumes.set(dv.metadata.name ?? '', readDataVolume(dv));
      // a VM made by an earlier run owns its disks' PVCs, and its DataVolumes are deleted: those disks are copied
      for (const name of (await this.vms?.doneWithoutDataVolume()) ?? []) {
        if (!this.dataVolumes.has(name))
          this.dataVolumes.set(name, { phase: 'Succeeded', fraction: 1, restartCount: 0 });
      }
      await this.adopt();
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
      // what was learned since the last write of the throughput record is kept (a write that fails only warns)
      if (this.memory && this.adaptive) this.track(this.memory.flush(this.now(), this.adaptive.learned()));
      // creates already sent and stuck annotations being written are let finish: they are the cluster's state now
      while (this.writes.size > 0) await Promise.allSettled([...this.writes]);
      if (this.failure !== undefined) throw this.failure;
      const { resolved } = options;
      return summarizeRun(this.disks, {
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
  private async adopt(): Promise<void> {
    const names = this.disks.map((d) => d.ref.name);
    const adoption = adoptDataVolumes(
      names,
      this.disks.map((d) => d.bytes),
      this.dataVolumes,
    );
    const plan = workloadOfDataVolumes(this.options.dataVolumes, this.options.planningRate);
    this.plan = plan;
    this.queuedOnHost = plan.hosts.map(() => 0);
    const adaptive = this.options.adaptive;
    if (adaptive) {
      // what an earlier run learned is planned with from the start
      this.adaptive = new AdaptiveAdmission(plan, adaptive.settings ?? DEFAULT_ADAPTIVE_SETTINGS, adaptive.known);
      if (adaptive.remember) {
        const { plan: p } = this.options.resolved;
        this.memory = new ThroughputMemory(
          {
            ...adaptive.remember,
            // a warning event: the live view shows it above its lines, plain output as a line
            warn: (line) => this.emit({ type: 'warning', time: this.time(), message: `adaptive admission: ${line}` }),
          },
          { plan: `${p.namespace}/${p.name}`, run: this.options.holder },
          adaptive.known?.hosts,
        );
      }
    }
    // caps changed before the run began (a key, a remote request) apply from the first admission
    const { policy, report } = await planPolicy(
      this.adaptive?.planningWorkload() ?? plan,
      this.scheduler(),
      adoption.state,
      {
        budgetMs: this.options.planningBudgetMs ?? DEFAULT_PLANNING_BUDGET_MS,
        now: this.now,
        stopped: () => this.outcome !== undefined,
      },
      undefined,
      // `disk` plans under the hosts' learned limits it runs under, as the engine's simulateBlind does
      this.policyCaps(),
    );
    this.planning = report;
    // and so do those changed while it planned
    this.policy = policy;
    policy.setCaps(this.policyCaps());
    const now = this.now();
    const counts = { done: 0, running: 0, stuck: 0 };
    for (const [id, kind] of adoption.kinds) {
      const disk = this.disks[id];
      if (kind === 'running') {
        disk.phase = 'running';
        this.enterFlight(id);
        this.adaptive?.started(id, this.dataVolumes.get(disk.ref.name)?.fraction ?? 0);
        this.stuck.track(
          disk.ref.name,
          now,
          { host: disk.ref.host, bytes: disk.bytes },
          this.dataVolumes.get(disk.ref.name)?.fraction,
        );
        counts.running++;
      } else if (kind === 'done') {
        disk.phase = 'done';
        counts.done++;
        this.vms?.diskDone(disk.ref.name);
      } else {
        disk.phase = kind;
        counts.stuck++;
        this.problems.push({ disk: disk.ref, reason: adoption.reasons.get(id) ?? kind });
      }
    }
    for (const [id, disk] of this.disks.entries())
      if (disk.phase === 'queued') this.queuedOnHost[plan.disks[id].host]++;
    const { resolved } = this.options;
    const scheduler = this.scheduler();
    const doneBytes = this.disks.reduce((sum, d) => sum + (d.phase === 'done' ? d.bytes : 0), 0);
    this.emit({
      ...planEvent(resolved, scheduler, this.disks, counts, this.time(), doneBytes),
      planning: this.planning,
    });
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
    // in plan order, as the events of one step always came; a disk that leaves flight leaves `running` at once
    for (let i = 0; i < this.running.length; ) {
      const id = this.running[i];
      this.read(id, now);
      if (this.running[i] === id) i++;
    }
    // learn from the level each host runs at once this instant's admissions are made: a disk that finished and the one
    // that takes its slot leave the host at its level, so its measurement goes on; a limit that moved admits again
    const admit = () => {
      if (this.outcome === undefined && !this.isPaused) {
        for (const id of this.policy?.admit() ?? []) this.start(id, now);
      }
    };
    admit();
    if (this.learn(now)) admit();
    if (this.outcome === undefined) this.publishQueue(now);
    const inFlight = this.running.length > 0;
    // nothing in flight and nothing the policy will start: the run is over (a paused run waits to be resumed)
    if (this.outcome === undefined && !inFlight && (!this.isPaused || policy.queuedCount === 0)) {
      const all = this.disks.every((d) => d.phase === 'done');
      this.stop(all ? 'completed' : 'stuck');
    }
    this.wake?.();
  }

  /** One disk in flight at `now`: it finished, failed, is stuck, or made progress worth an event. */
  private read(id: number, now: number): void {
    const disk = this.disks[id];
    if (disk.marking || disk.waitingForSource) return;
    const state = this.dataVolumes.get(disk.ref.name);
    if (state && this.adaptive) this.adaptive.progress(id, this.seconds(now), state.fraction);
    if (state?.phase === 'Succeeded') {
      this.leave(id, 'done');
      const seconds = disk.startedAt === undefined ? null : (now - disk.startedAt) / 1000;
      this.emit({ type: 'finished', time: this.time(), disk: disk.ref, bytes: disk.bytes, seconds });
      this.vms?.diskDone(disk.ref.name);
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
    const verdict = this.stuck.check(disk.ref.name, state, now);
    if (verdict.kind === 'stuck') {
      this.markStuck(id, verdict.reason, verdict.holdsSlot);
      return;
    }
    const alert = verdict.kind === 'ok' ? undefined : verdict.kind;
    // a blocked importer's reason is news when it changes (another key missing); a stall's only when it begins
    const news = verdict.kind === 'blocked' ? `blocked ${verdict.reason}` : alert;
    if (news !== disk.alert) {
      disk.alert = news;
      this.emit({
        type: 'alert',
        time: this.time(),
        disk: disk.ref,
        bytes: disk.bytes,
        kind: alert ?? null,
        reason: verdict.kind === 'ok' ? 'moving again' : verdict.reason,
      });
    }
    const reading = state ?? NO_READING;
    const progress = progressEvent(disk, reading, now, this.options.progressEveryMs ?? 2000);
    // Object.assign, not a spread: a spread followed by a field gives each event a hidden class of its own (V8)
    if (progress) this.emit(Object.assign(progress, { time: this.time() }));
  }

  /** `running` stays in plan order: a step after every batch of events walks it without sorting a copy. */
  private enterFlight(id: number): void {
    let at = this.running.length;
    while (at > 0 && this.running[at - 1] > id) at--;
    this.running.splice(at, 0, id);
  }

  /** A disk leaves flight; `holdSlot`: it stays counted against the caps for the rest of the run. */
  private leave(id: number, phase: DiskPhase, reason?: string, holdSlot = false): void {
    const disk = this.disks[id];
    disk.phase = phase;
    disk.alert = undefined;
    const at = this.running.indexOf(id);
    if (at >= 0) this.running.splice(at, 1);
    this.stuck.forget(disk.ref.name);
    this.adaptive?.left(id, phase === 'done' ? this.seconds(this.now()) : undefined);
    if (phase === 'queued' && this.plan) this.queuedOnHost[this.plan.disks[id].host]++;
    if (!holdSlot) this.policy?.finish(id);
    else this.held.add(id);
    if (reason !== undefined) this.problems.push({ disk: disk.ref, reason });
  }

  /**
   * Creates a DataVolume the policy admitted. One that exists already and is this plan's is an earlier create that
   * landed (adopted as it is); a refusal of this DataVolume alone (400, 404, 409, 422: isObjectScoped), or a
   * DataVolume of that name that is not this disk's (its owner named), fails the disk and frees its slot: the run goes on (exit 1).
   * Other failures (401, 403, 429 or 5xx after retries, no answer) end the run (exit 3).
   */
  private start(id: number, now: number): void {
    const disk = this.disks[id];
    disk.phase = 'running';
    this.enterFlight(id);
    if (this.plan) this.queuedOnHost[this.plan.disks[id].host]--;
    const { vmId, vmName } = this.options.dataVolumes[id];
    if (this.source) {
      // its VM's source is powered off first; the disk holds its slot meanwhile, as Forklift charges a VM powering off
      disk.waitingForSource = true;
      this.track(
        this.source.ready({ id: vmId, name: vmName }).then(
          () => {
            disk.waitingForSource = false;
            // a run that stopped meanwhile creates nothing more: the disk was not started
            if (this.outcome !== undefined) this.leave(id, 'queued');
            else this.create(id, this.now());
            this.step();
          },
          (error) => {
            disk.waitingForSource = false;
            if (this.outcome !== undefined) this.leave(id, 'queued');
            else this.failDisk(id, error instanceof Error ? error.message : String(error));
            this.step();
          },
        ),
      );
      return;
    }
    this.create(id, now);
  }

  /** Creates the disk's DataVolume (start). */
  private create(id: number, now: number): void {
    const disk = this.disks[id];
    this.adaptive?.started(id);
    disk.startedAt = now;
    disk.lastProgressAt = now;
    this.stuck.track(disk.ref.name, now, { host: disk.ref.host, bytes: disk.bytes });
    this.emit({ type: 'started', time: this.time(), disk: disk.ref, bytes: disk.bytes });
    const manifest = this.options.dataVolumes[id].manifest;
    this.track(
      this.dataVolumeOps.create(manifest).then(
        ({ outcome, owner }) => {
          if (outcome !== 'foreign') return;
          this.failDisk(
            id,
            `a DataVolume named ${disk.ref.name} exists in namespace "${manifest.metadata.namespace}" and is not this disk's: ${owner}; delete or rename it`,
          );
        },
        (error) => {
          if (isObjectScoped(error)) this.failDisk(id, `DataVolume not created: ${error.answer}: ${error.detail}`);
          else this.fail(error);
        },
      ),
    );
  }

  /** A disk whose DataVolume the cluster refused: failed, its slot freed, the run goes on. */
  private failDisk(id: number, reason: string): void {
    const disk = this.disks[id];
    if (disk.phase !== 'running') return;
    disk.marking = false;
    this.leave(id, 'failed', reason);
    this.emit({ type: 'stuck', time: this.time(), disk: disk.ref, bytes: disk.bytes, reason, failed: true });
    this.step();
  }

  /**
   * Annotates the DataVolume stuck (merge patch), then frees its slot (unless `holdSlot`: an importer that may yet
   * start keeps it counted); the DataVolume and its disk stay. A refusal for this DataVolume alone (it was deleted
   * meanwhile, say) fails the disk with both reasons.
   */
  private markStuck(id: number, reason: string, holdSlot: boolean): void {
    const disk = this.disks[id];
    disk.marking = true;
    this.track(
      this.dataVolumeOps.markStuck(disk.ref.name, reason).then(
        () => {
          disk.marking = false;
          this.leave(id, 'stuck', reason, holdSlot);
          this.emit({ type: 'stuck', time: this.time(), disk: disk.ref, bytes: disk.bytes, reason });
          this.step();
        },
        (error) => {
          if (isObjectScoped(error)) this.failDisk(id, `${reason}; the stuck annotation was refused: ${error.answer}`);
          else this.fail(error);
        },
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

  /** Seconds of the run's clock since it began: the adaptive admission's time. */
  private seconds(now: number): number {
    return (now - this.startedAt) / 1000;
  }

  /**
   * Adaptive admission after the readings and admissions of a step: moves the hosts' limits (applied at once; true
   * when they moved) and, when a host's bandwidth or the importers' rate is learned or has moved, re-plans the rest
   * (one re-plan at a time, under the planning budget, while the run goes on).
   */
  private learn(now: number): boolean {
    const { adaptive, plan, policy } = this;
    if (!adaptive || !plan || !policy || this.outcome !== undefined) return false;
    const inFlight = plan.hosts.map(() => 0);
    for (const id of this.running) inFlight[plan.disks[id].host]++;
    for (const id of this.held) inFlight[plan.disks[id].host]++;
    const change = adaptive.update(
      this.seconds(now),
      inFlight,
      this.queuedOnHost.map((n) => n > 0),
    );
    if (change.limits) policy.setCaps(this.policyCaps());
    this.memory?.observe(now, adaptive.learned());
    if (change.replan && !this.replanning) this.replan();
    else if (change.limits) this.publishThroughput(now, 'limit');
    else if (now - this.lastThroughputAt >= THROUGHPUT_EVERY_MS) this.publishThroughput(now, 'measure');
    return change.limits;
  }

  private publishThroughput(now: number, cause: 'limit' | 'replan' | 'measure'): void {
    if (!this.adaptive) return;
    this.lastThroughputAt = now;
    const { hosts, diskRate } = this.adaptive.learned();
    this.emit({ type: 'throughput', time: this.time(), cause, hosts, diskRate });
  }

  /** What the policy counts now: disks in flight (with bytes left) and disks that left flight for good. */
  private currentState(): AdoptedState {
    const running = new Map<number, number>();
    const done: number[] = [];
    for (const [id, disk] of this.disks.entries()) {
      if (disk.phase === 'running' || this.held.has(id)) {
        const fraction = this.dataVolumes.get(disk.ref.name)?.fraction ?? 0;
        running.set(id, Math.max(0, Math.round(disk.bytes * (1 - fraction))));
      } else if (disk.phase !== 'queued') done.push(id);
    }
    return { running, done };
  }

  private replan(): void {
    const adaptive = this.adaptive;
    if (!adaptive) return;
    this.replanning = true;
    const workload = adaptive.planningWorkload();
    this.track(
      planPolicy(
        workload,
        this.scheduler(),
        this.currentState(),
        {
          budgetMs: this.options.planningBudgetMs ?? DEFAULT_PLANNING_BUDGET_MS,
          now: this.now,
          stopped: () => this.outcome !== undefined,
        },
        () => this.currentState(),
        this.policyCaps(),
      ).then(
        ({ policy }) => {
          this.replanning = false;
          if (this.outcome !== undefined) return;
          this.policy = policy;
          policy.setCaps(this.policyCaps());
          this.publishThroughput(this.now(), 'replan');
          this.lastQueueAt = -Infinity;
          this.step();
        },
        (error) => {
          this.replanning = false;
          this.fail(error);
        },
      ),
    );
  }
}
