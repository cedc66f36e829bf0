/**
 * Widths in terminal columns, not in code points: an East Asian wide character (a CJK VM name) or an emoji takes 2
 * columns, a combining mark none. string-width decides; the strings the views draw most (ASCII, the bars' blocks,
 * `✓ ✗ … ↻ ▶`) take fast paths, since every cell of every frame is measured.
 */
import stringWidth from 'string-width';

/** Printable ASCII: one column a character. */
const ASCII = /^[\u0020-\u007e]*$/;
/**
 * Characters the views draw that are one column each, as string-width counts them (a test checks it): `…`, arrows,
 * box drawing, block elements, geometric shapes (but the two emoji among them, U+25FD and U+25FE), `✓` and `✗`.
 */
const NARROW = /^[\u0020-\u007e\u00b7\u2026\u2190-\u21ff\u2500-\u25fc\u2713\u2717]*$/;

const graphemes = new Intl.Segmenter();

/** Columns `text` takes on a terminal (no control characters in it). */
export function displayWidth(text: string): number {
  if (ASCII.test(text)) return text.length;
  if (NARROW.test(text)) {
    let count = 0;
    for (const _ of text) count++;
    return count;
  }
  return stringWidth(text);
}

/** The longest start of `text` that fits `columns`, and its width: never half of a wide character. */
export function cutToWidth(text: string, columns: number): { text: string; width: number } {
  if (columns <= 0) return { text: '', width: 0 };
  const whole = displayWidth(text);
  if (whole <= columns) return { text, width: whole };
  if (ASCII.test(text)) return { text: text.slice(0, columns), width: columns };
  let width = 0;
  let end = 0;
  for (const { segment, index } of graphemes.segment(text)) {
    const w = displayWidth(segment);
    if (width + w > columns) break;
    width += w;
    end = index + segment.length;
  }
  return { text: text.slice(0, end), width };
}

/** The longest end of `text` that fits `columns`, and its width. */
export function cutToWidthFromEnd(text: string, columns: number): { text: string; width: number } {
  if (columns <= 0) return { text: '', width: 0 };
  const whole = displayWidth(text);
  if (whole <= columns) return { text, width: whole };
  if (ASCII.test(text)) return { text: text.slice(text.length - columns), width: columns };
  const parts = [...graphemes.segment(text)].map((s) => s.segment);
  let width = 0;
  let start = parts.length;
  while (start > 0) {
    const w = displayWidth(parts[start - 1]);
    if (width + w > columns) break;
    width += w;
    start--;
  }
  return { text: parts.slice(start).join(''), width };
}

/**
 * `text` in lines of at most `columns`, broken at spaces (a word longer than a line is broken where it must be):
 * for what must be read whole, the run's verdict.
 */
export function wrapToWidth(text: string, columns: number): string[] {
  const width = Math.max(1, columns);
  const lines: string[] = [];
  let line: string | null = null;
  let lineWidth = 0;
  for (const word of text.split(' ')) {
    let rest = word;
    let restWidth = displayWidth(rest);
    if (line !== null && lineWidth + 1 + restWidth <= width) {
      line += ` ${rest}`;
      lineWidth += 1 + restWidth;
      continue;
    }
    if (line !== null) lines.push(line);
    while (restWidth > width) {
      // a wide character in a one-column terminal still goes out, alone on its line
      const take = cutToWidth(rest, width).text || String.fromCodePoint(rest.codePointAt(0) ?? 32);
      lines.push(take);
      rest = rest.slice(take.length);
      restWidth = displayWidth(rest);
    }
    line = rest;
    lineWidth = restWidth;
    if (rest === '' && word !== '') line = null;
  }
  if (line !== null) lines.push(line);
  return lines;
}
