import type { SimulateReport } from '@kubectl-mtv/engine';

/** The report as the JSON contract of `simulate -o json`: times in seconds, unrounded. */
export function formatSimulateJson(report: SimulateReport): string {
  return JSON.stringify(report, null, 2);
}
