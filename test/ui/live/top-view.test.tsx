import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RunSnapshot } from '../../../src/runner/run-snapshot.js';
import { READ_ONLY_HINT } from '../../../src/ui/live/live-controls.js';
import type { TopEntry } from '../../../src/ui/live/top-entry.js';
import { TopApp, type TopAppProps } from '../../../src/ui/live/top-view.js';
import { busyRun, fold, settings } from './run-events-fixture.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 50));

function snapshotOf(plan: string, patch: Partial<RunSnapshot> = {}): RunSnapshot {
  const events = busyRun().map((e) => (e.type === 'plan' ? { ...e, plan } : e));
  const snapshot = fold(events, 'alice@ws1/1234').snapshot();
  if (!snapshot) throw new Error('no snapshot');
  return { ...snapshot, ...patch };
}

const views: { unmount(): void }[] = [];
function mount(p: Partial<TopAppProps>) {
  const view = render(
    <TopApp
      entries={[]}
      scope="namespace openshift-mtv"
      controls={{ detach: vi.fn() }}
      color={false}
      ascii={false}
      columns={80}
      rows={40}
      {...p}
    />,
  );
  views.push(view);
  return view;
}
afterEach(() => {
  for (const view of views.splice(0)) view.unmount();
});

describe('TopApp', () => {
  it('says no migration runs in the scope when there is none', () => {
    expect(mount({}).lastFrame()).toContain('No kubectl-mtv migration is running in namespace openshift-mtv');
  });

  it('shows a run with its holder, sections and recent completions', () => {
    const frame = mount({ entries: [{ snapshot: snapshotOf('plan-a') }] }).lastFrame() ?? '';
    const lines = frame.split('\n');
    expect(lines[0]).toBe('plan openshift-mtv/plan-a  policy disk  In flight 3/20');
    expect(lines[1]).toBe('runner alice@ws1/1234');
    expect(frame).toContain('In flight (3)');
    expect(frame).toContain('Queued (40)');
    expect(frame).toContain('Completed (1 done, 1 stuck)');
    expect(frame).toContain('✓ app-04/0 plan-a-app-04-disk-0 100 GiB in 4m12s at 406 MiB/s');
    expect(frame).toContain('✗ app-05/2 plan-a-app-05-disk-2 100 GiB stuck: importer restarted 3 times');
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(80);
  });

  it('stacks several plans within the terminal, marks the selected one, and says when one is stale', () => {
    const entries: TopEntry[] = [
      { snapshot: snapshotOf('plan-a') },
      { snapshot: snapshotOf('plan-b'), stale: 'lease expired 40s ago: the runner is gone' },
    ];
    const frame = mount({ entries, rows: 30 }).lastFrame() ?? '';
    const lines = frame.split('\n');
    expect(lines.length).toBeLessThan(30);
    expect(frame).toContain('▶ plan openshift-mtv/plan-a');
    expect(frame).toContain('  plan openshift-mtv/plan-b');
    expect(frame).toContain('stale: lease expired 40s ago: the runner is gone');
  });

  it('in read-only top, p + and - show the hint and steer nothing', async () => {
    const detach = vi.fn();
    const { stdin, lastFrame } = mount({ entries: [{ snapshot: snapshotOf('plan-a') }], controls: { detach } });
    await tick();
    for (const key of ['p', '+', '-']) {
      stdin.write(key);
      await vi.waitFor(() => expect(lastFrame()).toContain(READ_ONLY_HINT));
    }
    stdin.write('q');
    await vi.waitFor(() => expect(detach).toHaveBeenCalledOnce());
  });

  it('Tab selects the plan that p, + and - steer', async () => {
    const controls = { detach: vi.fn(), togglePause: vi.fn(), changeCap: vi.fn() };
    const entries: TopEntry[] = [{ snapshot: snapshotOf('plan-a') }, { snapshot: snapshotOf('plan-b') }];
    const { stdin, lastFrame } = mount({ entries, controls, rows: 40 });
    await tick();
    stdin.write('p');
    await vi.waitFor(() => expect(controls.togglePause).toHaveBeenLastCalledWith(entries[0]));
    stdin.write('\t');
    await vi.waitFor(() => expect(lastFrame()).toContain('▶ plan openshift-mtv/plan-b'));
    stdin.write('+');
    await tick();
    stdin.write('-');
    await vi.waitFor(() =>
      expect(controls.changeCap.mock.calls).toEqual([
        [entries[1], 1],
        [entries[1], -1],
      ]),
    );
    stdin.write('\t');
    await vi.waitFor(() => expect(lastFrame()).toContain('▶ plan openshift-mtv/plan-a'));
  });

  it('steers no stale plan, and no plan at cap 1 down', async () => {
    const controls = { detach: vi.fn(), togglePause: vi.fn(), changeCap: vi.fn() };
    const atOne = fold([...busyRun(), settings(301, { maxInFlight: 1 })]).snapshot();
    if (!atOne) throw new Error('no snapshot');
    const { stdin, lastFrame } = mount({
      entries: [{ snapshot: atOne }, { snapshot: snapshotOf('plan-b'), stale: 'lease expired' }],
      controls,
    });
    await tick();
    stdin.write('-');
    await vi.waitFor(() => expect(lastFrame()).toContain('the cap is 1: it goes no lower'));
    stdin.write('\t');
    await tick();
    stdin.write('p');
    await vi.waitFor(() => expect(lastFrame()).toContain('openshift-mtv/plan-b is stale: nothing to steer'));
    expect(controls.changeCap).not.toHaveBeenCalled();
    expect(controls.togglePause).not.toHaveBeenCalled();
  });
});
