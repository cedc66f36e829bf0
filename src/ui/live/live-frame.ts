/**
 * The frame of `kubectl mtv migrate`'s live view: the header, the hosts adaptive admission learned (when it runs), the
 * disks in flight, the queue head, the key bar, and,
 * once the run ended, its verdict in place of the key bar. Pure: from the snapshot (the runner's events folded) and
 * the view state the keys own.
 */
import type { RunSummary } from '../../runner/run-events.js';
import type { RunSnapshot } from '../../runner/run-snapshot.js';
import { wrapToWidth } from './display-width.js';
import { helpOverlayLines } from './help-overlay.js';
import { keyHintLine } from './key-hint-line.js';
import type { QueueScroll } from './live-keys.js';
import { sectionRows } from './live-layout.js';
import { headerHeight, runHeaderLines } from './run-header.js';
import { summaryLine } from './run-rows.js';
import { runSectionLines, sectionTitles } from './run-sections.js';
import { type ViewLine, viewLine } from './view-line.js';
import { outcomeTone, type ViewStyle } from './view-style.js';

/** Queued disks the view lists at most (↑ ↓ scroll through the rest): the queue's head says why disks wait. */
export const QUEUE_ROWS_SHOWN = 5;

export interface LiveFrameInput {
  /** The run now; undefined until its plan event. */
  snapshot: RunSnapshot | undefined;
  /** The runner's summary once the run ended. */
  summary?: RunSummary;
  /** What the keys show: the help, the queue's first disk shown, a hint. */
  view: { help: boolean; offset(maxOffset: number): number; hint: string | null };
  /** No steering control: the key bar says read-only. */
  readOnly: boolean;
  style: ViewStyle;
  /** Terminal height, lines. */
  rows: number;
}

export interface LiveFrame {
  lines: ViewLine[];
  /** How far the queue scrolls in this layout (for the keys). */
  scroll: QueueScroll;
}

export function liveFrame(input: LiveFrameInput): LiveFrame {
  const { snapshot, summary, view, readOnly, style } = input;
  const rows = Math.max(8, input.rows);
  const keyLine = keyHintLine(view.hint, { readOnly });
  if (snapshot === undefined) {
    return { lines: [viewLine('waiting for the run to start…', 'dim'), keyLine], scroll: { maxOffset: 0, page: 1 } };
  }
  const ended = snapshot.outcome !== null;
  // the frame stays below the terminal's height (the line under it holds the cursor), the key bar or verdict under it
  const titles = sectionTitles(snapshot);
  const available = rows - 1 - headerHeight(snapshot, {}) - titles - 1;
  const probe = sectionRows(snapshot, available, { offset: Number.MAX_SAFE_INTEGER, queueMax: QUEUE_ROWS_SHOWN });
  const scroll = { maxOffset: probe.queueOffset, page: Math.max(1, probe.queue) };
  const layout = sectionRows(snapshot, available, {
    offset: view.offset(scroll.maxOffset),
    queueMax: QUEUE_ROWS_SHOWN,
  });
  const lines = [
    ...runHeaderLines(snapshot, style),
    ...(view.help && !ended
      ? helpOverlayLines({ rows: available + titles })
      : runSectionLines(snapshot, layout, style)),
  ];
  if (ended) {
    // the last frame: the verdict whole, on as many lines as it takes; no keys left to press
    const tone = outcomeTone(snapshot.outcome);
    for (const part of wrapToWidth(summaryLine(snapshot, summary), style.columns)) lines.push(viewLine(part, tone));
  } else {
    lines.push(keyLine);
  }
  return { lines, scroll };
}
