import { describe, expect, it } from 'vitest';
import type { RunEvent, RunSummary } from '../../../src/runner/run-events.js';
import { completionLogLines } from '../../../src/ui/live/completion-log.js';
import { displayWidth } from '../../../src/ui/live/display-width.js';
import { type LiveFrameInput, liveFrame } from '../../../src/ui/live/live-frame.js';
import { drawLine, type ViewLine } from '../../../src/ui/live/view-line.js';
import { formatOutcomeLine } from '../../../src/ui/run-reporters.js';
import {
  at,
  busyRun,
  disk,
  fold,
  GiB,
  learnedHost,
  MiB,
  planEvent,
  queue,
  queued,
  settings,
  started,
  summaryEvent,
  throughput,
} from './run-events-fixture.js';

const VIEW = { help: false, offset: () => 0, hint: null };

function input(events: RunEvent[], patch: Partial<LiveFrameInput> & { columns?: number } = {}): LiveFrameInput {
  const { columns = 80, ...rest } = patch;
  const last = events.at(-1);
  const summary: RunSummary | undefined = last?.type === 'summary' ? last.summary : undefined;
  return {
    snapshot: fold(events).snapshot(),
    summary,
    view: VIEW,
    readOnly: false,
    style: { color: false, ascii: false, columns },
    rows: 30,
    ...rest,
  };
}

/** The frame's lines as an uncoloured terminal shows them. */
function shown(lines: readonly ViewLine[], columns = 80): string[] {
  return lines.map((line) => drawLine(line, columns, false).text);
}

function frameOf(events: RunEvent[], patch: Partial<LiveFrameInput> & { columns?: number } = {}): string[] {
  return shown(liveFrame(input(events, patch)).lines, patch.columns ?? 80);
}

describe('liveFrame', () => {
  it('heads the view with the plan, the policy, in flight against the cap, bytes, rate and clock', () => {
    const frame = frameOf(busyRun());
    expect(frame[0]).toBe('plan openshift-mtv/plan-a  policy disk  In flight 3/20');
    expect(frame[1]).toMatch(/GiB \/ 4\.39 TiB \(\d+%\) .* elapsed 5m {2}ETA /);
    expect(frame.join('\n')).not.toContain('PAUSED');
  });

  it('lists the disks in flight in order, marking the restarted and the not yet importing', () => {
    const flying = frameOf(busyRun()).filter((line) => /^[ !] app-0[123]\//.test(line));
    expect(flying.map((line) => line.slice(2, 10))).toEqual(['app-01/0', 'app-02/1', 'app-03/0']);
    expect(flying[0]).toMatch(/^ {2}app-01\/0 plan-a-app-01-disk-0 esx-01 +█+.* +60% +180 MiB\/s/);
    expect(flying[1]).toMatch(/^! app-02\/1 .*45% .*↻2$/);
    expect(flying[2]).toMatch(/^! app-03\/0 .* 0% .*Paused$/);
  });

  it('marks a disk the runner reports blocked or stalled, and clears the mark when it moves again', () => {
    const d = disk('app-01');
    const alert = (kind: 'blocked' | 'stalled' | null, seconds: number): RunEvent => ({
      type: 'alert',
      time: at(seconds),
      disk: d,
      bytes: 500 * GiB,
      kind,
      reason: kind === null ? 'moving again' : 'no new percent for 45m at 60%',
    });
    const row = (events: RunEvent[]) => frameOf(events).find((line) => /^[ !] app-01\/0/.test(line)) ?? '';
    expect(row([...busyRun(), alert('stalled', 301)])).toMatch(/^! app-01\/0 .*60% .*stalled$/);
    expect(row([...busyRun(), alert('stalled', 301), alert(null, 302)])).toMatch(/^ {2}app-01\/0 .*180 MiB\/s/);
    expect(row([...busyRun(), alert('stalled', 301), alert(null, 302)])).not.toContain('stalled');
  });

  it('draws ASCII bars when asked', () => {
    const frame = frameOf(busyRun(), { style: { color: false, ascii: true, columns: 80 } }).join('\n');
    expect(frame).toMatch(/app-01\/0 .* #+-+ +60%/);
    expect(frame).not.toContain('█');
  });

  it('lists the queue head with size, host and reason, then how many more', () => {
    const frame = frameOf(busyRun({ head: 8, queuedTotal: 40 }));
    const title = frame.indexOf('Queued (40)');
    expect(title).toBeGreaterThan(0);
    expect(frame[title + 1]).toMatch(/^ {2}app-10\/0 +50 GiB esx-01 +cap 20\/20$/);
    expect(frame[title + 2]).toMatch(/^ {2}app-11\/0 +50 GiB esx-02 +host esx-02 saturated$/);
    const shownRows = frame.filter((line) => /^ {2}app-1\d\//.test(line)).length;
    expect(shownRows).toBe(5);
    expect(frame[title + 1 + shownRows]).toBe(`  … and ${40 - shownRows} more`);
  });

  it('shows PAUSED after a settings event, with who paused it when remote', () => {
    const local = frameOf([...busyRun(), settings(301, { paused: true })]);
    expect(local[0]).toBe('plan openshift-mtv/plan-a  policy disk  In flight 3/20  PAUSED');
    const remote = frameOf([
      ...busyRun(),
      settings(301, { paused: true, maxInFlight: 12, source: { kind: 'remote', by: 'alice@ws1' } }),
    ]);
    expect(remote[0]).toBe('plan openshift-mtv/plan-a  policy disk  In flight 3/12  PAUSED by alice@ws1');
  });

  it('paints the plan bold and PAUSED yellow, and nothing without colour', () => {
    const events = [...busyRun(), settings(301, { paused: true })];
    const [header] = liveFrame(input(events)).lines;
    expect(drawLine(header, 80, true).text).toBe(
      '\u001B[1mplan openshift-mtv/plan-a  policy disk  In flight 3/20\u001B[22m\u001B[33m  PAUSED\u001B[39m',
    );
    expect(drawLine(header, 80, false).text).not.toContain('\u001B');
  });

  it('shows the per-host figures when the run has a per-host cap', () => {
    const frame = frameOf(busyRun().map((e) => (e.type === 'plan' ? { ...e, maxInFlightPerHost: 4 } : e)));
    expect(frame[1]).toBe('per host esx-01 2/4, esx-02 1/4');
  });

  it('ends with the verdict in place of the key bar', () => {
    const events = [...busyRun(), summaryEvent(9840, { transferred: 92, disks: 92, elapsedSeconds: 9840 })];
    const frame = frameOf(events);
    expect(frame[1]).toContain('ended: completed');
    expect(frame[1]).not.toContain('ETA');
    expect(frame.at(-1)).toBe('completed: 92/92 disks transferred in 2h44m');
    expect(frame.join('\n')).not.toContain('q detach');
  });

  it('wraps a verdict longer than the terminal onto several lines, whole', () => {
    const events = [
      ...busyRun(),
      summaryEvent(9840, { outcome: 'interrupted', transferred: 5, disks: 45, notStarted: 38, inFlight: 2 }),
    ];
    const frame = frameOf(events, { columns: 30 });
    const first = frame.findIndex((line) => line.startsWith('interrupted: '));
    const verdict = frame.slice(first);
    expect(verdict.length).toBeGreaterThan(2);
    for (const line of verdict) expect(displayWidth(line)).toBeLessThanOrEqual(30);
    const last = events.at(-1);
    if (last?.type !== 'summary') throw new Error('no summary');
    expect(verdict.join(' ')).toBe(formatOutcomeLine(last.summary));
    expect(verdict.join(' ')).toContain(
      'interrupted: 5/45 disks transferred, 2 still copying, 38 not started in 2h44m',
    );
  });

  it('keeps every line within the width, long VM names included', () => {
    const long = (i: number) => `a-very-long-virtual-machine-name-from-the-vmware-inventory-${i}`;
    const frame = frameOf(busyRun({ vmName: long }));
    for (const line of frame) expect(displayWidth(line)).toBeLessThanOrEqual(80);
  });

  it('at 60 columns the rows still tell the disks apart: the label stays, the DataVolume name goes first', () => {
    const long = (i: number) => `a-very-long-virtual-machine-name-from-the-vmware-inventory-${i}`;
    for (const events of [busyRun(), busyRun({ vmName: long })]) {
      const frame = frameOf(events, { columns: 60 });
      for (const line of frame) expect(displayWidth(line)).toBeLessThanOrEqual(60);
      const flying = frame.slice(frame.indexOf('In flight (3)') + 1, frame.indexOf('In flight (3)') + 4);
      const labels = flying.map((line) => line.slice(2).split(' ')[0]);
      expect(new Set(labels).size).toBe(3);
      expect(labels.map((l) => l.slice(-3))).toEqual(['1/0', '2/1', '3/0']);
      for (const line of flying) expect(line).toMatch(/\d+%/);
      expect(flying.join('\n')).not.toContain('plan-a-');
    }
  });

  it('aligns the columns of VMs named in wide characters by display width', () => {
    const cjk = (i: number) => `仮想マシン-${i}`;
    const frame = frameOf(busyRun({ vmName: cjk }), { columns: 100 });
    const flying = frame.filter((line) => line.includes('仮想マシン-0') || line.includes('仮想マシン-'));
    const bars = frame.filter((line) => /[█░]/.test(line));
    expect(bars).toHaveLength(3);
    // the bar starts at the same column on every row, and each row is as wide as the others' cells
    const barColumn = (line: string) => displayWidth(line.slice(0, line.search(/[█░▏▎▍▌▋▊▉]/)));
    expect(new Set(bars.map(barColumn)).size).toBe(1);
    expect(flying.length).toBeGreaterThan(3);
    for (const line of frame) expect(displayWidth(line)).toBeLessThanOrEqual(100);
  });

  it('uses the width it is given', () => {
    const frame = frameOf(busyRun(), { columns: 140 });
    const widest = Math.max(...frame.map(displayWidth));
    expect(widest).toBeGreaterThan(80);
    expect(widest).toBeLessThanOrEqual(140);
  });

  it('fits the frame in the terminal: disks in flight first, the queue keeps 3 rows', () => {
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
      const frame = frameOf(many, { rows });
      expect(frame.length).toBeLessThan(rows);
      const flying = frame.filter((line) => line.includes(' vm-')).length;
      const queuedRows = frame.filter((line) => line.includes(' q-')).length;
      if (rows < 40) {
        expect(queuedRows).toBe(3);
        expect(frame).toContain(`  … and ${30 - flying} more in flight`);
      } else {
        expect(flying).toBe(30);
        expect(queuedRows).toBeGreaterThanOrEqual(3);
      }
      expect(frame).toContain(`  … and ${70 - queuedRows} more`);
    }
  });

  it('shows the keys in place of the sections while help is on, and a hint in place of the key bar', () => {
    const help = frameOf(busyRun(), { view: { ...VIEW, help: true } });
    expect(help.join('\n')).toContain('pause admission, or resume it');
    expect(help.join('\n')).not.toContain('Queued (');
    const hinted = frameOf(busyRun(), { view: { ...VIEW, hint: 'the cap is 1: it goes no lower' } });
    expect(hinted.at(-1)).toBe('the cap is 1: it goes no lower');
    expect(frameOf(busyRun()).at(-1)).toBe('q detach  p pause/resume  +/- cap  ↑↓ scroll  ? help');
    expect(frameOf(busyRun(), { readOnly: true }).at(-1)).toBe('q detach  read-only  ↑↓ scroll  ? help');
  });

  it('scrolls the queue from the offset the keys hold, within what the queue has', () => {
    const events = busyRun({ head: 30, queuedTotal: 60 });
    const { scroll } = liveFrame(input(events, { rows: 20 }));
    expect(scroll.maxOffset).toBeGreaterThan(0);
    const frame = frameOf(events, { rows: 20, view: { ...VIEW, offset: (max) => Math.min(2, max) } });
    expect(frame).toContain('Queued (60)  from #3');
    expect(frame.find((line) => /^ {2}app-\d\d\/0 +50 GiB/.test(line))).toContain('app-12/0');
  });

  it('shows the hosts adaptive admission learned under the header, and nothing of them without it', () => {
    const frame = frameOf([...busyRun(), throughput(301)]);
    expect(frame.slice(2, 6)).toEqual([
      'Hosts (2)  importers 104 MiB/s each',
      '  esx-01 2/3 in flight 305 MiB/s settled',
      '  esx-02 1/4 in flight 210 MiB/s climbing',
      'In flight (3)',
    ]);
    const [title] = liveFrame(input([...busyRun(), throughput(301)])).lines.slice(2);
    expect(drawLine(title, 80, true).text).toBe('\u001B[1mHosts (2)  importers 104 MiB/s each\u001B[22m');
    // --no-adaptive: no throughput event, no panel
    expect(frameOf(busyRun()).join('\n')).not.toContain('Hosts (');
    expect(frameOf(busyRun())[2]).toBe('In flight (3)');
  });

  it("follows the latest figures: a host's new limit, its plateau, the importers' rate unknown", () => {
    const later = throughput(
      320,
      [
        learnedHost('esx-01', { limit: 3, phase: 'holding', bandwidth: 305 * MiB }),
        learnedHost('esx-02', { limit: 5, phase: 'probing', bandwidth: 250 * MiB, throughput: null }),
      ],
      null,
      'limit',
    );
    const frame = frameOf([...busyRun(), throughput(301), later]);
    expect(frame.slice(2, 5)).toEqual([
      'Hosts (2)',
      '  esx-01 2/3 in flight 305 MiB/s settled',
      '  esx-02 1/5 in flight 250 MiB/s probing',
    ]);
  });

  it('fits the hosts panel in the terminal and the width: at most 5 hosts, then how many more', () => {
    const host = (i: number) => `esx-${String(i).padStart(2, '0')}.a-long-datacenter-name.example.com`;
    const hosts = Array.from({ length: 12 }, (_, i) => learnedHost(host(i), { throughput: 99 * MiB }));
    const many = [
      planEvent({ disks: 100 }),
      ...Array.from({ length: 30 }, (_, i) => started(disk(`vm-${i}`, 0, host(7)), 10 * GiB, 1)),
      queue(
        Array.from({ length: 50 }, (_, i) => queued(disk(`q-${i}`), GiB)),
        70,
        2,
      ),
      throughput(3, hosts),
    ];
    for (const rows of [12, 16, 24, 40, 60]) {
      for (const columns of [40, 80]) {
        const frame = frameOf(many, { rows, columns });
        expect(frame.length).toBeLessThan(rows);
        for (const line of frame) expect(displayWidth(line)).toBeLessThanOrEqual(columns);
        expect(frame.filter((line) => line.startsWith('Hosts (12)  importers'))).toHaveLength(1);
        // disks in flight come first, but for 2 hosts; on the smallest terminal the queue's 3 rows too (the title stays)
        const hostLines = frame.filter((line) => line.startsWith('  esx-')).length;
        expect(hostLines).toBe(rows < 16 ? 0 : rows < 60 ? 2 : 5);
        if (hostLines > 0) expect(frame).toContain(`  … and ${12 - hostLines} more hosts`);
        expect(frame.filter((line) => line.includes(' q-')).length).toBeGreaterThanOrEqual(3);
      }
    }
    // the host with disks in flight is listed first, then the others in name order
    expect(frameOf(many).slice(3, 5)).toEqual([
      '  esx-07.a-long-datacenter-name.example.com 30/2 in flight 99 MiB/s climbing',
      '  esx-00.a-long-datacenter-name.example.com  0/2 in flight 99 MiB/s climbing',
    ]);
  });

  it('says so while no plan event came', () => {
    expect(frameOf([], { snapshot: undefined })[0]).toBe('waiting for the run to start…');
  });
});

describe('completionLogLines', () => {
  it('heads the first completion with Completed; each row has its time and rate, a stuck one its reason', () => {
    const { completions } = fold(busyRun());
    const style = { color: false, ascii: false, columns: 80 };
    expect(shown(completionLogLines(completions, 0, style))).toEqual([
      'Completed',
      '✓ app-04/0 plan-a-app-04-disk-0 100 GiB in 4m12s at 406 MiB/s',
      '✗ app-05/2 plan-a-app-05-disk-2 100 GiB stuck: importer restarted 3 times',
    ]);
    expect(shown(completionLogLines(completions, 1, style))).toEqual([
      '✗ app-05/2 plan-a-app-05-disk-2 100 GiB stuck: importer restarted 3 times',
    ]);
    expect(shown(completionLogLines(completions, 1, { ...style, ascii: true }))[0]).toMatch(/^x app-05\/2 /);
  });

  it('keeps the label whole and the reason at 60 columns, dropping the DataVolume name when it must', () => {
    const long = (i: number) => `a-very-long-virtual-machine-name-from-the-vmware-inventory-${i}`;
    const { completions } = fold(busyRun({ vmName: long }));
    const rows = shown(completionLogLines(completions, 0, { color: false, ascii: false, columns: 60 }), 60);
    expect(rows[1]).toMatch(/^✓ a-very.*….*-4\/0 100 GiB in 4m12s at 406 MiB\/s$/);
    expect(rows[2]).toMatch(/-5\/2 100 GiB stuck: importer restarted 3 times$/);
    for (const row of rows) expect(displayWidth(row)).toBeLessThanOrEqual(60);
  });
});
