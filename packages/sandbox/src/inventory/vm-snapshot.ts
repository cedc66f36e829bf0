/**
 * A VM's `snapshot` in the inventory: the current snapshot as Forklift's vSphere collector last saw it. The collector
 * watches the VM's `snapshot` property (kubev2v/forklift pkg/controller/provider/container/vsphere/collector.go
 * fSnapshot) and applies each update in model.go VmAdapter.Apply:
 * - a VirtualMachineSnapshotInfo with a currentSnapshot: `VM.Snapshot = Ref(currentSnapshot)`, whose kind is the
 *   MoRef's type as it is (Base.Ref's default case: `VirtualMachineSnapshot`) and whose id is its value;
 * - a VirtualMachineSnapshotInfo without one (snapshots left, none current): the Ref stays as it was;
 * - no value (the VM's last snapshot removed): from release-2.9 the Ref is emptied (MTV-1652, 516b978ab, "Also sync
 *   the snapshot status upon deletion"); release-2.8 keeps it, so its inventory still names a removed snapshot.
 * The web layer serves it as it is (web/vsphere/vm.go VM.With: `r.Snapshot = m.Snapshot`, json "snapshot").
 */
import type { MtvRelease } from '../api/crd-loader.js';
import type { InventoryRef, InventoryVm } from './model.js';

/** Forklift's empty model.Ref: what a VM without a snapshot shows. */
export const NO_SNAPSHOT: InventoryRef = { kind: '', id: '' };

/** The VM's `snapshot` property as vCenter sends it: unset without snapshots, else its current one (maybe none). */
export type SnapshotProperty = undefined | { currentSnapshot?: string };

/** Applies one update of the VM's `snapshot` property to the inventory's VM, as `release`'s collector does. */
export function collectSnapshot(vm: InventoryVm, property: SnapshotProperty, release: MtvRelease): void {
  if (property === undefined) {
    if (release !== '2.8') vm.snapshot = undefined;
    return;
  }
  if (property.currentSnapshot !== undefined) {
    vm.snapshot = { kind: 'VirtualMachineSnapshot', id: property.currentSnapshot };
  }
}
