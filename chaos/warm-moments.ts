/**
 * Where the warm part's kills land: for each phase of a warm VM, how its moment is drawn from the seed, and the kill
 * itself, made when the moment comes while a VM is in the phase (read from the record and the cluster by WarmWatch).
 */

import { DATAVOLUMES, type KubeObject, VIRTUALMACHINES } from '@kubectl-mtv/sandbox';
import type { RunEvent } from '../src/runner/run-events.js';
import { sleep } from './context.js';
import type { PluginRun } from './plugin.js';
import type { VmPhase, WarmPhase, WarmWatch } from './warm-watch.js';

/** How long one run may take to reach its kill moment before the harness kills it anyway (a missed moment). */
const MOMENT_TIMEOUT_MS = 60_000;
/** How long a run may take to print the event a phase's delay starts from; then the delay starts from the phase. */
const EVENT_WAIT_MS = 20_000;
/** The share of kills that land in the write that begins their phase. */
const IN_WRITE_SHARE = 0.35;

export interface Shape {
  vms: number;
  speed: number;
  /** --precopy-interval, seconds. */
  interval: number;
}

/**
 * How a phase's kill moment is drawn when it is not the write that begins the phase: a delay of up to `delayMs` after
 * an event the run printed (`after`) or after the phase began, each shorter than the phase lasts (a snapshot's task
 * is polled every second, the shutdown every two); or, for a phase too brief for a delay (a delta copy, a VM's
 * creation: tens of ms at the sandbox's speed), the 1st to `writes`-th write made in it after the one that began it.
 */
type PhaseMoment =
  | { after?: (events: readonly RunEvent[], nth: number) => boolean; delayMs: (shape: Shape) => number }
  | { writes: number };

const countOf = (events: readonly RunEvent[], test: (e: RunEvent) => boolean) => events.filter(test).length;

const MOMENTS: Record<WarmPhase, PhaseMoment> = {
  'initial snapshot': { delayMs: () => 800 },
  'initial copy': {
    after: (events, nth) => countOf(events, (e) => e.type === 'started' && e.round === 1) >= nth,
    delayMs: () => 600,
  },
  paused: {
    after: (events) => events.some((e) => e.type === 'warm' && e.phase === 'paused'),
    delayMs: (shape) => shape.interval * 800,
  },
  'precopy snapshot': { delayMs: () => 1500 },
  'precopy copy': { writes: 3 },
  cutover: { after: (events) => events.some((e) => e.type === 'warm' && e.phase === 'cutover'), delayMs: () => 1000 },
  'final snapshot': { delayMs: () => 1500 },
  'final copy': { writes: 3 },
  'final snapshot removal': {
    after: (events) => events.some((e) => e.type === 'finished'),
    delayMs: () => 600,
  },
  'VM creation': { writes: 3 },
};

/** A drawn kill moment. */
interface Moment {
  inWrite: boolean;
  /** ms, for a delay. */
  delayMs: number;
  /** For the initial copy: after this many `started` events of round 1. */
  nth: number;
  /** For a brief phase: in this write made in it, after the one that began it. */
  writes: number;
}

/** Draws a phase's moment: always four draws, so that a phase's draws do not depend on another's kind. */
export function drawMoment(random: () => number, phase: WarmPhase, shape: Shape): Moment {
  const spec = MOMENTS[phase];
  const [inWrite, delay, nth, writes] = [random(), random(), random(), random()];
  return {
    inWrite: inWrite < IN_WRITE_SHARE,
    delayMs: 'delayMs' in spec ? Math.round(delay * spec.delayMs(shape)) : 0,
    nth: 1 + Math.floor(nth * Math.ceil(shape.vms / 2)),
    writes: 'writes' in spec ? 1 + Math.floor(writes * spec.writes) : 0,
  };
}

export type MomentKind = 'write' | 'delay' | 'writes' | 'deadline';

/** A kill as it landed. */
export interface Kill {
  phase: WarmPhase;
  run: number;
  /** Which kind of moment it was: a write's callback, a drawn delay, a count of writes, or the deadline. */
  kind: MomentKind;
  how: string;
  /** Seconds from the run's start. */
  at: number;
  phases: Map<string, VmPhase>;
  snapshots: Map<string, number>;
  hit: boolean;
}

/** A committed write, as the sandbox store tells its subscribers. */
interface StoreWrite {
  resource: string;
  object: KubeObject;
}

/** The writes a VM's phase is read from: the warm record, the DataVolumes and PVCs, the VirtualMachines. */
function shapesPhase(event: StoreWrite, watch: WarmWatch): boolean {
  if (event.resource === 'configmaps') return isRecord(event, watch);
  return [DATAVOLUMES, 'persistentvolumeclaims', VIRTUALMACHINES].includes(event.resource);
}

/** A write of the plan's warm record: only the runner writes it. */
function isRecord(event: StoreWrite, watch: WarmWatch): boolean {
  return event.resource === 'configmaps' && event.object.metadata.name === watch.recordName;
}

/**
 * Kills the run at its drawn moment in `phase`; undefined when the run ended first. In the write: inside the store's
 * callback for the write after which a VM is in the phase that was not before (or, when a VM was in it before the run
 * began, the run's first record write), so the runner never has the answer. Otherwise the drawn count of writes, or
 * the drawn delay from the phase's event (from the run's first record write when the phase was under way before it,
 * as its event may never come then; from the phase begun when the event is late), then as soon as a VM is in the
 * phase.
 */
export async function killIn(
  run: PluginRun,
  phase: WarmPhase,
  moment: Moment,
  watch: WarmWatch,
  runNumber: number,
): Promise<Kill | undefined> {
  const began = performance.now();
  const deadline = Date.now() + MOMENT_TIMEOUT_MS;
  const vms = () => vmsIn(watch.phases(), phase);
  const ended = () => run.child.exitCode !== null || run.child.signalCode !== null;
  let landed: Kill | undefined;
  const kill = (kind: MomentKind, how: string) => {
    if (landed || ended()) return true;
    const phases = watch.phases();
    landed = {
      phase,
      run: runNumber,
      kind,
      how,
      at: (performance.now() - began) / 1000,
      phases,
      snapshots: watch.snapshotCounts(),
      hit: [...phases.values()].includes(phase),
    };
    run.kill9();
    return true;
  };
  const spec = MOMENTS[phase];
  let reached: boolean;
  if (moment.inWrite) {
    const atStart = new Set(vms());
    let before = atStart;
    reached = await onWrite(run, watch, deadline, (event) => {
      const now = vms();
      const fresh = now.some((vm) => !before.has(vm));
      before = new Set(now);
      if (fresh) return kill('write', 'in the write that began it');
      // under way before this run: the runner's first record write (a write of its own, unlike a DataVolume's status)
      const first = atStart.size > 0 && now.length > 0 && isRecord(event, watch);
      return first && kill('write', "in this run's first record write (it was under way)");
    });
  } else if ('writes' in spec) {
    // the write that began the phase counts as its first: a brief phase (a VM made and ready at once) may hold no other
    let count = 0;
    reached = await onWrite(
      run,
      watch,
      deadline,
      () =>
        vms().length > 0 &&
        ++count >= moment.writes &&
        kill('writes', `in the ${ordinal(moment.writes)} write made in it`),
    );
  } else {
    let anchor = 'it began';
    if (vms().length > 0) {
      // under way before this run (an earlier one began it, and its event may never come): from this run's first
      // record write, when the warm loop has begun
      await onWrite(run, watch, deadline, (event) => isRecord(event, watch));
      anchor = "this run's first record write (it was under way)";
    } else if (spec.after && (await run.waitFor((events) => spec.after?.(events, moment.nth) ?? true, EVENT_WAIT_MS))) {
      anchor = 'its event';
    } else if (vms().length === 0) await onWrite(run, watch, deadline, () => vms().length > 0);
    if (ended()) return undefined;
    await sleep(moment.delayMs);
    const how = `${moment.delayMs} ms after ${anchor}`;
    reached =
      (vms().length > 0 && kill('delay', how)) ||
      (await onWrite(run, watch, deadline, () => vms().length > 0 && kill('delay', how)));
  }
  if (ended() && !landed) return undefined;
  if (!reached) kill('deadline', 'at the deadline: the drawn moment never came');
  return landed;
}

/**
 * Calls `test` in the store's callback of every write a VM's phase is read from, until it returns true (resolves true)
 * or the run ends or the deadline passes (false).
 */
function onWrite(
  run: PluginRun,
  watch: WarmWatch,
  deadline: number,
  test: (event: StoreWrite) => boolean,
): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    let settled = false;
    const finish = (value: boolean) => {
      if (settled) return;
      settled = true;
      unsubscribe();
      clearTimeout(timer);
      resolve(value);
    };
    const unsubscribe = watch.cluster.sandbox.store.subscribe((event) => {
      if (!settled && shapesPhase(event, watch) && test(event)) finish(true);
    });
    const timer = setTimeout(() => finish(false), Math.max(0, deadline - Date.now()));
    void run.done.then(() => finish(false));
  });
}

function ordinal(n: number): string {
  return n === 1 ? '1st' : n === 2 ? '2nd' : n === 3 ? '3rd' : `${n}th`;
}

function vmsIn(phases: ReadonlyMap<string, VmPhase>, phase: WarmPhase): string[] {
  return [...phases].filter(([, p]) => p === phase).map(([vm]) => vm);
}
