/**
 * `migrate --report FILE.svg`: the run as it happened (each disk from the moment this run created it, or the run's
 * start for a disk it adopted in flight, to the moment it left flight), under the schedule the engine planned for it.
 */
import type { RunEvent } from '../runner/run-events.js';
import type { GanttChart, GanttDisk } from './gantt-chart.js';
import { capWords, type ScheduledDisk } from './run-reporters.js';
import { formatBytes, formatDuration } from './simulate-table.js';

/** The engine's plan for the run: its schedule at the planning rate and the lower bound under the same figures. */
export interface PlannedRun {
  schedule: readonly ScheduledDisk[];
  lowerBoundSeconds: number;
  /** Bytes/s per disk the plan assumed. */
  rate: number;
}

export function runCharts(events: readonly RunEvent[], planned?: PlannedRun): GanttChart[] {
  const charts: GanttChart[] = [];
  if (planned) {
    const makespan = planned.schedule.reduce((end, d) => Math.max(end, d.endSeconds), 0);
    charts.push({
      title: `planned — makespan ${formatDuration(makespan)} (${(makespan / (planned.lowerBoundSeconds || 1)).toFixed(2)}x lower bound)`,
      subtitle: `the engine's schedule, every disk at ${formatBytes(planned.rate)}/s`,
      lowerBoundSeconds: planned.lowerBoundSeconds,
      makespanSeconds: makespan,
      disks: planned.schedule.map((d) => ({ ...d })),
    });
  }
  const actual = actualChart(events);
  if (actual) charts.push(actual);
  return charts;
}

function actualChart(events: readonly RunEvent[]): GanttChart | undefined {
  const plan = events.find((e) => e.type === 'plan');
  if (!plan) return undefined;
  const t0 = Date.parse(plan.time);
  const seconds = (time: string) => Math.max(0, (Date.parse(time) - t0) / 1000);
  const open = new Map<string, GanttDisk>();
  const disks: GanttDisk[] = [];
  let end = 0;
  for (const event of events) {
    end = Math.max(end, seconds(event.time));
    if (event.type === 'started') {
      const start = event.adopted ? 0 : seconds(event.time);
      const { vm, index, host } = event.disk;
      open.set(event.disk.name, { vm, index, host, bytes: event.bytes, startSeconds: start, endSeconds: start });
    } else if (event.type === 'finished' || event.type === 'stuck') {
      const disk = open.get(event.disk.name);
      if (!disk) continue;
      open.delete(event.disk.name);
      disks.push({ ...disk, endSeconds: seconds(event.time), ...(event.type === 'stuck' && { failed: true }) });
    }
  }
  // still copying when the run stopped: drawn to the run's end
  for (const disk of open.values()) disks.push({ ...disk, endSeconds: end });
  const summary = events.find((e) => e.type === 'summary');
  const outcome = summary?.type === 'summary' ? summary.summary.outcome : 'running';
  return {
    title: `this run — ${outcome}, ${disks.length} disks in ${formatDuration(end)}`,
    subtitle: `plan ${plan.namespace}/${plan.plan}, policy ${plan.policy}, ${capWords(plan.policy, plan.maxInFlight, plan.maxInFlightPerHost)}`,
    makespanSeconds: end,
    disks,
  };
}
