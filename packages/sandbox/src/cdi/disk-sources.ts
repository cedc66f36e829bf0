import type { Scenario } from '@kubectl-mtv/engine';
import { parseQuantity, toWorkload } from '@kubectl-mtv/engine';
import type { KubeObject } from '../cluster-store.js';
import type { InventoryData } from '../inventory/model.js';
import type { DiskSource } from './importer.js';
import { type VddkEndpoints, vddkEndpoints } from './vddk-endpoints.js';

/** The bandwidth model's view of the sandbox: each host's bandwidth, then one uncapped host for unknown disks. */
export interface SandboxBandwidth {
  hostBandwidth: number[];
  networkBandwidth: number;
}

/**
 * Maps a DataVolume to the disk it copies: the inventory disk its vddk backingFile names (with the scenario's host,
 * size and rate for it), else its requested storage size at the scenario's disk rate on an uncapped host. `endpoints`
 * are the servers a vddk source may name for a known disk (vddk-endpoints.ts): the sandbox's `vcenter` and ESXi hosts.
 */
export function diskSources(
  scenario: Scenario,
  inventory: InventoryData,
  vcenter: { url: string; thumbprint: string },
): { bandwidth: SandboxBandwidth; endpoints: VddkEndpoints; resolve(dv: KubeObject): DiskSource | undefined } {
  const plan = toWorkload(scenario);
  const byFile = new Map<string, DiskSource>();
  const changeRates = new Map(scenario.vms.map((vm) => [vm.name, vm.changeRate]));
  inventory.vms.forEach((vm, v) => {
    const planVm = plan.vms[v];
    vm.disks.forEach((disk, i) => {
      const d = plan.disks[planVm.disks[i]];
      byFile.set(disk.file, {
        host: d.host,
        hostName: plan.hosts[d.host].name,
        bytes: d.bytes,
        rate: d.rate,
        label: `${vm.name}/${i}`,
        vm: { id: vm.id, uuid: vm.uuid, instanceUuid: vm.instanceUuid },
        deviceKey: disk.key,
        ...(changeRates.get(vm.name) !== undefined && { changeRate: changeRates.get(vm.name) }),
      });
    });
  });
  const unknownHost = plan.hosts.length;
  return {
    endpoints: vddkEndpoints(scenario, inventory, vcenter),
    bandwidth: {
      hostBandwidth: [...plan.hosts.map((h) => h.bandwidth), Infinity],
      networkBandwidth: plan.networkBandwidth,
    },
    resolve(dv) {
      const spec = dv.spec as
        | {
            source?: { vddk?: { backingFile?: string } };
            storage?: { resources?: { requests?: { storage?: string } } };
          }
        | undefined;
      const file = spec?.source?.vddk?.backingFile;
      const known = file === undefined ? undefined : byFile.get(file);
      if (known) return known;
      const requested = spec?.storage?.resources?.requests?.storage;
      if (requested === undefined) return undefined;
      let bytes: number;
      try {
        bytes = parseQuantity(requested);
      } catch {
        return undefined;
      }
      return { host: unknownHost, hostName: 'unknown', bytes, rate: scenario.diskRate, label: `${dv.metadata.name}/0` };
    },
  };
}
