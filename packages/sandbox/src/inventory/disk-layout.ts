/**
 * Where a VM's disks hang: bus, controller, unit and device key, as vSphere reports them and Forklift's collector
 * copies them into the inventory (forklift pkg/controller/provider/container/vsphere model.go: each disk's Bus from
 * its controller's type, ControllerKey, UnitNumber, Key; model/vsphere/model.go Disk). Forklift orders disks by them
 * (web/vsphere/vm.go SortedDisksAsVmware), so the sandbox gives VMs mixed layouts on purpose.
 *
 * The numbers are the sandbox's: device keys count up per bus in the order the scenario lists the disks (the order
 * they were added to the VM), so a disk added later to a lower controller has a higher key than the disks on the
 * controllers after it, which is what makes Forklift 2.10 (by key) and 2.11 (by controller, unit, key) disagree.
 */
import type { DiskBus, VmSpec } from '@kubectl-mtv/engine';
import { SandboxInputError } from '../input-error.js';

/** One disk's place. */
export interface DiskPlace {
  bus: DiskBus;
  key: number;
  controllerKey: number;
  unitNumber: number;
}

interface BusShape {
  /** Key of controller 0; controller n is base + n. */
  controllerKeyBase: number;
  /** Key of the first disk on this bus. */
  diskKeyBase: number;
  /** Units a controller offers to disks, in order. */
  units: readonly number[];
}

const range = (count: number, skip?: number) =>
  Array.from({ length: count + (skip === undefined ? 0 : 1) }, (_, i) => i).filter((unit) => unit !== skip);

const BUSES: Record<DiskBus, BusShape> = {
  // unit 7 is the SCSI controller itself
  scsi: { controllerKeyBase: 1000, diskKeyBase: 2000, units: range(15, 7) },
  ide: { controllerKeyBase: 200, diskKeyBase: 3000, units: range(2) },
  sata: { controllerKeyBase: 15000, diskKeyBase: 16000, units: range(30) },
  nvme: { controllerKeyBase: 31000, diskKeyBase: 32000, units: range(15) },
};
/** vSphere allows four controllers of each type (IDE: two). */
const CONTROLLERS: Record<DiskBus, number> = { scsi: 4, ide: 2, sata: 4, nvme: 4 };

/** The place of each of `vm`'s disks, in the scenario's order. */
export function diskPlaces(vm: VmSpec): DiskPlace[] {
  const used = new Map<string, number>();
  const keys = new Map<DiskBus, number>();
  return vm.disks.map((disk, d) => {
    const bus = disk.bus ?? 'scsi';
    const shape = BUSES[bus];
    const wanted = disk.controller;
    const candidates = wanted === undefined ? range(CONTROLLERS[bus]) : [wanted];
    const controller = candidates.find(
      (c) => c < CONTROLLERS[bus] && (used.get(`${bus}${c}`) ?? 0) < shape.units.length,
    );
    if (controller === undefined) {
      throw new SandboxInputError(
        `scenario: VM "${vm.name}" disk ${d} finds no free unit on ${bus} controller ${wanted ?? '0-3'}`,
        `put at most ${shape.units.length} disks on one ${bus} controller, on controllers 0 to ${CONTROLLERS[bus] - 1}`,
      );
    }
    const taken = used.get(`${bus}${controller}`) ?? 0;
    used.set(`${bus}${controller}`, taken + 1);
    const key = keys.get(bus) ?? shape.diskKeyBase;
    keys.set(bus, key + 1);
    return { bus, key, controllerKey: shape.controllerKeyBase + controller, unitNumber: shape.units[taken] };
  });
}
