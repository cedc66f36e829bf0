/**
 * The live view of one run (`kubectl mtv migrate` on a terminal): completions printed once above (CompletionLog),
 * then the header, the disks in flight, the queue head and, once the run ended, its verdict. State comes in through
 * props (a snapshot the runner's events were folded into); keys go out through `controls`.
 */
import { Box } from 'ink';
import type { RunSummary } from '../../runner/run-events.js';
import type { RunSnapshot, SnapshotCompletion } from '../../runner/run-snapshot.js';
import { CompletionLog } from './completion-log.js';
import { HelpOverlay } from './help-overlay.js';
import { KeyHintLine } from './key-hint-line.js';
import type { LiveControls } from './live-controls.js';
import { sectionRows } from './live-layout.js';
import { headerHeight, RunHeader } from './run-header.js';
import { summaryLine } from './run-rows.js';
import { RunSections, SECTION_TITLES } from './run-sections.js';
import { useLiveKeys } from './use-live-keys.js';
import { Line } from './view-line.js';
import { outcomeTone, type ViewStyle } from './view-style.js';

/**
 * Queued disks the view lists at most (↑ ↓ scroll through the rest): every row of the frame costs Ink CPU at each
 * redraw, and the queue's head says why disks wait.
 */
export const QUEUE_ROWS_SHOWN = 5;

export interface LiveAppProps {
  /** The run now; undefined until its plan event. */
  snapshot: RunSnapshot | undefined;
  /** Every disk that left flight, in order (append-only): printed once, above the live rows. */
  completions: readonly SnapshotCompletion[];
  /** The runner's summary once the run ended. */
  summary?: RunSummary;
  controls: LiveControls;
  color: boolean;
  ascii: boolean;
  /** Terminal size; 80x24 when unknown. */
  columns?: number;
  rows?: number;
}

/** The live view of `kubectl mtv migrate`. */
export function LiveApp(props: LiveAppProps) {
  const { snapshot, completions, summary, controls, color, ascii } = props;
  const columns = Math.max(20, props.columns || 80);
  const rows = Math.max(8, props.rows || 24);
  const style: ViewStyle = { color, ascii, columns };

  // the frame stays below the terminal's height: Ink clears the screen (and the scrollback) when it reaches it
  const summaryRows = snapshot?.outcome != null ? 1 : 0;
  const available = snapshot ? rows - 1 - headerHeight(snapshot, {}) - SECTION_TITLES - summaryRows - 1 : 0;
  const probe = snapshot
    ? sectionRows(snapshot, available, { offset: Number.MAX_SAFE_INTEGER, queueMax: QUEUE_ROWS_SHOWN })
    : undefined;
  const keys = useLiveKeys({
    controls,
    target: () => ({
      cap: snapshot?.cap ?? null,
      refuse: snapshot?.outcome != null ? 'the run ended: nothing to steer' : undefined,
    }),
    maxOffset: probe?.queueOffset ?? 0,
    page: Math.max(1, probe?.queue ?? 1),
  });
  const layout = snapshot
    ? sectionRows(snapshot, available, { offset: keys.offset, queueMax: QUEUE_ROWS_SHOWN })
    : undefined;
  const readOnly = !controls.togglePause && !controls.changeCap;

  return (
    <>
      <CompletionLog completions={completions} style={style} />
      <Box flexDirection="column" width={columns}>
        {snapshot === undefined || layout === undefined ? (
          <Line text="waiting for the run to start…" color={color} tone="dim" />
        ) : (
          <>
            <RunHeader snapshot={snapshot} style={style} />
            {keys.help ? (
              <HelpOverlay style={style} rows={available + SECTION_TITLES} />
            ) : (
              <RunSections snapshot={snapshot} layout={layout} style={style} />
            )}
            {snapshot.outcome !== null && (
              <Line text={summaryLine(snapshot, summary)} color={color} tone={outcomeTone(snapshot.outcome)} />
            )}
          </>
        )}
        <KeyHintLine style={style} hint={keys.hint} readOnly={readOnly} />
      </Box>
    </>
  );
}
