import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { startTopView } from '../../../src/ui/live/start-top-view.js';
import { startTuiReporter } from '../../../src/ui/live/tui-reporter.js';
import { at, busyRun, fold, settings, summaryEvent, T0 } from './run-events-fixture.js';

/** A terminal as Ink sees it: what it writes is kept. */
class FakeTerminal extends EventEmitter {
  readonly isTTY = true;
  columns = 80;
  rows = 30;
  written = '';
  write(text: string, callback?: () => void): boolean {
    this.written += text;
    callback?.();
    return true;
  }
}

/** A keyboard as Ink reads it: raw mode, `readable` events and read(). */
class FakeKeyboard extends EventEmitter {
  readonly isTTY = true;
  private data: string | null = null;
  readonly rawModes: boolean[] = [];
  setRawMode(mode: boolean) {
    this.rawModes.push(mode);
    return this;
  }
  setEncoding() {
    return this;
  }
  ref() {
    return this;
  }
  unref() {
    return this;
  }
  resume() {
    return this;
  }
  pause() {
    return this;
  }
  read(): string | null {
    const data = this.data;
    this.data = null;
    return data;
  }
  press(key: string) {
    this.data = key;
    this.emit('readable');
  }
}

// Ink draws only the last frame when it believes it runs in CI (is-in-ci reads the environment when Ink loads, and
// Ink loads lazily, in startTuiReporter): these tests watch the frames a terminal gets.
delete process.env.CI;
delete process.env.CONTINUOUS_INTEGRATION;

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[a-zA-Z]`, 'g');
const plain = (text: string) => text.replace(ANSI, '');
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('startTuiReporter', () => {
  it('draws the run from its events, steers through the controls, and leaves the terminal clean', async () => {
    const stdout = new FakeTerminal();
    const stdin = new FakeKeyboard();
    const controls = { detach: vi.fn(), togglePause: vi.fn(), changeCap: vi.fn() };
    let clock = T0 + 301_000;
    const reporter = await startTuiReporter({
      stdout: stdout as unknown as NodeJS.WriteStream,
      stdin: stdin as unknown as NodeJS.ReadStream,
      color: false,
      ascii: true,
      controls,
      now: () => clock,
    });
    for (const event of busyRun()) reporter.event(event);
    await wait(250);
    expect(plain(stdout.written)).toContain('In flight 3/20');
    expect(plain(stdout.written)).toContain('+ app-04/0 plan-a-app-04-disk-0 100 GiB in 4m12s at 406 MiB/s');

    stdin.press('p');
    stdin.press('+');
    await wait(50);
    expect(controls.togglePause).toHaveBeenCalledOnce();
    expect(controls.changeCap).toHaveBeenCalledWith(1);

    reporter.event(settings(302, { paused: true, source: { kind: 'remote', by: 'bob@ws2' } }));
    clock += 1000;
    await wait(250);
    expect(plain(stdout.written)).toContain('PAUSED by bob@ws2');

    reporter.event(summaryEvent(9840, { transferred: 5, disks: 45, notStarted: 40, outcome: 'interrupted' }));
    reporter.close();
    await reporter.done;
    const text = plain(stdout.written);
    expect(text).toContain('interrupted: 5/45 disks transferred, 40 not started in 2h44m');
    expect(stdout.written.lastIndexOf('\u001B[?25h')).toBeGreaterThan(stdout.written.lastIndexOf('\u001B[?25l'));
    expect(stdin.rawModes.at(-1)).toBe(false);
  });

  it('draws progress and the clock every 2 s, and a change of pause or cap at once', async () => {
    const stdout = new FakeTerminal();
    const writes = vi.spyOn(stdout, 'write');
    let clock = T0;
    const reporter = await startTuiReporter({
      stdout: stdout as unknown as NodeJS.WriteStream,
      stdin: new FakeKeyboard() as unknown as NodeJS.ReadStream,
      color: false,
      ascii: false,
      controls: { detach: vi.fn() },
      now: () => clock,
    });
    const [plan, ...rest] = busyRun();
    reporter.event(plan);
    await wait(150);
    const afterPlan = writes.mock.calls.length;
    expect(plain(stdout.written)).toContain('In flight 0/20');
    // disks starting, progress and the clock a second on: not drawn before REDRAW_MS
    for (const event of rest.filter((e) => e.type === 'started' || e.type === 'progress')) reporter.event(event);
    clock += 1000;
    await wait(300);
    expect(writes.mock.calls.length).toBe(afterPlan);
    clock += 1000;
    await wait(150);
    expect(writes.mock.calls.length).toBeGreaterThan(afterPlan);
    expect(plain(stdout.written)).toContain('elapsed 2s');
    expect(plain(stdout.written)).toContain('In flight 5/20');
    // a pause asked from the keys or from afar: at the next check, the clock unchanged
    reporter.event(settings(2, { paused: true }));
    await wait(150);
    expect(plain(stdout.written)).toContain('PAUSED');
    reporter.close();
    await reporter.done;
  });
});

describe('startTopView', () => {
  it('draws the runs it is given and unmounts on close', async () => {
    const stdout = new FakeTerminal();
    const detach = vi.fn();
    const stdin = new FakeKeyboard();
    const view = await startTopView({
      stdout: stdout as unknown as NodeJS.WriteStream,
      stdin: stdin as unknown as NodeJS.ReadStream,
      color: true,
      ascii: false,
      controls: { detach },
      scope: 'namespace openshift-mtv',
    });
    await wait(50);
    expect(plain(stdout.written)).toContain('No kubectl-mtv migration is running in namespace openshift-mtv');
    const snapshot = fold(busyRun(), 'alice@ws1/1234').snapshot(Date.parse(at(310)));
    if (!snapshot) throw new Error('no snapshot');
    view.update([{ snapshot }]);
    await wait(150);
    expect(plain(stdout.written)).toContain('runner alice@ws1/1234');
    stdin.press('q');
    await wait(20);
    expect(detach).toHaveBeenCalledOnce();
    await view.close();
    expect(stdin.rawModes.at(-1)).toBe(false);
  });
});
