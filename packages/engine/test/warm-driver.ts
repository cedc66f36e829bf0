import { expect } from 'vitest';
import type { Workload } from '../src/model.js';
import { seededRandom } from '../src/seeded-random.js';
import { type WarmAction, WarmScheduler, type WarmSettings } from '../src/warm/warm-scheduler.js';

/** Work handed out and not yet reported back: a snapshot, a copy or a finish. */
type Outstanding = WarmAction & { at: number };

/**
 * Drives a WarmScheduler as a runner would, in an order the seed picks: each step reports one piece of outstanding
 * work done, at a random later time, then asks what to do. It keeps its own count of the slots each decision holds
 * (an oracle apart from the scheduler's counters), which the scheduler's own count must equal after each `decide`,
 * and calls `check` after every decision.
 */
export class RandomRun {
  readonly scheduler: WarmScheduler;
  now = 0;
  readonly outstanding: Outstanding[] = [];
  /** Every action, in the order handed out, with its time. */
  readonly log: Outstanding[] = [];
  /** Slots held per VM (disk mode: a snapshot holds one for its round's first disk; forklift: a VM's round charge). */
  readonly held: number[];
  private readonly random: () => number;

  constructor(
    readonly workload: Workload,
    readonly settings: WarmSettings,
    seed: number,
  ) {
    this.scheduler = new WarmScheduler(workload, settings);
    this.random = seededRandom(seed);
    this.held = workload.vms.map(() => 0);
  }

  heldOnHost(host: number): number {
    return this.workload.vms.reduce((sum, vm, v) => sum + (vm.host === host ? this.held[v] : 0), 0);
  }

  get heldInAll(): number {
    return this.held.reduce((a, b) => a + b, 0);
  }

  /** Runs to the end; `check` sees each action just after the oracle counted it. */
  run(check: (action: WarmAction, run: RandomRun) => void, maxSteps = 20_000): void {
    for (let step = 0; step < maxSteps; step++) {
      for (const action of this.scheduler.decide(this.now)) {
        this.count(action);
        this.outstanding.push({ ...action, at: this.now });
        this.log.push({ ...action, at: this.now });
        check(action, this);
      }
      expect(this.scheduler.inFlightCount, 'the scheduler counts the slots its decisions hold').toBe(this.heldInAll);
      if (this.scheduler.settled) return;
      if (this.outstanding.length === 0) {
        const wake = this.scheduler.nextWakeAt(this.now);
        expect(wake, 'nothing outstanding, nothing to wake for, and not settled').toBeDefined();
        this.now = Math.max(this.now, wake as number);
        continue;
      }
      this.now += Math.floor(this.random() * 900);
      const [done] = this.outstanding.splice(Math.floor(this.random() * this.outstanding.length), 1);
      this.complete(done);
    }
    throw new Error(`no end after ${maxSteps} steps`);
  }

  private count(action: WarmAction): void {
    const disks = this.workload.vms[action.vm].disks.length;
    if (this.settings.mode === 'forklift') {
      if (action.kind === 'snapshot') this.held[action.vm] += disks;
      return;
    }
    // disk mode: the snapshot's slot is the one its round's first copy then uses
    if (action.kind === 'snapshot' && disks > 0) this.held[action.vm]++;
    if (action.kind === 'copy' && !this.gatedCopyDue(action)) this.held[action.vm]++;
  }

  /** The copy is the first of its round: it copies in the slot its snapshot held. */
  private gatedCopyDue(copy: Extract<WarmAction, { kind: 'copy' }>): boolean {
    return !this.log.some((a) => a.kind === 'copy' && a.vm === copy.vm && a.round === copy.round);
  }

  private complete(done: Outstanding): void {
    if (done.kind === 'snapshot') this.scheduler.snapshotTaken(done.vm);
    else if (done.kind === 'copy') {
      this.held[done.vm]--;
      this.scheduler.copyDone(done.vm, done.disk, this.now, this.now - done.at);
    } else this.scheduler.vmFinished(done.vm);
  }
}
