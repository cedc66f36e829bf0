/**
 * The text of every row of the live view, sized to the terminal's width. Pure, so the components stay thin and the
 * widths are tested without Ink.
 */
import type { RunSummary } from '../../runner/run-events.js';
import type { RunSnapshot, SnapshotCompletion, SnapshotDisk, SnapshotQueued } from '../../runner/run-snapshot.js';
import { formatOutcomeLine } from '../run-reporters.js';
import { formatBytes, formatDuration } from '../simulate-table.js';
import {
  columnWidths,
  diskLabel,
  fitCell,
  fitCellRight,
  formatBytesProgress,
  formatEta,
  formatPercent,
  formatRate,
  holderLabel,
  needsAttention,
  progressBar,
  unusualPhase,
} from './live-format.js';

/** `↻2 Paused`: restarts, and the phase when it is not a copying one. */
function flightNotes(disk: SnapshotDisk): string {
  return [disk.restarts > 0 && `↻${disk.restarts}`, unusualPhase(disk.phase) && disk.phase].filter(Boolean).join(' ');
}

function longest(cells: readonly string[]): number {
  return cells.reduce((max, cell) => Math.max(max, [...cell].length), 0);
}

/**
 * The widest a progress bar grows: the percentage beside it says the rest, and every column of a frame costs Ink CPU
 * at each redraw (a 40-column bar made frames a fifth dearer).
 */
export const BAR_MAX_COLUMNS = 20;

/**
 * A disk in flight as the view draws it: the row's text with an ASCII bar (`#` and `-`), and, unless the view is ASCII,
 * the unicode bar of the same width that FlightRow draws in its place at `barAt` (a string index).
 */
export interface FlightRowText {
  text: string;
  bar?: { at: number; glyphs: string };
}

/**
 * The disks in flight, one row each, in columns shared by all rows:
 * `! app-01/0 plan-a-app-01-disk-0 esx-01 ████▌░░░░░  45% 312 MiB/s 4m12s ↻2`. `!` marks a disk that needs a look.
 */
export function flightRows(disks: readonly SnapshotDisk[], columns: number, ascii: boolean): FlightRowText[] {
  const notes = disks.map(flightNotes);
  const withNotes = longest(notes) > 0;
  const [mark, label, name, host, bar, pct, rate, eta, note] = columnWidths(
    [
      { min: 1 },
      { min: 8, natural: longest(disks.map(diskLabel)) },
      { min: 12, natural: longest(disks.map((d) => d.name)) },
      { min: 6, natural: longest(disks.map((d) => d.host)), first: true },
      { min: 8, grow: true, max: BAR_MAX_COLUMNS },
      { min: 4 },
      { min: 10 },
      { min: 6 },
      ...(withNotes ? [{ min: 2, natural: longest(notes), first: true }] : []),
    ],
    columns,
  );
  return disks.map((disk, i) => {
    const left = [
      fitCell(needsAttention(disk) ? '!' : ' ', mark),
      fitCell(diskLabel(disk), label),
      fitCell(disk.name, name),
      fitCell(disk.host, host),
      '',
    ].join(' ');
    const right = [
      fitCellRight(formatPercent(disk.progress), pct),
      fitCellRight(formatRate(disk.rate), rate),
      fitCellRight(formatEta(disk.etaSeconds), eta),
      ...(withNotes ? [fitCell(notes[i], note, false)] : []),
    ].join(' ');
    const text = `${left}${progressBar(disk.progress, bar, true)} ${right}`.trimEnd();
    return ascii ? { text } : { text, bar: { at: left.length, glyphs: progressBar(disk.progress, bar, false) } };
  });
}

/** The queued disks, one row each: `  app-03/1  500 GiB esx-01  host esx-01 saturated`. */
export function queueRows(disks: readonly SnapshotQueued[], columns: number): string[] {
  const [mark, label, size, host, reason] = columnWidths(
    [
      { min: 1 },
      { min: 8, natural: longest(disks.map(diskLabel)) },
      { min: 9 },
      { min: 6, natural: longest(disks.map((d) => d.host)), first: true },
      { min: 12, natural: longest(disks.map((d) => d.reason)), first: true },
    ],
    columns,
  );
  return disks.map((disk) =>
    [
      fitCell(' ', mark),
      fitCell(diskLabel(disk), label),
      fitCellRight(formatBytes(disk.bytes), size),
      fitCell(disk.host, host),
      fitCell(disk.reason, reason, false),
    ]
      .join(' ')
      .trimEnd(),
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
  // the names get what the tail leaves, the VM first; the reason is the point of a stuck row, so it stays whole
  const room = columns - 2 - tail.length - 2;
  const labelWidth = Math.min([...label].length, Math.max(8, Math.ceil(room / 2)));
  const nameWidth = Math.min([...completion.name].length, Math.max(8, room - labelWidth));
  const line = `${mark} ${fitCell(label, labelWidth, false)} ${fitCell(completion.name, nameWidth, false)} ${tail}`;
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
  if (options.top) lines.push({ text: [holderLabel(snapshot), perHost].filter(Boolean).join('  ') });
  else if (perHost) lines.push({ text: perHost });
  const clock = [
    formatBytesProgress(snapshot.bytesDone, snapshot.bytes),
    formatRate(snapshot.rate),
    `elapsed ${formatDuration(snapshot.elapsedSeconds)}`,
    snapshot.outcome === null ? `ETA ${formatEta(snapshot.etaSeconds)}` : `ended: ${snapshot.outcome}`,
  ];
  lines.push({ text: clock.join('  '), tone: snapshot.outcome === null ? undefined : 'ended' });
  return lines.map((line) => ({ ...line, text: fitCell(line.text, options.columns, false) }));
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
