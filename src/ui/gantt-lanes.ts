import type { GanttDisk } from './gantt-chart.js';

/** One host's disks placed in lanes: `lane` counts from 0; `lanes` is how many the host needs. */
export interface HostLanes {
  host: string;
  lanes: number;
  placed: { disk: GanttDisk; lane: number }[];
}

/**
 * Interval partitioning per host: disks in start order, each into the lowest lane whose last disk ended at or before
 * its start. Invariant: no two disks of a lane overlap, and a host gets as many lanes as it had disks in flight at its
 * peak (a disk ending at t frees its lane for one starting at t). Hosts come in name order.
 */
export function assignLanes(disks: readonly GanttDisk[]): HostLanes[] {
  const byHost = new Map<string, GanttDisk[]>();
  for (const disk of disks) {
    const list = byHost.get(disk.host);
    if (list) list.push(disk);
    else byHost.set(disk.host, [disk]);
  }
  return [...byHost.keys()].sort(compareText).map((host) => {
    const laneEnds: number[] = [];
    const placed = [...(byHost.get(host) ?? [])].sort(compareDisks).map((disk) => {
      let lane = laneEnds.findIndex((end) => end <= disk.startSeconds);
      if (lane === -1) lane = laneEnds.length;
      laneEnds[lane] = disk.endSeconds;
      return { disk, lane };
    });
    return { host, lanes: laneEnds.length, placed };
  });
}

/** Code-unit order, not the locale's: the same input gives the same picture on every machine. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Start, then end (a zero-length disk frees its lane before a longer one starting with it), then VM and disk. */
function compareDisks(a: GanttDisk, b: GanttDisk): number {
  return a.startSeconds - b.startSeconds || a.endSeconds - b.endSeconds || compareText(a.vm, b.vm) || a.index - b.index;
}
