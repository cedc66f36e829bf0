import { describe, expect, it, vi } from 'vitest';
import type { RunSnapshot } from '../../../src/runner/run-snapshot.js';
import type { TopControls } from '../../../src/ui/live/live-controls.js';
import { READ_ONLY_HINT } from '../../../src/ui/live/live-controls.js';
import { startTopView } from '../../../src/ui/live/start-top-view.js';
import { SHOW_CURSOR } from '../../../src/ui/live/terminal-frame.js';
import { URGENT_MS } from '../../../src/ui/live/tui-reporter.js';
import { plain, terminal, wait } from './fake-terminal.js';
import { at, busyRun, fold, settings } from './run-events-fixture.js';

function snapshotOf(plan: string, extra = busyRun()): RunSnapshot {
  const events = extra.map((e) => (e.type === 'plan' ? { ...e, plan } : e));
  const snapshot = fold(events, 'alice@ws1/1234').snapshot(Date.parse(at(310)));
  if (!snapshot) throw new Error('no snapshot');
  return snapshot;
}

async function open(controls: TopControls) {
  const { stdout, stdin, streams } = terminal();
  const view = await startTopView({
    ...streams,
    color: true,
    ascii: false,
    controls,
    scope: 'namespace openshift-mtv',
  });
  return { stdout, stdin, view, shows: () => plain(stdout.written) };
}

describe('startTopView', () => {
  it('draws the runs it is given; Tab and + in one read steer the next plan; q leaves', async () => {
    const controls = { detach: vi.fn(), togglePause: vi.fn(), changeCap: vi.fn() };
    const { stdout, stdin, view, shows } = await open(controls);
    expect(shows()).toContain('No kubectl-mtv migration is running in namespace openshift-mtv');
    const entries = [{ snapshot: snapshotOf('plan-a') }, { snapshot: snapshotOf('plan-b') }];
    view.update(entries);
    await wait(URGENT_MS + 50);
    expect(shows()).toContain('runner alice@ws1/1234');
    expect(shows()).toContain('▶ plan openshift-mtv/plan-a');
    stdin.type('p\t+');
    await wait(20);
    expect(controls.togglePause).toHaveBeenCalledWith(entries[0]);
    expect(controls.changeCap).toHaveBeenCalledWith(entries[1], 1);
    await wait(URGENT_MS + 50);
    expect(shows()).toContain('▶ plan openshift-mtv/plan-b');
    stdin.type('q');
    await wait(20);
    expect(controls.detach).toHaveBeenCalledOnce();
    await view.close();
    expect(stdin.rawModes.at(-1)).toBe(false);
    expect(stdout.written.endsWith(SHOW_CURSOR)).toBe(true);
  });

  it('in read-only top, p + and - show the hint and steer nothing', async () => {
    const { stdin, view, shows } = await open({ detach: vi.fn() });
    view.update([{ snapshot: snapshotOf('plan-a') }]);
    stdin.type('p');
    await wait(URGENT_MS + 50);
    expect(shows()).toContain(READ_ONLY_HINT);
    await view.close();
  });

  it('steers no stale plan, and no plan at cap 1 down', async () => {
    const controls = { detach: vi.fn(), togglePause: vi.fn(), changeCap: vi.fn() };
    const { stdin, view, shows } = await open(controls);
    const atOne = snapshotOf('plan-a', [...busyRun(), settings(301, { maxInFlight: 1 })]);
    view.update([{ snapshot: atOne }, { snapshot: snapshotOf('plan-b'), stale: 'lease expired' }]);
    stdin.type('-');
    await wait(URGENT_MS + 50);
    expect(shows()).toContain('the cap is 1: it goes no lower');
    stdin.type('\tp');
    await wait(URGENT_MS + 50);
    expect(shows()).toContain('openshift-mtv/plan-b is stale: nothing to steer');
    expect(controls.changeCap).not.toHaveBeenCalled();
    expect(controls.togglePause).not.toHaveBeenCalled();
    await view.close();
  });
});
