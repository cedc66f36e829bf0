/**
 * Warm migration as a state machine over VMs and copy rounds: the decisions only (which snapshot to take, which
 * disk's checkpoint to copy, which VM to finish), never the doing. The runner executes them against vCenter and the
 * cluster and tells the scheduler what happened; the simulator executes them in simulated time. Both therefore follow
 * the same rules, and `simulate` predicts a warm `migrate`. Time is a number of seconds given with each call: the
 * engine reads no clock.
 *
 * A VM's rounds follow Forklift's warm itinerary (kubev2v/forklift pkg/controller/plan/migrator/base/migrator.go
 * warmItinerary; ../docs/COMPATIBILITY.md "Warm migration"): round 1 copies the whole disk from the initial
 * snapshot; each precopy round (2, 3, …) starts `precopyIntervalSeconds` after the end of the VM's previous round
 * and copies the blocks changed since; the final round starts once the cutover time has come and the VM is not
 * copying (a cutover never interrupts a copy), with the source shut down; then the VM is finished (its final
 * snapshot removed, its VirtualMachine made). A VM without disks has no round to copy: it waits for the cutover,
 * whose final snapshot (the source shut down) is all it needs before it is finished.
 *
 * Two modes:
 * - `disk`: every disk of every round is one job holding one slot while it copies. The first job of a round holds
 *   its slot while the round's snapshot is taken (and, for the final round, while the source shuts down); the VM's
 *   other disks wait for that snapshot. Jobs are taken in classes: 0 the final round (the source is down: downtime),
 *   1 the rest of a round whose snapshot exists (it ages while it waits), 2 precopy rounds that are due, 3 the
 *   initial round of a VM not started. Within a class, the largest estimated job first; new VMs in cost order. A
 *   due precopy never takes a slot while a VM waits for its first round and no first round holds one (starvation).
 *   Neither cap (run, per host) is ever passed.
 * - `forklift`: the controller's scheduler (pkg/controller/plan/scheduler/vsphere/scheduler.go cost, MTV-1543): a
 *   VM is started in plan order when its host's cost plus the VM's disks fits under the per-host cap (or nothing
 *   runs on the host); a started VM's rounds and cutover then run whenever due, all its disks together, whatever
 *   the cap; the VM costs its unfinished disks except while paused between precopies and once finishing.
 */
import type { OrderName, Workload } from '../model.js';
import { vmOrder } from '../ordering.js';
import type { Caps } from '../policy.js';

export type WarmMode = 'disk' | 'forklift';

export interface WarmSettings {
  mode: WarmMode;
  /** `disk`: over the run and per host when set; `forklift`: per host (maxInFlight unless perHost is set). */
  caps: Caps;
  order: OrderName;
  /** Seconds from the end of a VM's round to its next precopy (Forklift's PRECOPY_INTERVAL, 60 min). */
  precopyIntervalSeconds: number;
  /** When the cutover may begin (seconds, the caller's time); undefined: not set, precopies go on. */
  cutoverAt?: number;
}

/** Where a VM is. */
export type WarmVmPhase =
  | 'queued'
  | 'snapshot'
  | 'copying'
  | 'paused'
  | 'cutting-over'
  | 'final-copy'
  | 'finishing'
  | 'done'
  | 'failed';

/** A decision for the caller to carry out. */
export type WarmAction =
  /**
   * Take the VM's snapshot for `round` (from round 2: remove the previous one first; final: shut the source down
   * first), then call `snapshotTaken` (or `vmFailed`).
   */
  | { kind: 'snapshot'; vm: number; round: number; final: boolean }
  /** Copy `disk` (a workload disk id) from the round's snapshot; then call `copyDone` (or `vmFailed`). */
  | { kind: 'copy'; vm: number; disk: number; round: number; final: boolean }
  /** Every disk of the VM has its final checkpoint: remove the final snapshot, make the VM; then `vmFinished`. */
  | { kind: 'finish'; vm: number };

/** What a re-run found of a VM (the run's state in the cluster and its DataVolumes). */
export interface WarmVmState {
  /** The VM's round (1 = initial); 0: not started. */
  round: number;
  /** The round is the final one (the source is off). */
  final: boolean;
  /** The round's snapshot exists. */
  snapshotTaken: boolean;
  /** Disks (workload ids) whose copy of this round is done. */
  copied: readonly number[];
  /** Disks whose copy of this round is in flight. */
  copying: readonly number[];
  /** When the round ended (all copied; not final): its next precopy is due interval seconds later. */
  roundEndedAt?: number;
  /** Every disk has its final checkpoint and the VM was finished (or is being finished). */
  finished?: boolean;
}

export interface WarmVmStatus {
  phase: WarmVmPhase;
  round: number;
  final: boolean;
  /** When the next precopy is due (paused), else undefined. */
  nextPrecopyAt?: number;
  /** Disks of the round copied / in flight / waiting. */
  copied: number;
  copying: number;
  waiting: number;
}

interface VmState {
  phase: WarmVmPhase;
  round: number;
  final: boolean;
  snapshotTaken: boolean;
  /** Disks still to be admitted in this round. */
  pending: number[];
  /** Disks admitted and not done (including the one holding a slot while the snapshot is taken). */
  inFlight: Set<number>;
  /** Disks of the round whose copy was decided (handed out, or waiting in `ready`); the others hold no copy. */
  decided: Set<number>;
  copied: number;
  nextPrecopyAt: number;
  /** The disk that holds a slot while the round's snapshot is taken (`disk` mode). */
  gated?: number;
}

export class WarmScheduler {
  private readonly vms: VmState[];
  /** Seconds each disk's last copy took (its next delta's estimate), -1 = none yet. */
  private readonly lastSeconds: Float64Array;
  private readonly vmRank: Int32Array;
  private inFlight = 0;
  private readonly hostInFlight: number[];
  /** Copy actions decided by an event (a snapshot taken) for the next `decide`. */
  private readonly ready: WarmAction[] = [];

  constructor(
    private readonly workload: Workload,
    private settings: WarmSettings,
  ) {
    // a VM without disks has nothing to copy before the cutover: its round 1 is over before it starts
    this.vms = workload.vms.map((vm) => ({
      phase: vm.disks.length === 0 ? 'paused' : 'queued',
      round: vm.disks.length === 0 ? 1 : 0,
      final: false,
      snapshotTaken: false,
      pending: [],
      inFlight: new Set<number>(),
      decided: new Set<number>(),
      copied: 0,
      nextPrecopyAt: Infinity,
    }));
    this.lastSeconds = new Float64Array(workload.disks.length).fill(-1);
    this.hostInFlight = workload.hosts.map(() => 0);
    this.vmRank = new Int32Array(workload.vms.length);
    vmOrder(workload, settings.mode === 'forklift' ? 'plan' : settings.order).forEach((v, r) => {
      this.vmRank[v] = r;
    });
  }

  get cutoverAt(): number | undefined {
    return this.settings.cutoverAt;
  }

  setCutover(at: number | undefined): void {
    this.settings = { ...this.settings, cutoverAt: at };
  }

  setCaps(caps: Caps): void {
    this.settings = { ...this.settings, caps };
  }

  /** A re-run's VM as the cluster holds it; call before the first `decide`. */
  adopt(vm: number, state: WarmVmState): void {
    const s = this.vms[vm];
    if (state.round === 0) return;
    const disks = this.workload.vms[vm].disks;
    s.round = state.round;
    s.final = state.final;
    s.snapshotTaken = state.snapshotTaken;
    if (state.finished) {
      s.phase = 'done';
      return;
    }
    const copied = new Set(state.copied);
    const copying = new Set(state.copying);
    s.copied = copied.size;
    if (copied.size === disks.length) {
      if (s.final) {
        s.phase = 'finishing';
        this.ready.push({ kind: 'finish', vm });
      } else {
        s.phase = 'paused';
        s.nextPrecopyAt = (state.roundEndedAt ?? 0) + this.settings.precopyIntervalSeconds;
      }
      return;
    }
    for (const d of copying) {
      this.charge(vm, d);
      s.decided.add(d);
    }
    s.pending = disks.filter((d) => !copied.has(d) && !copying.has(d));
    if (this.settings.mode === 'forklift') {
      // the controller charges a started VM all its unfinished disks, and copies them together
      for (const d of s.pending) this.charge(vm, d);
      s.phase = s.final ? 'cutting-over' : 'snapshot';
      if (!s.snapshotTaken) this.ready.push({ kind: 'snapshot', vm, round: s.round, final: s.final });
      else this.snapshotTaken(vm);
      return;
    }
    if (!s.snapshotTaken) {
      // the snapshot is taken again (or found) before any copy: one disk holds the slot meanwhile
      const gated = s.pending.shift() ?? disks[0];
      if (!copying.has(gated)) this.charge(vm, gated);
      s.gated = gated;
      s.phase = s.final ? 'cutting-over' : 'snapshot';
      this.ready.push({ kind: 'snapshot', vm, round: s.round, final: s.final });
      return;
    }
    s.phase = s.final ? 'final-copy' : 'copying';
  }

  /** The round's snapshot exists (and, final, the source is off): the held disk copies, the others may follow. */
  snapshotTaken(vm: number): void {
    const s = this.vms[vm];
    if (s.phase !== 'snapshot' && s.phase !== 'cutting-over') return;
    s.snapshotTaken = true;
    s.phase = s.final ? 'final-copy' : 'copying';
    if (s.gated !== undefined) {
      this.ready.push(this.copy(vm, s.gated));
      s.gated = undefined;
    }
    if (this.settings.mode === 'forklift') this.startAll(vm);
    if (this.workload.vms[vm].disks.length === 0) this.roundCopied(vm, Infinity);
  }

  /** A disk's copy of the round is done, after `seconds`. */
  copyDone(vm: number, disk: number, now: number, seconds: number): void {
    const s = this.vms[vm];
    if (!s.inFlight.has(disk)) return;
    this.release(vm, disk);
    if (Number.isFinite(seconds) && seconds >= 0) this.lastSeconds[disk] = seconds;
    if (s.phase === 'failed') return;
    s.copied++;
    if (s.copied === this.workload.vms[vm].disks.length) this.roundCopied(vm, now);
  }

  /**
   * The VM cannot go on (a snapshot, a shutdown or a copy failed): nothing more is decided for it. Decisions not yet
   * handed out are withdrawn, and every slot it holds without a copy in flight is free at once (the disk held for a
   * snapshot; in `forklift`, the whole round charged at the snapshot); a copy in flight frees its slot when it ends
   * (`copyDone`, `copyLeft`).
   */
  vmFailed(vm: number, disk?: number): void {
    const s = this.vms[vm];
    if (disk !== undefined && s.inFlight.has(disk)) this.release(vm, disk);
    for (let i = this.ready.length - 1; i >= 0; i--) {
      const action = this.ready[i];
      if (action.vm !== vm) continue;
      this.ready.splice(i, 1);
      if (action.kind === 'copy') s.decided.delete(action.disk);
    }
    for (const d of [...s.inFlight]) if (!s.decided.has(d)) this.release(vm, d);
    s.gated = undefined;
    s.pending = [];
    s.phase = 'failed';
  }

  /** A disk's copy left flight without failing its VM (the run stopped): its slot is free. */
  copyLeft(vm: number, disk: number): void {
    if (this.vms[vm].inFlight.has(disk)) this.release(vm, disk);
  }

  /** The VM was made: it is done. */
  vmFinished(vm: number): void {
    const s = this.vms[vm];
    if (s.phase === 'finishing') s.phase = 'done';
  }

  /** What to do at `now`, in order. */
  decide(now: number): WarmAction[] {
    const actions = this.ready.splice(0);
    const cutover = this.settings.cutoverAt !== undefined && this.settings.cutoverAt <= now;
    // paused VMs whose next round is due: the final one at the cutover, else a precopy
    for (let vm = 0; vm < this.vms.length; vm++) {
      const s = this.vms[vm];
      if (s.phase !== 'paused' || !(cutover || s.nextPrecopyAt <= now)) continue;
      this.nextRound(vm, cutover);
      if (this.settings.mode === 'forklift' || this.workload.vms[vm].disks.length === 0) {
        // a started VM's rounds run whenever due, all its disks together, whatever the cap (a VM without disks
        // holds no slot)
        this.gate(vm, actions);
      }
    }
    // a precopy that came due but has not started (no disk admitted, no snapshot) becomes the final round at the
    // cutover: copying it first would only delay the cutover
    if (cutover && this.settings.mode === 'disk') {
      for (const s of this.vms) {
        if (s.phase === 'copying' && !s.final && !s.snapshotTaken && s.round > 1 && s.inFlight.size === 0)
          s.final = true;
      }
    }
    if (this.settings.mode === 'forklift') this.admitForklift(actions);
    else this.admitDisks(actions);
    return actions;
  }

  /** The earliest time a `decide` may have something new to do besides events (a precopy or the cutover due). */
  nextWakeAt(now: number): number | undefined {
    let at = Infinity;
    const cutoverAt = this.settings.cutoverAt;
    for (const s of this.vms) {
      if (s.phase !== 'paused') continue;
      at = Math.min(at, s.nextPrecopyAt);
      if (cutoverAt !== undefined) at = Math.min(at, Math.max(cutoverAt, now));
    }
    return Number.isFinite(at) ? at : undefined;
  }

  /** Every VM is done or failed. */
  get settled(): boolean {
    return this.vms.every((s) => s.phase === 'done' || s.phase === 'failed');
  }

  /** Copies in flight (slots held, including those held while a snapshot is taken). */
  get inFlightCount(): number {
    return this.inFlight;
  }

  status(vm: number): WarmVmStatus {
    const s = this.vms[vm];
    return {
      phase: s.phase,
      round: s.round,
      final: s.final,
      ...(s.phase === 'paused' && { nextPrecopyAt: s.nextPrecopyAt }),
      copied: s.copied,
      copying: s.inFlight.size,
      waiting: s.phase === 'queued' ? this.workload.vms[vm].disks.length : s.pending.length,
    };
  }

  /** Every disk of the round is copied, at `now`: the VM is finished (final) or paused until its next precopy. */
  private roundCopied(vm: number, now: number): void {
    const s = this.vms[vm];
    if (s.final) {
      s.phase = 'finishing';
      this.ready.push({ kind: 'finish', vm });
    } else {
      s.phase = 'paused';
      s.nextPrecopyAt = now + this.settings.precopyIntervalSeconds;
    }
  }

  private nextRound(vm: number, final: boolean): void {
    const s = this.vms[vm];
    s.round++;
    s.final = final;
    s.snapshotTaken = false;
    s.copied = 0;
    s.decided.clear();
    s.nextPrecopyAt = Infinity;
    s.pending = [...this.workload.vms[vm].disks];
    s.phase = 'copying';
  }

  /** `forklift`: the round's snapshot is taken with all of the VM's disks charged. */
  private gate(vm: number, actions: WarmAction[]): void {
    const s = this.vms[vm];
    for (const d of s.pending) this.charge(vm, d);
    s.gated = undefined;
    s.phase = s.final ? 'cutting-over' : 'snapshot';
    actions.push({ kind: 'snapshot', vm, round: s.round, final: s.final });
  }

  /** `forklift`: every pending disk of the VM copies now (they were charged at the snapshot). */
  private startAll(vm: number): void {
    const s = this.vms[vm];
    for (const d of s.pending) this.ready.push(this.copy(vm, d));
    s.pending = [];
  }

  private admitForklift(actions: WarmAction[]): void {
    const cap = this.settings.caps.perHost ?? this.settings.caps.maxInFlight;
    const queued = this.vms
      .map((_, v) => v)
      .filter((v) => this.vms[v].phase === 'queued')
      .sort((a, b) => this.vmRank[a] - this.vmRank[b]);
    for (const vm of queued) {
      const { host, disks } = this.workload.vms[vm];
      const held = this.hostInFlight[host];
      if (held > 0 && held + disks.length > cap) continue;
      this.nextRound(vm, false);
      this.gate(vm, actions);
    }
  }

  private admitDisks(actions: WarmAction[]): void {
    for (;;) {
      const pick = this.bestJob();
      if (pick === undefined) return;
      const [vm, disk] = pick;
      const s = this.vms[vm];
      if (s.phase === 'queued') this.nextRound(vm, false);
      s.pending.splice(s.pending.indexOf(disk), 1);
      this.charge(vm, disk);
      if (s.snapshotTaken) {
        actions.push(this.copy(vm, disk));
      } else {
        s.gated = disk;
        s.phase = s.final ? 'cutting-over' : 'snapshot';
        actions.push({ kind: 'snapshot', vm, round: s.round, final: s.final });
      }
    }
  }

  /**
   * A VM waits for its first round, its host has room, and no first round holds a slot: then a due precopy must not
   * take the slot. Under a small cap, precopies due every interval would otherwise keep every slot and starve the
   * first rounds for ever (and the default cutover, which waits for every VM's first round, would never come); this
   * way at least one first round is always under way while any waits.
   */
  private initialsStarved(): boolean {
    const { perHost } = this.settings.caps;
    let waiting = false;
    for (let vm = 0; vm < this.vms.length; vm++) {
      const s = this.vms[vm];
      if (s.round === 1 && !s.final && s.inFlight.size > 0) return false;
      if (s.phase === 'queued' && (perHost === undefined || this.hostInFlight[this.workload.vms[vm].host] < perHost))
        waiting = true;
    }
    return waiting;
  }

  /** The next job under the caps: the lowest class, then the largest estimate (new VMs in cost order). */
  private bestJob(): [number, number] | undefined {
    const { maxInFlight, perHost } = this.settings.caps;
    if (this.inFlight >= maxInFlight) return undefined;
    const initialsWait = this.initialsStarved();
    let best: [number, number] | undefined;
    let bestKey: [number, number, number] = [Infinity, 0, 0];
    for (let vm = 0; vm < this.vms.length; vm++) {
      const s = this.vms[vm];
      const host = this.workload.vms[vm].host;
      if (perHost !== undefined && this.hostInFlight[host] >= perHost) continue;
      let klass: number;
      let candidates: number[];
      if (s.phase === 'queued') {
        klass = 3;
        candidates = this.workload.vms[vm].disks;
      } else if (s.phase === 'copying' || s.phase === 'final-copy') {
        if (s.pending.length === 0) continue;
        klass = s.final ? 0 : s.snapshotTaken ? 1 : 2;
        if (klass === 2 && initialsWait) continue;
        candidates = s.pending;
      } else continue;
      for (const d of candidates) {
        // new VMs: by VM cost order (rank), then the VM's largest disk; others: the largest estimate
        const size = this.estimate(d);
        const key: [number, number, number] = klass === 3 ? [klass, this.vmRank[vm], -size] : [klass, -size, vm];
        if (
          key[0] < bestKey[0] ||
          (key[0] === bestKey[0] && (key[1] < bestKey[1] || (key[1] === bestKey[1] && key[2] < bestKey[2])))
        ) {
          best = [vm, d];
          bestKey = key;
        }
      }
    }
    return best;
  }

  /** A disk's expected copy: seconds of its last copy when known, else its size at its rate. */
  private estimate(disk: number): number {
    const last = this.lastSeconds[disk];
    const d = this.workload.disks[disk];
    return last >= 0 ? last : d.bytes / d.rate;
  }

  private copy(vm: number, disk: number): WarmAction {
    const s = this.vms[vm];
    s.decided.add(disk);
    return { kind: 'copy', vm, disk, round: s.round, final: s.final };
  }

  private charge(vm: number, disk: number): void {
    const s = this.vms[vm];
    if (s.inFlight.has(disk)) return;
    s.inFlight.add(disk);
    this.inFlight++;
    this.hostInFlight[this.workload.vms[vm].host]++;
  }

  private release(vm: number, disk: number): void {
    const s = this.vms[vm];
    if (!s.inFlight.delete(disk)) return;
    this.inFlight--;
    this.hostInFlight[this.workload.vms[vm].host]--;
  }
}
