/**
 * The live views' keyboard: stdin in raw mode, read through Node's readline keypress events, which split a read into
 * its keys (`---` typed fast is three keys) and decode arrows and Page Up/Down.
 */
import { emitKeypressEvents } from 'node:readline';
import type { KeyPress } from './live-keys.js';

/** stdin as the keyboard uses it. */
export type KeyboardInput = NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?(mode: boolean): unknown };

/** Calls `onKey` for every key typed until the returned function is called, which leaves the terminal's mode as it was. */
export function readKeys(stdin: KeyboardInput, onKey: (key: KeyPress) => void): () => void {
  emitKeypressEvents(stdin);
  const raw = stdin.isTTY === true && typeof stdin.setRawMode === 'function';
  // raw: keys come as typed, without echo, and Ctrl-C is a key (detach), not SIGINT
  if (raw) stdin.setRawMode?.(true);
  const onKeypress = (input: string | undefined, key: { name?: string; ctrl?: boolean } | undefined) =>
    onKey({ input, name: key?.name, ctrl: key?.ctrl });
  stdin.on('keypress', onKeypress);
  stdin.resume();
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    stdin.off('keypress', onKeypress);
    if (raw) stdin.setRawMode?.(false);
    stdin.pause();
  };
}
