import { basename, extname } from 'node:path';
import type { Scenario, ScenarioSummary, WarmSimulateReport } from '@kubectl-mtv/engine';
import {
  POLICY_NAMES,
  type SimulateReport,
  simulateWorkload,
  simulateWorkloadBlind,
  summarizeScenario,
  toWorkload,
} from '@kubectl-mtv/engine';
import { UserError } from '../errors.js';
import { DEFAULT_PLANNING_RATE } from '../runner/workload-of-datavolumes.js';
import { renderGanttSvg } from '../ui/gantt-svg.js';
import { simulationCharts } from '../ui/simulate-gantt.js';
import { loadScenarioFile, STDIN_PATH } from './scenario-file.js';
import type { SimulateOptions } from './simulate-options.js';
import { simulateWarmReport } from './simulate-warm.js';
import { writeSvg } from './svg-file.js';

export type { SimulateOptions };

/** Seconds between two progress readings of an import that a blind run assumes: CDI's (and the sandbox's) cadence. */
export const DEFAULT_PROGRESS_SECONDS = 2;

/**
 * Loads the scenario and simulates each policy on it under the same caps and order; writes the SVG if asked. A
 * scenario with `migration: warm` is simulated as a warm migration (simulate-warm.ts). With `blind`, each `disk` row
 * is followed by that policy run blind, as `migrate` runs it (without and with adaptive admission).
 */
export async function simulate(options: SimulateOptions): Promise<SimulateReport | WarmSimulateReport> {
  const scenario = await loadScenarioFile(options.scenarioPath);
  return simulateScenarioReport(scenario, summarizeScenario(scenario, scenarioName(options.scenarioPath)), options);
}

/**
 * Simulates a scenario already loaded (a file's, or a plan's read from the cluster) as `simulate` does. `subject`
 * names it in a refusal: `scenario`, or `plan` for one read from the cluster.
 */
export async function simulateScenarioReport(
  scenario: Scenario,
  summary: ScenarioSummary,
  options: Omit<SimulateOptions, 'scenarioPath'>,
  subject: 'scenario' | 'plan' = 'scenario',
): Promise<SimulateReport | WarmSimulateReport> {
  if (scenario.migration === 'warm') {
    if (options.blind === true) {
      throw new UserError(
        `--blind: ${subject} "${summary.name}" is a warm migration; --blind simulates a cold one (a warm run learns no bandwidth yet)`,
      );
    }
    return simulateWarmReport(scenario, summary, options);
  }
  const warmFlag =
    options.cutoverSeconds !== undefined
      ? '--cutover'
      : options.precopyIntervalSeconds !== undefined
        ? '--precopy-interval'
        : undefined;
  if (warmFlag !== undefined) {
    throw new UserError(
      `${warmFlag}: ${subject} "${summary.name}" is a cold migration; --cutover and --precopy-interval apply to a warm one`,
      { hint: subject === 'plan' ? 'a plan with warm: true' : 'migration: warm in the scenario file' },
    );
  }
  const policies = options.policies ?? [...POLICY_NAMES];
  if (options.blind !== true && options.progressEverySeconds !== undefined) {
    throw new UserError('--progress-every: applies with --blind, to the blind runs');
  }
  if (options.blind === true && !policies.includes('disk')) {
    throw new UserError(`--blind: simulates the disk policy blind; --policy ${policies.join(',')} has no disk`, {
      hint: '--policy with disk in it',
    });
  }
  const workload = toWorkload(scenario);
  const results = policies.flatMap((policy) => {
    const scheduler = {
      policy,
      maxInFlight: options.maxInFlight ?? scenario.maxInFlight,
      maxInFlightPerHost: options.maxInFlightPerHost,
      order: options.order,
      ...(options.objective !== undefined && { objective: options.objective }),
    };
    const clairvoyant = simulateWorkload(workload, scheduler);
    if (policy !== 'disk' || options.blind !== true) return [clairvoyant];
    const blind = {
      planningRate: DEFAULT_PLANNING_RATE,
      publishSeconds: options.progressEverySeconds ?? DEFAULT_PROGRESS_SECONDS,
    };
    return [
      clairvoyant,
      simulateWorkloadBlind(workload, scheduler, { ...blind, adaptive: false }),
      simulateWorkloadBlind(workload, scheduler, { ...blind, adaptive: true }),
    ];
  });
  if (options.svgPath !== undefined)
    await writeSvg(options.svgPath, renderGanttSvg(simulationCharts(results)), '--svg');
  return { scenario: summary, results };
}

/** A scenario without a name is called after its file (`examples/seed-10x10.yaml` -> `seed-10x10`), or `stdin`. */
export function scenarioName(path: string): string {
  if (path === STDIN_PATH) return 'stdin';
  return basename(path, extname(path));
}
