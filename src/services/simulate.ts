import { basename, extname } from 'node:path';
import type { OrderName, PolicyName, Scenario } from '../engine/model.js';
import type { SimulationResult } from '../engine/simulation-result.js';
import { simulateScenario } from '../engine/simulator.js';
import { renderGanttSvg } from '../ui/gantt-svg.js';
import { simulationCharts } from '../ui/simulate-gantt.js';
import { loadScenarioFile } from './scenario-file.js';
import { writeSvg } from './svg-file.js';

/** What `simulate` runs: a scenario file, the policies to compare (in report order) and the caps they share. */
export interface SimulateOptions {
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

/** The scenario in four numbers, as the report shows it. */
export interface ScenarioSummary {
  name: string;
  vms: number;
  disks: number;
  /** Bytes to copy over all disks. */
  bytes: number;
}

/** The JSON contract of `simulate -o json`: the scenario and one result per policy, in the requested order. */
export interface SimulateReport {
  scenario: ScenarioSummary;
  results: SimulationResult[];
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
  return { scenario: summarize(scenario, options.scenarioPath), results };
}

/** A scenario without a name is called after its file (`examples/seed-10x10.yaml` -> `seed-10x10`). */
export function summarize(scenario: Scenario, path: string): ScenarioSummary {
  const disks = scenario.vms.flatMap((vm) => vm.disks);
  return {
    name: scenario.name ?? basename(path, extname(path)),
    vms: scenario.vms.length,
    disks: disks.length,
    bytes: disks.reduce((sum, disk) => sum + disk.size, 0),
  };
}
