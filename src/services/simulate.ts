import { basename, extname } from 'node:path';
import type { WarmSimulateReport } from '@kubectl-mtv/engine';
import { POLICY_NAMES, type SimulateReport, simulateScenario, summarizeScenario } from '@kubectl-mtv/engine';
import { UserError } from '../errors.js';
import { renderGanttSvg } from '../ui/gantt-svg.js';
import { simulationCharts } from '../ui/simulate-gantt.js';
import { loadScenarioFile, STDIN_PATH } from './scenario-file.js';
import type { SimulateOptions } from './simulate-options.js';
import { simulateWarmReport } from './simulate-warm.js';
import { writeSvg } from './svg-file.js';

export type { SimulateOptions };

/**
 * Loads the scenario and simulates each policy on it under the same caps and order; writes the SVG if asked. A
 * scenario with `migration: warm` is simulated as a warm migration (simulate-warm.ts).
 */
export async function simulate(options: SimulateOptions): Promise<SimulateReport | WarmSimulateReport> {
  const scenario = await loadScenarioFile(options.scenarioPath);
  const summary = summarizeScenario(scenario, scenarioName(options.scenarioPath));
  if (scenario.migration === 'warm') return simulateWarmReport(scenario, summary, options);
  const warmFlag =
    options.cutoverSeconds !== undefined
      ? '--cutover'
      : options.precopyIntervalSeconds !== undefined
        ? '--precopy-interval'
        : undefined;
  if (warmFlag !== undefined) {
    throw new UserError(
      `${warmFlag}: scenario "${summary.name}" is a cold migration; --cutover and --precopy-interval apply to a warm one`,
      { hint: 'migration: warm in the scenario file' },
    );
  }
  const maxInFlight = options.maxInFlight ?? scenario.maxInFlight;
  const results = (options.policies ?? [...POLICY_NAMES]).map((policy) =>
    simulateScenario(scenario, {
      policy,
      maxInFlight,
      maxInFlightPerHost: options.maxInFlightPerHost,
      order: options.order,
    }),
  );
  if (options.svgPath !== undefined)
    await writeSvg(options.svgPath, renderGanttSvg(simulationCharts(results)), '--svg');
  return { scenario: summary, results };
}

/** A scenario without a name is called after its file (`examples/seed-10x10.yaml` -> `seed-10x10`), or `stdin`. */
export function scenarioName(path: string): string {
  if (path === STDIN_PATH) return 'stdin';
  return basename(path, extname(path));
}
