import { basename, extname } from 'node:path';
import type { OrderName, PolicyName } from '@kubectl-mtv/engine';
import { type SimulateReport, simulateScenario, summarizeScenario } from '@kubectl-mtv/engine';
import { renderGanttSvg } from '../ui/gantt-svg.js';
import { simulationCharts } from '../ui/simulate-gantt.js';
import { loadScenarioFile, STDIN_PATH } from './scenario-file.js';
import { writeSvg } from './svg-file.js';

/** What `simulate` runs: a scenario file, the policies to compare (in report order) and the caps they share. */
export interface SimulateOptions {
  /** The scenario file; `-` reads stdin. */
  scenarioPath: string;
  policies: PolicyName[];
  /** Most disks in flight; undefined = the scenario's maxInFlight. */
  maxInFlight?: number;
  /** Most disks in flight per host; undefined = no per-host cap. */
  maxInFlightPerHost?: number;
  order: OrderName;
  /** Where to write the schedules as Gantt charts (one SVG, a chart per policy); undefined = no picture. */
  svgPath?: string;
}

/** Loads the scenario and simulates each policy on it under the same caps and order; writes the SVG if asked. */
export async function simulate(options: SimulateOptions): Promise<SimulateReport> {
  const scenario = await loadScenarioFile(options.scenarioPath);
  const maxInFlight = options.maxInFlight ?? scenario.maxInFlight;
  const results = options.policies.map((policy) =>
    simulateScenario(scenario, {
      policy,
      maxInFlight,
      maxInFlightPerHost: options.maxInFlightPerHost,
      order: options.order,
    }),
  );
  if (options.svgPath !== undefined)
    await writeSvg(options.svgPath, renderGanttSvg(simulationCharts(results)), '--svg');
  return { scenario: summarizeScenario(scenario, scenarioName(options.scenarioPath)), results };
}

/** A scenario without a name is called after its file (`examples/seed-10x10.yaml` -> `seed-10x10`), or `stdin`. */
export function scenarioName(path: string): string {
  if (path === STDIN_PATH) return 'stdin';
  return basename(path, extname(path));
}
