import {
  DEFAULT_PRECOPY_INTERVAL_SECONDS,
  type Scenario,
  type ScenarioSummary,
  simulateWarmScenario,
  type WarmMode,
  type WarmSimulateReport,
} from '@kubectl-mtv/engine';
import { UserError } from '../errors.js';
import { renderGanttSvg } from '../ui/gantt-svg.js';
import { warmSimulationCharts } from '../ui/simulate-gantt.js';
import { formatDuration } from '../ui/simulate-table.js';
import type { SimulateOptions } from './simulate-options.js';
import { writeSvg } from './svg-file.js';

/** The policies that can run a warm migration, in the order they are reported by default. */
export const WARM_POLICIES: readonly WarmMode[] = ['forklift', 'disk'];

/** More precopies per VM than this before the cutover is a mistake of units, not a plan (and a very long run). */
export const MAX_PRECOPIES = 1000;

/**
 * Simulates a warm scenario under each policy asked (forklift and disk unless told): rounds, precopies every
 * interval, the cutover at the given time (or once every VM has copied round 1 and one precopy), downtime per VM.
 */
export async function simulateWarmReport(
  scenario: Scenario,
  summary: ScenarioSummary,
  options: Omit<SimulateOptions, 'scenarioPath'>,
): Promise<WarmSimulateReport> {
  const policies = (options.policies ?? WARM_POLICIES).map((policy) => {
    if ((WARM_POLICIES as readonly string[]).includes(policy)) return policy as WarmMode;
    throw new UserError(
      `--policy: "${policy}" cannot simulate scenario "${summary.name}", a warm migration (choose from ${WARM_POLICIES.join(', ')})`,
    );
  });
  const interval = options.precopyIntervalSeconds ?? DEFAULT_PRECOPY_INTERVAL_SECONDS;
  const cutover = options.cutoverSeconds;
  if (cutover !== undefined && cutover / interval > MAX_PRECOPIES) {
    throw new UserError(
      `--cutover: ${formatDuration(cutover)} at a precopy every ${formatDuration(interval)} is up to ` +
        `${Math.floor(cutover / interval)} precopies per VM; simulate runs at most ${MAX_PRECOPIES}`,
      { hint: 'a longer --precopy-interval or an earlier --cutover' },
    );
  }
  const maxInFlight = options.maxInFlight ?? scenario.maxInFlight;
  const results = policies.map((mode) =>
    simulateWarmScenario(scenario, {
      mode,
      caps: { maxInFlight, perHost: options.maxInFlightPerHost },
      order: options.order,
      precopyIntervalSeconds: interval,
      cutoverAtSeconds: cutover,
    }),
  );
  if (options.svgPath !== undefined)
    await writeSvg(options.svgPath, renderGanttSvg(warmSimulationCharts(results)), '--svg');
  return { scenario: summary, migration: 'warm', results };
}
