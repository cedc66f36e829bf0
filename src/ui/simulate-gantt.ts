import type { SimulationResult, WarmSimulationResult } from '@kubectl-mtv/engine';
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

/**
 * One Gantt chart per warm policy: a bar per copy (round 1 the whole disk, later rounds their deltas), a solid line
 * at the makespan: `forklift — makespan 4h2m, cutover at 4h, downtime 16m39s in all`.
 */
export function warmSimulationCharts(results: readonly WarmSimulationResult[]): GanttChart[] {
  return results.map((result) => ({
    title:
      `${result.policy} — makespan ${formatDuration(result.makespanSeconds)}, cutover at ` +
      `${formatDuration(result.cutoverSeconds)}, downtime ${formatDuration(result.downtimeSeconds.total)} in all`,
    subtitle: `cutover ready at ${formatDuration(result.cutoverReadySeconds)}; a bar per disk per round`,
    makespanSeconds: result.makespanSeconds,
    disks: result.copies.map((copy) => ({
      vm: copy.vm,
      index: copy.disk,
      host: copy.host,
      bytes: copy.bytes,
      startSeconds: copy.startSeconds,
      endSeconds: copy.endSeconds,
    })),
  }));
}
