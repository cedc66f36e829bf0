/**
 * One line of a live frame: its text in spans, each with its tone (the header's plan in bold and PAUSED in yellow).
 * Frames are lists of these, computed from the snapshot; the terminal writer cuts and paints them.
 */
import { cutToWidth, displayWidth } from './display-width.js';
import { paint, type Tone } from './view-style.js';

export interface Span {
  text: string;
  tone?: Tone;
}

export type ViewLine = readonly Span[];

/** A line of one span. */
export function viewLine(text: string, tone?: Tone): ViewLine {
  return [tone === undefined ? { text } : { text, tone }];
}

/** A line as the terminal gets it, and the columns it takes. */
export interface DrawnLine {
  text: string;
  width: number;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find them
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * `line` cut to `columns` by display width (`…` where it is cut) and painted: it never wraps, so that a frame's height
 * is its number of lines. Control characters are dropped: a newline or an escape in a name would move the cursor.
 */
export function drawLine(line: ViewLine, columns: number, color: boolean): DrawnLine {
  let text = '';
  let width = 0;
  for (const span of line) {
    const clean = span.text.replace(CONTROL_CHARACTERS, '');
    const w = displayWidth(clean);
    if (width + w <= columns) {
      text += paint(clean, span.tone, color);
      width += w;
      continue;
    }
    if (width >= columns) break;
    const cut = cutToWidth(clean, columns - width - 1);
    text += paint(`${cut.text}…`, span.tone, color);
    width += cut.width + 1;
    break;
  }
  return { text, width };
}
