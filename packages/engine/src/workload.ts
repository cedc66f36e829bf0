import type { DiskTransfer, Scenario, TransferHost, TransferVm, Workload } from './model.js';

/** Flattens a scenario into the workload every policy works on: disks numbered in VM order, then disk order. */
export function toWorkload(scenario: Scenario): Workload {
  const hosts: TransferHost[] = scenario.hosts.map((h) => ({ name: h.name, bandwidth: h.bandwidth ?? Infinity }));
  const hostIndex = new Map(hosts.map((h, i) => [h.name, i]));
  const vms: TransferVm[] = [];
  const disks: DiskTransfer[] = [];
  scenario.vms.forEach((vm, v) => {
    let host = hostIndex.get(vm.host);
    if (host === undefined) {
      // The scenario loader lists every host a VM names; an unknown one is a broken invariant, not user input.
      throw new Error(`toWorkload: VM ${vm.name} names unknown host ${vm.host}`);
    }
    host = host as number;
    const ids: number[] = [];
    vm.disks.forEach((d, index) => {
      const id = disks.length;
      disks.push({ id, vm: v, index, host, bytes: d.size, rate: d.rate ?? scenario.diskRate });
      ids.push(id);
    });
    vms.push({ name: vm.name, host, disks: ids });
  });
  return {
    migration: scenario.migration,
    hosts,
    vms,
    disks,
    networkBandwidth: scenario.networkBandwidth ?? Infinity,
  };
}
