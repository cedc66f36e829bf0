/**
 * The run reporter that draws the live view of `migrate`: folds the runner's events into a snapshot and draws its
 * frame (live-frame.ts) through the terminal writer (terminal-frame.ts), which writes only the lines that changed.
 * The view's whole CPU budget is a small part of the runner's (bench/tui-cpu.ts), so it draws what a person needs and
 * no more: progress and the clock once every REDRAW_MS; a disk starting or leaving flight, a pause or a cap, a key and
 * the run's start within URGENT_MS; the run's end at once.
 */
import type { RunEvent, RunSummary } from '../../runner/run-events.js';
import { RunSnapshotBuilder } from '../../runner/run-snapshot.js';
import { type RunReporter, vmEventLine } from '../run-reporters.js';
import { completionLogLines } from './completion-log.js';
import type { KeyboardInput } from './key-input.js';
import type { LiveControls } from './live-controls.js';
import { liveFrame } from './live-frame.js';
import { LiveKeys, type QueueScroll } from './live-keys.js';
import { openLiveTerminal } from './live-terminal.js';
import { RedrawPacer } from './redraw-pacer.js';
import { viewLine } from './view-line.js';
import type { ViewStyle } from './view-style.js';

/** An urgent change shows within this, ms. */
export const URGENT_MS = 100;
/** Progress and the clock: drawn at most this often, ms. */
export const REDRAW_MS = 1000;

/** Events a person waits to see: drawn within URGENT_MS (progress and the queue wait for the next REDRAW_MS). */
const URGENT_EVENTS = new Set<RunEvent['type']>([
  'plan',
  'settings',
  'started',
  'finished',
  'stuck',
  'vm-created',
  'vm-ready',
  'vm-failed',
]);

export interface TuiReporterOptions {
  /** Where the view draws: a terminal. */
  stdout: NodeJS.WriteStream;
  stdin: KeyboardInput;
  color: boolean;
  ascii: boolean;
  controls: LiveControls;
  /** ms since the epoch, for the run's clock; Date.now by default. */
  now?: () => number;
  /** `user@host/pid` of this runner, for the snapshot. */
  holder?: string | null;
}

export type TuiReporter = RunReporter & {
  /** Settles once the view is closed and the terminal is left as it was (cursor shown, keyboard restored). */
  done: Promise<void>;
};

export async function startTuiReporter(options: TuiReporterOptions): Promise<TuiReporter> {
  const { stdout, stdin, color, ascii, controls } = options;
  const now = options.now ?? Date.now;
  const builder = new RunSnapshotBuilder(options.holder ?? null);
  const readOnly = !controls.togglePause && !controls.changeCap;
  let summary: RunSummary | undefined;
  let scroll: QueueScroll = { maxOffset: 0, page: 1 };
  /** Completions printed above the live lines so far. */
  let printed = 0;
  /** What became of the VMs, one line per event, printed above the live lines once. */
  const vmLog: { text: string; bad: boolean }[] = [];
  let vmPrinted = 0;
  let closed = false;

  const keys = new LiveKeys({
    controls,
    target: () => {
      const snapshot = builder.snapshot();
      return {
        cap: snapshot?.cap ?? null,
        refuse: snapshot?.outcome != null ? 'the run ended: nothing to steer' : undefined,
        warm: snapshot?.cutover !== undefined,
      };
    },
    scroll: () => scroll,
    changed: () => pacer.urgent(),
  });
  const terminal = openLiveTerminal({
    stdout,
    stdin,
    color,
    onKey: (key) => keys.press(key),
    onResize: () => draw(true),
  });
  const draw = (whole = false) => {
    const style: ViewStyle = { color, ascii, columns: terminal.frame.columns };
    // once the run ended its clock stops at the summary's time
    const snapshot = builder.snapshot(summary ? undefined : now());
    const frame = liveFrame({ snapshot, summary, view: keys, readOnly, style, rows: terminal.rows() });
    scroll = frame.scroll;
    const above = [
      ...completionLogLines(builder.completions, printed, style),
      ...vmLog.slice(vmPrinted).map((line) => viewLine(line.text, line.bad ? 'bad' : undefined)),
    ];
    printed = builder.completions.length;
    vmPrinted = vmLog.length;
    if (whole) terminal.frame.redraw(frame.lines, above);
    else terminal.frame.draw(frame.lines, above);
  };
  const pacer = new RedrawPacer(() => draw(), { periodMs: REDRAW_MS, urgentMs: URGENT_MS });
  pacer.drawNow();

  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });

  return {
    event(event) {
      if (closed) return;
      builder.apply(event);
      const vmText = vmEventLine(event);
      if (vmText !== undefined) vmLog.push({ text: vmText, bad: event.type === 'vm-failed' });
      // above the live lines, once: a line on stderr would be drawn over
      if (event.type === 'warning') vmLog.push({ text: `warning: ${event.message}`, bad: true });
      if (event.type === 'plan') pacer.tick(true);
      if (event.type === 'summary') {
        // the final frame, with the verdict, at once: the run is over and the clock stops
        summary = event.summary;
        pacer.tick(false);
        pacer.drawNow();
      } else if (URGENT_EVENTS.has(event.type)) pacer.urgent();
      else pacer.soon();
    },
    close() {
      if (closed) return;
      closed = true;
      pacer.drawNow();
      pacer.stop();
      keys.close();
      terminal.close();
      finish();
    },
    done,
  };
}
