/**
 * Cell formatting for the live view and `top`: fixed-width cells, progress bars, rates. Pure string functions; widths
 * count code points (names are Kubernetes names, the symbols used here are one column wide).
 */
import type { RunSnapshot } from '../../runner/run-snapshot.js';
import { formatBytes, formatDuration } from '../simulate-table.js';

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
  // names come from vSphere and from other users' Leases: no control character reaches the terminal
  const chars = [...text.replace(CONTROL_CHARACTERS, '')];
  const cut = chars.length > width ? `${chars.slice(0, width - 1).join('')}…` : chars.join('');
  return pad ? cut + ' '.repeat(Math.max(0, width - Math.min(chars.length, width))) : cut;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find them
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/g;

/** Right-aligned `fitCell`. */
export function fitCellRight(text: string, width: number): string {
  const cut = fitCell(text, width, false);
  return ' '.repeat(Math.max(0, width - [...cut].length)) + cut;
}

/**
 * A column of a table row: its minimum width, the width its longest cell wants (`natural`), and whether it takes the
 * spare columns once every column has its natural width (`grow`, up to `max`).
 */
export interface ColumnSpec {
  min: number;
  natural?: number;
  /** Gets its natural width before the others share the rest (a queued disk's reason, a disk's notes). */
  first?: boolean;
  grow?: boolean;
  max?: number;
}

/**
 * Widths for `specs` in `total` columns with one space between cells: every column gets its minimum, the `first`
 * columns their natural width, then the columns short of their natural width share the spare columns (the shortest in proportion first), then the growing ones take
 * the rest up to their max. Below the sum of the minimums the caller truncates the row (the views ask for 80 and more).
 */
export function columnWidths(specs: readonly ColumnSpec[], total: number): number[] {
  const widths = specs.map((s) => s.min);
  let spare = total - (specs.length - 1) - widths.reduce((a, b) => a + b, 0);
  specs.forEach((s, i) => {
    if (!s.first || spare <= 0) return;
    const add = Math.min(spare, Math.max(0, (s.natural ?? 0) - widths[i]));
    widths[i] += add;
    spare -= add;
  });
  while (spare > 0) {
    let pick = -1;
    for (let i = 0; i < specs.length; i++) {
      const natural = specs[i].natural ?? 0;
      if (widths[i] >= natural) continue;
      if (pick < 0 || widths[i] / natural < widths[pick] / (specs[pick].natural ?? 1)) pick = i;
    }
    if (pick < 0) break;
    widths[pick]++;
    spare--;
  }
  const growing = specs.map((s, i) => (s.grow ? i : -1)).filter((i) => i >= 0);
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
export function needsAttention(disk: { restarts: number; phase: string }): boolean {
  return disk.restarts > 0 || unusualPhase(disk.phase);
}

/** `runner alice@ws1/1234`, or `runner unknown`. */
export function holderLabel(snapshot: Pick<RunSnapshot, 'holder'>): string {
  return `runner ${snapshot.holder ?? 'unknown'}`;
}
