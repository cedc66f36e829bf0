/**
 * `kubectl mtv top --once` without the live view: a kubectl-like table of the runs, then per run the hosts adaptive
 * admission learned, its disks in flight and the head of its queue; and the JSON form (`-o json`, and each ndjson line
 * of `--watch`).
 */
import { hostThroughput, type RunSnapshot, type SnapshotLearned } from '../../runner/run-snapshot.js';
import { formatBytes, formatColumns } from '../simulate-table.js';
import { formatBytesProgress, formatEta, formatPercent, formatRate, shortPhase } from './live-format.js';
import { hostPhase } from './run-rows.js';
import type { TopEntry } from './top-entry.js';

/** Queued disks the table lists per run. */
export const TOP_QUEUE_ROWS = 10;

export interface TopTableOptions {
  /** More columns: failed disks, per-host cap, update time; the disks' phase, restarts, ETA and DataVolume. */
  wide?: boolean;
  /** No header rows and no section titles: one block of rows per table, blank lines between them. */
  noHeaders?: boolean;
}

/** `Running`, `Paused`, `Stale`, or how the run ended (`completed`, `stuck`, ...). */
export function topStatus(entry: TopEntry): string {
  if (entry.stale) return 'Stale';
  if (entry.snapshot.outcome !== null) return entry.snapshot.outcome;
  return entry.snapshot.paused ? 'Paused' : 'Running';
}

function planRow(entry: TopEntry, wide: boolean): string[] {
  const s = entry.snapshot;
  const row = [
    s.namespace,
    s.plan,
    s.holder ?? '<unknown>',
    s.policy,
    `${s.inFlight.length}/${s.cap}`,
    String(s.queuedTotal),
    String(s.completed),
    String(s.stuck),
    formatBytesProgress(s.bytesDone, s.bytes, '/'),
    formatRate(s.rate),
    formatEta(s.etaSeconds),
    topStatus(entry),
  ];
  if (wide) row.splice(8, 0, String(s.failed), s.perHostCap === null ? '<none>' : String(s.perHostCap));
  if (wide) row.push(s.updatedAt);
  return row;
}

const PLAN_HEADERS = [
  'NAMESPACE',
  'PLAN',
  'HOLDER',
  'POLICY',
  'IN FLIGHT',
  'QUEUED',
  'DONE',
  'STUCK',
  'PROGRESS',
  'RATE',
  'ETA',
  'STATUS',
];
const PLAN_HEADERS_WIDE = [...PLAN_HEADERS.slice(0, 8), 'FAILED', 'PER HOST', ...PLAN_HEADERS.slice(8), 'UPDATED'];

function hostsTable(learned: SnapshotLearned): string[][] {
  return [
    ['NAME', 'IN FLIGHT', 'LIMIT', 'THROUGHPUT', 'PHASE'],
    ...learned.hosts.map((h) => [
      h.name,
      String(h.inFlight),
      String(h.limit),
      formatRate(hostThroughput(h)),
      hostPhase(h),
    ]),
  ];
}

/** `2 hosts, importers 104 MiB/s each`, and `the first 50` when the runner listed only those. */
function hostsBlockTitle(learned: SnapshotLearned): string {
  const listed = learned.hosts.length < learned.hostsTotal ? `, the first ${learned.hosts.length}` : '';
  const importers = learned.diskRate === null ? '' : `; importers ${formatRate(learned.diskRate)} each`;
  return `${learned.hostsTotal} host${learned.hostsTotal === 1 ? '' : 's'}${listed}${importers}`;
}

function flightTable(s: RunSnapshot, wide: boolean): string[][] {
  const headers = ['VM', 'DISK', 'DATAVOLUME', 'HOST', 'SIZE', 'PROGRESS', 'RATE'];
  if (wide) headers.push('ETA', 'RESTARTS', 'PHASE', 'ALERT');
  return [
    headers,
    ...s.inFlight.map((d) => {
      const row = [
        d.vm,
        String(d.index),
        d.name,
        d.host,
        formatBytes(d.bytes),
        formatPercent(d.progress),
        formatRate(d.rate),
      ];
      if (wide) row.push(formatEta(d.etaSeconds), String(d.restarts), shortPhase(d.phase), d.alert ?? '');
      return row;
    }),
  ];
}

function queueTable(s: RunSnapshot, wide: boolean): string[][] {
  const headers = wide ? ['VM', 'DISK', 'DATAVOLUME', 'HOST', 'SIZE', 'REASON'] : ['VM', 'DISK', 'SIZE', 'REASON'];
  return [
    headers,
    ...s.queued
      .slice(0, TOP_QUEUE_ROWS)
      .map((q) =>
        wide
          ? [q.vm, String(q.index), q.name, q.host, formatBytes(q.bytes), q.reason]
          : [q.vm, String(q.index), formatBytes(q.bytes), q.reason],
      ),
  ];
}

/** formatColumns, without its header row when `noHeaders`. */
function table(rows: string[][], noHeaders: boolean): string {
  const text = formatColumns(rows);
  return noHeaders ? text.split('\n').slice(1).join('\n') : text;
}

/** A VM's reason column: a warm VM's round, next precopy or downtime, else its reason. */
function vmReason(vm: NonNullable<RunSnapshot['vms']>[number]): string {
  const round = vm.round === undefined ? '' : vm.round === 1 ? 'initial copy' : `precopy ${vm.round}`;
  if (vm.state === 'copying') return round;
  if (vm.state === 'paused') return `${round} done; next precopy ${vm.nextAt?.slice(11, 19) ?? '?'}`;
  if (vm.state === 'cutting-over') return 'final copy';
  const downtime = vm.downtimeSeconds === undefined ? '' : `downtime ${Math.round(vm.downtimeSeconds)} s`;
  return [vm.reason ?? '', downtime].filter(Boolean).join('; ');
}

/** The runs as kubectl prints resources; one line saying so when there is none (nothing with noHeaders). */
export function formatTopTable(entries: readonly TopEntry[], options: TopTableOptions = {}): string {
  const wide = options.wide ?? false;
  const noHeaders = options.noHeaders ?? false;
  if (entries.length === 0) return noHeaders ? '' : 'No kubectl-mtv migration is running.\n';
  const blocks = [table([wide ? PLAN_HEADERS_WIDE : PLAN_HEADERS, ...entries.map((e) => planRow(e, wide))], noHeaders)];
  for (const entry of entries) {
    const s = entry.snapshot;
    const name = `${s.namespace}/${s.plan}`;
    if (entry.stale && !noHeaders) blocks.push(`${name}: stale: ${entry.stale}`);
    if (s.learned && s.learned.hosts.length > 0) {
      const title = `${name}: ${hostsBlockTitle(s.learned)}`;
      blocks.push([...(noHeaders ? [] : [title]), table(hostsTable(s.learned), noHeaders)].join('\n'));
    }
    if (s.inFlight.length > 0) {
      const title = `${name}: ${s.inFlight.length} in flight`;
      blocks.push([...(noHeaders ? [] : [title]), table(flightTable(s, wide), noHeaders)].join('\n'));
    }
    if (s.queued.length > 0) {
      const listed = Math.min(s.queued.length, TOP_QUEUE_ROWS);
      const title = `${name}: ${s.queuedTotal} queued${s.queuedTotal > listed ? `, the first ${listed}` : ''}`;
      blocks.push([...(noHeaders ? [] : [title]), table(queueTable(s, wide), noHeaders)].join('\n'));
    }
    if (s.vms && s.vms.length > 0) {
      const rows = [
        ['SOURCE VM', 'VM', 'STATE', 'RUN STRATEGY', 'STATUS', 'REASON'],
        ...s.vms.map((vm) => [vm.vm, vm.name, vm.state, vm.runStrategy ?? '-', vm.status ?? '-', vmReason(vm)]),
      ];
      const title = s.cutover === undefined ? `${s.vms.length} VMs made` : `${s.vms.length} VMs`;
      blocks.push([...(noHeaders ? [] : [`${name}: ${title}`]), table(rows, noHeaders)].join('\n'));
    }
  }
  return `${blocks.join('\n\n')}\n`;
}

/** A run as `top -o json` and `top --watch -o ndjson` publish it; the first ten keys are the documented contract. */
export interface TopJsonPlan {
  plan: string;
  namespace: string;
  holder: string | null;
  policy: string;
  cap: number;
  paused: boolean;
  /** `progress` 0..1; `rate` bytes/s or null. */
  inFlight: {
    vm: string;
    index: number;
    name: string;
    host: string;
    bytes: number;
    progress: number;
    rate: number | null;
  }[];
  queued: { vm: string; index: number; bytes: number; reason: string }[];
  completed: number;
  stuck: number;
  perHostCap: number | null;
  failed: number;
  disks: number;
  bytes: number;
  bytesDone: number;
  /** Bytes/s; null when unknown. */
  rate: number | null;
  /** Seconds; null when unknown. */
  etaSeconds: number | null;
  queuedTotal: number;
  updatedAt: string;
  /** Why the run's figures may be out of date; null when live. */
  stale: string | null;
  outcome: RunSnapshot['outcome'];
  /** The VMs made so far (absent before the first, and with --disks-only). */
  vms?: NonNullable<RunSnapshot['vms']>;
  /**
   * What adaptive admission learned of the source hosts (cold `disk` runs; absent with --no-adaptive and before its
   * first measurement): per host its disks in flight, learned limit, phase, bandwidth and current level's throughput
   * (bytes/s), and the importers' rate.
   */
  learned?: SnapshotLearned;
}

/** The plan objects of `top`'s JSON, in the documented key order. */
export function topJsonPlans(entries: readonly TopEntry[]): TopJsonPlan[] {
  return entries.map(({ snapshot: s, stale }) => ({
    plan: s.plan,
    namespace: s.namespace,
    holder: s.holder,
    policy: s.policy,
    cap: s.cap,
    paused: s.paused,
    inFlight: s.inFlight.map((d) => ({
      vm: d.vm,
      index: d.index,
      name: d.name,
      host: d.host,
      bytes: d.bytes,
      progress: d.progress,
      rate: d.rate,
    })),
    queued: s.queued.map((q) => ({ vm: q.vm, index: q.index, bytes: q.bytes, reason: q.reason })),
    completed: s.completed,
    stuck: s.stuck,
    perHostCap: s.perHostCap,
    failed: s.failed,
    disks: s.disks,
    bytes: s.bytes,
    bytesDone: s.bytesDone,
    rate: s.rate,
    etaSeconds: s.etaSeconds,
    queuedTotal: s.queuedTotal,
    updatedAt: s.updatedAt,
    stale: stale ?? null,
    outcome: s.outcome,
    ...(s.vms && { vms: s.vms }),
    ...(s.learned && {
      learned: {
        hosts: s.learned.hosts.map((h) => ({
          name: h.name,
          inFlight: h.inFlight,
          limit: h.limit,
          phase: h.phase,
          bandwidth: h.bandwidth,
          throughput: h.throughput,
        })),
        hostsTotal: s.learned.hostsTotal,
        diskRate: s.learned.diskRate,
      },
    }),
  }));
}

/** `{"plans": [...]}`, indented, with a final newline. */
export function formatTopJson(entries: readonly TopEntry[]): string {
  return `${JSON.stringify({ plans: topJsonPlans(entries) }, null, 2)}\n`;
}
