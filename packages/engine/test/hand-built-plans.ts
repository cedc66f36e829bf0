import type { Workload } from '../src/model.js';

export const Gi = 2 ** 30;
export const Mi = 2 ** 20;

/**
 * A hand-built plan: each VM is [host index, disk sizes in Gi]; VMs are named vm-<plan index>, hosts are uncapped,
 * every disk copies at 100 Mi/s.
 */
export function planOf(hosts: string[], vms: [host: number, sizes: number[]][]): Workload {
  const workload: Workload = {
    migration: 'cold',
    hosts: hosts.map((name) => ({ name, bandwidth: Infinity })),
    vms: [],
    disks: [],
    networkBandwidth: Infinity,
  };
  vms.forEach(([host, sizes], v) => {
    const ids = sizes.map((size, index) => {
      const id = workload.disks.length;
      workload.disks.push({ id, vm: v, index, host, bytes: size * Gi, rate: 100 * Mi });
      return id;
    });
    workload.vms.push({ name: `vm-${v}`, host, disks: ids });
  });
  return workload;
}

/** The VMs (by plan index) a batch of admitted disks belongs to, in the order they started. */
export function vmsOf(workload: Workload, disks: number[]): number[] {
  const out: number[] = [];
  for (const d of disks) if (out.at(-1) !== workload.disks[d].vm) out.push(workload.disks[d].vm);
  return out;
}
