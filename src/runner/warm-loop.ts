/**
 * A warm plan's run: the engine's WarmScheduler decides (which VM's snapshot to take, which disk's checkpoint to copy,
 * which VM to finish), this loop carries the decisions out and reports back. Forklift's warm itinerary per VM
 * (kubev2v/forklift pkg/controller/plan/migration.go execute(), warmItinerary; ../shared facts in
 * docs/COMPATIBILITY.md "Warm migration"), scheduled by cost:
 * - a round's snapshot: remove the previous one (RemovePreviousSnapshot), create one (CreateSnapshot, memory false,
 *   quiesce true), wait for its task, read its disks' changeIds (StoreSnapshotDeltas); the final round first shuts
 *   the source down (StorePowerState, PowerOffSource, WaitForPowerOff: source-power.ts);
 * - a disk's copy: round 1 creates its DataVolume with checkpoint 1 (`previous` ""), later rounds append
 *   {previous: the previous snapshot's changeId, current: the snapshot} (SetCheckpoints; duplicates skipped as 2.10+)
 *   and the final round sets finalCheckpoint; a copy is done when the PVC has `copied.<current>` (2.11+
 *   updateCopyProgress) or, final, the DataVolume is Succeeded;
 * - finishing: remove the final snapshot (RemoveFinalSnapshot), then the VM is made (vm-finisher.ts).
 * Every vCenter step is recorded in the plan's warm record (warm-record.ts) before it is made and after it answers,
 * so a re-run resumes without a second snapshot or a lost checkpoint. A stopped run (Ctrl-C, --timeout) starts
 * nothing more and leaves copies and snapshots as they are: an importer may still read a snapshot.
 */
import { type WarmAction, WarmScheduler } from '@kubectl-mtv/engine';
import type { DiskDataVolume } from '../cluster/datavolume-builder.js';
import type { PlanClusters } from '../cluster/destination.js';
import { isObjectScoped } from '../cluster/kube-errors.js';
import { atLeastRelease } from '../cluster/mtv-release.js';
import { type DataVolumeObject, PlanDataVolumes } from '../cluster/plan-datavolumes.js';
import { inNamespace, RESOURCES } from '../cluster/resource-types.js';
import { type WarmVmRecord, warmSnapshotPrefix, warmVmKey } from '../cluster/warm-record.js';
import { type MoRef, type SnapshotDisk, type TaskInfo, VCenterUnreachable } from '../vsphere/types.js';
import { acceptedCaps, type RunCaps, type RunController, schedulerWithCaps, startingCaps } from './run-controller.js';
import { planEvent, type RunEvent, type RunOutcome, type RunSummary, type SettingsSource } from './run-events.js';
import type { RunOptions } from './run-options.js';
import { summarizeRun, type TrackedDisk, trackedDisks } from './tracked-disk.js';
import type { DiskSink } from './transfer-loop.js';
import type { WarmRunOptions } from './warm-options.js';
import { workloadOfDataVolumes } from './workload-of-datavolumes.js';

/** CDI's multi-stage PVC annotations (pkg/controller/common/util.go). */
const COPIED_PREFIX = 'cdi.kubevirt.io/storage.checkpoint.copied.';
const USE_POPULATOR = 'cdi.kubevirt.io/storage.usePopulator';
/** Forklift's snapshot description (adapter/vsphere/client.go CreateSnapshot); the name is ours, one per round. */
const SNAPSHOT_DESCRIPTION = 'Forklift Operator warm migration precopy';
/** Between two reads of a vCenter task. */
const TASK_POLL_MS = 1000;
/** How often a snapshot step is tried when vCenter does not answer. */
const VCENTER_ATTEMPTS = 3;

export type { WarmRunOptions } from './warm-options.js';

interface Checkpoint {
  previous?: string;
  current?: string;
}

interface WarmDataVolume extends DataVolumeObject {
  spec?: DataVolumeObject['spec'] & { checkpoints?: Checkpoint[]; finalCheckpoint?: boolean };
}

/** A copy this disk cannot make (its DataVolume is another's, or was deleted): the VM fails, the run goes on. */
class CopyRefused extends Error {}

/** A copy in flight: the snapshot it reads, and when it began. */
interface Copy {
  vm: number;
  snapshot: string;
  final: boolean;
  round: number;
  startedAt: number;
}

export class WarmLoop implements RunController {
  private readonly now: () => number;
  private readonly scheduler: WarmScheduler;
  private readonly disks: TrackedDisk[];
  private readonly dataVolumeOps: PlanDataVolumes;
  private readonly dataVolumes = new Map<string, WarmDataVolume>();
  private readonly claims = new Map<string, Record<string, string>>();
  private readonly copies = new Map<number, Copy>();
  private readonly vmIds: string[];
  private readonly vmDisks: number[][];
  private readonly states = new Map<number, WarmVmRecord>();
  private readonly writes = new Set<Promise<unknown>>();
  private readonly problems: RunSummary['problems'] = [];
  private outcome: RunOutcome | undefined;
  private failure: unknown;
  private wake: (() => void) | undefined;
  private isPaused = false;
  private currentCaps: RunCaps;
  private cutoverAt: number | undefined;
  private readonly startedAt: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: RunOptions,
    private readonly clusters: PlanClusters,
    private readonly emit: (e: RunEvent) => void,
    private readonly warm: WarmRunOptions,
    private readonly vms?: DiskSink,
  ) {
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
    const { plan } = options.resolved;
    this.dataVolumeOps = new PlanDataVolumes(clusters.destination, plan.targetNamespace, plan.uid);
    this.currentCaps = startingCaps(options.scheduler);
    const workload = workloadOfDataVolumes(options.dataVolumes, options.planningRate);
    this.vmDisks = workload.vms.map((vm) => vm.disks);
    this.vmIds = workload.vms.map((vm) => options.dataVolumes[vm.disks[0]].vmId);
    this.cutoverAt = warm.cutoverAt;
    this.scheduler = new WarmScheduler(workload, {
      mode: options.scheduler.policy === 'forklift' ? 'forklift' : 'disk',
      caps: this.currentCaps,
      order: options.scheduler.order,
      precopyIntervalSeconds: warm.precopyIntervalMs / 1000,
    });
    this.disks = trackedDisks(options.dataVolumes);
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
    this.scheduler.setCaps(this.currentCaps);
    this.settingsChanged(source);
  }

  /** Moves the cutover (ms since the epoch); recorded for a re-run, and said. */
  setCutover(at: number, source: SettingsSource): void {
    if (this.outcome !== undefined || !Number.isFinite(at)) return;
    this.cutoverAt = at;
    this.scheduler.setCutover(at / 1000);
    this.track(this.recordRun());
    this.settingsChanged(source);
  }

  stop(outcome: RunOutcome): void {
    this.outcome ??= outcome;
    if (outcome !== 'completed') this.warm.source.stop();
    this.wake?.();
  }

  async run(): Promise<RunSummary> {
    const { options } = this;
    const { plan } = options.resolved;
    const recorded = await this.warm.record.read();
    if (this.cutoverAt === undefined && recorded.run?.cutover) this.cutoverAt = Date.parse(recorded.run.cutover);
    if (this.cutoverAt !== undefined) this.scheduler.setCutover(this.cutoverAt / 1000);
    await this.recordRun();
    const dvWatch = this.dataVolumeOps.watch({
      onList: (items) => {
        this.dataVolumes.clear();
        for (const dv of items) this.dataVolumes.set(dv.metadata.name ?? '', dv);
      },
      onEvent: (type, dv) => {
        if (type === 'DELETED') this.dataVolumes.delete(dv.metadata.name ?? '');
        else this.dataVolumes.set(dv.metadata.name ?? '', dv);
      },
      onBatch: () => this.step(),
      onError: (error) => this.fail(error),
    });
    const claimWatch = this.clusters.destination.watch<{
      metadata: { name?: string; annotations?: Record<string, string> };
    }>(
      inNamespace(RESOURCES.persistentVolumeClaims, plan.targetNamespace),
      { labelSelector: this.dataVolumeOps.selector, list: true },
      {
        onList: (items) => {
          this.claims.clear();
          for (const pvc of items) this.claims.set(pvc.metadata.name ?? '', pvc.metadata.annotations ?? {});
        },
        onEvent: (type, pvc) => {
          if (type === 'DELETED') this.claims.delete(pvc.metadata.name ?? '');
          else this.claims.set(pvc.metadata.name ?? '', pvc.metadata.annotations ?? {});
        },
        onBatch: () => this.step(),
        onError: (error) => this.fail(error),
      },
    );
    const timers: NodeJS.Timeout[] = [];
    const onAbort = () => this.stop('interrupted');
    options.signal.addEventListener('abort', onAbort);
    try {
      if (options.signal.aborted) this.stop('interrupted');
      for (const dv of await dvWatch.start()) this.dataVolumes.set(dv.metadata.name ?? '', dv);
      for (const pvc of await claimWatch.start())
        this.claims.set(pvc.metadata.name ?? '', pvc.metadata.annotations ?? {});
      const made = new Set((await this.vms?.doneWithoutDataVolume()) ?? []);
      this.adopt(recorded.vms, made);
      if (options.timeoutMs !== undefined) timers.push(setTimeout(() => this.stop('timeout'), options.timeoutMs));
      timers.push(setInterval(() => this.step(), 1000));
      await new Promise<void>((resolve) => {
        this.wake = () => {
          if (this.failure !== undefined || this.outcome !== undefined) resolve();
        };
        this.step();
        this.wake();
      });
      while (this.writes.size > 0) await Promise.allSettled([...this.writes]);
      if (this.failure !== undefined) throw this.failure;
      return summarizeRun(this.disks, {
        outcome: this.outcome ?? 'completed',
        plan: plan.name,
        namespace: plan.namespace,
        elapsedSeconds: (this.now() - this.startedAt) / 1000,
        problems: this.problems,
      });
    } finally {
      options.signal.removeEventListener('abort', onAbort);
      for (const timer of timers) clearTimeout(timer);
      clearTimeout(this.timer);
      await Promise.all([dvWatch.stop(), claimWatch.stop()]);
    }
  }

  /** What the record and the cluster say of each VM, told to the scheduler; then the plan event. */
  private adopt(records: ReadonlyMap<string, WarmVmRecord>, made: ReadonlySet<string>): void {
    const counts = { done: 0, running: 0, stuck: 0 };
    for (let vm = 0; vm < this.vmIds.length; vm++) {
      const disks = this.vmDisks[vm];
      const state = records.get(warmVmKey(this.vmIds[vm]));
      const names = disks.map((d) => this.disks[d].ref.name);
      if (names.every((name) => made.has(name)) || state?.finished) {
        for (const d of disks) this.disks[d].phase = 'done';
        counts.done += disks.length;
        this.scheduler.adopt(vm, {
          round: state?.round ?? 1,
          final: true,
          snapshotTaken: true,
          copied: disks,
          copying: [],
          finished: true,
        });
        // a VM an earlier run made is adopted (and waited for, so that the summary says it is ready, as a cold re-run
        // does); one whose final snapshot is removed but whose VM is not made yet is made now
        for (const name of names) this.vms?.diskDone(name);
        continue;
      }
      if (!state) continue;
      this.states.set(vm, state);
      const snapshot = state.creating ? undefined : state.snapshot;
      const copied: number[] = [];
      const copying: number[] = [];
      for (const d of disks) {
        const name = this.disks[d].ref.name;
        const dv = this.dataVolumes.get(name);
        this.disks[d].phase = dv ? 'running' : 'queued';
        if (!snapshot || !dv) continue;
        if (this.copiedNow(name, snapshot, state.final === true)) {
          copied.push(d);
          // its final copy is done: so is the disk, whatever its VM still waits for (the snapshot's removal, the VM)
          if (state.final) {
            this.disks[d].phase = 'done';
            counts.done++;
          }
        } else if (dv.spec?.checkpoints?.some((c) => c.current === snapshot)) {
          copying.push(d);
          this.copies.set(d, { vm, snapshot, final: state.final === true, round: state.round, startedAt: this.now() });
          counts.running++;
        }
      }
      this.scheduler.adopt(vm, {
        round: state.round,
        final: state.final === true,
        snapshotTaken: snapshot !== undefined,
        copied,
        copying,
        ...(state.roundEndedAt !== undefined && { roundEndedAt: Date.parse(state.roundEndedAt) / 1000 }),
      });
    }
    const { resolved } = this.options;
    const doneBytes = this.disks.reduce((sum, d) => sum + (d.phase === 'done' ? d.bytes : 0), 0);
    this.emit({
      ...planEvent(resolved, this.schedulerOptions(), this.disks, counts, this.time(), doneBytes),
      planning: null,
    });
    this.emit(this.settingsEvent({ kind: 'start' }));
    for (const [disk, copy] of this.copies) {
      const tracked = this.disks[disk];
      this.emit({
        type: 'started',
        time: this.time(),
        disk: tracked.ref,
        bytes: tracked.bytes,
        adopted: true,
        round: copy.round,
      });
    }
  }

  private settingsEvent(source: SettingsSource): RunEvent {
    return {
      type: 'settings',
      time: this.time(),
      paused: this.isPaused,
      maxInFlight: this.currentCaps.maxInFlight,
      maxInFlightPerHost: this.currentCaps.perHost ?? null,
      source,
      cutover: this.cutoverAt === undefined ? null : new Date(this.cutoverAt).toISOString(),
    };
  }

  private schedulerOptions() {
    return schedulerWithCaps(this.options.scheduler, this.currentCaps);
  }

  private settingsChanged(source: SettingsSource): void {
    this.emit(this.settingsEvent(source));
    this.step();
  }

  private fail(error: unknown): void {
    this.failure ??= error;
    this.stop('interrupted');
  }

  /** Reads the copies in flight, then carries out what the scheduler decides. */
  private step(): void {
    if (this.failure !== undefined || this.wake === undefined) return;
    const now = this.now();
    for (const [disk, copy] of [...this.copies]) this.read(disk, copy, now);
    if (this.outcome === undefined && !this.isPaused) {
      for (const action of this.scheduler.decide(now / 1000)) this.carryOut(action);
    }
    if (this.outcome === undefined && this.scheduler.settled && this.writes.size === 0) {
      const all = this.disks.every((d) => d.phase === 'done');
      this.stop(all ? 'completed' : 'stuck');
    }
    // wake for the next precopy or the cutover
    const next = this.scheduler.nextWakeAt(now / 1000);
    clearTimeout(this.timer);
    if (next !== undefined && this.outcome === undefined)
      this.timer = setTimeout(() => this.step(), Math.max(0, next * 1000 - now) + 5);
    this.wake?.();
  }

  /** Whether the disk's DataVolume has copied `snapshot`: PVC copied.<snapshot> (final: the DataVolume Succeeded). */
  private copiedNow(name: string, snapshot: string, final: boolean): boolean {
    const dv = this.dataVolumes.get(name);
    if (dv?.status?.phase === 'Succeeded') return true;
    if (final) return false;
    return this.claims.get(name)?.[`${COPIED_PREFIX}${snapshot}`] !== undefined;
  }

  private read(disk: number, copy: Copy, now: number): void {
    const tracked = this.disks[disk];
    const name = tracked.ref.name;
    const dv = this.dataVolumes.get(name);
    if (dv?.status?.phase === 'Failed') {
      this.copies.delete(disk);
      this.failVm(copy.vm, `DataVolume ${name} Failed`, disk);
      return;
    }
    if (!this.copiedNow(name, copy.snapshot, copy.final)) return;
    this.copies.delete(disk);
    const seconds = (now - copy.startedAt) / 1000;
    if (copy.final) {
      tracked.phase = 'done';
      this.emit({
        type: 'finished',
        time: this.time(),
        disk: tracked.ref,
        bytes: tracked.bytes,
        seconds,
        round: copy.round,
      });
    } else {
      this.emit({ type: 'copied', time: this.time(), disk: tracked.ref, round: copy.round, seconds });
    }
    this.scheduler.copyDone(copy.vm, disk, now / 1000, seconds);
    const status = this.scheduler.status(copy.vm);
    if (status.phase === 'paused') this.roundEnded(copy.vm, now, status.nextPrecopyAt ?? 0);
  }

  /** A round's copies all ended: recorded, and said with the next precopy's time (and the first snapshot's age). */
  private roundEnded(vm: number, now: number, nextAt: number): void {
    const state = this.states.get(vm);
    if (!state) return;
    const next = { ...state, roundEndedAt: new Date(now).toISOString() };
    this.states.set(vm, next);
    this.track(this.warm.record.setVm(this.vmIds[vm], next));
    const age =
      state.round === 1 && state.firstSnapshotAt ? (now - Date.parse(state.firstSnapshotAt)) / 1000 : undefined;
    this.emit({
      type: 'warm',
      time: this.time(),
      vm: this.vmName(vm),
      phase: 'paused',
      round: state.round,
      nextAt: new Date(nextAt * 1000).toISOString(),
      ...(age !== undefined && { snapshotAgeSeconds: age }),
    });
  }

  private carryOut(action: WarmAction): void {
    if (action.kind === 'snapshot') this.track(this.snapshot(action.vm, action.round, action.final));
    else if (action.kind === 'copy') this.track(this.copy(action.vm, action.disk, action.round, action.final));
    else this.track(this.finish(action.vm));
  }

  /** The round's snapshot (after the shutdown, final), recorded at every step. */
  private async snapshot(vm: number, round: number, final: boolean): Promise<void> {
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          await this.takeSnapshot(vm, round, final);
          this.scheduler.snapshotTaken(vm);
          return;
        } catch (error) {
          if (this.outcome !== undefined) {
            for (const d of this.vmDisks[vm]) this.scheduler.copyLeft(vm, d);
            return;
          }
          // a vCenter that did not answer is asked again (every step is recorded, so a retry takes none twice)
          if (error instanceof VCenterUnreachable && attempt < VCENTER_ATTEMPTS) {
            await new Promise((resolve) => setTimeout(resolve, (this.warm.taskPollMs ?? TASK_POLL_MS) * 2 * attempt));
            continue;
          }
          this.failVm(vm, `${final ? 'cutover' : 'snapshot'} of ${this.vmName(vm)} failed: ${messageOf(error)}`);
          return;
        }
      }
    } finally {
      this.step();
    }
  }

  /** The steps of a round's snapshot, each recorded; throws when one fails. */
  private async takeSnapshot(vm: number, round: number, final: boolean): Promise<void> {
    const id = this.vmIds[vm];
    const ref = this.warm.refs.get(id);
    if (!ref) throw new Error('not found in vCenter');
    let state: WarmVmRecord = this.states.get(vm) ?? { round: 0 };
    if (final && !state.cutoverAt) {
      state = { ...state, cutoverAt: new Date(this.now()).toISOString() };
      await this.save(vm, state);
      this.emit({ type: 'warm', time: this.time(), vm: this.vmName(vm), phase: 'cutover', round });
    }
    if (final) await this.warm.source.ready({ id, name: this.vmName(vm) });
    if (state.round !== round) {
      // a new round: the previous snapshot's changeIds become this round's `previous`; it is removed first
      state = {
        ...state,
        round,
        final,
        previous: state.deltas ?? {},
        ...(state.snapshot && { removing: state.snapshot }),
        snapshot: undefined,
        deltas: undefined,
        creating: undefined,
        roundEndedAt: undefined,
      };
      await this.save(vm, state);
    }
    if (state.removing) {
      await this.removeSnapshot(ref, state.removing);
      state = { ...state, removing: undefined };
      await this.save(vm, state);
    }
    if (!state.snapshot) {
      const taken = await this.createSnapshot(vm, ref, state);
      const disks = await this.warm.session.snapshotDisks(taken);
      state = {
        ...this.states.get(vm),
        round,
        final,
        snapshot: taken.value,
        deltas: deltasOf(disks),
        creating: undefined,
        ...(round === 1 && { firstSnapshotAt: new Date(this.now()).toISOString() }),
      };
      await this.save(vm, state);
    }
    this.emit({
      type: 'warm',
      time: this.time(),
      vm: this.vmName(vm),
      phase: 'snapshot',
      round,
      snapshot: state.snapshot ?? '',
      ...(final && { final: true }),
    });
  }

  /** Creates the round's snapshot, or finds the one an earlier run asked for (by its name, or its task). */
  private async createSnapshot(vm: number, ref: MoRef, state: WarmVmRecord): Promise<MoRef> {
    const name = state.creating?.name ?? `${warmSnapshotPrefix(this.options.resolved.plan.uid)}${state.round}`;
    const existing = (await this.warm.session.snapshots(ref)).find((s) => s.name === name);
    if (existing) return existing.snapshot;
    if (state.creating?.task) {
      const info = await this.untilTaskEnds({ type: 'Task', value: state.creating.task });
      if (info.state === 'success' && info.result) return info.result;
    }
    await this.save(vm, { ...state, creating: { name } });
    const task = await this.warm.session.createSnapshot(ref, name, SNAPSHOT_DESCRIPTION);
    await this.save(vm, { ...state, creating: { name, task: task.value } });
    const info = await this.untilTaskEnds(task);
    if (info.state !== 'success' || !info.result)
      throw new Error(`CreateSnapshot_Task ${info.state}: ${info.error ?? info.fault ?? 'no snapshot'}`);
    return info.result;
  }

  /** Removes a snapshot unless it is gone already, and waits for the task. */
  private async removeSnapshot(ref: MoRef, snapshot: string): Promise<void> {
    const found = (await this.warm.session.snapshots(ref)).find((s) => s.snapshot.value === snapshot);
    if (!found) return;
    const info = await this.untilTaskEnds(await this.warm.session.removeSnapshot(found.snapshot));
    if (info.state !== 'success') throw new Error(`RemoveSnapshot_Task failed: ${info.error ?? info.fault ?? 'error'}`);
  }

  private async untilTaskEnds(task: MoRef): Promise<TaskInfo> {
    for (;;) {
      const info = await this.warm.session.taskInfo(task);
      if (info.state === 'success' || info.state === 'error') return info;
      if (this.outcome !== undefined) throw new Error('the run stopped');
      await new Promise((resolve) => setTimeout(resolve, this.warm.taskPollMs ?? TASK_POLL_MS));
    }
  }

  /** Starts one disk's copy of the round: creates its DataVolume (round 1) or appends the round's checkpoint. */
  private async copy(vm: number, disk: number, round: number, final: boolean): Promise<void> {
    const tracked = this.disks[disk];
    const state = this.states.get(vm);
    const snapshot = state?.snapshot ?? '';
    const dv = this.options.dataVolumes[disk];
    const previous = state?.previous?.[dv.manifest.spec.source.vddk.backingFile] ?? '';
    this.copies.set(disk, { vm, snapshot, final, round, startedAt: this.now() });
    tracked.phase = 'running';
    tracked.startedAt ??= this.now();
    this.emit({ type: 'started', time: this.time(), disk: tracked.ref, bytes: tracked.bytes, round });
    try {
      if (round === 1) await this.createDataVolume(dv, snapshot);
      else await this.addCheckpoint(tracked.ref.name, { previous, current: snapshot }, final);
    } catch (error) {
      this.copies.delete(disk);
      if (error instanceof CopyRefused) this.failVm(vm, error.message, disk);
      else if (isObjectScoped(error)) this.failVm(vm, `DataVolume ${tracked.ref.name}: ${messageOf(error)}`, disk);
      else this.fail(error);
    } finally {
      this.step();
    }
  }

  private async createDataVolume(dv: DiskDataVolume, snapshot: string): Promise<void> {
    // Forklift 2.11+ (kubevirt.go dataVolumes): a multi-stage import takes CDI's import path, not its populator
    const annotations = { ...dv.manifest.metadata.annotations, [USE_POPULATOR]: 'false' };
    const manifest = {
      ...dv.manifest,
      metadata: { ...dv.manifest.metadata, annotations },
      spec: { ...dv.manifest.spec, checkpoints: [{ previous: '', current: snapshot }], finalCheckpoint: false },
    };
    const { outcome, owner } = await this.dataVolumeOps.create(manifest);
    if (outcome === 'foreign')
      throw new CopyRefused(
        `a DataVolume named ${dv.manifest.metadata.name} exists in namespace "${dv.manifest.metadata.namespace}" and is not this disk's: ${owner}; delete or rename it`,
      );
    // an earlier create landed: its checkpoint is there, or is added now
    if (outcome === 'exists')
      await this.addCheckpoint(dv.manifest.metadata.name, { previous: '', current: snapshot }, false);
  }

  /** Appends a checkpoint unless one with that `current` is there (Forklift 2.10+), and sets finalCheckpoint. */
  private async addCheckpoint(name: string, checkpoint: Checkpoint, final: boolean): Promise<void> {
    const ref = this.dataVolumeOps.ref;
    for (let attempt = 0; ; attempt++) {
      const dv = await this.clusters.destination.get<WarmDataVolume>(ref, name);
      if (!dv) throw new CopyRefused(`DataVolume ${name} is gone: it was deleted while the VM was being copied`);
      const checkpoints = dv.spec?.checkpoints ?? [];
      const has = checkpoints.some((c) => c.current === checkpoint.current);
      if (has && (dv.spec?.finalCheckpoint ?? false) === final) return;
      try {
        await this.clusters.destination.mergePatch(ref, name, {
          metadata: { resourceVersion: dv.metadata.resourceVersion },
          spec: { checkpoints: has ? checkpoints : [...checkpoints, checkpoint], finalCheckpoint: final },
        });
        return;
      } catch (error) {
        if (attempt < 5 && (error as { status?: number }).status === 409) continue;
        throw error;
      }
    }
  }

  /**
   * Every disk has its final checkpoint: the final snapshot is removed (RemoveFinalSnapshot) and the disks go to VM
   * creation. 2.8-2.11 wait for the removal first; 2.12 makes the VM first and waits after (WaitForFinalSnapshotRemoval
   * moved after PostHook, warm-migration.md §1), which keeps the removal out of the VM's downtime.
   */
  private async finish(vm: number): Promise<void> {
    const ref = this.warm.refs.get(this.vmIds[vm]);
    try {
      const state = this.states.get(vm);
      const removal =
        ref && state?.snapshot
          ? this.removeSnapshot(ref, state.snapshot).catch((error: unknown) => {
              // Forklift: an error on the final removal is only a warning; `clean` removes what is left
              this.problems.push({
                disk: this.disks[this.vmDisks[vm][0]].ref,
                reason: `final snapshot not removed: ${messageOf(error)}`,
              });
            })
          : Promise.resolve();
      const removedFirst = !atLeastRelease(this.options.resolved.mtvRelease.release, '2.12');
      if (removedFirst) await removal;
      this.emit({ type: 'warm', time: this.time(), vm: this.vmName(vm), phase: 'finished', round: state?.round ?? 0 });
      this.scheduler.vmFinished(vm);
      for (const d of this.vmDisks[vm]) this.vms?.diskDone(this.disks[d].ref.name);
      if (!removedFirst) await removal;
      await this.save(vm, { ...(state ?? { round: 0 }), snapshot: undefined, finished: true });
    } catch (error) {
      this.fail(error);
    } finally {
      this.step();
    }
  }

  private failVm(vm: number, reason: string, disk?: number): void {
    this.scheduler.vmFailed(vm, disk);
    // its other copies go on in CDI, but nothing waits for them: their slots are free
    for (const d of this.vmDisks[vm]) this.scheduler.copyLeft(vm, d);
    for (const d of this.vmDisks[vm]) {
      const tracked = this.disks[d];
      if (tracked.phase === 'done' || tracked.phase === 'failed') continue;
      tracked.phase = 'failed';
      this.copies.delete(d);
      this.problems.push({ disk: tracked.ref, reason });
      this.emit({ type: 'stuck', time: this.time(), disk: tracked.ref, bytes: tracked.bytes, reason, failed: true });
    }
    this.emit({
      type: 'warm',
      time: this.time(),
      vm: this.vmName(vm),
      phase: 'failed',
      round: this.scheduler.status(vm).round,
      reason,
    });
  }

  private async save(vm: number, state: WarmVmRecord): Promise<void> {
    const ref = this.warm.refs.get(this.vmIds[vm]);
    const saved = ref ? { ...state, vm: ref.value } : state;
    this.states.set(vm, saved);
    await this.warm.record.setVm(this.vmIds[vm], saved);
  }

  private recordRun(): Promise<void> {
    return this.warm.record.setRun({
      ...(this.cutoverAt !== undefined && { cutover: new Date(this.cutoverAt).toISOString() }),
      precopyIntervalSeconds: this.warm.precopyIntervalMs / 1000,
    });
  }

  /** Seconds since the VM's cutover began (its downtime so far), when it began. */
  downtimeOf(vmName: string): number | undefined {
    for (const [vm, state] of this.states) {
      if (this.vmName(vm) === vmName && state.cutoverAt) return (this.now() - Date.parse(state.cutoverAt)) / 1000;
    }
    return undefined;
  }

  private vmName(vm: number): string {
    return this.options.dataVolumes[this.vmDisks[vm][0]].vmName;
  }

  private track(write: Promise<unknown>): void {
    this.writes.add(write);
    void write
      .catch((error) => this.fail(error))
      .finally(() => {
        this.writes.delete(write);
        this.step();
      });
  }

  private time(): string {
    return new Date(this.now()).toISOString();
  }
}

function deltasOf(disks: readonly SnapshotDisk[]): Record<string, string> {
  return Object.fromEntries(disks.filter((d) => d.changeId !== undefined).map((d) => [d.file, d.changeId ?? '']));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
