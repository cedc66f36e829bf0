/** One row of the live views: a preformatted string (run-rows.ts) in one `<Text>`, so that Ink lays out one node. */
import { Text } from 'ink';
import { memo } from 'react';
import { type Tone, toneProps } from './view-style.js';

/** Never wraps, so that the frame's height is its number of rows; redrawn only when its text or tone changes. */
export const Line = memo(function Line({ text, color, tone }: { text: string; color: boolean; tone?: Tone }) {
  return (
    <Text wrap="truncate" {...toneProps(color, tone)}>
      {text}
    </Text>
  );
});
