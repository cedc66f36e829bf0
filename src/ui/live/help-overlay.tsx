/** The keys and what they do, in place of the sections while `?` is on. */
import { Box } from 'ink';
import { helpLines } from './run-rows.js';
import { Line } from './view-line.js';
import type { ViewStyle } from './view-style.js';

/** The help, cut to `rows`. */
export function HelpOverlay(props: { style: ViewStyle; top?: boolean; rows: number }) {
  const lines = helpLines({ top: props.top }).slice(0, Math.max(1, props.rows));
  return (
    <Box flexDirection="column">
      {lines.map((line, i) => (
        <Line key={line} text={line} color={props.style.color} tone={i === 0 ? 'title' : undefined} />
      ))}
    </Box>
  );
}
