/** The line under the sections: the hint of a key that was refused, or the key bar. */
import { keyBar } from './run-rows.js';
import { type ViewLine, viewLine } from './view-line.js';

export function keyHintLine(hint: string | null, options: { top?: boolean; readOnly: boolean }): ViewLine {
  return hint ? viewLine(hint, 'warn') : viewLine(keyBar(options), 'dim');
}
