import { afterEach, describe, expect, it, vi } from 'vitest';
import { HIDE_CURSOR, SHOW_CURSOR } from '../../../src/ui/live/terminal-frame.js';
import { REDRAW_MS, startTuiReporter, URGENT_MS } from '../../../src/ui/live/tui-reporter.js';
import { plain, terminal, wait } from './fake-terminal.js';
import { busyRun, disk, GiB, progress, settings, started, summaryEvent, T0 } from './run-events-fixture.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('startTuiReporter', () => {
  it('draws the run from its events, handles every key of a read, and leaves the terminal as it was', async () => {
    const { stdout, stdin, streams } = terminal();
    const controls = { detach: vi.fn(), togglePause: vi.fn(), changeCap: vi.fn() };
    const clock = T0 + 301_000;
    const reporter = await startTuiReporter({ ...streams, color: false, ascii: true, controls, now: () => clock });
    expect(stdin.rawModes).toEqual([true]);
    expect(stdout.written.startsWith(HIDE_CURSOR)).toBe(true);
    for (const event of busyRun()) reporter.event(event);
    await wait(URGENT_MS + 50);
    expect(plain(stdout.written)).toContain('In flight 3/20');
    // printed once above the live lines
    expect(plain(stdout.written)).toContain(
      'Completed\n+ app-04/0 plan-a-app-04-disk-0 100 GiB in 4m12s at 406 MiB/s\n',
    );

    stdin.type('---');
    await wait(20);
    expect(controls.changeCap.mock.calls).toEqual([[-1], [-1], [-1]]);
    stdin.type('p+\u001B[B');
    await wait(20);
    expect(controls.togglePause).toHaveBeenCalledOnce();
    expect(controls.changeCap).toHaveBeenLastCalledWith(1);
    await wait(URGENT_MS + 50);
    expect(plain(stdout.written)).toContain('Queued (40)  from #2');

    reporter.event(settings(302, { paused: true, source: { kind: 'remote', by: 'bob@ws2' } }));
    await wait(URGENT_MS + 50);
    expect(plain(stdout.written)).toContain('PAUSED by bob@ws2');

    reporter.event(summaryEvent(9840, { transferred: 5, disks: 45, notStarted: 40, outcome: 'interrupted' }));
    const end = plain(stdout.written.slice(stdout.written.lastIndexOf('\u001B[?2026h')));
    expect(end).toContain('interrupted: 5/45 disks transferred, 40 not started in 2h44m');
    expect(end).not.toContain('q detach');
    reporter.close();
    await reporter.done;
    expect(stdout.written.endsWith(SHOW_CURSOR)).toBe(true);
    expect(stdin.rawModes.at(-1)).toBe(false);
    expect(stdin.isPaused()).toBe(true);
    stdin.type('q');
    await wait(20);
    expect(controls.detach).not.toHaveBeenCalled();
  });

  it('draws progress and the clock at most once a second, starts, settings and the end at once', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: T0 });
    const { stdout, streams } = terminal();
    const reporter = await startTuiReporter({ ...streams, color: false, ascii: false, controls: { detach: vi.fn() } });
    const [plan] = busyRun();
    reporter.event(plan);
    await vi.advanceTimersByTimeAsync(URGENT_MS);
    expect(plain(stdout.written)).toContain('In flight 0/20');
    const afterPlan = stdout.writes;

    // progress and the clock: not before REDRAW_MS since the last frame
    vi.setSystemTime(T0 + 300);
    reporter.event(started(disk('app-01'), 100 * GiB, 0.3));
    await vi.advanceTimersByTimeAsync(URGENT_MS);
    expect(plain(stdout.written)).toContain('In flight 1/20');
    const afterStart = stdout.writes;
    reporter.event(progress(disk('app-01'), 100 * GiB, 30 * GiB, 0.5, { rate: 2 ** 30 }));
    await vi.advanceTimersByTimeAsync(REDRAW_MS - 2 * URGENT_MS);
    expect(stdout.writes).toBe(afterStart);
    await vi.advanceTimersByTimeAsync(URGENT_MS);
    expect(stdout.writes).toBe(afterStart + 1);
    expect(plain(stdout.written)).toMatch(/ 30% +1 GiB\/s/);
    expect(afterStart).toBe(afterPlan + 1);

    // the clock moves on its own, once a second
    await vi.advanceTimersByTimeAsync(REDRAW_MS);
    expect(stdout.writes).toBe(afterStart + 2);

    reporter.event(settings(1.9, { paused: true }));
    await vi.advanceTimersByTimeAsync(URGENT_MS);
    expect(plain(stdout.written)).toContain('PAUSED');
    const beforeEnd = stdout.writes;
    reporter.event(summaryEvent(2));
    expect(stdout.writes).toBe(beforeEnd + 1);
    expect(plain(stdout.written)).toContain('completed: 10/10 disks transferred');
    // the run is over: no more frames
    await vi.advanceTimersByTimeAsync(5 * REDRAW_MS);
    expect(stdout.writes).toBe(beforeEnd + 1);
    reporter.close();
    await reporter.done;
  });

  it('prints a warning once above the live lines, not on stderr', async () => {
    const { stdout, streams } = terminal();
    const reporter = await startTuiReporter({ ...streams, color: false, ascii: true, controls: { detach: vi.fn() } });
    for (const event of busyRun()) reporter.event(event);
    const message = 'adaptive admission: cannot write ConfigMap "x" (boom)';
    reporter.event({ type: 'warning', time: new Date(T0 + 302_000).toISOString(), message });
    await wait(REDRAW_MS + 100);
    reporter.event(settings(303, { paused: true, source: { kind: 'keyboard' } }));
    await wait(URGENT_MS + 50);
    expect(plain(stdout.written).split(`warning: ${message}`)).toHaveLength(2);
    reporter.close();
    await reporter.done;
  });

  it('redraws whole when the terminal is resized', async () => {
    const { stdout, streams } = terminal();
    const reporter = await startTuiReporter({ ...streams, color: false, ascii: false, controls: { detach: vi.fn() } });
    for (const event of busyRun()) reporter.event(event);
    await wait(URGENT_MS + 50);
    stdout.columns = 60;
    const before = stdout.written.length;
    stdout.emit('resize');
    const frame = plain(stdout.written.slice(before));
    expect(frame).toContain('plan openshift-mtv/plan-a');
    expect(frame).toMatch(/^ {2}app-01\/0 esx-01 /m);
    for (const line of frame.split('\n')) expect(line.length).toBeLessThanOrEqual(60);
    reporter.close();
    await reporter.done;
  });
});
