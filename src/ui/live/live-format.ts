/**
 * Cell formatting for the live view and `top`: fixed-width cells, progress bars, rates. Pure string functions; widths
 * are terminal columns (display-width.ts): a VM named in CJK takes two columns a character, and its row stays aligned.
 */
import type { RunSnapshot } from '../../runner/run-snapshot.js';
import { formatBytes, formatDuration } from '../simulate-table.js';
import { cutToWidth, cutToWidthFromEnd, displayWidth } from './display-width.js';

/** `312 MiB/s`; `-` when unknown. */
export function formatRate(bytesPerSecond: number | null): string {
  if (bytesPerSecond === null || !Number.isFinite(bytesPerSecond)) return '-';
  return `${formatBytes(Math.max(0, bytesPerSecond))}/s`;
}

/** `4m12s`, `2h44m` (to the minute from an hour on: an estimate); `-` when unknown. */
export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '-';
  const clamped = Math.max(0, seconds);
  return formatDuration(clamped >= 3600 ? Math.round(clamped / 60) * 60 : clamped);
}

/** A fraction 0..1 as a whole percentage, floored so that 99.6% never shows as 100%. */
export function formatPercent(fraction: number): string {
  const clamped = Math.min(1, Math.max(0, fraction));
  return `${Math.floor(clamped * 100)}%`;
}

/** `1.2 TiB / 4.2 TiB (28%)`. */
export function formatBytesProgress(done: number, total: number, separator = ' / '): string {
  return `${formatBytes(done)}${separator}${formatBytes(total)} (${formatPercent(total > 0 ? done / total : 1)})`;
}

/** `app-01/0`: a disk as the views name it. */
export function diskLabel(disk: { vm: string; index: number }): string {
  return `${disk.vm}/${disk.index}`;
}

const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/** A bar `width` columns wide: unicode blocks in eighths, or `#` and `-` when `ascii`. */
export function progressBar(fraction: number, width: number, ascii: boolean): string {
  if (width <= 0) return '';
  const clamped = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  if (ascii) {
    const full = Math.floor(clamped * width);
    return '#'.repeat(full) + '-'.repeat(width - full);
  }
  const eighths = Math.floor(clamped * width * 8);
  const full = Math.floor(eighths / 8);
  const part = full < width ? EIGHTHS[eighths % 8] : '';
  return '█'.repeat(full) + part + '░'.repeat(width - full - (part ? 1 : 0));
}

/** `text` cut to `width` columns (with `…` when cut), padded with spaces to exactly `width` unless `pad` is false. */
export function fitCell(text: string, width: number, pad = true): string {
  if (width <= 0) return '';
  const clean = withoutControls(text);
  const whole = displayWidth(clean);
  if (whole <= width) return pad ? clean + ' '.repeat(width - whole) : clean;
  const cut = cutToWidth(clean, width - 1);
  return pad ? `${cut.text}…${' '.repeat(width - 1 - cut.width)}` : `${cut.text}…`;
}

/**
 * `text` cut in its middle to `width` columns (`a-very-l…tory-12/0`), padded unless `pad` is false: a disk's label
 * keeps the end of its VM's name and its index, what tells it from its neighbours (`db-01/0`, `db-01/1`, `db-02/0`).
 */
export function fitCellMiddle(text: string, width: number, pad = true): string {
  if (width <= 0) return '';
  const clean = withoutControls(text);
  const whole = displayWidth(clean);
  if (whole <= width) return pad ? clean + ' '.repeat(width - whole) : clean;
  if (width < 3) return fitCell(clean, width, pad);
  const tail = cutToWidthFromEnd(clean, Math.ceil((width - 1) / 2));
  const head = cutToWidth(clean, width - 1 - tail.width);
  const cut = `${head.text}…${tail.text}`;
  return pad ? cut + ' '.repeat(width - 1 - head.width - tail.width) : cut;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find them
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/g;

/** Names come from vSphere and from other users' Leases: no control character reaches the terminal. */
function withoutControls(text: string): string {
  return text.replace(CONTROL_CHARACTERS, '');
}

/** Right-aligned `fitCell`. */
export function fitCellRight(text: string, width: number): string {
  const cut = fitCell(text, width, false);
  return ' '.repeat(Math.max(0, width - displayWidth(cut))) + cut;
}

/**
 * A column of a table row: its minimum width, the width its longest cell wants (`natural`), and whether it takes the
 * spare columns once every column has its natural width (`grow`, up to `max`).
 */
export interface ColumnSpec {
  min: number;
  natural?: number;
  /** Gets its natural width before the others share the rest (a disk's label, a queued disk's reason). */
  first?: boolean;
  grow?: boolean;
  max?: number;
  /**
   * Left out when the minimums do not fit the width: the highest `drop` goes first. A column without it always stays
   * (the disk's identity, its percentage).
   */
  drop?: number;
}

/**
 * Widths for `specs` in `total` columns with one space between cells: columns are dropped (width 0) by their `drop`
 * until the minimums fit, every column left gets its minimum, the `first` columns their natural width (the narrowest
 * first), then the
 * columns short of their natural width share the spare columns (the shortest in proportion first), then the growing
 * ones take the rest up to their max. Below the minimums of the columns that never drop the caller cuts the row.
 */
export function columnWidths(specs: readonly ColumnSpec[], total: number): number[] {
  const kept = specs.map(() => true);
  const needed = () => specs.reduce((sum, s, i) => (kept[i] ? sum + s.min + 1 : sum), 0) - (kept.some(Boolean) ? 1 : 0);
  const droppable = specs
    .map((s, i) => ({ i, drop: s.drop }))
    .filter((c): c is { i: number; drop: number } => c.drop !== undefined)
    .sort((a, b) => b.drop - a.drop);
  for (const { i } of droppable) {
    if (needed() <= total) break;
    kept[i] = false;
  }
  const widths = specs.map((s, i) => (kept[i] ? s.min : 0));
  let spare = total - needed();
  // the narrowest first: a disk's notes (`↻2 Paused`) whole before a long label takes the rest
  const firsts = specs
    .map((_, i) => i)
    .filter((i) => specs[i].first && kept[i])
    .sort((a, b) => (specs[a].natural ?? 0) - (specs[b].natural ?? 0));
  for (const i of firsts) {
    if (spare <= 0) break;
    const add = Math.min(spare, Math.max(0, (specs[i].natural ?? 0) - widths[i]));
    widths[i] += add;
    spare -= add;
  }
  while (spare > 0) {
    let pick = -1;
    for (let i = 0; i < specs.length; i++) {
      const natural = specs[i].natural ?? 0;
      if (!kept[i] || widths[i] >= natural) continue;
      if (pick < 0 || widths[i] / natural < widths[pick] / (specs[pick].natural ?? 1)) pick = i;
    }
    if (pick < 0) break;
    widths[pick]++;
    spare--;
  }
  const growing = specs.map((s, i) => (s.grow && kept[i] ? i : -1)).filter((i) => i >= 0);
  while (spare > 0) {
    const open = growing.filter((i) => widths[i] < (specs[i].max ?? Number.POSITIVE_INFINITY));
    if (open.length === 0) break;
    for (const i of open) {
      if (spare === 0) break;
      widths[i]++;
      spare--;
    }
  }
  return widths;
}

/** The cells of the columns `columnWidths` kept (width above 0), one space apart. */
export function joinCells(cells: readonly string[], widths: readonly number[]): string {
  return cells.filter((_, i) => widths[i] > 0).join(' ');
}

/** The DataVolume phase without the `Import` prefix every copying phase carries: `InProgress`, `Scheduled`. */
export function shortPhase(phase: string): string {
  return phase.startsWith('Import') && phase.length > 'Import'.length ? phase.slice('Import'.length) : phase;
}

/** Phases a disk passes through on its way to Import*: not worth a mark. */
const STARTING_PHASES = new Set(['Pending', 'PVCBound']);

/** True when a disk's phase is not one of copying (Import*) or of getting there (Pending, PVCBound). */
export function unusualPhase(phase: string): boolean {
  return !(phase.startsWith('Import') || STARTING_PHASES.has(phase));
}

/** True when a disk in flight needs a look: its importer restarted, or it left the Import* phases (Paused, Failed...). */
export function needsAttention(disk: { restarts: number; phase: string; alert?: string }): boolean {
  return disk.restarts > 0 || unusualPhase(disk.phase) || disk.alert !== undefined;
}

/** `runner alice@ws1/1234`, or `runner unknown`. */
export function holderLabel(snapshot: Pick<RunSnapshot, 'holder'>): string {
  return `runner ${snapshot.holder ?? 'unknown'}`;
}
