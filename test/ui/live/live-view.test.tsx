import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RunEvent } from '../../../src/runner/run-events.js';
import { READ_ONLY_HINT } from '../../../src/ui/live/live-controls.js';
import { LiveApp, type LiveAppProps } from '../../../src/ui/live/live-view.js';
import {
  busyRun,
  disk,
  fold,
  GiB,
  planEvent,
  queue,
  queued,
  settings,
  started,
  summaryEvent,
} from './run-events-fixture.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 50));

function controls() {
  return { detach: vi.fn(), togglePause: vi.fn(), changeCap: vi.fn() };
}

function props(events: RunEvent[], patch: Partial<LiveAppProps> = {}): LiveAppProps {
  const builder = fold(events);
  return {
    snapshot: builder.snapshot(),
    completions: builder.completions.slice(),
    controls: controls(),
    color: false,
    ascii: false,
    columns: 80,
    rows: 30,
    ...patch,
  };
}

/** The live rows: what follows the completions `<Static>` printed (debug mode prints both in each frame). */
function liveRows(frame: string): string[] {
  const lines = frame.split('\n');
  const header = lines.findIndex((line) => line.startsWith('plan '));
  return lines.slice(header);
}

const views: { unmount(): void }[] = [];
function mount(p: LiveAppProps) {
  const view = render(<LiveApp {...p} />);
  views.push(view);
  return view;
}
afterEach(() => {
  for (const view of views.splice(0)) view.unmount();
});

describe('LiveApp', () => {
  it('heads the view with the plan, the policy, in flight against the cap, bytes, rate and clock', () => {
    const { lastFrame } = mount(props(busyRun()));
    const frame = lastFrame() ?? '';
    expect(frame).toContain('plan openshift-mtv/plan-a  policy disk  In flight 3/20');
    expect(frame).toMatch(/GiB \/ 4\.39 TiB \(\d+%\)/);
    expect(frame).toContain('elapsed 5m');
    expect(frame).toContain('ETA ');
    expect(frame).not.toContain('PAUSED');
  });

  it('lists the disks in flight in order, marking the restarted and the not yet importing', () => {
    const frame = lastFrameOf(props(busyRun()));
    const rows = liveRows(frame);
    const flying = rows.filter((line) => /^[ !] app-0[123]\//.test(line));
    expect(flying.map((line) => line.slice(2, 10))).toEqual(['app-01/0', 'app-02/1', 'app-03/0']);
    expect(flying[0]).toMatch(/^ {2}app-01\/0 +plan-a-app-01-disk-0 +esx-01 +█+.* +60% +180 MiB\/s/);
    expect(flying[1]).toMatch(/^! app-02\/1 .*45% .*↻2$/);
    expect(flying[2]).toMatch(/^! app-03\/0 .* 0% .*Paused$/);
  });

  it('draws ASCII bars when asked', () => {
    const frame = lastFrameOf(props(busyRun(), { ascii: true }));
    expect(frame).toMatch(/app-01\/0 .* ######----- +60%|app-01\/0 .* #+-+ +60%/);
    expect(frame).not.toContain('█');
  });

  it('lists the queue head with size, host and reason, then how many more', () => {
    const rows = liveRows(lastFrameOf(props(busyRun({ head: 8, queuedTotal: 40 }))));
    const title = rows.findIndex((line) => line.startsWith('Queued (40)'));
    expect(title).toBeGreaterThan(0);
    expect(rows[title + 1]).toMatch(/^ {2}app-10\/0 +50 GiB esx-01 +cap 20\/20$/);
    expect(rows[title + 2]).toMatch(/^ {2}app-11\/0 +50 GiB esx-02 +host esx-02 saturated$/);
    const more = rows.find((line) => line.includes('more'));
    expect(more).toMatch(/… and (\d+) more$/);
    const shown = rows.filter((line) => /^ {2}app-1\d\//.test(line)).length;
    expect(more).toContain(`… and ${40 - shown} more`);
  });

  it('prints every completion once, above the live rows, with its time and rate, and stuck disks with the reason', () => {
    const frame = lastFrameOf(props(busyRun()));
    const lines = frame.split('\n');
    expect(lines[0]).toBe('Completed');
    expect(lines[1]).toBe('✓ app-04/0 plan-a-app-04-disk-0 100 GiB in 4m12s at 406 MiB/s');
    expect(lines[2]).toBe('✗ app-05/2 plan-a-app-05-disk-2 100 GiB stuck: importer restarted 3 times');
  });

  it('shows PAUSED after a settings event, with who paused it when remote', () => {
    const local = lastFrameOf(props([...busyRun(), settings(301, { paused: true })]));
    expect(local).toContain('In flight 3/20  PAUSED');
    expect(local).not.toContain('PAUSED by');
    const remote = lastFrameOf(
      props([
        ...busyRun(),
        settings(301, { paused: true, maxInFlight: 12, source: { kind: 'remote', by: 'alice@ws1' } }),
      ]),
    );
    expect(remote).toContain('In flight 3/12  PAUSED by alice@ws1');
  });

  it('shows the per-host figures when the run has a per-host cap', () => {
    const frame = lastFrameOf(props(busyRun().map((e) => (e.type === 'plan' ? { ...e, maxInFlightPerHost: 4 } : e))));
    expect(frame).toContain('per host esx-01 2/4, esx-02 1/4');
  });

  it('ends with the outcome and the summary line', () => {
    const events = [...busyRun(), summaryEvent(9840, { transferred: 92, disks: 92, elapsedSeconds: 9840 })];
    const builder = fold(events);
    const summary =
      events.at(-1)?.type === 'summary' ? (events.at(-1) as Extract<RunEvent, { type: 'summary' }>).summary : undefined;
    const frame = lastFrameOf(props(events, { snapshot: builder.snapshot(), summary }));
    expect(frame).toContain('ended: completed');
    expect(frame).toContain('completed: 92/92 disks transferred in 2h44m');
    expect(frame).not.toContain('ETA');
  });

  it('keeps every line within 80 columns, long VM names included', () => {
    const long = (i: number) => `a-very-long-virtual-machine-name-from-the-vmware-inventory-${i}`;
    const frame = lastFrameOf(props(busyRun({ vmName: long }), { columns: 80 }));
    for (const line of frame.split('\n')) expect([...line].length).toBeLessThanOrEqual(80);
    expect(frame).toContain('stuck: importer restarted 3 times');
    expect(frame).toMatch(/in 4m12s at 406 MiB\/s/);
  });

  it('uses the width it is given', () => {
    const frame = lastFrameOf(props(busyRun(), { columns: 140 }));
    const widest = Math.max(...frame.split('\n').map((line) => [...line].length));
    expect(widest).toBeGreaterThan(80);
    expect(widest).toBeLessThanOrEqual(140);
  });

  it('fits the live rows in the terminal: disks in flight first, the queue keeps 3 rows', () => {
    const many = [
      planEvent({ disks: 100 }),
      ...Array.from({ length: 30 }, (_, i) => started(disk(`vm-${i}`), 10 * GiB, 1)),
      queue(
        Array.from({ length: 50 }, (_, i) => queued(disk(`q-${i}`), GiB)),
        70,
        2,
      ),
    ];
    for (const rows of [12, 16, 24, 40, 60]) {
      const view = mount(props(many, { rows }));
      const live = liveRows(view.lastFrame() ?? '');
      expect(live.length).toBeLessThan(rows);
      const flying = live.filter((line) => line.includes(' vm-')).length;
      const queued = live.filter((line) => line.includes(' q-')).length;
      if (rows < 40) {
        expect(queued).toBe(3);
        expect(live).toContain(`  … and ${30 - flying} more in flight`);
      } else {
        expect(flying).toBe(30);
        expect(queued).toBeGreaterThanOrEqual(3);
      }
      expect(live).toContain(`  … and ${70 - queued} more`);
    }
  });

  it('says so while no plan event came', () => {
    const frame = lastFrameOf(props([], { snapshot: undefined }));
    expect(frame).toContain('waiting for the run to start');
  });
});

describe('LiveApp keys', () => {
  it('p pauses, + and = raise the cap, - lowers it, q and Ctrl-C detach', async () => {
    const c = controls();
    const { stdin } = mount(props(busyRun(), { controls: c }));
    await tick();
    for (const key of ['p', '+', '=', '-', 'q', '\u0003']) {
      stdin.write(key);
      await tick();
    }
    expect(c.togglePause).toHaveBeenCalledTimes(1);
    expect(c.changeCap.mock.calls).toEqual([[1], [1], [-1]]);
    expect(c.detach).toHaveBeenCalledTimes(2);
  });

  it('- at cap 1 does not ask for less, and says why', async () => {
    const c = controls();
    const { stdin, lastFrame } = mount(props([...busyRun(), settings(301, { maxInFlight: 1 })], { controls: c }));
    await tick();
    stdin.write('-');
    await vi.waitFor(() => expect(lastFrame()).toContain('the cap is 1: it goes no lower'));
    expect(c.changeCap).not.toHaveBeenCalled();
  });

  it('arrows and j/k scroll the queue', async () => {
    const { stdin, lastFrame } = mount(props(busyRun({ head: 30, queuedTotal: 60 }), { rows: 20 }));
    await tick();
    const firstQueued = () => liveRows(lastFrame() ?? '').find((line) => /^ {2}app-\d\d\/0 +50 GiB/.test(line));
    expect(firstQueued()).toContain('app-10/0');
    stdin.write('\u001B[B');
    await vi.waitFor(() => expect(firstQueued()).toContain('app-11/0'));
    expect(lastFrame()).toContain('Queued (60)  from #2');
    stdin.write('j');
    await vi.waitFor(() => expect(firstQueued()).toContain('app-12/0'));
    stdin.write('k');
    await tick();
    stdin.write('\u001B[A');
    await vi.waitFor(() => expect(firstQueued()).toContain('app-10/0'));
    stdin.write('\u001B[A');
    await vi.waitFor(() => expect(firstQueued()).toContain('app-10/0'));
  });

  it('? shows the keys and hides them again', async () => {
    const { stdin, lastFrame } = mount(props(busyRun()));
    await tick();
    stdin.write('?');
    await vi.waitFor(() => expect(lastFrame()).toContain('pause admission, or resume it'));
    expect(lastFrame()).not.toContain('Queued (');
    stdin.write('?');
    await vi.waitFor(() => expect(lastFrame()).toContain('Queued ('));
  });

  it('without steering controls, p and + show the read-only hint', async () => {
    const detach = vi.fn();
    const { stdin, lastFrame } = mount(props(busyRun(), { controls: { detach } }));
    await tick();
    expect(lastFrame()).toContain('read-only');
    stdin.write('p');
    await vi.waitFor(() => expect(lastFrame()).toContain(READ_ONLY_HINT));
  });
});

function lastFrameOf(p: LiveAppProps): string {
  return mount(p).lastFrame() ?? '';
}
