/**
 * The engine's view of the DataVolumes to create: one disk transfer per DiskDataVolume, in their order (VM order,
 * then disk index), VMs grouped by inventory id and hosts by the VMs' inventory host ids. The rate is a planning
 * figure only (the engine orders and packs by it); what the cluster really does comes back through the watch.
 */

import {
  AdaptiveAdmission,
  DEFAULT_ADAPTIVE_SETTINGS,
  type DiskTransfer,
  type KnownThroughput,
  type TransferHost,
  type TransferVm,
  type Workload,
} from '@kubectl-mtv/engine';
import type { DiskDataVolume } from '../cluster/datavolume-builder.js';

/** Bytes/s one importer is assumed to reach when planning (domain.md §4: 75-145 MB/s). */
export const DEFAULT_PLANNING_RATE = 100 * 2 ** 20;

export function workloadOfDataVolumes(dataVolumes: readonly DiskDataVolume[], rate = DEFAULT_PLANNING_RATE): Workload {
  if (!(rate > 0)) throw new RangeError(`workloadOfDataVolumes: rate must be > 0 bytes/s, got ${rate}`);
  const hosts: TransferHost[] = [];
  const hostIndex = new Map<string, number>();
  const vms: TransferVm[] = [];
  const vmIndex = new Map<string, number>();
  const disks: DiskTransfer[] = dataVolumes.map((dv, id) => {
    const hostName = dv.host || 'default';
    let host = hostIndex.get(hostName);
    if (host === undefined) {
      host = hosts.length;
      hosts.push({ name: hostName, bandwidth: Infinity });
      hostIndex.set(hostName, host);
    }
    let vm = vmIndex.get(dv.vmId);
    if (vm === undefined) {
      vm = vms.length;
      vms.push({ name: dv.vmName, host, disks: [] });
      vmIndex.set(dv.vmId, vm);
    }
    const index = vms[vm].disks.length;
    vms[vm].disks.push(id);
    return { id, vm, index, host, bytes: dv.bytes, rate };
  });
  return { migration: 'cold', hosts, vms, disks, networkBandwidth: Infinity };
}

/**
 * The workload an adaptive run plans with from the start (transfer-loop.ts): its planning view with what an earlier
 * run learned, each known host at its learned bandwidth and every disk at the learned importer rate, as the engine's
 * AdaptiveAdmission makes it; the view itself when nothing is known.
 */
export function plannedWorkload(view: Workload, known?: KnownThroughput): Workload {
  if (known === undefined) return view;
  return new AdaptiveAdmission(view, DEFAULT_ADAPTIVE_SETTINGS, known).planningWorkload();
}
