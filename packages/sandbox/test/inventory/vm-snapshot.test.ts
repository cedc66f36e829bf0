import type { Scenario } from '@kubectl-mtv/engine';
import { describe, expect, it } from 'vitest';
import { MTV_RELEASES, type MtvRelease } from '../../src/api/crd-loader.js';
import { inventoryFromScenario } from '../../src/inventory/from-scenario.js';
import type { InventoryVm } from '../../src/inventory/model.js';
import { MAX_DETAIL, vmResource } from '../../src/inventory/resources.js';
import { collectSnapshot, type SnapshotProperty } from '../../src/inventory/vm-snapshot.js';
import { VcenterModel } from '../../src/vcenter/vcenter-model.js';

const scenario: Scenario = {
  migration: 'warm',
  maxInFlight: 4,
  diskRate: 100 * 2 ** 20,
  hosts: [{ name: 'esx-01' }],
  vms: [{ name: 'db-01', host: 'esx-01', disks: [{ size: 2 ** 30 }] }],
};

/** The sandbox vCenter over `release`'s inventory, its clock moved by hand. */
function setUp(release: MtvRelease) {
  const inventory = inventoryFromScenario(scenario, 'uid', release);
  let now = 0;
  const vcenter = new VcenterModel(inventory, () => now);
  const vm = inventory.vms[0];
  const ref = { type: 'VirtualMachine', value: vm.id };
  const served = () => vmResource(inventory, vm, MAX_DETAIL).snapshot;
  const finish = (task: { endAt: number }) => {
    now = task.endAt;
    vcenter.sync();
  };
  return { vcenter, vm, ref, served, finish };
}

describe("the inventory's VM snapshot follows the sandbox vCenter, as Forklift's collector", () => {
  it.each(MTV_RELEASES.map((release) => ({ release, kept: release === '2.8' })))(
    'serves the current snapshot once CreateSnapshot_Task ends, the next after it, and after the last is removed: $release keeps it $kept',
    ({ release, kept }) => {
      const { vcenter, ref, served, finish } = setUp(release);
      expect(served()).toEqual({ kind: '', id: '' });
      const create = vcenter.createSnapshot(ref, 'forklift-migration-precopy', '', true);
      // a task still running changes nothing
      expect(served()).toEqual({ kind: '', id: '' });
      finish(create);
      const first = create.outcome?.result?.value ?? '';
      expect(served()).toEqual({ kind: 'VirtualMachineSnapshot', id: first });
      const child = vcenter.createSnapshot(ref, 'forklift-migration-precopy', '', true);
      finish(child);
      const second = child.outcome?.result?.value ?? '';
      expect(served()).toEqual({ kind: 'VirtualMachineSnapshot', id: second });
      // the current one removed: its parent is current again
      finish(vcenter.removeSnapshot({ type: 'VirtualMachineSnapshot', value: second }, false, true));
      expect(served()).toEqual({ kind: 'VirtualMachineSnapshot', id: first });
      finish(vcenter.removeSnapshot({ type: 'VirtualMachineSnapshot', value: first }, false, true));
      expect(served()).toEqual(kept ? { kind: 'VirtualMachineSnapshot', id: first } : { kind: '', id: '' });
    },
  );

  it.each<{ property: SnapshotProperty; release: MtvRelease; after: InventoryVm['snapshot'] }>([
    {
      property: { currentSnapshot: 'snapshot-9' },
      release: '2.12',
      after: { kind: 'VirtualMachineSnapshot', id: 'snapshot-9' },
    },
    // snapshots left, none current: the Ref stays
    { property: {}, release: '2.12', after: { kind: 'VirtualMachineSnapshot', id: 'snapshot-1' } },
    { property: undefined, release: '2.9', after: undefined },
    { property: undefined, release: '2.8', after: { kind: 'VirtualMachineSnapshot', id: 'snapshot-1' } },
  ])('applies $property on $release', ({ property, release, after }) => {
    const vm = { snapshot: { kind: 'VirtualMachineSnapshot', id: 'snapshot-1' } } as InventoryVm;
    collectSnapshot(vm, property, release);
    expect(vm.snapshot).toEqual(after);
  });
});
