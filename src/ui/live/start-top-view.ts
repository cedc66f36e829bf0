/**
 * `kubectl mtv top` on a terminal: draws the runs it is given, as often as it is given them (Ink caps the frame
 * rate). Ink and React load inside startTopView, so that `top --once` and `-o json` never load them.
 */
import type { TopControls } from './live-controls.js';
import type { TopEntry } from './top-entry.js';

export interface TopViewOptions {
  stdout: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
  stderr?: NodeJS.WriteStream;
  color: boolean;
  ascii: boolean;
  controls: TopControls;
  /** What is watched, for the empty view: `namespace openshift-mtv`, `all namespaces`. */
  scope: string;
}

export interface TopView {
  /** Draws these runs (all of them: a plan left out is gone from the view). */
  update(entries: TopEntry[]): void;
  /** Unmounts the view; settles once the terminal is left as it was. */
  close(): Promise<void>;
}

export async function startTopView(options: TopViewOptions): Promise<TopView> {
  // React's development build (NODE_ENV unset) checks every render: a CLI runs the production one
  process.env.NODE_ENV ??= 'production';
  const [{ render }, { createElement }, { TopApp }] = await Promise.all([
    import('ink'),
    import('react'),
    import('./top-view.js'),
  ]);
  const { stdout, stdin, stderr, color, ascii, controls, scope } = options;
  let entries: TopEntry[] = [];
  const element = () =>
    createElement(TopApp, { entries, scope, controls, color, ascii, columns: stdout.columns, rows: stdout.rows });
  const instance = render(element(), {
    stdout,
    stdin,
    ...(stderr && { stderr }),
    exitOnCtrlC: false,
    patchConsole: false,
    maxFps: 10,
  });
  const resized = () => instance.rerender(element());
  stdout.on('resize', resized);
  const exited = instance.waitUntilExit().then(() => undefined);
  let closed = false;
  return {
    update(next) {
      if (closed) return;
      entries = next;
      instance.rerender(element());
    },
    close() {
      if (!closed) {
        closed = true;
        stdout.off('resize', resized);
        instance.unmount();
      }
      return exited;
    },
  };
}
