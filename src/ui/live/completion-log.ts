/**
 * Every disk that left flight, printed once above the live lines of `migrate` (TerminalFrame's `above`): the
 * terminal's scrollback keeps them, and no frame draws them again.
 */
import type { SnapshotCompletion } from '../../runner/run-snapshot.js';
import { completionRow } from './run-rows.js';
import { type ViewLine, viewLine } from './view-line.js';
import type { ViewStyle } from './view-style.js';

/** The lines of the completions from index `from` on: `Completed` heads the first. */
export function completionLogLines(
  completions: readonly SnapshotCompletion[],
  from: number,
  style: ViewStyle,
): ViewLine[] {
  const lines: ViewLine[] = [];
  for (let i = from; i < completions.length; i++) {
    const completion = completions[i];
    if (i === 0) lines.push(viewLine('Completed', 'title'));
    const row = completionRow(completion, style.columns, style.ascii);
    lines.push(viewLine(row, completion.outcome === 'done' ? undefined : 'bad'));
  }
  return lines;
}
