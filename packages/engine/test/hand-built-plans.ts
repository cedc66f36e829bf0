import type { TransferPlan } from '../src/model.js';

export const Gi = 2 ** 30;
export const Mi = 2 ** 20;

/**
 * A hand-built plan: each VM is [host index, disk sizes in Gi]; VMs are named vm-<plan index>, hosts are uncapped,
 * every disk copies at 100 Mi/s.
 */
export function planOf(hosts: string[], vms: [host: number, sizes: number[]][]): TransferPlan {
  const plan: TransferPlan = {
    migration: 'cold',
    hosts: hosts.map((name) => ({ name, bandwidth: Infinity })),
    vms: [],
    disks: [],
    networkBandwidth: Infinity,
  };
  vms.forEach(([host, sizes], v) => {
    const ids = sizes.map((size, index) => {
      const id = plan.disks.length;
      plan.disks.push({ id, vm: v, index, host, bytes: size * Gi, rate: 100 * Mi });
      return id;
    });
    plan.vms.push({ name: `vm-${v}`, host, disks: ids });
  });
  return plan;
}

/** The VMs (by plan index) a batch of admitted disks belongs to, in the order they started. */
export function vmsOf(plan: TransferPlan, disks: number[]): number[] {
  const out: number[] = [];
  for (const d of disks) if (out.at(-1) !== plan.disks[d].vm) out.push(plan.disks[d].vm);
  return out;
}
