import { meanWindow } from '../metrics.js';
import type { DiskStatus, OrderName, TransferPlan } from '../model.js';
import { diskRanks, type Grouping } from '../ordering.js';
import { type AdoptedState, adoptState, type Caps, type Policy } from '../policy.js';
import { runSchedule } from '../run-schedule.js';
import { DiskListPolicy, type HostPick } from './disk-list.js';
import { GangPolicy, type GangSplit } from './gang.js';
import { VmCostPolicy } from './vm-cost.js';

/** A candidate way of running the plan, as the planner describes it (`simulate -o json` shows the one chosen). */
export type DiskStrategy =
  | { kind: 'list'; grouping: Grouping; hostPick: HostPick; saturation: number }
  | { kind: 'gang'; order: OrderName; saturation: number; split: GangSplit };

/** Makespans within this fraction of the best count as equal; the shorter mean transfer window then wins. */
const MAKESPAN_TOLERANCE = 0.002;
/** Slack for float noise when comparing with the controller's figures. */
const SAME = 1 + 1e-9;

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
 * `disk`: disk granularity in disk-cost order, both caps, never exceeded. Before the first admission it looks
 * ahead: it simulates each candidate strategy against the bandwidth model (disk order or VM-grouped order; serve the
 * best-ranked or the most loaded host; keep every disk at its full rate, saturate hosts exactly, twice over or
 * without limit; or start a VM's disks together) and keeps the shortest makespan, breaking near-ties by the shorter mean transfer window. Where the
 * controller is a fair yardstick (a per-host cap is set, or the plan has one host) it first keeps only the candidates
 * that beat the controller's own schedule on both makespan and mean window, when any does. The engine is
 * deterministic, so the plan it picks is the plan it runs.
 */
export class DiskPolicy implements Policy {
  readonly strategy: DiskStrategy;
  private readonly inner: Policy;

  /** `adopted`: disks a re-run finds done or in flight; the planner simulates from there (the caller adopts them). */
  constructor(plan: TransferPlan, order: OrderName, caps: Caps, adopted?: AdoptedState) {
    const ranks = new Map<Grouping, Int32Array>();
    const build = (s: DiskStrategy): Policy => {
      if (s.kind === 'gang') return new GangPolicy(plan, s.order, caps, s.saturation, s.split);
      let r = ranks.get(s.grouping);
      if (!r) {
        r = diskRanks(plan, order, s.grouping);
        ranks.set(s.grouping, r);
      }
      return new DiskListPolicy(plan, { ranks: r, hostPick: s.hostPick, saturation: s.saturation }, caps);
    };
    const run = (policy: Policy): Outcome => {
      const timeline = runSchedule(plan, adoptState(policy, adopted), adopted);
      return { makespan: timeline.makespan, window: meanWindow(plan, timeline) };
    };
    const hosts = new Set(plan.disks.map((d) => d.host)).size;
    const controller = run(new VmCostPolicy(plan, 'forklift', caps));
    const tried = candidates(order, hosts).map((strategy) => ({ strategy, ...run(build(strategy)) }));
    // The controller caps hosts only: it is a fair yardstick when a per-host cap is set or there is one host.
    const comparable = caps.perHost !== undefined || hosts === 1;
    const dominating = tried.filter(
      (c) => comparable && c.makespan <= controller.makespan * SAME && c.window <= controller.window * SAME,
    );
    const pool = dominating.length > 0 ? dominating : tried;
    const best = Math.min(...pool.map((c) => c.makespan));
    const chosen = pool
      .filter((c) => c.makespan <= best * (1 + MAKESPAN_TOLERANCE))
      .reduce((a, b) => (b.window < a.window ? b : a));
    this.strategy = chosen.strategy;
    this.inner = build(chosen.strategy);
  }

  get queuedCount(): number {
    return this.inner.queuedCount;
  }
  admit(): number[] {
    return this.inner.admit();
  }
  finish(disk: number): void {
    this.inner.finish(disk);
  }
  adopt(disk: number): void {
    this.inner.adopt(disk);
  }
  setCaps(caps: Caps): void {
    this.inner.setCaps(caps);
  }
  status(disk: number): DiskStatus {
    return this.inner.status(disk);
  }
  queued(limit: number): number[] {
    return this.inner.queued(limit);
  }
}
