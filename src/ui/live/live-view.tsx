/**
 * The live view of one run (`kubectl mtv migrate` on a terminal): completions printed once above (Ink `<Static>`, the
 * scrollback keeps them), then the header, the disks in flight, the queue head and, once the run ended, its verdict.
 * State comes in through props (a snapshot the runner's events were folded into); keys go out through `controls`.
 */
import { Box, Static, Text } from 'ink';
import { memo, useMemo } from 'react';
import type { RunSummary } from '../../runner/run-events.js';
import type { RunSnapshot, SnapshotCompletion } from '../../runner/run-snapshot.js';
import type { LiveControls } from './live-controls.js';
import { needsAttention } from './live-format.js';
import { type SectionRows, sectionRows } from './live-layout.js';
import { completionRow, flightRows, headerLines, helpLines, keyBar, queueRows, summaryLine } from './run-rows.js';
import { useLiveKeys } from './use-live-keys.js';

/** How the view draws: colours (false with NO_COLOR or off a terminal), ASCII bars, the terminal's width. */
export interface ViewStyle {
  color: boolean;
  ascii: boolean;
  /** Terminal width, columns. */
  columns: number;
}

export type Tone = 'warn' | 'bad' | 'good' | 'dim' | 'title' | 'selected';

/** Ink colour props for `tone`; none at all without colour. */
function toneProps(color: boolean, tone: Tone | undefined): Record<string, unknown> {
  if (!color || tone === undefined) return {};
  switch (tone) {
    case 'warn':
      return { color: 'yellow' };
    case 'bad':
      return { color: 'red' };
    case 'good':
      return { color: 'green' };
    case 'dim':
      return { dimColor: true };
    case 'title':
      return { bold: true };
    case 'selected':
      return { bold: true, inverse: true };
  }
}

/** One row of the view: never wraps, so that the frame's height is its number of rows. */
export const Line = memo(function Line({ text, color, tone }: { text: string; color: boolean; tone?: Tone }) {
  return (
    <Text wrap="truncate" {...toneProps(color, tone)}>
      {text}
    </Text>
  );
});

const OUTCOME_TONE: Record<string, Tone> = { completed: 'good', stuck: 'bad', 'lease-lost': 'bad' };

/** The header's lines: plan, policy, in flight against the cap, PAUSED; per host (and holder in top); bytes and clock. */
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
          tone={line.tone === 'ended' ? (OUTCOME_TONE[snapshot.outcome ?? ''] ?? 'warn') : undefined}
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

/** The sections of a run under its header, each cut to the rows `layout` gives it. */
export function RunSections(props: {
  snapshot: RunSnapshot;
  layout: SectionRows;
  style: ViewStyle;
  /** Top: recent completions as a section (migrate prints every completion above, in `<Static>`). */
  top?: boolean;
}) {
  const { snapshot, layout, style, top } = props;
  const flight = snapshot.inFlight.slice(0, layout.inFlight);
  const queue = snapshot.queued.slice(layout.queueOffset, layout.queueOffset + layout.queue);
  const below = snapshot.queuedTotal - layout.queueOffset - queue.length;
  const recent = layout.recent > 0 ? snapshot.recent.slice(-layout.recent) : [];
  const shown = layout.queueOffset > 0 ? `  from #${layout.queueOffset + 1}` : '';
  return (
    <Box flexDirection="column">
      <Line text={`In flight (${snapshot.inFlight.length})`} color={style.color} tone="title" />
      {flightRows(flight, style.columns, style.ascii).map((text, i) => (
        <Line
          key={flight[i].name}
          text={text}
          color={style.color}
          tone={needsAttention(flight[i]) ? 'warn' : undefined}
        />
      ))}
      {layout.inFlightMore && (
        <Line
          text={`  … and ${snapshot.inFlight.length - flight.length} more in flight`}
          color={style.color}
          tone="dim"
        />
      )}
      <Line text={`Queued (${snapshot.queuedTotal})${shown}`} color={style.color} tone="title" />
      {queueRows(queue, style.columns).map((text, i) => (
        <Line key={queue[i].name} text={text} color={style.color} />
      ))}
      {layout.queueMore && below > 0 && <Line text={`  … and ${below} more`} color={style.color} tone="dim" />}
      {top && recent.length > 0 && (
        <Line text={`Completed (${completedCounts(snapshot)})`} color={style.color} tone="title" />
      )}
      {recent.map((completion) => (
        <Line
          key={`${completion.name}@${completion.time}`}
          text={completionRow(completion, style.columns, style.ascii)}
          color={style.color}
          tone={completion.outcome === 'done' ? undefined : 'bad'}
        />
      ))}
    </Box>
  );
}

/** `90 done, 1 stuck, 1 failed`. */
function completedCounts(snapshot: RunSnapshot): string {
  return [
    `${snapshot.completed} done`,
    snapshot.stuck > 0 && `${snapshot.stuck} stuck`,
    snapshot.failed > 0 && `${snapshot.failed} failed`,
  ]
    .filter(Boolean)
    .join(', ');
}

/** Rows of RunSections besides the rows `sectionRows` hands out: the section titles (and top's Completed title). */
export const SECTION_TITLES = 2;

/** The help overlay, cut to `rows`. */
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

/** The line under the sections: a hint when a key was refused, or the key bar. */
export function Footer(props: { style: ViewStyle; hint: string | null; top?: boolean; readOnly: boolean }) {
  const { style, hint } = props;
  return (
    <Line
      text={hint ?? keyBar({ top: props.top, readOnly: props.readOnly })}
      color={style.color}
      tone={hint ? 'warn' : 'dim'}
    />
  );
}

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
  // a new array for each completion: <Static> prints the items past those it printed, once
  // biome-ignore lint/correctness/useExhaustiveDependencies: the array is appended to in place
  const printed = useMemo(() => completions.slice(), [completions, completions.length]);

  // the frame stays below the terminal's height: Ink clears the screen (and the scrollback) when it reaches it
  const summaryRows = snapshot?.outcome != null ? 1 : 0;
  const available = snapshot ? rows - 1 - headerHeight(snapshot, {}) - SECTION_TITLES - summaryRows - 1 : 0;
  const probe = snapshot ? sectionRows(snapshot, available, { offset: Number.MAX_SAFE_INTEGER }) : undefined;
  const keys = useLiveKeys({
    controls,
    target: () => ({
      cap: snapshot?.cap ?? null,
      refuse: snapshot?.outcome != null ? 'the run ended: nothing to steer' : undefined,
    }),
    maxOffset: probe?.queueOffset ?? 0,
    page: Math.max(1, probe?.queue ?? 1),
  });
  const layout = snapshot ? sectionRows(snapshot, available, { offset: keys.offset }) : undefined;
  const readOnly = !controls.togglePause && !controls.changeCap;

  return (
    <>
      <Static items={printed}>
        {(completion, i) => (
          <Box key={`${completion.name}@${i}`} flexDirection="column" width={columns}>
            {i === 0 && <Line text="Completed" color={color} tone="title" />}
            <Line
              text={completionRow(completion, columns, ascii)}
              color={color}
              tone={completion.outcome === 'done' ? undefined : 'bad'}
            />
          </Box>
        )}
      </Static>
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
              <Line
                text={summaryLine(snapshot, summary)}
                color={color}
                tone={OUTCOME_TONE[snapshot.outcome] ?? 'warn'}
              />
            )}
          </>
        )}
        <Footer style={style} hint={keys.hint} readOnly={readOnly} />
      </Box>
    </>
  );
}
