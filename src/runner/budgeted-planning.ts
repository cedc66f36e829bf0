/**
 * The engine's policy for a run, planned without stalling the run's process: `disk` looks ahead by simulating candidate
 * strategies (the engine's DiskPlanner, one simulation a step); here they run one at a time with a yield to the event
 * loop between them, so that the Lease is renewed and watch events are read while it plans, until all are done, the
 * time budget is spent, or the run stops. The best strategy of those simulated wins.
 */
import {
  type AdoptedState,
  type Caps,
  createPolicy,
  describeStrategy,
  diskPlannerFor,
  type Policy,
  policyFromPlanner,
  type SchedulerOptions,
  type Workload,
} from '@kubectl-mtv/engine';
import type { PlanningReport } from './run-events.js';

/**
 * How long `disk` may plan before the first admission (ms): every candidate on plans up to about 20,000 disks on a
 * workstation, the most promising ones beyond (docs/BENCHMARKS.md, planning).
 */
export const DEFAULT_PLANNING_BUDGET_MS = 5_000;

export interface PlanningLimits {
  /** Milliseconds of planning after which the best strategy so far is taken. */
  budgetMs: number;
  /** Milliseconds since the epoch. */
  now: () => number;
  /** True once the run is stopping: planning ends with what it has. */
  stopped: () => boolean;
}

/**
 * The policy, and how `disk` planned it (null for the policies that plan nothing). The planner simulates from
 * `adopted`; the policy is told `current()` when given (a re-plan while the run goes on: what is in flight and done
 * once planning ends), else `adopted`. `caps`: the caps the policy runs under when they hold more than the
 * scheduler's (the hosts' learned limits): `disk` plans under them.
 */
export async function planPolicy(
  plan: Workload,
  scheduler: SchedulerOptions,
  adopted: AdoptedState | undefined,
  limits: PlanningLimits,
  current?: () => AdoptedState,
  caps?: Caps,
): Promise<{ policy: Policy; report: PlanningReport | null }> {
  const planner = diskPlannerFor(plan, scheduler, adopted, caps);
  if (!planner) return { policy: createPolicy(plan, scheduler, current?.() ?? adopted, caps), report: null };
  const began = limits.now();
  const pause = () => new Promise((resolve) => setImmediate(resolve));
  // the controller's schedule (the yardstick) and one candidate at least, then as many as the budget allows
  planner.step();
  await pause();
  while (planner.step()) {
    if (limits.stopped() || limits.now() - began >= limits.budgetMs) break;
    await pause();
  }
  const policy = policyFromPlanner(planner, current?.() ?? adopted);
  return {
    policy,
    report: {
      strategy: describeStrategy(
        planner.choose(),
        plan.hosts.map((h) => h.name),
      ),
      simulations: planner.done,
      of: planner.total,
      seconds: (limits.now() - began) / 1000,
    },
  };
}
