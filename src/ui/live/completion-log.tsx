/**
 * Every disk that left flight, printed once above the live rows (Ink `<Static>`): the terminal's scrollback keeps
 * them, and no frame draws them again.
 */
import { Box, Static } from 'ink';
import { useMemo } from 'react';
import type { SnapshotCompletion } from '../../runner/run-snapshot.js';
import { completionRow } from './run-rows.js';
import { Line } from './view-line.js';
import type { ViewStyle } from './view-style.js';

export function CompletionLog(props: { completions: readonly SnapshotCompletion[]; style: ViewStyle }) {
  const { completions, style } = props;
  // a new array for each completion: <Static> prints the items past those it printed, once
  // biome-ignore lint/correctness/useExhaustiveDependencies: the array is appended to in place
  const printed = useMemo(() => completions.slice(), [completions, completions.length]);
  return (
    <Static items={printed}>
      {(completion, i) => (
        <Box key={`${completion.name}@${i}`} flexDirection="column" width={style.columns}>
          {i === 0 && <Line text="Completed" color={style.color} tone="title" />}
          <Line
            text={completionRow(completion, style.columns, style.ascii)}
            color={style.color}
            tone={completion.outcome === 'done' ? undefined : 'bad'}
          />
        </Box>
      )}
    </Static>
  );
}
