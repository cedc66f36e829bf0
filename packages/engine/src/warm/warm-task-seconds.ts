/**
 * How long the vCenter work of a warm round takes when a scenario says nothing else: as long as the sandbox's
 * vCenter takes it (packages/sandbox/src/vcenter/vcenter-model.ts VCENTER_SECONDS, whose tests check that the two
 * agree), so that `simulate` predicts a warm run against the sandbox. Forklift's itinerary
 * (pkg/controller/plan/migrator/base/migrator.go warmItinerary) runs a VM's tasks one after the other: a precopy
 * removes the previous snapshot before it creates the next; the cutover shuts the source down, removes the
 * penultimate snapshot, then creates the final one. Not counted: the controller's polls between phases (3 s).
 */
export const WARM_VCENTER_SECONDS = {
  /** A task waits this long queued before it runs. */
  queue: 1,
  /** CreateSnapshot_Task: a base, plus per disk. */
  snapshotBase: 8,
  snapshotPerDisk: 4,
  /** RemoveSnapshot_Task: a base, plus per disk to consolidate (Forklift 2.12+ consolidates). */
  removeBase: 3,
  consolidatePerDisk: 5,
  /** ShutdownGuest to the guest powered off. */
  guestShutdown: 15,
  /** No task runs longer than this. */
  max: 30,
} as const;

const task = (seconds: number) => WARM_VCENTER_SECONDS.queue + Math.min(seconds, WARM_VCENTER_SECONDS.max);

/**
 * Seconds from a round's snapshot decided to the snapshot there, for a VM of `disks` disks: the removal of the
 * previous snapshot when there is one (consolidated), then the creation of this one.
 */
export function snapshotTaskSeconds(disks: number, removesPrevious: boolean): number {
  const V = WARM_VCENTER_SECONDS;
  const create = task(V.snapshotBase + V.snapshotPerDisk * disks);
  return removesPrevious ? task(V.removeBase + V.consolidatePerDisk * disks) + create : create;
}
