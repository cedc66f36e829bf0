/** The plans the chaos parts run: powered-off VMs on a few hosts, disk sizes drawn from the seed. */
import type { Scenario } from '@kubectl-mtv/engine';

const Gi = 2 ** 30;
const Mi = 2 ** 20;

export interface PlanShape {
  name: string;
  vms: number;
  disksPerVm: number;
  hosts: number;
  /** Smallest and largest disk, bytes. */
  minBytes: number;
  maxBytes: number;
  cap: number;
  /** Bytes/s one importer reaches. */
  diskRate?: number;
}

/** A cold plan of `vms` powered-off VMs with `disksPerVm` disks each, sizes uniform in [minBytes, maxBytes]. */
export function chaosScenario(shape: PlanShape, random: () => number): Scenario {
  const hosts = Array.from({ length: shape.hosts }, (_, h) => ({ name: `esx-${String(h + 1).padStart(2, '0')}` }));
  const width = String(shape.vms).length;
  return {
    name: shape.name,
    migration: 'cold',
    maxInFlight: shape.cap,
    diskRate: shape.diskRate ?? 100 * Mi,
    hosts,
    vms: Array.from({ length: shape.vms }, (_, v) => ({
      name: `vm-${String(v + 1).padStart(width, '0')}`,
      host: hosts[v % hosts.length].name,
      powerState: 'poweredOff',
      disks: Array.from({ length: shape.disksPerVm }, () => ({
        size: Math.round((shape.minBytes + random() * (shape.maxBytes - shape.minBytes)) / Mi) * Mi,
      })),
    })),
  };
}

export function diskCount(scenario: Scenario): number {
  return scenario.vms.reduce((sum, vm) => sum + vm.disks.length, 0);
}

export { Gi, Mi };
