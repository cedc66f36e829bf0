/**
 * `disk`'s look-ahead inside `migrate`, measured through the runner's own planning function (budgeted-planning.ts) on
 * the scaling plans: how many of its simulations fit the budget, how long until the first admission, and the longest
 * time the process's event loop was held (what a Lease renewal or a watch event waits for). The old way, all
 * simulations in one synchronous call, is measured beside it.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createPolicy, runSchedule, toWorkload } from '@kubectl-mtv/engine';
import { LEASE_DURATION_SECONDS, LEASE_RENEW_MS } from '../src/cluster/lease.js';
import { DEFAULT_PLANNING_BUDGET_MS, planPolicy } from '../src/runner/budgeted-planning.js';
import { markdownTable, type ReportSection, verdict } from './markdown.js';
import { DEFAULT_SHAPE, scalingScenario } from './scaling.js';

/** A held Lease counts itself lost after this long without a renewal (lease.ts: duration less one renewal period). */
const LEASE_SAFE_MS = LEASE_DURATION_SECONDS * 1000 - LEASE_RENEW_MS;

interface Measured {
  disks: number;
  simulations: number;
  of: number;
  plannedSeconds: number;
  /** Longest event-loop stall during planning (ms). */
  longestStallMs: number;
  /** The same plan's every simulation in one synchronous call (ms). */
  synchronousMs: number;
  /** Makespan of the budgeted choice / makespan of the choice from every simulation. */
  makespanRatio: number;
}

async function measure(disks: number): Promise<Measured> {
  const plan = toWorkload(scalingScenario(disks, DEFAULT_SHAPE));
  const scheduler = { policy: 'disk', maxInFlight: DEFAULT_SHAPE.cap, order: 'largest' } as const;
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const { policy, report } = await planPolicy(plan, scheduler, undefined, {
    budgetMs: DEFAULT_PLANNING_BUDGET_MS,
    now: Date.now,
    stopped: () => false,
  });
  histogram.disable();
  const started = performance.now();
  const everything = createPolicy(plan, scheduler);
  const synchronousMs = performance.now() - started;
  const makespanRatio = runSchedule(plan, policy).makespan / runSchedule(plan, everything).makespan;
  return {
    disks,
    simulations: report?.simulations ?? 0,
    of: report?.of ?? 0,
    plannedSeconds: report?.seconds ?? 0,
    longestStallMs: histogram.max / 1e6,
    synchronousMs,
    makespanRatio,
  };
}

export async function planningSection(log = (_: string) => {}): Promise<ReportSection> {
  const rows: Measured[] = [];
  for (const disks of [10_000, 100_000]) {
    log(`planning: disk's look-ahead on ${disks} disks, budget ${DEFAULT_PLANNING_BUDGET_MS / 1000} s`);
    rows.push(await measure(disks));
  }
  const large = rows[rows.length - 1];
  return {
    title: 'Planning under the Lease',
    goals: [
      `100k disks: longest event-loop stall while planning ${large.longestStallMs.toFixed(0)} ms (a Lease renewal is due every ${LEASE_RENEW_MS / 1000} s and lost after ${LEASE_SAFE_MS / 1000} s without one): ${verdict(large.longestStallMs < LEASE_RENEW_MS)}`,
      `100k disks: first admission after ${large.plannedSeconds.toFixed(1)} s of planning (budget ${DEFAULT_PLANNING_BUDGET_MS / 1000} s, plus at most one simulation): ${verdict(large.plannedSeconds * 1000 < DEFAULT_PLANNING_BUDGET_MS + large.longestStallMs + 100)}`,
    ],
    body: markdownTable(
      [
        'disks',
        'simulations run (of all)',
        'planning (s)',
        'longest stall (ms)',
        'all simulations in one call (ms, the old way)',
        'makespan / with all simulations',
      ],
      rows.map((r) => [
        String(r.disks),
        `${r.simulations} of ${r.of}`,
        r.plannedSeconds.toFixed(2),
        r.longestStallMs.toFixed(0),
        r.synchronousMs.toFixed(0),
        r.makespanRatio.toFixed(4),
      ]),
      [true, true, true, true, true, true],
    ),
    howToRead:
      "The plans are the scaling section's (same shape and seed). `migrate` plans `disk` with planPolicy " +
      "(src/runner/budgeted-planning.ts): the controller's schedule and one candidate always, then candidates in " +
      'order of promise while the budget lasts, yielding to the event loop between simulations. The longest stall is ' +
      "the event loop's maximum delay (perf_hooks, 10 ms resolution) while planning: the longest a Lease renewal, a " +
      'watch event or Ctrl-C waited. The last column is the same planning done the old way, every simulation in one ' +
      'synchronous call: that is how long the event loop was held before. The last column is what the budget costs: the ' +
      'makespan of the strategy chosen within it over the makespan of the one chosen from every simulation.',
  };
}
