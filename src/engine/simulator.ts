import type { Scenario, SchedulerOptions } from './model.js';
import type { SimulationResult } from './simulation-result.js';

/** Simulates one policy on a scenario. (Being written; the signature is final.) */
export function simulateScenario(_scenario: Scenario, _options: SchedulerOptions): SimulationResult {
  throw new Error('simulateScenario: not written yet');
}
