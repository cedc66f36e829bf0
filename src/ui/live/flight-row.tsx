/**
 * One disk in flight. Its unicode bar (`████▌░░░░░`) reaches the terminal through `<Transform>`, in place of an ASCII
 * bar of the same width: Ink measures every `<Text>` of a frame with string-width, which walks a string of non-ASCII
 * characters grapheme by grapheme with Unicode regular expressions (about 0.1 ms for a 20-column bar, twice a frame),
 * but takes a fast path for ASCII. The bar's characters are one column each, so the layout Ink computes holds.
 */
import { Text, Transform } from 'ink';
import { memo } from 'react';
import type { FlightRowText } from './run-rows.js';
import { type Tone, toneProps } from './view-style.js';

/** The SGR sequences a tone puts before the text (`\x1b[33m`): the bar's index counts from after them. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the escape character is what it matches
const LEADING_STYLES = /^(?:\x1b\[[0-9;]*m)*/;

/** `line` with the ASCII bar at `at` replaced by `glyphs`; unchanged when the bar is not where the row put it. */
export function withGlyphBar(line: string, at: number, glyphs: string): string {
  const start = (LEADING_STYLES.exec(line)?.[0].length ?? 0) + at;
  const standIn = line.slice(start, start + glyphs.length);
  if (standIn.length !== glyphs.length || !/^[#-]*$/.test(standIn)) return line;
  return line.slice(0, start) + glyphs + line.slice(start + glyphs.length);
}

/** A row as flightRows made it (its fields apart, so that an unchanged row skips React's render). */
export const FlightRow = memo(function FlightRow(props: {
  text: FlightRowText['text'];
  barAt?: number;
  barGlyphs?: string;
  color: boolean;
  tone?: Tone;
}) {
  const { text, barAt, barGlyphs, color, tone } = props;
  const row = (
    <Text wrap="truncate" {...toneProps(color, tone)}>
      {text}
    </Text>
  );
  if (barAt === undefined || barGlyphs === undefined) return row;
  return <Transform transform={(line) => withGlyphBar(line, barAt, barGlyphs)}>{row}</Transform>;
});
