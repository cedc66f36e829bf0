/**
 * How many bytes a later stage of a multi-stage import (a warm migration's delta copy) copies. This is a model of
 * the guest's writes (the changed blocks VMware's CBT reports between two snapshots, which CDI's VDDK importer reads
 * through QueryChangedDiskAreas), not something read from CDI: the scenario's per-VM change rate, applied to the
 * whole disk over the simulated time since the previous stage finished, with a floor and never more than the disk.
 * The sandbox's CDI sizes its delta stages with it and `simulateWarm` its delta copies, so both copy the same bytes.
 */

/** Percent of the disk per hour a VM's guest changes when its scenario gives no `changeRate`. */
export const DEFAULT_CHANGE_RATE_PERCENT_PER_HOUR = 1;

/**
 * The least a delta stage copies (bytes): even an idle guest dirties some blocks (logs, file-system metadata), and
 * a delta is never free. 16 MiB.
 */
export const DELTA_FLOOR_BYTES = 16 * 2 ** 20;

/**
 * Bytes a delta stage copies for a disk of `diskBytes` (bytes) whose guest changes `percentPerHour` of it per hour,
 * `seconds` (simulated) after the previous stage finished: at least the floor, at most the disk.
 */
export function deltaBytes(diskBytes: number, percentPerHour: number, seconds: number): number {
  const changed = diskBytes * (percentPerHour / 100) * (Math.max(0, seconds) / 3600);
  return Math.min(diskBytes, Math.max(DELTA_FLOOR_BYTES, Math.round(changed)));
}
