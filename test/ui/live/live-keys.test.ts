import { afterEach, describe, expect, it, vi } from 'vitest';
import { READ_ONLY_HINT } from '../../../src/ui/live/live-controls.js';
import { HINT_MS, type KeyPress, LiveKeys, type LiveKeysOptions } from '../../../src/ui/live/live-keys.js';

function keysWith(patch: Partial<LiveKeysOptions> = {}) {
  const controls = { detach: vi.fn(), togglePause: vi.fn(), changeCap: vi.fn() };
  const changed = vi.fn();
  const keys = new LiveKeys({
    controls,
    target: () => ({ cap: 20 }),
    scroll: () => ({ maxOffset: 10, page: 4 }),
    changed,
    ...patch,
  });
  return { keys, controls, changed };
}

const char = (input: string): KeyPress => ({ input });
const named = (name: string): KeyPress => ({ name });

afterEach(() => {
  vi.useRealTimers();
});

describe('LiveKeys', () => {
  it('p pauses, + and = raise the cap, - lowers it, q and Ctrl-C detach', () => {
    const { keys, controls } = keysWith();
    for (const key of [
      char('p'),
      char('+'),
      char('='),
      char('-'),
      char('q'),
      { input: '\u0003', name: 'c', ctrl: true },
    ])
      keys.press(key);
    expect(controls.togglePause).toHaveBeenCalledTimes(1);
    expect(controls.changeCap.mock.calls).toEqual([[1], [1], [-1]]);
    expect(controls.detach).toHaveBeenCalledTimes(2);
  });

  it('C cuts a warm run over now; on a cold run it says there is no cutover', () => {
    const cutoverNow = vi.fn();
    const warm = keysWith({ target: () => ({ cap: 20, warm: true }) });
    const warmKeys = new LiveKeys({
      controls: { ...warm.controls, cutoverNow },
      target: () => ({ cap: 20, warm: true }),
      scroll: () => ({ maxOffset: 0, page: 1 }),
      changed: () => {},
    });
    warmKeys.press(char('C'));
    expect(cutoverNow).toHaveBeenCalledTimes(1);
    const coldKeys = new LiveKeys({
      controls: { ...warm.controls, cutoverNow },
      target: () => ({ cap: 20, warm: false }),
      scroll: () => ({ maxOffset: 0, page: 1 }),
      changed: () => {},
    });
    coldKeys.press(char('C'));
    expect(cutoverNow).toHaveBeenCalledTimes(1);
    expect(coldKeys.hint).toBe('a cold run has no cutover');
    // lowercase c is not the cutover: a cutover is never one slip of the finger
    warmKeys.press(char('c'));
    expect(cutoverNow).toHaveBeenCalledTimes(1);
    warmKeys.close();
    coldKeys.close();
  });

  it('- at cap 1 does not ask for less, and says why until the hint times out', () => {
    vi.useFakeTimers();
    const { keys, controls, changed } = keysWith({ target: () => ({ cap: 1 }) });
    keys.press(char('-'));
    expect(controls.changeCap).not.toHaveBeenCalled();
    expect(keys.hint).toBe('the cap is 1: it goes no lower');
    expect(changed).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(HINT_MS);
    expect(keys.hint).toBeNull();
    expect(changed).toHaveBeenCalledTimes(2);
  });

  it('without steering controls, p and + show the read-only hint; a refusal shows its reason', () => {
    const detach = vi.fn();
    const readOnly = new LiveKeys({
      controls: { detach },
      target: () => ({ cap: 20 }),
      scroll: () => ({ maxOffset: 0, page: 1 }),
      changed: () => {},
    });
    readOnly.press(char('p'));
    expect(readOnly.hint).toBe(READ_ONLY_HINT);
    readOnly.close();
    const { keys, controls } = keysWith({ target: () => ({ cap: 20, refuse: 'the run ended: nothing to steer' }) });
    keys.press(char('+'));
    expect(keys.hint).toBe('the run ended: nothing to steer');
    expect(controls.changeCap).not.toHaveBeenCalled();
    keys.close();
  });

  it('arrows, j/k and pages scroll the queue within what it has; Home goes back to the top', () => {
    let maxOffset = 10;
    const { keys } = keysWith({ scroll: () => ({ maxOffset, page: 4 }) });
    keys.press(named('down'));
    keys.press(char('j'));
    expect(keys.offset()).toBe(2);
    keys.press(named('pagedown'));
    keys.press(named('pagedown'));
    keys.press(named('pagedown'));
    expect(keys.offset()).toBe(10);
    maxOffset = 3;
    expect(keys.offset()).toBe(3);
    keys.press(char('k'));
    expect(keys.offset()).toBe(2);
    keys.press(named('up'));
    keys.press(named('up'));
    keys.press(named('up'));
    expect(keys.offset()).toBe(0);
    keys.press(named('pagedown'));
    keys.press(named('home'));
    expect(keys.offset()).toBe(0);
  });

  it('? shows the help and hides it again, Esc hides it, Tab goes to the next plan', () => {
    const onTab = vi.fn();
    const { keys, changed } = keysWith({ onTab });
    keys.press(char('?'));
    expect(keys.help).toBe(true);
    keys.press(named('escape'));
    expect(keys.help).toBe(false);
    keys.press({ input: '\t', name: 'tab' });
    expect(onTab).toHaveBeenCalledOnce();
    expect(changed).toHaveBeenCalledTimes(3);
    keys.press(char('x'));
    expect(changed).toHaveBeenCalledTimes(3);
  });
});
