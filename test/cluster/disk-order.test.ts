import { describe, expect, it } from 'vitest';
import { disksLeftOut, dropsNvme, sortDisksAsRelease } from '../../src/cluster/disk-order.js';

/** Keys out of step with controllers: the disk added last sits on the first SCSI controller. */
const DISKS = [
  { key: 2000, bus: 'scsi', controllerKey: 1001, unitNumber: 0 },
  { key: 2001, bus: 'scsi', controllerKey: 1000, unitNumber: 1 },
  { key: 2002, bus: 'scsi', controllerKey: 1000, unitNumber: 0 },
  { key: 32000, bus: 'nvme', controllerKey: 31000, unitNumber: 0 },
  { key: 3000, bus: 'ide', controllerKey: 200, unitNumber: 0 },
  { key: 16000, bus: 'sata', controllerKey: 15000, unitNumber: 0 },
];
const keys = (disks: { key: number }[]) => disks.map((disk) => disk.key);

describe('sortDisksAsRelease', () => {
  it.each(['2.8', '2.9'] as const)('%s: SATA, IDE, SCSI by key, NVMe left out', (release) => {
    expect(keys(sortDisksAsRelease(DISKS, release))).toEqual([16000, 3000, 2000, 2001, 2002]);
    expect(keys(disksLeftOut(DISKS, release))).toEqual([32000]);
    expect(dropsNvme(release)).toBe(true);
  });

  it('2.10: NVMe last, each bus by key', () => {
    expect(keys(sortDisksAsRelease(DISKS, '2.10'))).toEqual([16000, 3000, 2000, 2001, 2002, 32000]);
    expect(disksLeftOut(DISKS, '2.10')).toEqual([]);
  });

  it.each(['2.11', '2.12'] as const)('%s: within a bus by controller key, unit number, then key', (release) => {
    expect(keys(sortDisksAsRelease(DISKS, release))).toEqual([16000, 3000, 2002, 2001, 2000, 32000]);
  });

  it('leaves out a disk without a bus it knows, on every release (Forklift filterDisksWithBus)', () => {
    const odd = [{ key: 1, bus: '' }, { key: 2, bus: 'SCSI' }, { key: 3 }, { key: 4, bus: 'scsi' }];
    expect(keys(sortDisksAsRelease(odd, '2.12'))).toEqual([4]);
    expect(keys(disksLeftOut(odd, '2.12'))).toEqual([1, 2, 3]);
  });
});
