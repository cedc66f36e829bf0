/**
 * The warm simulator's default vCenter times (the engine's warm-task-seconds.ts) are the time this vCenter takes:
 * a round's snapshot, created alone (round 1) or after the previous one's consolidated removal, and a guest's
 * shutdown, each measured on the model's own clock as Forklift's itinerary calls them (one task after the other).
 */
import { snapshotTaskSeconds, WARM_VCENTER_SECONDS } from '@kubectl-mtv/engine';
import { describe, expect, it } from 'vitest';
import { inventoryFromScenario } from '../../src/inventory/from-scenario.js';
import { VcenterModel } from '../../src/vcenter/vcenter-model.js';

const Gi = 2 ** 30;

function modelOf(diskCounts: number[]) {
  let now = 0;
  const inventory = inventoryFromScenario(
    {
      migration: 'warm',
      maxInFlight: 20,
      diskRate: 100 * 2 ** 20,
      hosts: [{ name: 'esx-01' }],
      vms: diskCounts.map((count, i) => ({
        name: `vm-${i}`,
        host: 'esx-01',
        powerState: 'poweredOn',
        disks: Array.from({ length: count }, () => ({ size: Gi })),
      })),
    },
    'provider-uid',
  );
  const model = new VcenterModel(inventory, () => now);
  const advanceTo = (t: number) => {
    now = t;
    model.sync();
  };
  return { model, vms: inventory.vms, advanceTo, now: () => now };
}

describe("the warm simulator's vCenter times", () => {
  it.each([[1], [3], [10]])('match the snapshot tasks of a VM of %i disks', (disks) => {
    const { model, vms, advanceTo } = modelOf([disks]);
    const ref = { type: 'VirtualMachine', value: vms[0].id };
    const first = model.createSnapshot(ref, 'forklift-migration-precopy', '', true);
    expect(first.endAt - first.queuedAt).toBe(snapshotTaskSeconds(disks, false));
    advanceTo(first.endAt);
    // a precopy: the previous snapshot removed (consolidated), then, once removed, the next one created
    const start = first.endAt;
    const removal = model.removeSnapshot(first.outcome?.result as { type: string; value: string }, false, true);
    advanceTo(removal.endAt);
    const next = model.createSnapshot(ref, 'forklift-migration-precopy', '', true);
    expect(next.endAt - start).toBe(snapshotTaskSeconds(disks, true));
  });

  it('match a guest shutdown', () => {
    const { model, vms, advanceTo } = modelOf([1]);
    model.shutdownGuest({ type: 'VirtualMachine', value: vms[0].id });
    advanceTo(WARM_VCENTER_SECONDS.guestShutdown - 0.5);
    expect(vms[0].powerState).toBe('poweredOn');
    advanceTo(WARM_VCENTER_SECONDS.guestShutdown);
    expect(vms[0].powerState).toBe('poweredOff');
  });
});
