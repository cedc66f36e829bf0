import type { OrderName, Workload } from './model.js';

/** How disks are grouped when ordered: each disk on its own, or a VM's disks kept together. */
export type Grouping = 'disk' | 'vm';

/** Compares two sizes under an order: >0 when `a` comes after `b`. */
function bySize(order: OrderName, a: number, b: number): number {
  if (order === 'largest') return b - a;
  if (order === 'smallest') return a - b;
  return 0;
}

/** What a disk costs: its bytes, or the seconds it takes alone (bytes / its rate; the same order at one rate). */
export type DiskCost = 'bytes' | 'seconds';

function costOf(workload: Workload, cost: DiskCost): (d: number) => number {
  return cost === 'bytes' ? (d) => workload.disks[d].bytes : (d) => workload.disks[d].bytes / workload.disks[d].rate;
}

/** VM cost order: largest disk first, then total, then plan order (reversed sizes for `smallest`). */
export function vmOrder(workload: Workload, order: OrderName, cost: DiskCost = 'bytes'): number[] {
  const of = costOf(workload, cost);
  const largest = workload.vms.map((vm) => vm.disks.reduce((m, d) => Math.max(m, of(d)), 0));
  const total = workload.vms.map((vm) => vm.disks.reduce((s, d) => s + of(d), 0));
  return workload.vms
    .map((_, v) => v)
    .sort((a, b) => bySize(order, largest[a], largest[b]) || bySize(order, total[a], total[b]) || a - b);
}

/**
 * Disk order as a rank per disk id (0 = first). `disk` grouping sorts all disks by cost (ties in plan order);
 * `vm` grouping takes VMs in cost order and, within a VM, its disks by cost. Cost is the seconds a disk takes alone,
 * so that with per-disk rates the longest transfers still start first.
 */
export function diskRanks(workload: Workload, order: OrderName, grouping: Grouping): Int32Array {
  const bytes = costOf(workload, 'seconds');
  let sequence: number[];
  if (grouping === 'vm') {
    sequence = vmOrder(workload, order, 'seconds').flatMap((v) =>
      [...workload.vms[v].disks].sort((a, b) => bySize(order, bytes(a), bytes(b)) || a - b),
    );
  } else {
    sequence = workload.disks.map((d) => d.id).sort((a, b) => bySize(order, bytes(a), bytes(b)) || a - b);
  }
  const rank = new Int32Array(workload.disks.length);
  sequence.forEach((d, r) => {
    rank[d] = r;
  });
  return rank;
}
