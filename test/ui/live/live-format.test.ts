import { describe, expect, it } from 'vitest';
import {
  columnWidths,
  fitCell,
  fitCellMiddle,
  fitCellRight,
  formatEta,
  formatRate,
  joinCells,
  progressBar,
} from '../../../src/ui/live/live-format.js';
import { sectionRows } from '../../../src/ui/live/live-layout.js';

describe('live-format', () => {
  it('draws bars of exactly the width asked, in eighths or in ASCII', () => {
    expect(progressBar(0.5, 10, true)).toBe('#####-----');
    expect(progressBar(0.45, 10, false)).toBe('████▌░░░░░');
    expect(progressBar(1, 4, false)).toBe('████');
    expect(progressBar(0, 4, false)).toBe('░░░░');
    for (const f of [0, 0.01, 0.33, 0.999, 1, 2, Number.NaN]) expect([...progressBar(f, 7, false)]).toHaveLength(7);
  });

  it('cuts and pads cells to their width', () => {
    expect(fitCell('app-01', 8)).toBe('app-01  ');
    expect(fitCell('plan-a-app-01-disk-0', 8)).toBe('plan-a-…');
    expect(fitCell('plan-a-app-01-disk-0', 8, false)).toBe('plan-a-…');
  });

  it('measures, cuts and pads cells by display width: a wide character takes two columns', () => {
    expect(fitCell('仮想マシン', 6)).toBe('仮想… ');
    expect(fitCell('仮想', 6)).toBe('仮想  ');
    expect(fitCellRight('仮想', 6)).toBe('  仮想');
    expect(fitCell('app\u001b[2J-01', 8)).toBe('app[2J-…');
  });

  it('cuts a label in its middle, keeping the end of the VM name and the index', () => {
    expect(fitCellMiddle('a-very-long-virtual-machine-name-12/0', 16)).toBe('a-very-…ame-12/0');
    expect(fitCellMiddle('app-01/0', 12)).toBe('app-01/0    ');
    expect(fitCellMiddle('仮想マシン-12/0', 12, false)).toBe('仮想マ…-12/0');
  });

  it('drops columns by their drop order until the minimums fit, never one without it', () => {
    const specs = [{ min: 8 }, { min: 12, drop: 2 }, { min: 6, drop: 1 }, { min: 4 }];
    expect(columnWidths(specs, 33)).toEqual([8, 12, 6, 4]);
    expect(columnWidths(specs, 32)).toEqual([8, 0, 6, 4]);
    expect(columnWidths(specs, 20)).toEqual([8, 0, 6, 4]);
    expect(columnWidths(specs, 19)).toEqual([8, 0, 0, 4]);
    expect(columnWidths(specs, 5)).toEqual([8, 0, 0, 4]);
    expect(joinCells(['a', 'b', 'c', 'd'], [8, 0, 0, 4])).toBe('a d');
  });

  it('formats rates and ETAs, and says - when unknown', () => {
    expect(formatRate(312 * 2 ** 20)).toBe('312 MiB/s');
    expect(formatRate(null)).toBe('-');
    expect(formatEta(252)).toBe('4m12s');
    expect(formatEta(9843)).toBe('2h44m');
    expect(formatEta(null)).toBe('-');
  });

  it('gives columns their minimum, the first ones their natural width, then shares the rest', () => {
    const widths = columnWidths(
      [
        { min: 4, natural: 30 },
        { min: 6, natural: 20, first: true },
        { min: 5, grow: true, max: 10 },
      ],
      40,
    );
    expect(widths[1]).toBe(20);
    expect(widths.reduce((a, b) => a + b, 0) + 2).toBeLessThanOrEqual(40);
    expect(
      columnWidths(
        [
          { min: 4, natural: 6 },
          { min: 5, grow: true, max: 10 },
        ],
        80,
      ),
    ).toEqual([6, 10]);
  });
});

describe('sectionRows', () => {
  const disks = (n: number) => Array.from({ length: n }, () => ({}) as never);
  it('gives disks in flight the rows first and keeps 3 for the queue', () => {
    const layout = sectionRows({ inFlight: disks(30), queued: disks(50), queuedTotal: 70, recent: [] }, 12);
    expect(layout).toMatchObject({ inFlight: 7, inFlightMore: true, queue: 3, queueMore: true });
    expect(layout.inFlight + 1 + layout.queue + 1).toBe(12);
  });

  it('gives the queue what is left, and clamps the scroll offset', () => {
    const layout = sectionRows({ inFlight: disks(2), queued: disks(10), queuedTotal: 10, recent: [] }, 8, {
      offset: 99,
    });
    expect(layout).toMatchObject({ inFlight: 2, inFlightMore: false, queue: 5, queueMore: true, queueOffset: 5 });
  });

  it('lists at most queueMax queued disks, however many rows are left, and scrolls through the rest', () => {
    const layout = sectionRows({ inFlight: disks(2), queued: disks(50), queuedTotal: 70, recent: [] }, 30, {
      queueMax: 5,
      offset: 99,
    });
    expect(layout).toMatchObject({ inFlight: 2, queue: 5, queueMore: true, queueOffset: 45 });
  });

  it('shows the whole queue without a more row when it fits', () => {
    const layout = sectionRows({ inFlight: disks(2), queued: disks(3), queuedTotal: 3, recent: [] }, 20);
    expect(layout).toMatchObject({ queue: 3, queueMore: false, queueOffset: 0 });
  });
});
