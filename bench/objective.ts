import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { OBJECTIVE_NAMES, type ObjectiveName, type Scenario, simulateScenario } from '@kubectl-mtv/engine';
import { loadScenarioFile } from '../src/services/scenario-file.js';
import { markdownTable, type ReportSection, ratio, verdict } from './markdown.js';

/** The goal of objective makespan: within this factor of max(lower bound, packing bound) on every scenario. */
const OBJECTIVE_GOAL = 1.05;

interface Run {
  lowerBound: number;
  packingBound: number;
  makespan: number;
  meanWindow: number;
}

interface Row {
  name: string;
  set: 'scenario set' | 'saturation';
  runs: Record<ObjectiveName, Run>;
}

const best = (r: Run) => r.makespan / Math.max(r.lowerBound, r.packingBound);
const toLb = (r: Run) => (r.lowerBound > 0 ? r.makespan / r.lowerBound : 1);

function rowOf(scenario: Scenario, set: Row['set']): Row {
  const runs = Object.fromEntries(
    OBJECTIVE_NAMES.map((objective) => {
      const r = simulateScenario(scenario, {
        policy: 'disk',
        maxInFlight: scenario.maxInFlight,
        order: 'largest',
        objective,
      });
      const run: Run = {
        lowerBound: r.lowerBoundSeconds,
        packingBound: r.packingBoundSeconds,
        makespan: r.makespanSeconds,
        meanWindow: r.transferWindowSeconds.mean,
      };
      return [objective, run];
    }),
  ) as Record<ObjectiveName, Run>;
  return { name: scenario.name ?? '?', set, runs };
}

/** The goal line of one objective on one set. */
function goalLine(rows: Row[], objective: ObjectiveName, set: string): string {
  const max = Math.max(...rows.map((r) => best(r.runs[objective])));
  const maxLb = Math.max(...rows.map((r) => toLb(r.runs[objective])));
  const within = rows.filter((r) => best(r.runs[objective]) <= OBJECTIVE_GOAL).length;
  return (
    `objective ${objective}, ${set} (${rows.length}): max ratio to max(LB, packing bound) ${ratio(max)}, to LB ` +
    `${ratio(maxLb)}; ${within} of ${rows.length} within ${OBJECTIVE_GOAL} (<= ${OBJECTIVE_GOAL} x max(LB, ` +
    `packing bound) on every scenario: ${verdict(max <= OBJECTIVE_GOAL)})`
  );
}

/** What makespan costs in windows and gains in makespan over downtime, summed over a set. */
function tradeLine(rows: Row[], set: string): string {
  const sum = (o: ObjectiveName, f: (r: Run) => number) => rows.reduce((s, r) => s + f(r.runs[o]), 0);
  const makespans = sum('makespan', (r) => r.makespan) / sum('downtime', (r) => r.makespan);
  const windows = sum('makespan', (r) => r.meanWindow) / sum('downtime', (r) => r.meanWindow);
  const shorter = rows.filter((r) => r.runs.makespan.makespan < r.runs.downtime.makespan * (1 - 1e-9)).length;
  return (
    `${set}: makespan against downtime, total makespan x${makespans.toFixed(3)}, total mean window ` +
    `x${windows.toFixed(3)}; ${shorter} of ${rows.length} plans end sooner`
  );
}

/**
 * `--objective`: `disk` under each objective on the seeded scenario set and the saturation plans (bench/saturation),
 * each at its own maxInFlight, largest first, against the lower bound and the packing bound.
 */
export async function objectiveSection(scenarios: Scenario[], saturationDirectory: string): Promise<ReportSection> {
  const setRows = scenarios.map((s) => rowOf(s, 'scenario set'));
  const files = (await readdir(saturationDirectory)).filter((f) => f.endsWith('.yaml')).sort();
  const saturationRows: Row[] = [];
  for (const file of files)
    saturationRows.push(rowOf(await loadScenarioFile(join(saturationDirectory, file)), 'saturation'));
  const shown = [
    ...setRows.filter(
      (r) =>
        Math.max(best(r.runs.makespan), best(r.runs.downtime)) > OBJECTIVE_GOAL ||
        Math.abs(r.runs.makespan.makespan / r.runs.downtime.makespan - 1) > 0.01,
    ),
    ...saturationRows,
  ];
  const table = markdownTable(
    [
      'scenario',
      'set',
      'LB (s)',
      'packing (s)',
      'makespan: to LB',
      'to max',
      'downtime: to LB',
      'to max',
      'window m/d',
    ],
    shown.map((r) => {
      const m = r.runs.makespan;
      const d = r.runs.downtime;
      return [
        r.name,
        r.set,
        m.lowerBound.toFixed(0),
        m.packingBound.toFixed(0),
        ratio(toLb(m)),
        ratio(best(m)),
        ratio(toLb(d)),
        ratio(best(d)),
        ratio(d.meanWindow > 0 ? m.meanWindow / d.meanWindow : 1),
      ];
    }),
    [false, false, true, true, true, true, true, true, true],
  );
  return {
    title: 'Objective: makespan against downtime',
    goals: [
      goalLine(setRows, 'makespan', 'scenario set'),
      goalLine(saturationRows, 'makespan', 'saturation plans'),
      `for contrast, ${goalLine(setRows, 'downtime', 'scenario set')}`,
      `for contrast, ${goalLine(saturationRows, 'downtime', 'saturation plans')}`,
      tradeLine(setRows, 'scenario set'),
      tradeLine(saturationRows, 'saturation plans'),
    ],
    body: `Every saturation plan, and the scenarios of the set where either objective is above ${OBJECTIVE_GOAL} or the two makespans differ by more than 1%:\n\n${table}`,
    howToRead:
      '`disk` runs each scenario at its own `maxInFlight`, no per-host cap, largest first, once with ' +
      '`--objective makespan` and once with `--objective downtime`. LB is the lower bound (longest disk, bytes over ' +
      'the cap and the network, each host over its bandwidth); the packing bound counts how the disks pack into the ' +
      "cap's slots at their own rates (busy time over C, p_C + p_{C+1}). No schedule ends before the larger of the " +
      'two, so "to max" is the makespan over max(LB, packing bound): 1.000 is optimal. "window m/d" is the mean VM ' +
      'transfer window under makespan over that under downtime (above 1: makespan spreads VMs out more). The trade ' +
      'lines sum makespans and mean windows over each set.',
  };
}
