/** What a Gantt chart shows: schedules as bars, one per disk, for the SVG (gantt-svg.ts) to draw. */

/** One disk transfer as a bar: when it ran (seconds from the start of the run) and how much it copied (bytes). */
export interface GanttDisk {
  vm: string;
  index: number;
  host: string;
  bytes: number;
  startSeconds: number;
  endSeconds: number;
  failed?: boolean;
}

/** One schedule: its disks, its makespan and, when known, the makespan's lower bound (seconds). */
export interface GanttChart {
  title: string;
  subtitle?: string;
  lowerBoundSeconds?: number;
  makespanSeconds: number;
  disks: GanttDisk[];
}
