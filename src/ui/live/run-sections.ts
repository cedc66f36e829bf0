/**
 * The sections of a run under its header: the hosts adaptive admission learned (when it runs), disks in flight, the
 * queue head and, in top, the recent completions.
 */
import type { RunSnapshot } from '../../runner/run-snapshot.js';
import { needsAttention } from './live-format.js';
import type { SectionRows } from './live-layout.js';
import { completionRow, flightRows, hostRows, hostsTitle, queueRows } from './run-rows.js';
import { type ViewLine, viewLine } from './view-line.js';
import type { ViewStyle } from './view-style.js';

/** Lines of the sections besides the rows `sectionRows` hands out: the section titles (and top's Completed title). */
export const SECTION_TITLES = 2;

/** SECTION_TITLES, and the hosts panel's title when the run has learned hosts. */
export function sectionTitles(snapshot: Pick<RunSnapshot, 'learned'>): number {
  return SECTION_TITLES + (snapshot.learned ? 1 : 0);
}

/**
 * Each section cut to the rows `layout` gives it. Top lists recent completions as a section; migrate prints every
 * completion once above the live lines (completion-log.ts).
 */
export function runSectionLines(
  snapshot: RunSnapshot,
  layout: SectionRows,
  style: ViewStyle,
  options: { top?: boolean } = {},
): ViewLine[] {
  const flight = snapshot.inFlight.slice(0, layout.inFlight);
  const queue = snapshot.queued.slice(layout.queueOffset, layout.queueOffset + layout.queue);
  const below = snapshot.queuedTotal - layout.queueOffset - queue.length;
  const recent = layout.recent > 0 ? snapshot.recent.slice(-layout.recent) : [];
  const shown = layout.queueOffset > 0 ? `  from #${layout.queueOffset + 1}` : '';
  const lines: ViewLine[] = [];
  const learned = snapshot.learned;
  if (learned) {
    lines.push(viewLine(hostsTitle(learned), 'title'));
    for (const row of hostRows(learned.hosts.slice(0, layout.hosts), style.columns)) lines.push(viewLine(row));
    const more = learned.hostsTotal - Math.min(layout.hosts, learned.hosts.length);
    if (layout.hostsMore && more > 0) lines.push(viewLine(`  … and ${more} more host${more === 1 ? '' : 's'}`, 'dim'));
  }
  lines.push(viewLine(`In flight (${snapshot.inFlight.length})`, 'title'));
  flightRows(flight, style.columns, style.ascii).forEach((row, i) => {
    lines.push(viewLine(row, needsAttention(flight[i]) ? 'warn' : undefined));
  });
  if (layout.inFlightMore) {
    lines.push(viewLine(`  … and ${snapshot.inFlight.length - flight.length} more in flight`, 'dim'));
  }
  lines.push(viewLine(`Queued (${snapshot.queuedTotal})${shown}`, 'title'));
  for (const row of queueRows(queue, style.columns)) lines.push(viewLine(row));
  if (layout.queueMore && below > 0) lines.push(viewLine(`  … and ${below} more`, 'dim'));
  if (options.top && recent.length > 0) lines.push(viewLine(`Completed (${completedCounts(snapshot)})`, 'title'));
  for (const completion of recent) {
    const row = completionRow(completion, style.columns, style.ascii);
    lines.push(viewLine(row, completion.outcome === 'done' ? undefined : 'bad'));
  }
  return lines;
}

/** `90 done, 1 stuck, 1 failed`. */
function completedCounts(snapshot: RunSnapshot): string {
  return [
    `${snapshot.completed} done`,
    snapshot.stuck > 0 && `${snapshot.stuck} stuck`,
    snapshot.failed > 0 && `${snapshot.failed} failed`,
  ]
    .filter(Boolean)
    .join(', ');
}
