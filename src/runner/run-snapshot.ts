/**
 * A run as one object: the runner's events folded into what the live views show (the TUI's header and sections, and
 * `kubectl mtv top`, which reads the same object from the plan's Lease). Pure: times come from the events and from the
 * `now` the caller passes, so the same events give the same snapshot.
 */
import type { LearnedHost } from '@kubectl-mtv/engine';
import type { QueuedDisk, RunEvent, RunOutcome, SettingsSource } from './run-events.js';

/** A disk in flight as the views show it. */
export interface SnapshotDisk {
  vm: string;
  index: number;
  name: string;
  host: string;
  bytes: number;
  bytesDone: number;
  /** 0..1. */
  progress: number;
  /** Bytes/s at the last progress reading; null before the second. */
  rate: number | null;
  /** Seconds to go at `rate`; null when unknown. */
  etaSeconds: number | null;
  /** DataVolume phase; `Pending` until the first reading. */
  phase: string;
  restarts: number;
  /** When this run started it (RFC 3339); null for a disk a re-run adopted in flight. */
  startedAt: string | null;
  /** Why it needs a look while it keeps its slot (`blocked: ...`, `stalled: ...`); absent while it moves. */
  alert?: string;
}

export interface SnapshotQueued {
  vm: string;
  index: number;
  name: string;
  host: string;
  bytes: number;
  reason: string;
}

/** A disk that left flight. */
export interface SnapshotCompletion {
  vm: string;
  index: number;
  name: string;
  host: string;
  bytes: number;
  outcome: 'done' | 'stuck' | 'failed';
  /** Seconds in flight as this run saw it; null for a disk adopted in flight. */
  seconds: number | null;
  /** Average bytes/s over `seconds`; null when unknown. */
  rate: number | null;
  /** Why it is stuck or failed. */
  reason?: string;
  time: string;
}

/**
 * A source host as adaptive admission learned it (cold `disk` runs). Bytes/s are whole, per second of the run's clock.
 */
export interface SnapshotHost {
  name: string;
  /** The host's disks in flight now. */
  inFlight: number;
  /** Transfers it may have in flight: its learned limit. */
  limit: number;
  /** `climbing` one transfer at a time, `holding` where it plateaued, `probing` one transfer more. */
  phase: LearnedHost['phase'];
  /** Bytes/s it plateaued at (its bandwidth); null until it saturated. */
  bandwidth: number | null;
  /** Bytes/s at its current level of transfers in flight; null until measured. */
  throughput: number | null;
}

/** What adaptive admission learned, from the run's latest `throughput` event. */
export interface SnapshotLearned {
  /** Hosts with disks in flight first, then the others, each in name order (at most the snapshot's host limit). */
  hosts: SnapshotHost[];
  /** Hosts learned, listed or not. */
  hostsTotal: number;
  /** Bytes/s one importer reaches on a host that does not hold it back; null until measured. */
  diskRate: number | null;
}

/** What a host's panel row and table row call its throughput: its bandwidth once settled, else its current level's. */
export function hostThroughput(host: Pick<SnapshotHost, 'phase' | 'bandwidth' | 'throughput'>): number | null {
  return host.phase === 'holding' ? (host.bandwidth ?? host.throughput) : (host.throughput ?? host.bandwidth);
}

/** The snapshot's format version, so that `top` can refuse one it does not know. */
export const SNAPSHOT_VERSION = 1;

export interface RunSnapshot {
  version: typeof SNAPSHOT_VERSION;
  plan: string;
  namespace: string;
  targetNamespace: string;
  /** `user@host/pid` of the runner; null when not known (a run before its Lease). */
  holder: string | null;
  policy: string;
  /** Most disks in flight. */
  cap: number;
  /** Most disks in flight per host; null = none. */
  perHostCap: number | null;
  paused: boolean;
  /** The last change of pause or caps while running, and who made it. */
  lastChange: { source: SettingsSource; time: string } | null;
  disks: number;
  bytes: number;
  /** Bytes copied: disks done (also those a re-run found done) plus the progress of disks in flight. */
  bytesDone: number;
  /** Bytes/s copied during this run over the last RATE_WINDOW_MS (what earlier runs copied never counts); null before two readings. */
  rate: number | null;
  startedAt: string;
  updatedAt: string;
  elapsedSeconds: number;
  /**
   * Seconds to copy what is left: at `rate` for the bytes, and never sooner than the slowest disk in flight (its own
   * ETA); null when unknown. The one ETA model of the header, the rows, `top` and the Lease status.
   */
  etaSeconds: number | null;
  inFlight: SnapshotDisk[];
  /** Disks in flight per host, hosts in name order. */
  perHost: { host: string; inFlight: number }[];
  /** The engine's queue head, in the order it would start them. */
  queued: SnapshotQueued[];
  /** Disks still queued (the head and the rest). */
  queuedTotal: number;
  /** Disks transferred (also those a re-run found done). */
  completed: number;
  stuck: number;
  failed: number;
  /** The latest disks to leave flight, newest last. */
  recent: SnapshotCompletion[];
  /** How the run ended; null while it goes on. */
  outcome: RunOutcome | null;
  /** The VMs made (or failed) so far, in the order their disks finished; absent before the first. */
  vms?: SnapshotVm[];
  /** A warm run's cutover (RFC 3339), null while none is set; absent for cold runs. */
  cutover?: string | null;
  /** What adaptive admission learned of the source hosts; absent before its first `throughput` event (and without it). */
  learned?: SnapshotLearned;
}

/**
 * A plan VM: its source shutting down before its disks copy (--power-off-source), then after its disks: its guest
 * converting, made (waiting for KubeVirt), ready as the plan asks, or failed.
 */
export interface SnapshotVm {
  vm: string;
  /** Its name in the target namespace (the source name while none was made). */
  name: string;
  /**
   * A warm plan's VM before it is made: `copying` a round (`round`), `paused` until `nextAt`, `cutting-over` (its
   * source shutting down, its final copy); then as a cold VM.
   */
  state: 'copying' | 'paused' | 'cutting-over' | 'shutting-down' | 'converting' | 'created' | 'ready' | 'failed';
  /** A warm VM's round: 1 the initial copy, then precopies. */
  round?: number;
  /** A paused warm VM's next precopy (RFC 3339). */
  nextAt?: string;
  /** A warm VM: seconds from its cutover to its VM made. */
  downtimeSeconds?: number;
  runStrategy?: 'Always' | 'Halted';
  /** KubeVirt's printableStatus when ready. */
  status?: string;
  reason?: string;
}

/** How far back the aggregate rate looks. */
export const RATE_WINDOW_MS = 10_000;
/** Completions a snapshot keeps in `recent`. */
export const RECENT_COMPLETIONS = 10;

interface FlightDisk extends SnapshotDisk {
  startedMs: number | null;
  /**
   * Bytes of this disk already counted as copied during this run. A disk adopted in flight counts from its first
   * reading: what an earlier run copied is a baseline, not progress.
   */
  counted: number;
  /** An adopted disk before its first reading (its baseline is not known yet). */
  awaitingBaseline: boolean;
}

// The disks' objects below are written out field by field, never as `{ ...ref, bytes, ... }`: under V8 (Node 20) a
// spread followed by more fields gave each object hidden classes of its own, made in the old generation, so every
// disk's start and end left kilobytes there (a 10,000-disk run's heap peaked at 164 MiB, not 99) and each completion
// kept 574 bytes instead of 241.

function queuedOf(q: QueuedDisk): SnapshotQueued {
  const { vm, index, name, host } = q.disk;
  return { vm, index, name, host, bytes: q.bytes, reason: q.reason };
}

/**
 * The run's ETA: what is left at the aggregate rate, and never sooner than the slowest disk in flight at its own rate
 * (a run cannot end before its last disk does). Null when the rate is unknown.
 */
export function runEta(
  remainingBytes: number,
  rate: number | null,
  inFlight: Iterable<Pick<SnapshotDisk, 'etaSeconds'>>,
): number | null {
  if (rate === null || rate <= 0) return null;
  let eta = Math.max(0, remainingBytes) / rate;
  for (const disk of inFlight) if (disk.etaSeconds !== null && disk.etaSeconds > eta) eta = disk.etaSeconds;
  return eta;
}

/** Folds run events into snapshots; keeps every completion for views that list them all. */
export class RunSnapshotBuilder {
  private plan: Extract<RunEvent, { type: 'plan' }> | undefined;
  private readonly flight = new Map<string, FlightDisk>();
  private queue: SnapshotQueued[] = [];
  private queueTotal = 0;
  private doneBytes = 0;
  /** Bytes copied during this run (disks stuck or failed included): what the rate is measured on. */
  private copied = 0;
  private completedCount = 0;
  private stuckCount = 0;
  private failedCount = 0;
  private paused = false;
  private cap = 0;
  private perHostCap: number | null = null;
  private lastChange: RunSnapshot['lastChange'] = null;
  private cutover: string | null | undefined;
  private outcome: RunOutcome | null = null;
  private readonly vms = new Map<string, SnapshotVm>();
  /** The latest `throughput` event's figures. */
  private learned: { hosts: LearnedHost[]; diskRate: number | null } | undefined;
  private lastEventMs = 0;
  /** (time, bytesDone) readings for the aggregate rate, oldest first. */
  private readonly samples: { at: number; bytes: number }[] = [];
  /** Every disk that left flight, in order. */
  readonly completions: SnapshotCompletion[] = [];
  /** Bumped by every event: a publisher compares it to skip unchanged snapshots. */
  revision = 0;

  constructor(private readonly holder: string | null = null) {}

  get started(): boolean {
    return this.plan !== undefined;
  }

  apply(event: RunEvent): void {
    this.revision++;
    const at = Date.parse(event.time);
    if (Number.isFinite(at)) this.lastEventMs = Math.max(this.lastEventMs, at);
    switch (event.type) {
      case 'plan':
        this.plan = event;
        this.cap = event.maxInFlight;
        this.perHostCap = event.maxInFlightPerHost;
        this.completedCount = event.adopted.done;
        this.stuckCount = event.adopted.stuck;
        this.doneBytes = event.bytesDone;
        this.queueTotal = event.disks - event.adopted.done - event.adopted.running - event.adopted.stuck;
        break;
      case 'queued':
        // the opening list, one event per disk, until the first `queue` event replaces it
        this.queue.push(queuedOf(event));
        break;
      case 'queue':
        this.queue = event.head.map(queuedOf);
        this.queueTotal = event.total;
        break;
      case 'started': {
        const adopted = event.adopted === true;
        const { vm, index, name, host } = event.disk;
        this.flight.set(name, {
          vm,
          index,
          name,
          host,
          bytes: event.bytes,
          bytesDone: 0,
          progress: 0,
          rate: null,
          etaSeconds: null,
          phase: 'Pending',
          restarts: 0,
          startedAt: adopted ? null : event.time,
          startedMs: adopted ? null : at,
          counted: 0,
          awaitingBaseline: adopted,
        });
        // in place: the opening list holds every disk of the plan until the first `queue` event
        const queued = this.queue.findIndex((q) => q.name === event.disk.name);
        if (queued >= 0) this.queue.splice(queued, 1);
        // a warm disk's later rounds were counted out of the queue at its first
        if (!adopted && (event.round ?? 1) === 1) this.queueTotal = Math.max(0, this.queueTotal - 1);
        break;
      }
      case 'copied':
        this.flight.delete(event.disk.name);
        break;
      case 'progress': {
        const disk = this.flight.get(event.disk.name);
        if (!disk) break;
        // a phase or restart change without new bytes keeps the last rate
        if (event.rate !== null || event.bytesDone !== disk.bytesDone) disk.rate = event.rate;
        if (disk.awaitingBaseline) disk.awaitingBaseline = false;
        // an importer that restarts copies from the start again: those bytes count again as they come
        else this.copied += Math.max(0, event.bytesDone - disk.counted);
        disk.counted = event.bytesDone;
        disk.bytesDone = event.bytesDone;
        disk.progress = event.bytes > 0 ? Math.min(1, event.bytesDone / event.bytes) : 1;
        disk.etaSeconds = disk.rate && disk.rate > 0 ? (event.bytes - event.bytesDone) / disk.rate : null;
        disk.phase = event.phase;
        disk.restarts = event.restarts;
        break;
      }
      case 'alert': {
        const disk = this.flight.get(event.disk.name);
        if (!disk) break;
        if (event.kind === null) delete disk.alert;
        else disk.alert = `${event.kind}: ${event.reason}`;
        break;
      }
      case 'finished':
      case 'stuck': {
        const disk = this.flight.get(event.disk.name);
        this.flight.delete(event.disk.name);
        const outcome = event.type === 'finished' ? 'done' : event.failed ? 'failed' : 'stuck';
        if (outcome === 'done') {
          this.completedCount++;
          this.doneBytes += event.bytes;
          // the rest of it was copied since its last reading (an adopted disk never read: its share is unknown)
          if (disk && !disk.awaitingBaseline) this.copied += Math.max(0, event.bytes - disk.counted);
        } else if (outcome === 'failed') this.failedCount++;
        else this.stuckCount++;
        const seconds =
          event.type === 'finished'
            ? event.seconds
            : disk?.startedMs != null && Number.isFinite(at)
              ? (at - disk.startedMs) / 1000
              : null;
        const { vm, index, name, host } = event.disk;
        const { bytes, time } = event;
        const rate = outcome === 'done' && seconds !== null && seconds > 0 ? bytes / seconds : null;
        this.completions.push(
          event.type === 'stuck'
            ? { vm, index, name, host, bytes, outcome, seconds, rate, reason: event.reason, time }
            : { vm, index, name, host, bytes, outcome, seconds, rate, time },
        );
        break;
      }
      case 'settings':
        this.paused = event.paused;
        this.cap = event.maxInFlight;
        this.perHostCap = event.maxInFlightPerHost;
        this.lastChange = { source: event.source, time: event.time };
        if (event.cutover !== undefined) this.cutover = event.cutover;
        break;
      case 'warm': {
        const vm = this.vms.get(event.vm);
        const base = { vm: event.vm, name: vm?.name ?? event.vm };
        if (event.phase === 'snapshot')
          this.vms.set(event.vm, { ...base, state: event.final ? 'cutting-over' : 'copying', round: event.round });
        else if (event.phase === 'paused')
          this.vms.set(event.vm, {
            ...base,
            state: 'paused',
            round: event.round,
            ...(event.nextAt && { nextAt: event.nextAt }),
          });
        else if (event.phase === 'cutover')
          this.vms.set(event.vm, { ...base, state: 'cutting-over', round: event.round });
        // its VM is made next: the VM events say the rest
        else if (event.phase === 'finished') this.vms.delete(event.vm);
        else if (event.phase === 'failed')
          this.vms.set(event.vm, { ...base, state: 'failed', reason: event.reason ?? '' });
        else if (event.phase === 'downtime' && vm)
          this.vms.set(event.vm, { ...vm, downtimeSeconds: event.seconds ?? 0 });
        break;
      }
      case 'summary':
        this.outcome = event.summary.outcome;
        break;
      case 'throughput':
        this.learned = { hosts: event.hosts, diskRate: event.diskRate };
        break;
      case 'source-power':
        // shown while it shuts down; once off its disks say the rest, and a failure stays (a warm VM stays cutting over)
        if (this.vms.get(event.vm)?.state === 'cutting-over' && event.phase !== 'failed') break;
        if (event.phase === 'requested')
          this.vms.set(event.vm, { vm: event.vm, name: event.vm, state: 'shutting-down' });
        else if (event.phase === 'off') this.vms.delete(event.vm);
        else this.vms.set(event.vm, { vm: event.vm, name: event.vm, state: 'failed', reason: event.reason ?? '' });
        break;
      case 'vm-converting':
        this.vms.set(event.vm, { vm: event.vm, name: event.vm, state: 'converting' });
        break;
      case 'vm-created':
        this.vms.set(event.vm, { vm: event.vm, name: event.name, state: 'created', runStrategy: event.runStrategy });
        break;
      case 'vm-ready': {
        const vm = this.vms.get(event.vm);
        this.vms.set(event.vm, { ...vm, vm: event.vm, name: event.name, state: 'ready', status: event.status });
        break;
      }
      case 'vm-failed': {
        const vm = this.vms.get(event.vm);
        this.vms.set(event.vm, {
          ...vm,
          vm: event.vm,
          name: event.name ?? vm?.name ?? event.vm,
          state: 'failed',
          reason: event.reason,
        });
        break;
      }
    }
    if (Number.isFinite(at)) this.sample(at);
  }

  private bytesDone(): number {
    let moving = 0;
    for (const disk of this.flight.values()) moving += disk.bytesDone;
    return this.doneBytes + moving;
  }

  private sample(at: number): void {
    const bytes = this.copied;
    const last = this.samples.at(-1);
    if (last && last.at === at) last.bytes = bytes;
    else this.samples.push({ at, bytes });
    while (this.samples.length > 2 && this.samples[1].at <= at - RATE_WINDOW_MS) this.samples.shift();
  }

  /** The run as of `now` (ms since the epoch; default: the last event's time). Undefined before the plan event. */
  snapshot(
    now = this.lastEventMs,
    limits: { queued?: number; recent?: number; hosts?: number } = {},
  ): RunSnapshot | undefined {
    const plan = this.plan;
    if (!plan) return undefined;
    const first = this.samples[0];
    const last = this.samples.at(-1);
    // never below 0: an importer that restarts copies its disk again from the start
    const rate =
      first && last && last.at > first.at
        ? Math.max(0, (last.bytes - first.bytes) / ((last.at - first.at) / 1000))
        : null;
    const bytesDone = this.bytesDone();
    const startedMs = Date.parse(plan.time);
    const perHost = new Map<string, number>();
    for (const disk of this.flight.values()) perHost.set(disk.host, (perHost.get(disk.host) ?? 0) + 1);
    const recent = limits.recent ?? RECENT_COMPLETIONS;
    return {
      version: SNAPSHOT_VERSION,
      plan: plan.plan,
      namespace: plan.namespace,
      targetNamespace: plan.targetNamespace,
      holder: this.holder,
      policy: plan.policy,
      cap: this.cap,
      perHostCap: this.perHostCap,
      paused: this.paused,
      lastChange: this.lastChange,
      disks: plan.disks,
      bytes: plan.bytes,
      bytesDone,
      rate,
      startedAt: plan.time,
      updatedAt: new Date(now).toISOString(),
      elapsedSeconds: Math.max(0, (now - startedMs) / 1000),
      etaSeconds: this.outcome === null ? runEta(plan.bytes - bytesDone, rate, this.flight.values()) : null,
      inFlight: [...this.flight.values()].map(({ startedMs: _, counted: __, awaitingBaseline: ___, ...disk }) => disk),
      perHost: [...perHost].sort(([a], [b]) => a.localeCompare(b)).map(([host, inFlight]) => ({ host, inFlight })),
      queued: this.queue.slice(0, limits.queued ?? this.queue.length),
      queuedTotal: this.queueTotal,
      completed: this.completedCount,
      stuck: this.stuckCount,
      failed: this.failedCount,
      recent: recent > 0 ? this.completions.slice(-recent) : [],
      outcome: this.outcome,
      ...(this.vms.size > 0 && { vms: [...this.vms.values()] }),
      ...(this.cutover !== undefined && { cutover: this.cutover }),
      ...(this.learned && { learned: this.learnedNow(perHost, limits.hosts) }),
    };
  }

  /** The learned hosts with their disks in flight now, the busy ones first; rates whole (the published text stays short). */
  private learnedNow(perHost: ReadonlyMap<string, number>, limit = Number.POSITIVE_INFINITY): SnapshotLearned {
    const { hosts, diskRate } = this.learned ?? { hosts: [], diskRate: null };
    const whole = (rate: number | null) => (rate === null || !Number.isFinite(rate) ? null : Math.round(rate));
    const listed = hosts
      .map(
        (h): SnapshotHost => ({
          name: h.name,
          inFlight: perHost.get(h.name) ?? 0,
          limit: h.limit,
          phase: h.phase,
          bandwidth: whole(h.bandwidth),
          throughput: whole(h.throughput),
        }),
      )
      .sort((a, b) => Number(b.inFlight > 0) - Number(a.inFlight > 0) || a.name.localeCompare(b.name))
      .slice(0, Math.max(0, limit));
    return { hosts: listed, hostsTotal: hosts.length, diskRate: whole(diskRate) };
  }
}
