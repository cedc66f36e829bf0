import type { SimulateReport, WarmSimulateReport } from '@kubectl-mtv/engine';

/** The report as the JSON contract of `simulate -o json`: times in seconds, unrounded. */
export function formatSimulateJson(report: SimulateReport | WarmSimulateReport): string {
  return JSON.stringify(report, null, 2);
}
