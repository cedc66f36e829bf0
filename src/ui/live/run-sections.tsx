/** The sections of a run under its header: disks in flight, the queue head and, in top, the recent completions. */
import { Box } from 'ink';
import type { RunSnapshot } from '../../runner/run-snapshot.js';
import { FlightRow } from './flight-row.js';
import { needsAttention } from './live-format.js';
import type { SectionRows } from './live-layout.js';
import { completionRow, flightRows, queueRows } from './run-rows.js';
import { Line } from './view-line.js';
import type { ViewStyle } from './view-style.js';

/** Rows of RunSections besides the rows `sectionRows` hands out: the section titles (and top's Completed title). */
export const SECTION_TITLES = 2;

/** Each section cut to the rows `layout` gives it. */
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
      {flightRows(flight, style.columns, style.ascii).map((row, i) => (
        <FlightRow
          key={flight[i].name}
          text={row.text}
          barAt={row.bar?.at}
          barGlyphs={row.bar?.glyphs}
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
