import type { BlindFacts, ScenarioSummary, SimulateReport, SimulationResult } from '@kubectl-mtv/engine';
import prettyBytes from 'pretty-bytes';
import prettyMs from 'pretty-ms';

const COLUMNS: { header: string; cell: (result: SimulationResult) => string }[] = [
  { header: 'POLICY', cell: (r) => policyLabel(r) },
  { header: 'CAP', cell: (r) => formatCaps(r.appliedCaps) },
  { header: 'MAKESPAN', cell: (r) => formatDuration(r.makespanSeconds) },
  { header: 'LOWER BOUND', cell: (r) => formatDuration(r.lowerBoundSeconds) },
  { header: 'PACKING BOUND', cell: (r) => formatDuration(r.packingBoundSeconds) },
  { header: 'RATIO', cell: (r) => r.ratioToLowerBound.toFixed(2) },
  { header: 'PEAK', cell: (r) => String(r.peakInFlight) },
  { header: 'WINDOW MEAN', cell: (r) => formatDuration(r.transferWindowSeconds.mean) },
  { header: 'WINDOW P95', cell: (r) => formatDuration(r.transferWindowSeconds.p95) },
  { header: 'WINDOW MAX', cell: (r) => formatDuration(r.transferWindowSeconds.max) },
  { header: 'BYTES', cell: (r) => formatBytes(r.bytes) },
];

/** A row's policy, and for a blind run how it ran: `disk`, `disk (blind)`, `disk (blind, adaptive)`. */
export function policyLabel(result: SimulationResult): string {
  if (result.blind === undefined) return result.policy;
  return `${result.policy} (blind${result.blind.adaptive ? ', adaptive' : ''})`;
}

/** What the blind adaptive rows learned: a row per host, its bandwidth, when it was learned, and the scenario's. */
export function formatLearnedTable(report: SimulateReport): string {
  const rows = report.results.flatMap((r) =>
    (r.blind?.hosts ?? []).map((h) => [
      policyLabel(r),
      h.name,
      h.bandwidth === null ? '-' : formatRate(h.bandwidth),
      h.learnedAtSeconds === null ? '-' : formatDuration(h.learnedAtSeconds),
      String(h.limit),
      h.scenarioBandwidth === null ? 'uncapped' : formatRate(h.scenarioBandwidth),
    ]),
  );
  if (rows.length === 0) return '';
  return formatColumns([['POLICY', 'HOST', 'LEARNED', 'LEARNED AT', 'LIMIT', 'SCENARIO'], ...rows]);
}

/**
 * What the schedules knew of the bandwidths, one line for stderr: the scenario's (clairvoyant), and with blind rows
 * what those assumed instead.
 */
export function formatBandwidthLine(report: {
  results: readonly { bandwidth: string; blind?: BlindFacts }[];
  cluster?: ClusterFacts;
}): string {
  const known = report.cluster
    ? `bandwidth: ${clusterAssumptions(report.cluster)}; each schedule plans with these`
    : "bandwidth: the scenario's, known to each schedule (clairvoyant)";
  const blind = report.results.find((r) => r.blind !== undefined)?.blind;
  if (blind === undefined) {
    return report.cluster
      ? `${known}; --blind shows a run that knows none`
      : `${known}; a real run knows none: --blind shows what it does`;
  }
  return (
    `${known}; blind rows: none known (hosts uncapped, importers at ${formatRate(blind.planningRate)}, progress ` +
    `read every ${formatDuration(blind.progressEverySeconds)}), the hosts keep ${report.cluster ? 'those' : "the scenario's"}`
  );
}

/** What `simulate --from-cluster` read: the plan, and what each host's bandwidth and the importers' rate are taken to be. */
export interface ClusterFacts {
  /** `namespace/name`. */
  plan: string;
  migration: 'cold' | 'warm';
  assumed: {
    /** The throughput record's ConfigMap, `namespace/name`. */
    record: string;
    hosts: readonly { name: string; bandwidth: number | null; learnedAt: string | null }[];
    diskRate: number;
    diskRateLearned: boolean;
  };
}

/**
 * Per host, `esx-01 300 MiB/s learned from the cluster (ConfigMap ns/name, 2026-12-04T10:00:00Z)` or
 * `esx-02 unknown (uncapped)`; then the importers' rate, learned or assumed.
 */
export function clusterAssumptions({ assumed }: Pick<ClusterFacts, 'assumed'>): string {
  const where = (at: string | null) =>
    `learned from the cluster (ConfigMap ${assumed.record}${at ? `, ${at.replace(/\.\d+Z$/, 'Z')}` : ''})`;
  const hosts = assumed.hosts.map((h) =>
    h.bandwidth === null
      ? `${h.name} unknown (uncapped)`
      : `${h.name} ${formatRate(h.bandwidth)} ${where(h.learnedAt)}`,
  );
  const rate = assumed.diskRateLearned ? where(null) : 'assumed (unknown)';
  return `${hosts.join(', ')}; importers ${formatRate(assumed.diskRate)} ${rate}`;
}

/** `20 in all`, `20 per host`, `20 in all, 5 per host`: what PEAK is measured against. */
export function formatCaps(caps: SimulationResult['appliedCaps']): string {
  const parts = [caps.run !== null && `${caps.run} in all`, caps.perHost !== null && `${caps.perHost} per host`];
  const said = parts.filter((part): part is string => typeof part === 'string');
  return said.length > 0 ? said.join(', ') : 'none';
}

/** One row per policy, kubectl style: upper-case headers, left aligned, columns 3 spaces apart, no borders. */
export function formatSimulateTable(report: SimulateReport): string {
  const rows = [COLUMNS.map((column) => column.header), ...report.results.map((r) => COLUMNS.map((c) => c.cell(r)))];
  return formatColumns(rows);
}

/** The line that says what was simulated; for stderr, since stdout carries only the table. */
export function formatScenarioLine(report: { scenario: ScenarioSummary; cluster?: ClusterFacts }): string {
  const { name, vms, disks, bytes } = report.scenario;
  if (report.cluster) {
    const hosts = report.cluster.assumed.hosts.map((h) => h.name);
    return (
      `plan ${report.cluster.plan} (${report.cluster.migration}): ${count(vms, 'VM')}, ${count(disks, 'disk')}, ` +
      `${formatBytes(bytes)}, ${hosts.length === 1 ? 'host' : 'hosts'} ${hosts.join(', ')}`
    );
  }
  return `scenario ${name}: ${count(vms, 'VM')}, ${count(disks, 'disk')}, ${formatBytes(bytes)}`;
}

/** The line that says where the Gantt charts went: `wrote schedule.svg (2 charts)`; for stderr. */
export function formatSvgLine(path: string, report: { results: readonly unknown[] }): string {
  return `wrote ${path} (${count(report.results.length, 'chart')})`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** Pads every cell but the last of a row to its column's width; rows end without trailing spaces. */
export function formatColumns(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows
    .map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('   '))
    .join('\n');
}

/** Seconds as a compact duration rounded to the second: `1h25m20s`, `45s`, `0s`; `<1s` for a sliver above zero. */
export function formatDuration(seconds: number): string {
  const whole = Math.round(seconds);
  if (whole === 0) return seconds > 0 ? '<1s' : '0s';
  return prettyMs(whole * 1000).replaceAll(' ', '');
}

/** Bytes/s in binary units: `300 MiB/s`. */
export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`;
}

/** Bytes in binary units, three significant digits: `5.76 TiB`. */
export function formatBytes(bytes: number): string {
  return prettyBytes(bytes, { binary: true });
}
