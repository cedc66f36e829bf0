import type { SimulationResult } from '@kubectl-mtv/engine';
import type { GanttChart } from './gantt-chart.js';
import { formatDuration } from './simulate-table.js';

/** One Gantt chart per simulated policy, in report order: `disk — makespan 2h3m (1.02x lower bound)`. */
export function simulationCharts(results: readonly SimulationResult[]): GanttChart[] {
  return results.map((result) => ({
    title: `${result.policy} — makespan ${formatDuration(result.makespanSeconds)} (${result.ratioToLowerBound.toFixed(2)}x lower bound)`,
    subtitle: result.strategy,
    lowerBoundSeconds: result.lowerBoundSeconds,
    makespanSeconds: result.makespanSeconds,
    disks: result.disks.map((disk) => ({
      vm: disk.vm,
      index: disk.disk,
      host: disk.host,
      bytes: disk.bytes,
      startSeconds: disk.startSeconds,
      endSeconds: disk.endSeconds,
    })),
  }));
}
