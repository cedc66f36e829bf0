/**
 * The frame of `kubectl mtv top`: the runs of one namespace (or all, `-A`) stacked, each a header and its sections,
 * the queue short, then the key bar. Pure, like live-frame.ts; which plan the keys steer (Tab) is the caller's.
 */
import { helpOverlayLines } from './help-overlay.js';
import { keyHintLine } from './key-hint-line.js';
import type { QueueScroll } from './live-keys.js';
import { sectionRows } from './live-layout.js';
import { headerHeight, runHeaderLines } from './run-header.js';
import { runSectionLines, sectionTitles } from './run-sections.js';
import type { TopEntry } from './top-entry.js';
import { type ViewLine, viewLine } from './view-line.js';
import type { ViewStyle } from './view-style.js';

export interface TopFrameInput {
  entries: readonly TopEntry[];
  /** What was searched, for the empty view: `namespace openshift-mtv`, `all namespaces`. */
  scope: string;
  /** The plan the keys steer, an index into `entries`. */
  selected: number;
  view: { help: boolean; offset(maxOffset: number): number; hint: string | null };
  readOnly: boolean;
  style: ViewStyle;
  /** Terminal height, lines. */
  rows: number;
}

/** `namespace/plan`: how top tells plans apart. */
export function entryKey(entry: TopEntry): string {
  return `${entry.snapshot.namespace}/${entry.snapshot.plan}`;
}

export function topFrame(input: TopFrameInput): { lines: ViewLine[]; scroll: QueueScroll } {
  const { entries, scope, selected, view, readOnly, style } = input;
  const rows = Math.max(8, input.rows);
  const several = entries.length > 1;
  const keyLine = keyHintLine(view.hint, { top: several, readOnly });
  if (entries.length === 0) {
    return { lines: [viewLine(`No kubectl-mtv migration is running in ${scope}`), keyLine], scroll: NO_SCROLL };
  }
  if (view.help) return { lines: [...helpOverlayLines({ top: true, rows: rows - 2 }), keyLine], scroll: NO_SCROLL };
  // each plan gets an equal share of the lines, less the key bar, the cursor's line and a blank line between plans
  const share = Math.floor((rows - 2 - (entries.length - 1)) / entries.length);
  const available = (entry: TopEntry) =>
    share - headerHeight(entry.snapshot, { top: true, stale: entry.stale }) - sectionTitles(entry.snapshot) - 1;
  const chosen = entries[selected];
  const probe = sectionRows(chosen.snapshot, available(chosen), { offset: Number.MAX_SAFE_INTEGER, recent: true });
  const scroll = { maxOffset: probe.queueOffset, page: Math.max(1, probe.queue) };
  const lines: ViewLine[] = [];
  entries.forEach((entry, i) => {
    if (i > 0) lines.push(viewLine(''));
    const layout = sectionRows(entry.snapshot, available(entry), {
      offset: i === selected ? view.offset(scroll.maxOffset) : 0,
      recent: true,
    });
    lines.push(
      ...runHeaderLines(entry.snapshot, style, {
        top: true,
        selected: several ? i === selected : undefined,
        stale: entry.stale,
      }),
      ...runSectionLines(entry.snapshot, layout, style, { top: true }),
    );
  });
  lines.push(keyLine);
  return { lines, scroll };
}

const NO_SCROLL: QueueScroll = { maxOffset: 0, page: 1 };
