/** A terminal and a keyboard for the live views' tests: what is written is kept, what is typed arrives in one read. */
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';

/** A terminal: what is written to it is kept. */
export class FakeTerminal extends EventEmitter {
  readonly isTTY = true;
  columns = 80;
  rows = 30;
  written = '';
  writes = 0;
  write(text: string): boolean {
    this.written += text;
    this.writes++;
    return true;
  }
}

/** A keyboard: a stream whose reads are what was typed, in raw mode or not. */
export class FakeKeyboard extends PassThrough {
  readonly isTTY = true;
  readonly rawModes: boolean[] = [];
  setRawMode(mode: boolean) {
    this.rawModes.push(mode);
    return this;
  }
  /** One read holding all of `keys`, as a terminal delivers keys typed faster than they are read. */
  type(keys: string) {
    this.write(keys);
  }
}

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[a-zA-Z]`, 'g');
export const plain = (text: string) => text.replace(ANSI, '');
export const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function terminal() {
  const stdout = new FakeTerminal();
  const stdin = new FakeKeyboard();
  return {
    stdout,
    stdin,
    streams: { stdout: stdout as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream },
  };
}
