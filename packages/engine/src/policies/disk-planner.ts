import { meanWindow } from '../metrics.js';
import type { OrderName, Workload } from '../model.js';
import { diskRanks, type Grouping } from '../ordering.js';
import { type AdoptedState, adoptState, type Caps, type Policy } from '../policy.js';
import { runSchedule } from '../run-schedule.js';
import { DiskListPolicy, type HostPick } from './disk-list.js';
import { GangPolicy, type GangSplit } from './gang.js';
import { VmCostPolicy } from './vm-cost.js';

/** A candidate way of running the workload, as the planner describes it (`simulate -o json` shows the one chosen). */
export type DiskStrategy =
  | { kind: 'list'; grouping: Grouping; hostPick: HostPick; saturation: number }
  | { kind: 'gang'; order: OrderName; saturation: number; split: GangSplit };

/** Makespans within this fraction of the best count as equal; the shorter mean transfer window then wins. */
const MAKESPAN_TOLERANCE = 0.002;
/** Slack for float noise when comparing with the controller's figures. */
const SAME = 1 + 1e-9;

/** The candidates in their ranking order: between equals, the earlier one wins. */
function candidates(order: OrderName, hosts: number): DiskStrategy[] {
  const groupings: Grouping[] = order === 'plan' ? ['disk'] : ['disk', 'vm'];
  const picks: HostPick[] = hosts > 1 ? ['rank', 'critical'] : ['rank'];
  const out: DiskStrategy[] = [];
  for (const grouping of groupings)
    for (const hostPick of picks)
      for (const saturation of [0, 1, 2, Infinity]) out.push({ kind: 'list', grouping, hostPick, saturation });
  // Whole VMs at once, in cost order and in plan order (the latter is the controller's own schedule with disk-level
  // release). A VM waits until all its disks fit, or only as many as saturate its host; what does not fit yet
  // follows first: a cold plan's disks never go past the caps the user set.
  const gangOrders: OrderName[] = order === 'plan' ? ['plan'] : [order, 'plan'];
  for (const gangOrder of gangOrders)
    for (const split of ['caps', 'host-saturation'] as GangSplit[])
      for (const saturation of [1, Infinity]) out.push({ kind: 'gang', order: gangOrder, saturation, split });
  return out;
}

/**
 * The order the candidates are simulated in, most promising first: a planner cut short by its caller's budget keeps
 * the best of those it has tried, so the first ones are those that win most often (each host filled to its
 * saturation, then twice over, then the rest).
 */
function trialOrder(list: readonly DiskStrategy[]): number[] {
  const promise = (s: DiskStrategy) =>
    s.kind === 'gang' ? 4 : (({ 1: 0, 2: 1, 0: 2 } as Record<number, number>)[s.saturation] ?? 3);
  return list.map((_, i) => i).sort((a, b) => promise(list[a]) - promise(list[b]) || a - b);
}

/** A strategy in words, e.g. `vm-grouped order, most loaded host first, hosts saturated 1x`. */
export function describeStrategy(s: DiskStrategy): string {
  const saturation =
    s.saturation === Infinity
      ? 'no saturation limit'
      : s.saturation === 0
        ? 'every disk at full rate'
        : `hosts saturated ${s.saturation}x`;
  if (s.kind === 'gang') {
    const split = s.split === 'caps' ? 'all disks together' : 'starting once enough disks to saturate the host fit';
    return `whole VMs in ${s.order === 'plan' ? 'plan' : 'cost'} order, ${split}, ${saturation}`;
  }
  const pick = s.hostPick === 'critical' ? 'most loaded host first' : 'best-ranked host first';
  return `${s.grouping === 'vm' ? 'vm-grouped' : 'disk'} order, ${pick}, ${saturation}`;
}

interface Outcome {
  makespan: number;
  window: number;
}

/**
 * `disk`'s look-ahead, one simulation at a time: first the controller's own schedule (the yardstick), then each
 * candidate strategy against the bandwidth model. `step` runs one; the caller decides how many (all of them for
 * `simulate`; `migrate` stops when its time budget is spent, between steps, so that its Lease is renewed meanwhile).
 * `choose` keeps the shortest makespan among those tried, breaking near-ties by the shorter mean transfer window;
 * where the controller is a fair yardstick (a per-host cap is set, or the plan has one host) it first keeps only
 * the candidates that beat the controller on both, when any does. Deterministic: the same steps give the same choice.
 */
export class DiskPlanner {
  private readonly ranks = new Map<Grouping, Int32Array>();
  private readonly strategies: DiskStrategy[];
  /** Indexes into `strategies` still to simulate, in trial order. */
  private readonly pending: number[];
  private readonly tried: (Outcome & { index: number })[] = [];
  private controller: Outcome | undefined;
  private readonly comparable: boolean;
  /** Simulations in all: the controller's and one per candidate. */
  readonly total: number;

  /** `adopted`: disks a re-run finds done or in flight; every simulation starts from there. */
  constructor(
    private readonly workload: Workload,
    private readonly order: OrderName,
    private readonly caps: Caps,
    private readonly adopted?: AdoptedState,
  ) {
    const hosts = new Set(workload.disks.map((d) => d.host)).size;
    this.strategies = candidates(order, hosts);
    this.pending = trialOrder(this.strategies);
    this.total = this.strategies.length + 1;
    // The controller caps hosts only: it is a fair yardstick when a per-host cap is set or there is one host.
    this.comparable = caps.perHost !== undefined || hosts === 1;
  }

  /** Simulations run so far. */
  get done(): number {
    return this.tried.length + (this.controller ? 1 : 0);
  }

  /** Runs the next simulation; false when none is left. */
  step(): boolean {
    if (!this.controller) {
      this.controller = this.simulate(new VmCostPolicy(this.workload, 'forklift', this.caps));
      return true;
    }
    const index = this.pending.shift();
    if (index === undefined) return false;
    this.tried.push({ index, ...this.simulate(this.build(this.strategies[index])) });
    return true;
  }

  /** Runs every simulation left. */
  finish(): this {
    while (this.step());
    return this;
  }

  /** The best strategy among those tried (the first candidate, untried, when none was). */
  choose(): DiskStrategy {
    if (this.tried.length === 0) return this.strategies[this.pending[0]];
    const { controller } = this;
    // in ranking order, whatever order they were simulated in: the same simulations give the same choice
    const tried = [...this.tried].sort((a, b) => a.index - b.index);
    const dominating =
      this.comparable && controller
        ? tried.filter((c) => c.makespan <= controller.makespan * SAME && c.window <= controller.window * SAME)
        : [];
    const pool = dominating.length > 0 ? dominating : tried;
    const best = Math.min(...pool.map((c) => c.makespan));
    const chosen = pool
      .filter((c) => c.makespan <= best * (1 + MAKESPAN_TOLERANCE))
      .reduce((a, b) => (b.window < a.window ? b : a));
    return this.strategies[chosen.index];
  }

  /** The policy of a strategy, on this workload and caps (not yet told what was adopted). */
  build(strategy: DiskStrategy): Policy {
    if (strategy.kind === 'gang') {
      // the disk policy costs a disk by its time alone, as the rest of that policy does
      return new GangPolicy(this.workload, strategy.order, this.caps, {
        saturation: strategy.saturation,
        split: strategy.split,
        cost: 'seconds',
      });
    }
    let ranks = this.ranks.get(strategy.grouping);
    if (!ranks) {
      ranks = diskRanks(this.workload, this.order, strategy.grouping);
      this.ranks.set(strategy.grouping, ranks);
    }
    return new DiskListPolicy(
      this.workload,
      { ranks, hostPick: strategy.hostPick, saturation: strategy.saturation },
      this.caps,
    );
  }

  private simulate(policy: Policy): Outcome {
    const timeline = runSchedule(this.workload, adoptState(policy, this.adopted), this.adopted);
    return { makespan: timeline.makespan, window: meanWindow(this.workload, timeline) };
  }
}
