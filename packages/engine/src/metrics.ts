import type { Workload } from './model.js';
import type { Timeline } from './run-schedule.js';
import type { WindowStats } from './simulation-result.js';

/** Per VM with disks: its transfer window, first disk's start to last disk's end (seconds). */
export function vmWindows(workload: Workload, timeline: Timeline): { vm: number; start: number; end: number }[] {
  const out: { vm: number; start: number; end: number }[] = [];
  workload.vms.forEach((vm, v) => {
    if (vm.disks.length === 0) return;
    let start = Infinity;
    let end = -Infinity;
    for (const d of vm.disks) {
      start = Math.min(start, timeline.start[d]);
      end = Math.max(end, timeline.end[d]);
    }
    out.push({ vm: v, start, end });
  });
  return out;
}

/** Mean, nearest-rank 95th percentile and maximum; zeros for no values. */
export function windowStats(values: readonly number[]): WindowStats {
  if (values.length === 0) return { mean: 0, p95: 0, max: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const mean = sorted.reduce((s, x) => s + x, 0) / sorted.length;
  const p95 = sorted[Math.ceil(0.95 * sorted.length) - 1];
  return { mean, p95, max: sorted[sorted.length - 1] };
}

/** Mean transfer window of a timeline (seconds). */
export function meanWindow(workload: Workload, timeline: Timeline): number {
  const windows = vmWindows(workload, timeline);
  if (windows.length === 0) return 0;
  return windows.reduce((s, w) => s + (w.end - w.start), 0) / windows.length;
}
