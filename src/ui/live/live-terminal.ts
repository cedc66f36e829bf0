/**
 * The terminal a live view takes for as long as it runs: the frame writer with the cursor hidden, the keyboard in raw
 * mode, a whole redraw on resize. Closing gives the terminal back as it was; so does the process's exit (an uncaught
 * error) and a signal that takes Node's default action (a second SIGTERM, once the command's own handler is gone) if
 * the view had no chance to close.
 */
import { type KeyboardInput, readKeys } from './key-input.js';
import type { KeyPress } from './live-keys.js';
import { SHOW_CURSOR, TerminalFrame, type TerminalOutput } from './terminal-frame.js';

/** Signals whose default action ends the process. */
const FATAL_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export interface LiveTerminalOptions {
  stdout: TerminalOutput & NodeJS.EventEmitter & { rows?: number };
  stdin: KeyboardInput;
  color: boolean;
  onKey(key: KeyPress): void;
  /** The terminal's size changed: draw the frame whole (TerminalFrame.redraw). */
  onResize(): void;
}

export interface LiveTerminal {
  frame: TerminalFrame;
  /** Terminal height, lines; 24 when unknown. */
  rows(): number;
  /** Shows the cursor and restores the keyboard; the last frame stays. */
  close(): void;
}

export function openLiveTerminal(options: LiveTerminalOptions): LiveTerminal {
  const { stdout, stdin, onResize } = options;
  const frame = new TerminalFrame(stdout, options.color);
  frame.start();
  const stopKeys = readKeys(stdin, options.onKey);
  const resized = () => onResize();
  stdout.on('resize', resized);
  const restore = () => {
    stopKeys();
    stdout.write(SHOW_CURSOR);
  };
  const onExit = () => restore();
  process.once('exit', onExit);
  // Runs before the command's own handlers (prepended): when it is the only listener left, the signal would have
  // killed the process; it still does, once the terminal is restored.
  const onSignal = (signal: NodeJS.Signals) => {
    if (process.listenerCount(signal) > 1) return;
    restore();
    removeSignals();
    process.kill(process.pid, signal);
  };
  const removeSignals = () => {
    for (const signal of FATAL_SIGNALS) process.off(signal, onSignal);
  };
  for (const signal of FATAL_SIGNALS) process.prependListener(signal, onSignal);
  let closed = false;
  return {
    frame,
    rows: () => Math.max(1, stdout.rows || 24),
    close() {
      if (closed) return;
      closed = true;
      process.off('exit', onExit);
      removeSignals();
      stdout.off('resize', resized);
      stopKeys();
      frame.stop();
    },
  };
}
