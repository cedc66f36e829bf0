/** The header of a run: plan, policy, in flight against the cap and PAUSED; per host (and holder in top); bytes and clock. */
import { Box, Text } from 'ink';
import type { RunSnapshot } from '../../runner/run-snapshot.js';
import { headerLines } from './run-rows.js';
import { Line } from './view-line.js';
import { outcomeTone, toneProps, type ViewStyle } from './view-style.js';

export function RunHeader(props: {
  snapshot: RunSnapshot;
  style: ViewStyle;
  top?: boolean;
  /** Top with several plans: `>` marks the plan the keys steer; false marks the others with spaces. */
  selected?: boolean;
  stale?: string;
}) {
  const { snapshot, style, top, selected, stale } = props;
  const prefix = selected === undefined ? '' : selected ? (style.ascii ? '> ' : '▶ ') : '  ';
  const lines = headerLines(snapshot, { top, columns: style.columns - prefix.length });
  const [first, ...rest] = lines;
  const paused = first.paused;
  return (
    <Box flexDirection="column">
      <Text wrap="truncate">
        <Text {...toneProps(style.color, selected ? 'selected' : 'title')}>{prefix + first.text}</Text>
        {paused && <Text {...toneProps(style.color, 'warn')}>{`  ${paused}`}</Text>}
      </Text>
      {rest.map((line) => (
        <Line
          key={line.text}
          text={' '.repeat(prefix.length) + line.text}
          color={style.color}
          tone={line.tone === 'ended' ? outcomeTone(snapshot.outcome) : undefined}
        />
      ))}
      {stale && <Line text={`${' '.repeat(prefix.length)}stale: ${stale}`} color={style.color} tone="bad" />}
    </Box>
  );
}

/** Rows the header takes (see RunHeader). */
export function headerHeight(snapshot: RunSnapshot, options: { top?: boolean; stale?: string }): number {
  return 2 + (options.top || snapshot.perHostCap !== null ? 1 : 0) + (options.stale ? 1 : 0);
}
