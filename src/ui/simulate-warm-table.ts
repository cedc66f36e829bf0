import {
  isWarmReport,
  type SimulateReport,
  type WarmSimulateReport,
  type WarmSimulationResult,
} from '@kubectl-mtv/engine';
import { withoutHeader } from './object-output.js';
import {
  formatBytes,
  formatCaps,
  formatColumns,
  formatDuration,
  formatLearnedTable,
  formatSimulateTable,
} from './simulate-table.js';

const COLUMNS: { header: string; cell: (result: WarmSimulationResult) => string }[] = [
  { header: 'POLICY', cell: (r) => r.policy },
  { header: 'CAP', cell: (r) => formatCaps(r.appliedCaps) },
  { header: 'MAKESPAN', cell: (r) => formatDuration(r.makespanSeconds) },
  { header: 'CUTOVER READY', cell: (r) => formatDuration(r.cutoverReadySeconds) },
  { header: 'CUTOVER', cell: (r) => `${formatDuration(r.cutoverSeconds)}${r.cutoverGiven ? '' : ' (auto)'}` },
  { header: 'DOWNTIME TOTAL', cell: (r) => formatDuration(r.downtimeSeconds.total) },
  { header: 'DOWNTIME MAX', cell: (r) => formatDuration(r.downtimeSeconds.max) },
  { header: 'PRECOPIES', cell: (r) => String(r.vms.reduce((sum, vm) => sum + vm.precopies, 0)) },
  { header: 'PEAK', cell: (r) => String(r.peakInFlight) },
  { header: 'COPIED', cell: (r) => formatBytes(r.bytes) },
];

/** One row per policy, as the cold table: what the run took, when it could cut over, what the VMs were down. */
export function formatWarmSimulateTable(report: WarmSimulateReport): string {
  const rows = [COLUMNS.map((column) => column.header), ...report.results.map((r) => COLUMNS.map((c) => c.cell(r)))];
  return formatColumns(rows);
}

/** One row per VM: its host, then per policy its precopies and its downtime (`FORKLIFT PRECOPIES`, …). */
export function formatWarmVmTable(report: WarmSimulateReport): string {
  const header = ['VM', 'HOST'];
  for (const r of report.results) {
    const policy = r.policy.toUpperCase();
    header.push(`${policy} PRECOPIES`, `${policy} DOWNTIME`);
  }
  const vms = report.results[0]?.vms ?? [];
  const rows = vms.map((vm, v) => [
    vm.name,
    vm.host,
    ...report.results.flatMap((r) => [String(r.vms[v].precopies), formatDuration(r.vms[v].downtimeSeconds)]),
  ]);
  return formatColumns([header, ...rows]);
}

/**
 * What `simulate -o table` prints: the cold table (with --blind, a blank line and what the blind runs learned of each
 * host), or for a warm scenario the policy table, a blank line and the
 * VM table; `noHeaders` drops every header line.
 */
export function formatSimulateTables(report: SimulateReport | WarmSimulateReport, noHeaders: boolean): string {
  if (!isWarmReport(report)) {
    const policies = withoutHeader(formatSimulateTable(report), noHeaders);
    const learned = withoutHeader(formatLearnedTable(report), noHeaders);
    return learned === '' ? policies : `${policies}\n\n${learned}`;
  }
  const policies = withoutHeader(formatWarmSimulateTable(report), noHeaders);
  const vms = withoutHeader(formatWarmVmTable(report), noHeaders);
  return vms === '' ? policies : `${policies}\n\n${vms}`;
}
