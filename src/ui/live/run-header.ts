/** The header of a run: plan, policy, in flight against the cap and PAUSED; per host (and holder in top); bytes and clock. */
import type { RunSnapshot } from '../../runner/run-snapshot.js';
import { headerLines } from './run-rows.js';
import { type ViewLine, viewLine } from './view-line.js';
import { outcomeTone, type ViewStyle } from './view-style.js';

export interface RunHeaderOptions {
  top?: boolean;
  /** Top with several plans: `>` marks the plan the keys steer; false marks the others with spaces. */
  selected?: boolean;
  /** Why the run's figures may be out of date (top). */
  stale?: string;
}

/** The header's lines: `headerHeight` of them. */
export function runHeaderLines(snapshot: RunSnapshot, style: ViewStyle, options: RunHeaderOptions = {}): ViewLine[] {
  const { top, selected, stale } = options;
  const prefix = selected === undefined ? '' : selected ? (style.ascii ? '> ' : '▶ ') : '  ';
  const indent = ' '.repeat(prefix.length);
  const [first, ...rest] = headerLines(snapshot, { top, columns: style.columns - prefix.length });
  const lines: ViewLine[] = [
    [
      { text: prefix + first.text, tone: selected ? 'selected' : 'title' },
      ...(first.paused ? [{ text: `  ${first.paused}`, tone: 'warn' as const }] : []),
    ],
    ...rest.map((line) =>
      viewLine(indent + line.text, line.tone === 'ended' ? outcomeTone(snapshot.outcome) : undefined),
    ),
  ];
  if (stale) lines.push(viewLine(`${indent}stale: ${stale}`, 'bad'));
  return lines;
}

/** Lines the header takes (see runHeaderLines). */
export function headerHeight(snapshot: RunSnapshot, options: { top?: boolean; stale?: string }): number {
  return 2 + (options.top || snapshot.perHostCap !== null ? 1 : 0) + (options.stale ? 1 : 0);
}
