/**
 * `kubectl mtv top`: the runs of one namespace (or all, `-A`) stacked, each a header and its sections, the queue
 * short. Tab selects the plan that p, + and - steer; without `--control` the view is read-only.
 */
import { Box } from 'ink';
import { useRef, useState } from 'react';
import { HelpOverlay } from './help-overlay.js';
import { KeyHintLine } from './key-hint-line.js';
import type { LiveControls, TopControls } from './live-controls.js';
import { sectionRows } from './live-layout.js';
import { headerHeight, RunHeader } from './run-header.js';
import { RunSections, SECTION_TITLES } from './run-sections.js';
import type { TopEntry } from './top-entry.js';
import { useLiveKeys } from './use-live-keys.js';
import { Line } from './view-line.js';
import type { ViewStyle } from './view-style.js';

export interface TopAppProps {
  entries: readonly TopEntry[];
  /** What was searched, for the empty view: `namespace openshift-mtv`, `all namespaces`. */
  scope: string;
  controls: TopControls;
  color: boolean;
  ascii: boolean;
  columns?: number;
  rows?: number;
}

/** `namespace/plan`: how top tells plans apart. */
export function entryKey(entry: TopEntry): string {
  return `${entry.snapshot.namespace}/${entry.snapshot.plan}`;
}

/** The controls of LiveApp's keys, for the plan selected when the key comes. */
function controlsFor(controls: TopControls, selected: () => TopEntry | undefined): LiveControls {
  const { togglePause, changeCap } = controls;
  return {
    detach: () => controls.detach(),
    ...(togglePause && {
      togglePause: () => {
        const entry = selected();
        if (entry) togglePause(entry);
      },
    }),
    ...(changeCap && {
      changeCap: (delta: 1 | -1) => {
        const entry = selected();
        if (entry) changeCap(entry, delta);
      },
    }),
  };
}

/** Why the selected plan cannot be steered now. */
function refusal(entry: TopEntry | undefined): string | undefined {
  if (!entry) return 'no run to steer';
  if (entry.stale) return `${entryKey(entry)} is stale: nothing to steer`;
  if (entry.snapshot.outcome !== null) return `${entryKey(entry)} ended: nothing to steer`;
  return undefined;
}

export function TopApp(props: TopAppProps) {
  const { entries, scope, controls, color, ascii } = props;
  const columns = Math.max(20, props.columns || 80);
  const rows = Math.max(8, props.rows || 24);
  const style: ViewStyle = { color, ascii, columns };
  const [selectedKey, setSelectedKey] = useState<string | null>(null);
  // the keys read the selection and the runs from refs: a Tab and a `+` typed within one frame steer the new plan
  const selection = useRef<string | null>(null);
  const latest = useRef(entries);
  latest.current = entries;
  const indexOf = (list: readonly TopEntry[], key: string | null) =>
    Math.max(
      0,
      list.findIndex((e) => entryKey(e) === key),
    );
  const current = () => latest.current[indexOf(latest.current, selection.current)];
  const selectedIndex = indexOf(entries, selectedKey);
  const selected = entries[selectedIndex];
  const several = entries.length > 1;

  // each plan gets an equal share of the rows, less the key bar, Ink's last line and a blank line between plans
  const share = Math.floor((rows - 2 - Math.max(0, entries.length - 1)) / Math.max(1, entries.length));
  const available = (entry: TopEntry) =>
    share - headerHeight(entry.snapshot, { top: true, stale: entry.stale }) - SECTION_TITLES - 1;
  const probe = selected
    ? sectionRows(selected.snapshot, available(selected), { offset: Number.MAX_SAFE_INTEGER, recent: true })
    : undefined;
  const keys = useLiveKeys({
    controls: controlsFor(controls, current),
    target: () => {
      const entry = current();
      return { cap: entry?.snapshot.cap ?? null, refuse: refusal(entry) };
    },
    maxOffset: probe?.queueOffset ?? 0,
    page: Math.max(1, probe?.queue ?? 1),
    onTab: () => {
      const list = latest.current;
      if (list.length === 0) return;
      selection.current = entryKey(list[(indexOf(list, selection.current) + 1) % list.length]);
      setSelectedKey(selection.current);
    },
  });
  const readOnly = !controls.togglePause && !controls.changeCap;

  return (
    <Box flexDirection="column" width={columns}>
      {entries.length === 0 ? (
        <Line text={`No kubectl-mtv migration is running in ${scope}`} color={color} />
      ) : keys.help ? (
        <HelpOverlay style={style} top rows={rows - 2} />
      ) : (
        entries.map((entry, i) => {
          const layout = sectionRows(entry.snapshot, available(entry), {
            offset: i === selectedIndex ? keys.offset : 0,
            recent: true,
          });
          return (
            <Box key={entryKey(entry)} flexDirection="column" marginTop={i > 0 ? 1 : 0}>
              <RunHeader
                snapshot={entry.snapshot}
                style={style}
                top
                selected={several ? i === selectedIndex : undefined}
                stale={entry.stale}
              />
              <RunSections snapshot={entry.snapshot} layout={layout} style={style} top />
            </Box>
          );
        })
      )}
      <KeyHintLine style={style} hint={keys.hint} top={several} readOnly={readOnly} />
    </Box>
  );
}
