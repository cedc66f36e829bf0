/** The keys and what they do, in place of the sections while `?` is on. */
import { helpLines } from './run-rows.js';
import { type ViewLine, viewLine } from './view-line.js';

/** The help, cut to `rows` lines. */
export function helpOverlayLines(options: { top?: boolean; rows: number }): ViewLine[] {
  return helpLines({ top: options.top })
    .slice(0, Math.max(1, options.rows))
    .map((line, i) => viewLine(line, i === 0 ? 'title' : undefined));
}
