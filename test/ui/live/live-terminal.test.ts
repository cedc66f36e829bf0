import { afterEach, describe, expect, it, vi } from 'vitest';
import { openLiveTerminal } from '../../../src/ui/live/live-terminal.js';
import { HIDE_CURSOR, SHOW_CURSOR } from '../../../src/ui/live/terminal-frame.js';
import { terminal } from './fake-terminal.js';

function open() {
  const { stdout, stdin, streams } = terminal();
  const onKey = vi.fn();
  const live = openLiveTerminal({ ...streams, color: false, onKey, onResize: () => {} });
  return { stdout, stdin, live, onKey };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('openLiveTerminal', () => {
  it('hides the cursor and takes the keyboard raw; close gives both back', () => {
    const { stdout, stdin, live } = open();
    expect(stdout.written).toBe(HIDE_CURSOR);
    expect(stdin.rawModes).toEqual([true]);
    live.close();
    expect(stdout.written.endsWith(SHOW_CURSOR)).toBe(true);
    expect(stdin.rawModes).toEqual([true, false]);
    live.close();
    expect(stdin.rawModes).toEqual([true, false]);
  });

  it('leaves a signal to the command while it handles it; restores the terminal before one that would kill', () => {
    const kill = vi.spyOn(process, 'kill').mockImplementation(() => true);
    const { stdout, stdin, live } = open();
    const command = vi.fn();
    process.on('SIGHUP', command);
    process.emit('SIGHUP', 'SIGHUP');
    expect(command).toHaveBeenCalledOnce();
    expect(stdout.written).toBe(HIDE_CURSOR);
    expect(kill).not.toHaveBeenCalled();
    // the command's handler is gone after the first signal: the second takes the default action, terminal restored
    process.off('SIGHUP', command);
    process.emit('SIGHUP', 'SIGHUP');
    expect(stdout.written.endsWith(SHOW_CURSOR)).toBe(true);
    expect(stdin.rawModes.at(-1)).toBe(false);
    expect(kill).toHaveBeenCalledWith(process.pid, 'SIGHUP');
    expect(process.listenerCount('SIGHUP')).toBe(0);
    live.close();
  });

  it('restores the terminal when the process exits without closing the view', () => {
    const before = process.listeners('exit');
    const { stdout, stdin, live } = open();
    const added = process.listeners('exit').filter((listener) => !before.includes(listener));
    expect(added).toHaveLength(1);
    // what the process's exit calls (emitting 'exit' here would run the test runner's own handlers too)
    added[0].call(process, 1);
    expect(stdout.written.endsWith(SHOW_CURSOR)).toBe(true);
    expect(stdin.rawModes.at(-1)).toBe(false);
    live.close();
  });
});
