/**
 * `kubectl mtv top` on a terminal: draws the runs it is given (top-frame.ts) through the terminal writer. Tab selects
 * the plan that p, + and - steer; without `--control` the view is read-only. The runs come after every Lease change
 * and once a second: their figures are drawn at most once a second, a change of the runs shown, of a pause, a cap or
 * an outcome, and a key, within URGENT_MS.
 */
import type { KeyboardInput } from './key-input.js';
import type { LiveControls, TopControls } from './live-controls.js';
import { LiveKeys, type QueueScroll } from './live-keys.js';
import { openLiveTerminal } from './live-terminal.js';
import { RedrawPacer } from './redraw-pacer.js';
import type { TopEntry } from './top-entry.js';
import { entryKey, topFrame } from './top-frame.js';
import { REDRAW_MS, URGENT_MS } from './tui-reporter.js';

export interface TopViewOptions {
  stdout: NodeJS.WriteStream;
  stdin: KeyboardInput;
  color: boolean;
  ascii: boolean;
  controls: TopControls;
  /** What is watched, for the empty view: `namespace openshift-mtv`, `all namespaces`. */
  scope: string;
}

export interface TopView {
  /** Draws these runs (all of them: a plan left out is gone from the view). */
  update(entries: TopEntry[]): void;
  /** Closes the view; settles once the terminal is left as it was. */
  close(): Promise<void>;
}

/** Why the selected plan cannot be steered now. */
function refusal(entry: TopEntry | undefined): string | undefined {
  if (!entry) return 'no run to steer';
  if (entry.stale) return `${entryKey(entry)} is stale: nothing to steer`;
  if (entry.snapshot.outcome !== null) return `${entryKey(entry)} ended: nothing to steer`;
  return undefined;
}

/** What of the runs a person waits to see change: which runs, their pause, cap, outcome and staleness. */
function outline(entries: readonly TopEntry[]): string {
  return entries
    .map((e) => [entryKey(e), e.snapshot.paused, e.snapshot.cap, e.snapshot.outcome, e.stale ?? ''].join(' '))
    .join('\n');
}

export async function startTopView(options: TopViewOptions): Promise<TopView> {
  const { stdout, stdin, color, ascii, controls, scope } = options;
  let entries: TopEntry[] = [];
  let drawnOutline = '';
  /** The plan the keys steer, by key: it stays selected when plans come or go. */
  let selectedKey: string | null = null;
  let scroll: QueueScroll = { maxOffset: 0, page: 1 };
  let closed = false;
  const selectedIndex = () =>
    Math.max(
      0,
      entries.findIndex((e) => entryKey(e) === selectedKey),
    );
  // the keys resolve the plan when they come: a Tab and a `+` typed in one read steer the newly selected plan
  const selected = () => entries[selectedIndex()];
  const { togglePause, changeCap, cutoverNow } = controls;
  const steer: LiveControls = {
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
    ...(cutoverNow && {
      cutoverNow: () => {
        const entry = selected();
        if (entry) cutoverNow(entry);
      },
    }),
  };
  const keys = new LiveKeys({
    controls: steer,
    target: () => {
      const entry = selected();
      return {
        cap: entry?.snapshot.cap ?? null,
        refuse: refusal(entry),
        warm: entry?.snapshot.cutover !== undefined,
      };
    },
    scroll: () => scroll,
    onTab: () => {
      if (entries.length === 0) return;
      selectedKey = entryKey(entries[(selectedIndex() + 1) % entries.length]);
    },
    changed: () => pacer.urgent(),
  });
  const terminal = openLiveTerminal({
    stdout,
    stdin,
    color,
    onKey: (key) => keys.press(key),
    onResize: () => draw(true),
  });
  const readOnly = !controls.togglePause && !controls.changeCap;
  const draw = (whole = false) => {
    const style = { color, ascii, columns: terminal.frame.columns };
    const frame = topFrame({
      entries,
      scope,
      selected: selectedIndex(),
      view: keys,
      readOnly,
      style,
      rows: terminal.rows(),
    });
    scroll = frame.scroll;
    drawnOutline = outline(entries);
    if (whole) terminal.frame.redraw(frame.lines);
    else terminal.frame.draw(frame.lines);
  };
  const pacer = new RedrawPacer(() => draw(), { periodMs: REDRAW_MS, urgentMs: URGENT_MS });
  pacer.drawNow();
  return {
    update(next) {
      if (closed) return;
      entries = next;
      if (outline(next) !== drawnOutline) pacer.urgent();
      else pacer.soon();
    },
    async close() {
      if (closed) return;
      closed = true;
      pacer.drawNow();
      pacer.stop();
      keys.close();
      terminal.close();
    },
  };
}
