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
import { HOSTS_MAX_ROWS, sectionRows } from '../../../src/ui/live/live-layout.js';
import { hostRows } from '../../../src/ui/live/run-rows.js';

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

  const learned = (listed: number, total = listed) => ({
    hosts: disks(listed),
    hostsTotal: total,
    diskRate: null,
  });

  it('lists no host without learned hosts, and every host when they fit', () => {
    expect(sectionRows({ inFlight: disks(2), queued: [], queuedTotal: 0, recent: [] }, 20)).toMatchObject({
      hosts: 0,
      hostsMore: false,
    });
    const layout = sectionRows(
      { inFlight: disks(2), queued: disks(3), queuedTotal: 3, recent: [], learned: learned(3) },
      20,
    );
    expect(layout).toMatchObject({ hosts: 3, hostsMore: false, inFlight: 2, queue: 3 });
  });

  it('keeps 2 host rows and the more row however many disks are in flight, up to 5 hosts when there is room', () => {
    const busy = sectionRows(
      { inFlight: disks(30), queued: disks(50), queuedTotal: 70, recent: [], learned: learned(8) },
      15,
    );
    expect(busy).toMatchObject({ hosts: 2, hostsMore: true, inFlight: 7, inFlightMore: true, queue: 3 });
    expect(busy.hosts + 1 + busy.inFlight + 1 + busy.queue + 1).toBe(15);
    const roomy = sectionRows(
      { inFlight: disks(2), queued: disks(50), queuedTotal: 70, recent: [], learned: learned(8) },
      40,
    );
    expect(roomy).toMatchObject({ hosts: HOSTS_MAX_ROWS, hostsMore: true, inFlight: 2 });
    // the runner published 50 of 120 hosts: the more row counts them all
    const cut = sectionRows(
      { inFlight: disks(2), queued: [], queuedTotal: 0, recent: [], learned: learned(3, 120) },
      40,
    );
    expect(cut).toMatchObject({ hosts: 3, hostsMore: true });
  });
});

describe('hostRows', () => {
  const MiB = 2 ** 20;
  const hosts = [
    { name: 'esx-01', inFlight: 2, limit: 3, phase: 'holding' as const, bandwidth: 305 * MiB, throughput: 280 * MiB },
    {
      name: 'esx-02.lab',
      inFlight: 10,
      limit: 12,
      phase: 'climbing' as const,
      bandwidth: null,
      throughput: 2 * 2 ** 30,
    },
    { name: 'esx-03', inFlight: 0, limit: 2, phase: 'probing' as const, bandwidth: 90 * MiB, throughput: null },
  ];

  it("says each host's disks in flight against its limit, its throughput and its phase, in aligned columns", () => {
    expect(hostRows(hosts, 80)).toEqual([
      '  esx-01       2/3 in flight 305 MiB/s settled',
      '  esx-02.lab 10/12 in flight   2 GiB/s climbing',
      '  esx-03       0/2 in flight  90 MiB/s probing',
    ]);
  });

  it('drops the words, then the phase, then the throughput on a narrow terminal; the name stays', () => {
    expect(hostRows(hosts, 38)[1]).toBe('  esx-02.lab 10/12   2 GiB/s climbing');
    expect(hostRows(hosts, 30)[1]).toBe('  esx-02.lab 10/12   2 GiB/s');
    expect(hostRows(hosts, 20)).toEqual(['  esx-01       2/3', '  esx-02.lab 10/12', '  esx-03       0/2']);
    expect(hostRows(hosts, 15)[1]).toBe('  esx-02… 10/12');
  });
});
