import { meanWindow } from '../metrics.js';
import { DEFAULT_OBJECTIVE, type ObjectiveName, type OrderName, type Workload } from '../model.js';
import { diskRanks, type Grouping } from '../ordering.js';
import { type AdoptedState, adoptState, type Caps, type Policy } from '../policy.js';
import { runSchedule } from '../run-schedule.js';
import { seededRandom } from '../seeded-random.js';
import { DiskListPolicy, type HostPick } from './disk-list.js';
import { GangPolicy, type GangSplit } from './gang.js';
import { VmCostPolicy } from './vm-cost.js';

/** A candidate way of running the workload, as the planner describes it (`simulate -o json` shows the one chosen). */
export type DiskStrategy =
  | {
      kind: 'list';
      grouping: Grouping;
      hostPick: HostPick;
      saturation: number;
      /** Per host index, a saturation that replaces `saturation` there (the makespan objective's refinement). */
      hostSaturation?: readonly number[];
      /** Per host index, how much sooner its disks come in the order (the makespan objective's refinement). */
      hostBoost?: readonly number[];
      /** A perturbed disk order: each disk's cost scaled by seeded noise (the makespan objective's refinement). */
      perturbation?: number;
    }
  | { kind: 'gang'; order: OrderName; saturation: number; split: GangSplit };

/** Makespans within this fraction of the best count as equal; the shorter mean transfer window then wins. */
const MAKESPAN_TOLERANCE = 0.002;
/** Slack for float noise when comparing with the controller's figures. */
const SAME = 1 + 1e-9;
/** The saturations a host may take in the makespan objective's refinement. */
const SATURATIONS = [0, 1, 2, Infinity];
/** The makespan objective refines the saturation of at most this many hosts, the most loaded first. */
const REFINED_HOSTS = 8;
/** A refinement step is kept only when it shortens the makespan by more than this fraction. */
const REFINE_GAIN = 1e-6;
/**
 * The refinement's size, in disks simulated: a plan of n disks gets at most this / n refinement steps, so that
 * `simulate` of a 100k-disk plan does not run five times as many simulations (10k disks: 25 steps; bench plans: all).
 */
const REFINE_DISKS = 250_000;
/** How much sooner the refinement brings a host's disks: its disks' ranks divided by these. */
const BOOSTS = [1.5, 3];
/** Perturbed disk orders the makespan objective tries (seeds 1 to this), and how far the noise scales a cost. */
const PERTURBATIONS = 32;
const NOISE = 0.6;

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

function saturationWords(saturation: number, subject: string): string {
  if (saturation === Infinity) return `${subject === 'hosts' ? 'no' : `${subject} no`} saturation limit`;
  if (saturation === 0) return `${subject === 'hosts' ? 'every disk' : `${subject}'s disks`} at full rate`;
  return `${subject} saturated ${saturation}x`;
}

/**
 * A strategy in words, e.g. `vm-grouped order, most loaded host first, hosts saturated 1x`; a refined one names the
 * hosts whose saturation differs (by `hostNames`, else by index).
 */
export function describeStrategy(s: DiskStrategy, hostNames?: readonly string[]): string {
  const saturation = saturationWords(s.saturation, 'hosts');
  if (s.kind === 'gang') {
    const split = s.split === 'caps' ? 'all disks together' : 'starting once enough disks to saturate the host fit';
    return `whole VMs in ${s.order === 'plan' ? 'plan' : 'cost'} order, ${split}, ${saturation}`;
  }
  const pick = s.hostPick === 'critical' ? 'most loaded host first' : 'best-ranked host first';
  const refined = (s.hostSaturation ?? [])
    .map((x, h) => (x === s.saturation ? '' : saturationWords(x, hostNames?.[h] ?? `host ${h}`)))
    .filter((w) => w !== '');
  const but = refined.length > 0 ? ` but ${refined.join(', ')}` : '';
  const order =
    s.perturbation !== undefined
      ? `disk order perturbed (seed ${s.perturbation})`
      : `${s.grouping === 'vm' ? 'vm-grouped' : 'disk'} order`;
  const boosts = (s.hostBoost ?? [])
    .map((b, h) => (b === 1 ? '' : `${hostNames?.[h] ?? `host ${h}`} ${b}x sooner`))
    .filter((w) => w !== '');
  const sooner = boosts.length > 0 ? ` (${boosts.join(', ')})` : '';
  return `${order}${sooner}, ${pick}, ${saturation}${but}`;
}

/** One step of the makespan objective's refinement: a perturbed order, or one host's saturation or boost changed. */
type Refinement = { host: number; saturation: number } | { host: number; boost: number } | { perturbation: number };

/**
 * The makespan objective's refinement steps, in order: PERTURBATIONS perturbed disk orders (none in plan order); then
 * each saturation, then each boost, for each of the most loaded hosts with a bandwidth (by bytes over bandwidth) when
 * there are two such hosts or more (with one, the candidates already try each saturation); the first REFINE_DISKS / n
 * of them for a plan of n disks.
 */
function refinementsOf(workload: Workload, order: OrderName): Refinement[] {
  const perturbations: Refinement[] =
    order === 'plan' ? [] : Array.from({ length: PERTURBATIONS }, (_, i) => ({ perturbation: i + 1 }));
  const load = workload.hosts.map(() => 0);
  for (const d of workload.disks) load[d.host] += d.bytes;
  const hosts = workload.hosts
    .map((h, i) => ({ i, load: load[i] / h.bandwidth }))
    .filter((h) => Number.isFinite(h.load) && h.load > 0)
    .sort((a, b) => b.load - a.load || a.i - b.i)
    .slice(0, REFINED_HOSTS);
  const steps = [
    ...perturbations,
    ...(hosts.length < 2 ? [] : hosts.flatMap((h) => SATURATIONS.map((saturation) => ({ host: h.i, saturation })))),
    ...(hosts.length < 2 ? [] : hosts.flatMap((h) => BOOSTS.map((boost) => ({ host: h.i, boost })))),
  ];
  return steps.slice(0, Math.floor(REFINE_DISKS / Math.max(1, workload.disks.length)));
}

/** Disk order with each disk's cost (its seconds alone) scaled by seeded noise of +-NOISE/2. */
function perturbed(workload: Workload, order: OrderName, seed: number): Int32Array {
  const random = seededRandom(seed);
  const sign = order === 'smallest' ? 1 : -1;
  const key = workload.disks.map((d) => (sign * d.bytes * (1 + NOISE * random() * (random() - 0.5))) / d.rate);
  const sequence = workload.disks.map((d) => d.id).sort((a, b) => key[a] - key[b] || a - b);
  const out = new Int32Array(workload.disks.length);
  sequence.forEach((d, r) => {
    out[d] = r;
  });
  return out;
}

/** Ranks with each host's disks brought forward: a disk's key is its rank over its host's boost. */
function boosted(workload: Workload, ranks: Int32Array, boost: readonly number[]): Int32Array {
  const key = (d: number) => (ranks[d] + 1) / boost[workload.disks[d].host];
  const sequence = workload.disks.map((d) => d.id).sort((a, b) => key(a) - key(b) || ranks[a] - ranks[b]);
  const out = new Int32Array(ranks.length);
  sequence.forEach((d, r) => {
    out[d] = r;
  });
  return out;
}

interface Outcome {
  makespan: number;
  window: number;
}

/**
 * `disk`'s look-ahead, one simulation at a time: first the controller's own schedule (the yardstick), then each
 * candidate strategy against the bandwidth model. `step` runs one; the caller decides how many (all of them for
 * `simulate`; `migrate` stops when its time budget is spent, between steps, so that its Lease is renewed meanwhile).
 * Under the `makespan` objective, once every candidate is tried, refinement steps follow (see `refine`).
 * `choose` keeps the shortest makespan among those tried, breaking near-ties by the shorter mean transfer window;
 * under the `downtime` objective, where the controller is a fair yardstick (a per-host cap is set, or the plan has
 * one host), it first keeps only the candidates that beat the controller on both, when any does. Deterministic: the
 * same steps give the same choice.
 */
export class DiskPlanner {
  private readonly ranks = new Map<Grouping, Int32Array>();
  private readonly strategies: DiskStrategy[];
  /** Indexes into `strategies` still to simulate, in trial order. */
  private readonly pending: number[];
  private readonly tried: (Outcome & { index: number })[] = [];
  private controller: Outcome | undefined;
  private readonly comparable: boolean;
  /** The makespan objective's refinement: (host, saturation) pairs still to try on the best list strategy. */
  private readonly refinements: Refinement[] = [];
  /** Index into `strategies` of the list strategy being refined (set when refinement starts). */
  private refineBase: number | undefined;
  private steps = 0;
  /** Simulations in all: the controller's, one per candidate and one per refinement. */
  readonly total: number;

  /** `adopted`: disks a re-run finds done or in flight; every simulation starts from there. */
  constructor(
    private readonly workload: Workload,
    private readonly order: OrderName,
    private readonly caps: Caps,
    private readonly adopted?: AdoptedState,
    private readonly objective: ObjectiveName = DEFAULT_OBJECTIVE,
  ) {
    const hosts = new Set(workload.disks.map((d) => d.host)).size;
    this.strategies = candidates(order, hosts);
    this.pending = trialOrder(this.strategies);
    if (objective === 'makespan') this.refinements = refinementsOf(workload, order);
    this.total = this.strategies.length + 1 + this.refinements.length;
    // The controller caps hosts only: it is a fair yardstick when a per-host cap is set or there is one host.
    this.comparable = caps.perHost !== undefined || hosts === 1;
  }

  /** Simulations run so far. */
  get done(): number {
    return this.steps;
  }

  /** Runs the next simulation; false when none is left. */
  step(): boolean {
    if (!this.controller) {
      this.controller = this.simulate(new VmCostPolicy(this.workload, 'forklift', this.caps));
    } else {
      const index = this.pending.shift();
      if (index !== undefined) this.tried.push({ index, ...this.simulate(this.build(this.strategies[index])) });
      else if (!this.refine()) return false;
    }
    this.steps++;
    return true;
  }

  /**
   * One step of the makespan objective's refinement, once every candidate is tried (false when none is left): the
   * best list strategy so far (the base) changed in one way, kept as the new base when it ends sooner. A perturbed
   * disk order escapes the plain longest-first packing when disks of mixed rates pack badly into the cap; one host's
   * saturation changed fits hosts of different loads (one holding a long disk keeps it at full rate, one of many
   * short disks is best saturated); one host's disks brought sooner feeds the host the plan's end waits for.
   */
  private refine(): boolean {
    const next = this.refinements.shift();
    if (next === undefined) return false;
    const outcome = (i: number) => this.tried.find((t) => t.index === i) as Outcome;
    if (this.refineBase === undefined) {
      const lists = this.tried.filter((t) => this.strategies[t.index].kind === 'list');
      const best = lists.reduce((a, b) =>
        b.makespan < a.makespan || (b.makespan === a.makespan && b.index < a.index) ? b : a,
      );
      this.refineBase = best.index;
    }
    const base = this.strategies[this.refineBase] as Extract<DiskStrategy, { kind: 'list' }>;
    let variant: DiskStrategy;
    if ('saturation' in next) {
      const hostSaturation = [...(base.hostSaturation ?? this.workload.hosts.map(() => base.saturation))];
      if (hostSaturation[next.host] === next.saturation) return true;
      hostSaturation[next.host] = next.saturation;
      variant = { ...base, hostSaturation };
    } else if ('perturbation' in next) {
      variant = { ...base, grouping: 'disk', hostBoost: undefined, perturbation: next.perturbation };
    } else {
      const hostBoost = [...(base.hostBoost ?? this.workload.hosts.map(() => 1))];
      hostBoost[next.host] *= next.boost;
      variant = { ...base, hostBoost };
    }
    const index = this.strategies.push(variant) - 1;
    const tried = { index, ...this.simulate(this.build(this.strategies[index])) };
    this.tried.push(tried);
    if (tried.makespan < outcome(this.refineBase).makespan * (1 - REFINE_GAIN)) this.refineBase = index;
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
      this.objective === 'downtime' && this.comparable && controller
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
    if (strategy.perturbation !== undefined) ranks = perturbed(this.workload, this.order, strategy.perturbation);
    if (strategy.hostBoost) ranks = boosted(this.workload, ranks, strategy.hostBoost);
    return new DiskListPolicy(
      this.workload,
      { ranks, hostPick: strategy.hostPick, saturation: strategy.saturation, hostSaturation: strategy.hostSaturation },
      this.caps,
    );
  }

  private simulate(policy: Policy): Outcome {
    const timeline = runSchedule(this.workload, adoptState(policy, this.adopted), this.adopted);
    return { makespan: timeline.makespan, window: meanWindow(this.workload, timeline) };
  }
}
