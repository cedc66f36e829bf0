/**
 * The run reporter that draws the live view: folds the runner's events into a snapshot and redraws from a timer. A
 * frame costs Ink 10-17 ms of CPU on plan-a (it lays out and re-encodes every character of the frame, changed or not),
 * more than the runner spends on a second of watching 20 copies, so the view draws what a person needs and no more:
 * the run's progress, its clock and disks starting or leaving flight every REDRAW_MS (CDI reports a disk's progress
 * about every 2 s, so a faster redraw mostly repeats the same numbers); a change of pause or cap and the run's start
 * within FRAME_MS, its end at once. Ink and React are loaded inside startTuiReporter, so that commands which never
 * draw (`--help`, `-o json`) never load them.
 */
import type { RunSummary } from '../../runner/run-events.js';
import { RunSnapshotBuilder } from '../../runner/run-snapshot.js';
import type { RunReporter } from '../run-reporters.js';
import type { LiveControls } from './live-controls.js';

/** Redraw check period, ms: a change of pause or cap shows within this. */
export const FRAME_MS = 100;
/** Progress, the clock, disks starting and leaving flight: drawn at most this often, ms. */
export const REDRAW_MS = 2000;

export interface TuiReporterOptions {
  /** Where Ink draws: a terminal. */
  stdout: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
  stderr?: NodeJS.WriteStream;
  color: boolean;
  ascii: boolean;
  controls: LiveControls;
  /** ms since the epoch; Date.now by default. */
  now?: () => number;
  /** `user@host/pid` of this runner, for the snapshot. */
  holder?: string | null;
}

export type TuiReporter = RunReporter & {
  /** Settles once the view is unmounted and the terminal is left as it was (cursor shown). */
  done: Promise<void>;
};

export async function startTuiReporter(options: TuiReporterOptions): Promise<TuiReporter> {
  // React's development build (NODE_ENV unset) checks every render: a CLI runs the production one
  process.env.NODE_ENV ??= 'production';
  const [{ render }, { createElement }, { LiveApp }] = await Promise.all([
    import('ink'),
    import('react'),
    import('./live-view.js'),
  ]);
  const { stdout, stdin, stderr, color, ascii, controls } = options;
  const now = options.now ?? Date.now;
  const builder = new RunSnapshotBuilder(options.holder ?? null);
  let summary: RunSummary | undefined;
  let drawnRevision = -1;
  let drawnAt = Number.NEGATIVE_INFINITY;
  let closed = false;

  const element = () =>
    createElement(LiveApp, {
      // once the run ended its clock stops at the summary's time
      snapshot: builder.snapshot(summary ? undefined : now()),
      completions: builder.completions,
      summary,
      controls,
      color,
      ascii,
      columns: stdout.columns,
      rows: stdout.rows,
    });

  const instance = render(element(), {
    stdout,
    stdin,
    ...(stderr && { stderr }),
    exitOnCtrlC: false,
    patchConsole: false,
    maxFps: 10,
  });
  // set by the events a person waits to see (the keys' pause and cap, a remote change, the run's start)
  let urgent = false;
  const draw = () => {
    urgent = false;
    drawnRevision = builder.revision;
    drawnAt = now();
    instance.rerender(element());
  };
  const timer = setInterval(() => {
    const changed = builder.revision !== drawnRevision;
    if ((changed && urgent) || now() - drawnAt >= REDRAW_MS) draw();
  }, FRAME_MS);
  timer.unref();
  const resized = () => draw();
  stdout.on('resize', resized);
  const done = instance.waitUntilExit().then(() => undefined);

  return {
    event(event) {
      if (closed) return;
      builder.apply(event);
      if (event.type === 'settings' || event.type === 'plan') urgent = true;
      if (event.type === 'summary') {
        // the final frame, with the verdict, at once: the run is over and the timer stops
        summary = event.summary;
        clearInterval(timer);
        draw();
      }
    },
    close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      stdout.off('resize', resized);
      if (builder.revision !== drawnRevision) draw();
      instance.unmount();
    },
    done,
  };
}
