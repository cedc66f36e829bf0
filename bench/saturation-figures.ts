/**
 * The figures of the saturation section (bench/saturation.ts), from what the runs left: a real run's makespan on the
 * sandbox's importer clock and on the runner's own events, the ratios between columns, and the goals of issue 18 judged
 * on them. Pure: no processes, no files.
 */
import type { Scenario } from '@kubectl-mtv/engine';
import type { SandboxStats } from '@kubectl-mtv/sandbox';
import type { RunEvent } from '../src/runner/run-events.js';

/**
 * Simulated seconds from the first import's start to the last one's end, as the sandbox's CDI importer counted them
 * (`GET /sandbox/v1/stats`); NaN before every one of `disks` imports succeeded.
 */
export function importerMakespan(imports: SandboxStats['imports'], disks: number): number {
  const { firstStartSeconds, lastEndSeconds, succeeded } = imports;
  if (firstStartSeconds === null || lastEndSeconds === null || succeeded < disks) return Number.NaN;
  return lastEndSeconds - firstStartSeconds;
}

/**
 * The same span as the runner saw it: its first `started` event to its last `finished`, wall seconds times the
 * sandbox's `speed`; NaN without both. Later than the importer's by the watch's delay at each end.
 */
export function runnerMakespan(events: readonly RunEvent[], speed: number): number {
  const times = (type: RunEvent['type']) => events.filter((e) => e.type === type).map((e) => Date.parse(e.time));
  const started = times('started');
  const finished = times('finished');
  if (started.length === 0 || finished.length === 0) return Number.NaN;
  return ((Math.max(...finished) - Math.min(...started)) / 1000) * speed;
}

/** One row's makespans (simulated seconds) by column label: the simulated columns and the real runs. */
export type Makespans = Readonly<Record<string, number>>;

/** A ratio the table shows beside the makespans: column `of` over column `to`. */
export interface Comparison {
  of: string;
  to: string;
}

/** `of / to` in `row`; NaN when either is missing or not a number. */
export function compare(row: Makespans, { of, to }: Comparison): number {
  const a = row[of];
  const b = row[to];
  return a === undefined || b === undefined ? Number.NaN : a / b;
}

/** The row where `of / to` is furthest from 1 (a failed run, NaN, the furthest), and that ratio; undefined for no row. */
export function furthestFromOne(
  rows: readonly { name: string; makespans: Makespans }[],
  comparison: Comparison,
): { row: string; x: number } | undefined {
  const far = (x: number) => (Number.isNaN(x) ? Infinity : Math.abs(x - 1));
  let top: { row: string; x: number } | undefined;
  for (const r of rows) {
    const x = compare(r.makespans, comparison);
    if (!top || far(x) > far(top.x)) top = { row: r.name, x };
  }
  return top;
}

/** What one scenario of the set holds, in one line of the scenario table. */
export interface ScenarioShape {
  /** Each host's bandwidth, `300Mi` or `uncapped`. */
  hosts: string[];
  /** Each host's bandwidth in bytes/s, undefined when uncapped. */
  bandwidths: (number | undefined)[];
  disks: number;
  vms: number;
  /** Most disks one VM has. */
  widestVm: number;
  bytes: number;
  /** The largest disk: its size and where it comes in plan order (1-based over all disks). */
  largest: { bytes: number; position: number };
}

export function scenarioShape(scenario: Scenario): ScenarioShape {
  const disks = scenario.vms.flatMap((vm) => vm.disks);
  let position = 0;
  disks.forEach((d, i) => {
    if (d.size > disks[position].size) position = i;
  });
  const Mi = 2 ** 20;
  return {
    hosts: scenario.hosts.map(({ bandwidth: b }) =>
      b !== undefined && Number.isFinite(b) ? `${Math.round(b / Mi)}Mi` : 'uncapped',
    ),
    bandwidths: scenario.hosts.map(({ bandwidth: b }) => (b !== undefined && Number.isFinite(b) ? b : undefined)),
    disks: disks.length,
    vms: scenario.vms.length,
    widestVm: Math.max(0, ...scenario.vms.map((vm) => vm.disks.length)),
    bytes: disks.reduce((sum, d) => sum + d.size, 0),
    largest: { bytes: disks[position]?.size ?? 0, position: position + 1 },
  };
}

/** Issue 18's goals on blind real runs, judged on the rows; a goal with no row to judge is reported so. */
export interface BlindGoals {
  /** Real `disk` / simulate `disk` on every row: the furthest from 1, and how many rows are within `within`. */
  againstSimulate: { worst: number; worstRow: string; met: number; of: number };
  /** Real `disk` / real `forklift` where forklift ran above `forkliftAbove` x LB: the worst, and how many met it. */
  againstForklift: { worst: number; worstRow: string; met: number; of: number };
}

export interface GoalTerms {
  /** Column labels: the real disk run, its simulate prediction, the real forklift run, the lower bound. */
  disk: string;
  simulated: string;
  forklift: string;
  lowerBound: string;
  /** Real disk within this share of simulate (0.05). */
  within: number;
  /** Real disk at most this share of real forklift (0.9)... */
  atMost: number;
  /** ...where real forklift is above this multiple of the lower bound (1.1). */
  forkliftAbove: number;
}

/** The goals judged over `rows` (name → makespans); a row whose runs failed (NaN) counts as not met. */
export function blindGoals(rows: readonly { name: string; makespans: Makespans }[], terms: GoalTerms): BlindGoals {
  // the row furthest from the goal by `distance`; a failed run (NaN) is the furthest
  const worst = (pairs: { name: string; x: number }[], ok: (x: number) => boolean, distance: (x: number) => number) => {
    const far = (x: number) => (Number.isNaN(x) ? Infinity : distance(x));
    const top = pairs.reduce<{ name: string; x: number } | undefined>(
      (a, p) => (a && far(a.x) >= far(p.x) ? a : p),
      undefined,
    );
    return {
      worst: top?.x ?? Number.NaN,
      worstRow: top?.name ?? '-',
      met: pairs.filter((p) => ok(p.x)).length,
      of: pairs.length,
    };
  };
  const sim = rows.map((r) => ({ name: r.name, x: compare(r.makespans, { of: terms.disk, to: terms.simulated }) }));
  const slow = rows.filter(
    (r) => !(compare(r.makespans, { of: terms.forklift, to: terms.lowerBound }) <= terms.forkliftAbove),
  );
  const fk = slow.map((r) => ({ name: r.name, x: compare(r.makespans, { of: terms.disk, to: terms.forklift }) }));
  return {
    againstSimulate: worst(
      sim,
      (x) => Math.abs(x - 1) <= terms.within,
      (x) => Math.abs(x - 1),
    ),
    againstForklift: worst(
      fk,
      (x) => x <= terms.atMost,
      (x) => x,
    ),
  };
}
