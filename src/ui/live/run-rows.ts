/**
 * The text of every row of the live views, sized to the terminal's width. Pure, so that the frames are computed and
 * tested without a terminal.
 */
import type { RunSummary } from '../../runner/run-events.js';
import {
  hostThroughput,
  type RunSnapshot,
  type SnapshotCompletion,
  type SnapshotDisk,
  type SnapshotHost,
  type SnapshotLearned,
  type SnapshotQueued,
} from '../../runner/run-snapshot.js';
import { formatOutcomeLine } from '../run-reporters.js';
import { formatBytes, formatDuration } from '../simulate-table.js';
import { displayWidth } from './display-width.js';
import {
  columnWidths,
  diskLabel,
  fitCell,
  fitCellMiddle,
  fitCellRight,
  formatBytesProgress,
  formatEta,
  formatPercent,
  formatRate,
  holderLabel,
  joinCells,
  needsAttention,
  progressBar,
  unusualPhase,
} from './live-format.js';

/** `↻2 Paused stalled`: restarts, the phase when it is not a copying one, and the runner's alert (blocked, stalled). */
function flightNotes(disk: SnapshotDisk): string {
  return [disk.restarts > 0 && `↻${disk.restarts}`, unusualPhase(disk.phase) && disk.phase, disk.alert?.split(':')[0]]
    .filter(Boolean)
    .join(' ');
}

function longest(cells: readonly string[]): number {
  return cells.reduce((max, cell) => Math.max(max, displayWidth(cell)), 0);
}

/** The widest a progress bar grows: the percentage beside it says the rest. */
export const BAR_MAX_COLUMNS = 20;

/**
 * The disks in flight, one row each, in columns shared by all rows:
 * `! app-01/0 plan-a-app-01-disk-0 esx-01 ████▌░░░░░  45% 312 MiB/s 4m12s ↻2`. `!` marks a disk that needs a look.
 * A narrow terminal drops the DataVolume name first (the label names the disk too), then the host, the ETA, the
 * rate, the notes and the bar; the label stays, cut in its middle when it must be.
 */
export function flightRows(disks: readonly SnapshotDisk[], columns: number, ascii: boolean): string[] {
  const notes = disks.map(flightNotes);
  const withNotes = longest(notes) > 0;
  const labels = disks.map(diskLabel);
  const labelNatural = longest(labels);
  const widths = columnWidths(
    [
      { min: 1 },
      { min: Math.min(8, labelNatural), natural: labelNatural, first: true },
      { min: 12, natural: longest(disks.map((d) => d.name)), drop: 6 },
      { min: 6, natural: longest(disks.map((d) => d.host)), first: true, drop: 5 },
      { min: 8, grow: true, max: BAR_MAX_COLUMNS, drop: 1 },
      { min: 4 },
      { min: 10, drop: 3 },
      { min: 6, drop: 4 },
      ...(withNotes ? [{ min: 2, natural: longest(notes), first: true, drop: 2 }] : []),
    ],
    columns,
  );
  const [mark, label, name, host, bar, pct, rate, eta, note] = widths;
  return disks.map((disk, i) => {
    const cells = [
      fitCell(needsAttention(disk) ? '!' : ' ', mark),
      fitCellMiddle(labels[i], label),
      fitCell(disk.name, name),
      fitCell(disk.host, host),
      progressBar(disk.progress, bar, ascii),
      fitCellRight(formatPercent(disk.progress), pct),
      fitCellRight(formatRate(disk.rate), rate),
      fitCellRight(formatEta(disk.etaSeconds), eta),
      ...(withNotes ? [fitCell(notes[i], note, false)] : []),
    ];
    return joinCells(cells, widths).trimEnd();
  });
}

/**
 * The queued disks, one row each: `  app-03/1  500 GiB esx-01  host esx-01 saturated`. A narrow terminal drops the
 * host, then the size; the label stays, cut in its middle when it must be.
 */
export function queueRows(disks: readonly SnapshotQueued[], columns: number): string[] {
  const labels = disks.map(diskLabel);
  const labelNatural = longest(labels);
  const widths = columnWidths(
    [
      { min: 1 },
      { min: Math.min(8, labelNatural), natural: labelNatural, first: true },
      { min: 9, drop: 1 },
      { min: 6, natural: longest(disks.map((d) => d.host)), first: true, drop: 2 },
      { min: 12, natural: longest(disks.map((d) => d.reason)), first: true },
    ],
    columns,
  );
  const [mark, label, size, host, reason] = widths;
  return disks.map((disk, i) =>
    joinCells(
      [
        fitCell(' ', mark),
        fitCellMiddle(labels[i], label),
        fitCellRight(formatBytes(disk.bytes), size),
        fitCell(disk.host, host),
        fitCell(disk.reason, reason, false),
      ],
      widths,
    ).trimEnd(),
  );
}

/** A learned host's phase as the views say it: `climbing`, `settled` (holding where it plateaued), `probing`. */
export function hostPhase(host: Pick<SnapshotHost, 'phase'>): string {
  return host.phase === 'holding' ? 'settled' : host.phase;
}

/** The hosts panel's title: `Hosts (2)  importers 104 MiB/s each`. */
export function hostsTitle(learned: SnapshotLearned): string {
  const importers = learned.diskRate === null ? '' : `  importers ${formatRate(learned.diskRate)} each`;
  return `Hosts (${learned.hostsTotal})${importers}`;
}

/**
 * The learned hosts, one row each, in columns shared by all rows: `  esx-01  2/3 in flight  305 MiB/s settled`: its
 * disks in flight against its learned limit, its throughput (its bandwidth once settled, else at its current level;
 * `-` before it is measured) and its phase. A narrow terminal drops the words `in flight`, then the phase, then the
 * throughput; the name stays, cut when it must be.
 */
export function hostRows(hosts: readonly SnapshotHost[], columns: number): string[] {
  const counts = hosts.map((h) => `${h.inFlight}/${h.limit}`);
  const rates = hosts.map((h) => formatRate(hostThroughput(h)));
  const phases = hosts.map(hostPhase);
  const names = hosts.map((h) => h.name);
  const widths = columnWidths(
    [
      { min: 1 },
      { min: Math.min(6, longest(names)), natural: longest(names), first: true },
      { min: longest(counts) },
      { min: 9, drop: 3 },
      { min: longest(rates), drop: 1 },
      { min: longest(phases), drop: 2 },
    ],
    columns,
  );
  const [mark, name, count, words, rate, phase] = widths;
  return hosts.map((_, i) =>
    joinCells(
      [
        fitCell(' ', mark),
        fitCell(names[i], name),
        fitCellRight(counts[i], count),
        fitCell('in flight', words),
        fitCellRight(rates[i], rate),
        fitCell(phases[i], phase, false),
      ],
      widths,
    ).trimEnd(),
  );
}

/**
 * A disk that left flight: `✓ app-01/0 plan-a-app-01-disk-0 500 GiB in 4m12s at 180 MiB/s`, or
 * `✗ app-02/1 plan-a-app-02-disk-1 200 GiB stuck: importer restarted 3 times`. The name is cut before the tail.
 */
export function completionRow(completion: SnapshotCompletion, columns: number, ascii: boolean): string {
  const done = completion.outcome === 'done';
  const mark = done ? (ascii ? '+' : '✓') : ascii ? 'x' : '✗';
  const tail = done
    ? [
        formatBytes(completion.bytes),
        completion.seconds !== null && `in ${formatDuration(completion.seconds)}`,
        completion.rate !== null && `at ${formatRate(completion.rate)}`,
      ]
        .filter(Boolean)
        .join(' ')
    : `${formatBytes(completion.bytes)} ${completion.outcome}: ${completion.reason ?? 'no reason given'}`;
  const label = diskLabel(completion);
  // the label (VM and disk index) gets what the tail leaves, then the DataVolume name the rest when 8 columns or more;
  // the reason is the point of a stuck row, so it stays whole
  const room = columns - 2 - displayWidth(tail) - 1;
  const labelWidth = Math.min(displayWidth(label), Math.max(8, room));
  const nameRoom = room - labelWidth - 1;
  const nameWidth = Math.min(displayWidth(completion.name), nameRoom);
  const name = nameWidth >= 8 ? ` ${fitCell(completion.name, nameWidth, false)}` : '';
  const line = `${mark} ${fitCellMiddle(label, labelWidth, false)}${name} ${tail}`;
  return fitCell(line, columns, false);
}

/** The header's lines: the plan and its caps, per host and holder (top), the bytes and the clock. */
export function headerLines(
  snapshot: RunSnapshot,
  options: { top?: boolean; columns: number },
): { text: string; paused?: string; tone?: 'ended' }[] {
  // the last change made from another workstation (top --control) says who made it
  const by = snapshot.lastChange?.source.kind === 'remote' ? snapshot.lastChange.source.by : undefined;
  const cap = `In flight ${snapshot.inFlight.length}/${snapshot.cap}${!snapshot.paused && by ? ` (set by ${by})` : ''}`;
  const paused = snapshot.paused ? `PAUSED${by ? ` by ${by}` : ''}` : undefined;
  const lines: { text: string; paused?: string; tone?: 'ended' }[] = [
    { text: `plan ${snapshot.namespace}/${snapshot.plan}  policy ${snapshot.policy}  ${cap}`, paused },
  ];
  const perHost =
    snapshot.perHostCap === null
      ? ''
      : `per host ${
          snapshot.perHost.length === 0
            ? `0/${snapshot.perHostCap}`
            : snapshot.perHost.map((h) => `${h.host} ${h.inFlight}/${snapshot.perHostCap}`).join(', ')
        }`;
  // a warm run's cutover: when, or that none is set (kubectl mtv cutover sets one)
  const cutover =
    snapshot.cutover === undefined
      ? ''
      : snapshot.cutover === null
        ? 'cutover: not set'
        : `cutover ${Date.parse(snapshot.cutover) <= Date.parse(snapshot.updatedAt) ? 'since' : 'at'} ${snapshot.cutover.slice(11, 16)} UTC`;
  if (options.top) lines.push({ text: [holderLabel(snapshot), perHost, cutover].filter(Boolean).join('  ') });
  else if (perHost || cutover) lines.push({ text: [perHost, cutover].filter(Boolean).join('  ') });
  const clock = [
    formatBytesProgress(snapshot.bytesDone, snapshot.bytes),
    formatRate(snapshot.rate),
    `elapsed ${formatDuration(snapshot.elapsedSeconds)}`,
    snapshot.outcome === null ? `ETA ${formatEta(snapshot.etaSeconds)}` : `ended: ${snapshot.outcome}`,
    ...(snapshot.vms ? [vmCounts(snapshot.vms)] : []),
  ];
  lines.push({ text: clock.join('  '), tone: snapshot.outcome === null ? undefined : 'ended' });
  return lines.map((line) => ({ ...line, text: fitCell(line.text, options.columns, false) }));
}

/** `VMs 3 ready, 1 starting, 1 failed`: what became of the VMs made so far. */
export function vmCounts(vms: NonNullable<RunSnapshot['vms']>): string {
  const count = (state: string) => vms.filter((vm) => vm.state === state).length;
  return [
    `VMs ${count('ready')} ready`,
    count('copying') > 0 && `${count('copying')} copying`,
    count('paused') > 0 && `${count('paused')} between precopies`,
    count('cutting-over') > 0 && `${count('cutting-over')} cutting over`,
    count('shutting-down') > 0 && `${count('shutting-down')} source shutting down`,
    count('converting') > 0 && `${count('converting')} converting`,
    count('created') > 0 && `${count('created')} starting`,
    count('failed') > 0 && `${count('failed')} failed`,
  ]
    .filter(Boolean)
    .join(', ');
}

/** The verdict once the run ended: the runner's own line when the summary is known. */
export function summaryLine(snapshot: RunSnapshot, summary?: RunSummary): string {
  if (summary) return formatOutcomeLine(summary);
  const counts = [
    `${snapshot.completed}/${snapshot.disks} disks transferred`,
    snapshot.stuck > 0 && `${snapshot.stuck} stuck`,
    snapshot.failed > 0 && `${snapshot.failed} failed`,
  ].filter(Boolean);
  return `${snapshot.outcome ?? 'running'}: ${counts.join(', ')} in ${formatDuration(snapshot.elapsedSeconds)}`;
}

/** The keys, for the help overlay. */
export function helpLines(options: { top?: boolean }): string[] {
  return [
    'Keys',
    options.top
      ? '  q, Ctrl-C    leave this view (the run goes on)'
      : '  q, Ctrl-C    detach: copies go on, none start; exit 130 (a re-run resumes)',
    '  p            pause admission, or resume it (disks in flight go on)',
    '  + or =       one more disk in flight',
    '  -            one disk fewer in flight (never below 1)',
    '  C            a warm run: cut over now (each VM once its current round ends)',
    '  ↑ ↓, j k     scroll the queue (PgUp, PgDn: a page)',
    ...(options.top ? ['  Tab          select the next plan: p, + and - steer it'] : []),
    '  ?            close this help',
  ];
}

/** The one-line reminder of the keys under the sections. */
export function keyBar(options: { top?: boolean; readOnly: boolean }): string {
  const steer = options.readOnly ? ['read-only'] : ['p pause/resume', '+/- cap'];
  return ['q detach', ...steer, '↑↓ scroll', ...(options.top ? ['Tab plan'] : []), '? help'].join('  ');
}
