/**
 * What stops a command that runs in the foreground: a signal (Ctrl-C's SIGINT, SIGTERM, SIGHUP when the terminal
 * closes) or an output stream whose reader went away (EPIPE: `migrate ... | head`; EIO: a closed terminal). Each has
 * its exit code, 128 + the signal's number as shells report them (a closed pipe is SIGPIPE's 141). A second signal
 * takes Node's default action, so a stuck stop can still be killed with a second Ctrl-C.
 */
import { ExitCode, type ExitCodeValue } from '../../errors.js';

export interface StopCause {
  /** In a few words: `SIGINT`, `SIGHUP (the terminal closed)`, `EPIPE on stdout (its reader went away)`. */
  what: string;
  exitCode: ExitCodeValue;
}

const SIGNALS: Record<'SIGINT' | 'SIGTERM' | 'SIGHUP', StopCause> = {
  SIGINT: { what: 'SIGINT', exitCode: ExitCode.interrupted },
  SIGTERM: { what: 'SIGTERM', exitCode: ExitCode.terminated },
  SIGHUP: { what: 'SIGHUP (the terminal closed)', exitCode: ExitCode.hangup },
};

/** Stream errors that mean nobody reads any more: a closed pipe, or a terminal that is gone. */
const CLOSED = new Set(['EPIPE', 'EIO', 'ECONNRESET', 'ERR_STREAM_DESTROYED']);

type Output = NodeJS.WritableStream & { writable?: boolean };

/** Whether `stream` can still be written: false once its reader went away. */
export function isOpen(stream: Output): boolean {
  return stream.writable !== false && !closedStreams.has(stream);
}

/** Streams known closed (EPIPE/EIO seen on them). */
const closedStreams = new WeakSet<object>();

/**
 * Resolves at the first stop cause. From the call on, EPIPE and EIO on stdout and stderr never crash the process
 * (Node's default for an unhandled stream error): they are the cause, or, after it, ignored.
 */
export function nextStop(
  streams: { stdout: Output; stderr: Output } = { stdout: process.stdout, stderr: process.stderr },
): Promise<StopCause> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (cause: StopCause) => {
      if (done) return;
      done = true;
      for (const signal of Object.keys(SIGNALS)) process.off(signal, onSignal);
      resolve(cause);
    };
    const onSignal = (signal: keyof typeof SIGNALS) => finish(SIGNALS[signal]);
    for (const signal of Object.keys(SIGNALS)) process.on(signal, onSignal);
    for (const [name, stream] of Object.entries(streams)) {
      stream.on('error', (error: NodeJS.ErrnoException) => {
        if (!CLOSED.has(error.code ?? '')) throw error;
        closedStreams.add(stream);
        finish({ what: `${error.code} on ${name} (its reader went away)`, exitCode: ExitCode.brokenPipe });
      });
    }
  });
}

/**
 * For every command: EPIPE and EIO on stdout and stderr (`kubectl mtv clean --yes | head -1`) never crash the process;
 * the command finishes what it does (a delete the user asked for is not left half-done) and `outputClosed` then says
 * so, for exit 141 (kubectl, a Go program, dies of SIGPIPE with the same code).
 */
export function guardOutputs(streams: { stdout: Output; stderr: Output } = process): void {
  for (const stream of [streams.stdout, streams.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (!CLOSED.has(error.code ?? '')) throw error;
      closedStreams.add(stream);
    });
  }
}

/** Whether stdout or stderr lost its reader (see guardOutputs). */
export function outputClosed(streams: { stdout: Output; stderr: Output } = process): boolean {
  return closedStreams.has(streams.stdout) || closedStreams.has(streams.stderr);
}

/** Writes to `stream` unless its reader is known gone (a write to a closed pipe would only raise another EPIPE). */
export function writeIfOpen(stream: Output, text: string): void {
  if (isOpen(stream)) stream.write(text);
}
