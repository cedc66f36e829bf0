/**
 * The order in which an MTV release numbers a VM's disks: the position in it is Forklift's disk index (the DataVolume's
 * `forklift.konveyor.io/disk-index`, the PVC template's `.DiskIndex`, the VM's disk order). Per release:
 * - 2.8, 2.9: pkg/controller/plan/adapter/vsphere/builder.go sortedDisksAsVmware -> sortedDisksByBusses: buses SATA,
 *   IDE, SCSI, each by device key; NVMe disks are not in the list at all (no DataVolume, no VM disk).
 * - 2.10: pkg/controller/provider/web/vsphere/vm.go VM1.SortedDisksAsVmware: SATA, IDE, SCSI, NVMe, each by key.
 * - 2.11, 2.12: the same function sorts within a bus by controller key, then unit number, then key.
 * Before any of that the builder's DataVolumes removes shared disks when migrateSharedDisks is false
 * (vm.RemoveSharedDisks), so they take no index.
 */
import type { MtvRelease } from './mtv-release.js';

/** Where a disk hangs, as the inventory reports it (controllerKey and unitNumber from 2.9). */
export interface DiskPlace {
  key: number;
  bus?: string;
  controllerKey?: number;
  unitNumber?: number;
}

const AS_VMWARE = ['sata', 'ide', 'scsi', 'nvme'] as const;

/** Whether `release` leaves NVMe disks out of its disk list (2.8 and 2.9 sort only SATA, IDE and SCSI). */
export function dropsNvme(release: MtvRelease): boolean {
  return release === '2.8' || release === '2.9';
}

/** The buses `release` copies, in its order. */
function buses(release: MtvRelease): readonly string[] {
  return dropsNvme(release) ? AS_VMWARE.slice(0, 3) : AS_VMWARE;
}

/** Whether `release` sorts a bus by controller and unit before the key (2.11+). */
function byController(release: MtvRelease): boolean {
  return release === '2.11' || release === '2.12';
}

/**
 * `disks` in `release`'s order. Disks on a bus the release does not list (NVMe on 2.8/2.9, or an unknown bus) are
 * left out, as Forklift's filterDisksWithBus leaves them out: the caller decides what to say about them.
 */
export function sortDisksAsRelease<D extends DiskPlace>(disks: readonly D[], release: MtvRelease): D[] {
  const compare = byController(release)
    ? (a: D, b: D) =>
        (a.controllerKey ?? 0) - (b.controllerKey ?? 0) || (a.unitNumber ?? 0) - (b.unitNumber ?? 0) || a.key - b.key
    : (a: D, b: D) => a.key - b.key;
  return buses(release).flatMap((bus) => disks.filter((disk) => busOf(disk) === bus).sort(compare));
}

/** The disks `release` leaves out of its list (and so never copies). */
export function disksLeftOut<D extends DiskPlace>(disks: readonly D[], release: MtvRelease): D[] {
  const listed = buses(release);
  return disks.filter((disk) => !listed.includes(busOf(disk)));
}

/** Forklift compares the bus as is with its lower-case names (model/vsphere model.go SCSI = "scsi", ...). */
function busOf(disk: DiskPlace): string {
  return disk.bus ?? '';
}
