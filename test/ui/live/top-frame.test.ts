import { describe, expect, it } from 'vitest';
import type { RunSnapshot } from '../../../src/runner/run-snapshot.js';
import { displayWidth } from '../../../src/ui/live/display-width.js';
import type { TopEntry } from '../../../src/ui/live/top-entry.js';
import { type TopFrameInput, topFrame } from '../../../src/ui/live/top-frame.js';
import { drawLine } from '../../../src/ui/live/view-line.js';
import { busyRun, fold, throughput } from './run-events-fixture.js';

function snapshotOf(plan: string, patch: Partial<RunSnapshot> = {}, adaptive = false): RunSnapshot {
  const events = [...busyRun(), ...(adaptive ? [throughput(301)] : [])].map((e) =>
    e.type === 'plan' ? { ...e, plan } : e,
  );
  const snapshot = fold(events, 'alice@ws1/1234').snapshot();
  if (!snapshot) throw new Error('no snapshot');
  return { ...snapshot, ...patch };
}

function frameOf(patch: Partial<TopFrameInput>): string[] {
  const input: TopFrameInput = {
    entries: [],
    scope: 'namespace openshift-mtv',
    selected: 0,
    view: { help: false, offset: () => 0, hint: null },
    readOnly: true,
    style: { color: false, ascii: false, columns: 80 },
    rows: 40,
    ...patch,
  };
  return topFrame(input).lines.map((line) => drawLine(line, input.style.columns, false).text);
}

describe('topFrame', () => {
  it('says no migration runs in the scope when there is none', () => {
    expect(frameOf({})[0]).toBe('No kubectl-mtv migration is running in namespace openshift-mtv');
  });

  it('shows a run with its holder, sections and recent completions, then the key bar', () => {
    const frame = frameOf({ entries: [{ snapshot: snapshotOf('plan-a') }] });
    expect(frame[0]).toBe('plan openshift-mtv/plan-a  policy disk  In flight 3/20');
    expect(frame[1]).toBe('runner alice@ws1/1234');
    expect(frame).toContain('In flight (3)');
    expect(frame).toContain('Queued (40)');
    expect(frame).toContain('Completed (1 done, 1 stuck)');
    expect(frame).toContain('✓ app-04/0 plan-a-app-04-disk-0 100 GiB in 4m12s at 406 MiB/s');
    expect(frame).toContain('✗ app-05/2 plan-a-app-05-disk-2 100 GiB stuck: importer restarted 3 times');
    expect(frame.at(-1)).toBe('q detach  read-only  ↑↓ scroll  ? help');
    for (const line of frame) expect(displayWidth(line)).toBeLessThanOrEqual(80);
  });

  it('stacks several plans within the terminal, marks the selected one, and says when one is stale', () => {
    const entries: TopEntry[] = [
      { snapshot: snapshotOf('plan-a') },
      { snapshot: snapshotOf('plan-b'), stale: 'lease expired 40s ago: the runner is gone' },
    ];
    const frame = frameOf({ entries, rows: 30, selected: 1, readOnly: false });
    expect(frame.length).toBeLessThan(30);
    expect(frame).toContain('  plan openshift-mtv/plan-a  policy disk  In flight 3/20');
    expect(frame).toContain('▶ plan openshift-mtv/plan-b  policy disk  In flight 3/20');
    expect(frame).toContain('  stale: lease expired 40s ago: the runner is gone');
    expect(frame.at(-1)).toBe('q detach  p pause/resume  +/- cap  ↑↓ scroll  Tab plan  ? help');
  });

  it("shows the hosts panel of migrate's live view from the published snapshot, within the terminal", () => {
    const frame = frameOf({ entries: [{ snapshot: snapshotOf('plan-a', {}, true) }] });
    expect(frame.slice(3, 7)).toEqual([
      'Hosts (2)  importers 104 MiB/s each',
      '  esx-01 2/3 in flight 305 MiB/s settled',
      '  esx-02 1/4 in flight 210 MiB/s climbing',
      'In flight (3)',
    ]);
    const stacked = frameOf({
      entries: [{ snapshot: snapshotOf('plan-a', {}, true) }, { snapshot: snapshotOf('plan-b') }],
      rows: 24,
    });
    expect(stacked.length).toBeLessThan(24);
    expect(stacked.filter((line) => line.startsWith('Hosts ('))).toHaveLength(1);
    expect(frameOf({ entries: [{ snapshot: snapshotOf('plan-a') }] }).join('\n')).not.toContain('Hosts (');
  });

  it('shows the keys of top while help is on', () => {
    const frame = frameOf({
      entries: [{ snapshot: snapshotOf('plan-a') }],
      view: { help: true, offset: () => 0, hint: null },
    });
    expect(frame).toContain('  Tab          select the next plan: p, + and - steer it');
    expect(frame).not.toContain('Queued (40)');
  });
});
