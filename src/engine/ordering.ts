import type { OrderName, TransferPlan } from './model.js';

/** How disks are grouped when ordered: each disk on its own, or a VM's disks kept together. */
export type Grouping = 'disk' | 'vm';

/** Compares two sizes under an order: >0 when `a` comes after `b`. */
function bySize(order: OrderName, a: number, b: number): number {
  if (order === 'largest') return b - a;
  if (order === 'smallest') return a - b;
  return 0;
}

/** VM cost order: largest disk first, then total bytes, then plan order (reversed sizes for `smallest`). */
export function vmOrder(plan: TransferPlan, order: OrderName): number[] {
  const largest = plan.vms.map((vm) => vm.disks.reduce((m, d) => Math.max(m, plan.disks[d].bytes), 0));
  const total = plan.vms.map((vm) => vm.disks.reduce((s, d) => s + plan.disks[d].bytes, 0));
  return plan.vms
    .map((_, v) => v)
    .sort((a, b) => bySize(order, largest[a], largest[b]) || bySize(order, total[a], total[b]) || a - b);
}

/**
 * Disk order as a rank per disk id (0 = first). `disk` grouping sorts all disks by size (ties in plan order);
 * `vm` grouping takes VMs in cost order and, within a VM, its disks by size.
 */
export function diskRanks(plan: TransferPlan, order: OrderName, grouping: Grouping): Int32Array {
  const bytes = (d: number) => plan.disks[d].bytes;
  let sequence: number[];
  if (grouping === 'vm') {
    sequence = vmOrder(plan, order).flatMap((v) =>
      [...plan.vms[v].disks].sort((a, b) => bySize(order, bytes(a), bytes(b)) || a - b),
    );
  } else {
    sequence = plan.disks.map((d) => d.id).sort((a, b) => bySize(order, bytes(a), bytes(b)) || a - b);
  }
  const rank = new Int32Array(plan.disks.length);
  sequence.forEach((d, r) => {
    rank[d] = r;
  });
  return rank;
}
