import { describe, expect, it } from 'vitest';
import { createPolicy } from '../src/create-policy.js';
import type { Workload } from '../src/model.js';
import { DiskListPolicy, type HostPick } from '../src/policies/disk-list.js';
import { GangPolicy, type GangSplit } from '../src/policies/gang.js';
import { type Caps, hostCap, type Policy } from '../src/policy.js';
import { runSchedule, type Timeline } from '../src/run-schedule.js';
import { Mi, planOf } from './hand-built-plans.js';

/** Plan order as the ranks of a disk list. */
const identity = (workload: Workload) => Int32Array.from(workload.disks, (d) => d.id);

/** Most disks in flight at one instant on each host: a disk runs on [start, end). */
function hostPeaks(workload: Workload, timeline: Timeline): number[] {
  const peaks = workload.hosts.map(() => 0);
  for (const d of workload.disks) {
    const t = timeline.start[d.id];
    const now = workload.disks.filter(
      (e) => e.host === d.host && timeline.start[e.id] <= t && t < timeline.end[e.id],
    ).length;
    peaks[d.host] = Math.max(peaks[d.host], now);
  }
  return peaks;
}

/** How many of `disks` are on each host. */
function perHost(workload: Workload, disks: number[]): number[] {
  const out = workload.hosts.map(() => 0);
  for (const d of disks) out[workload.disks[d].host]++;
  return out;
}

describe('hostCap', () => {
  it('is the lower of the per-host cap and the host’s learned limit, Infinity when neither is set', () => {
    expect(hostCap({ maxInFlight: 10 }, 0)).toBe(Infinity);
    expect(hostCap({ maxInFlight: 10, perHost: 3 }, 1)).toBe(3);
    expect(hostCap({ maxInFlight: 10, hostCaps: [4, 2] }, 0)).toBe(4);
    expect(hostCap({ maxInFlight: 10, hostCaps: [4, 2] }, 1)).toBe(2);
    expect(hostCap({ maxInFlight: 10, perHost: 3, hostCaps: [4, 2] }, 0)).toBe(3);
    expect(hostCap({ maxInFlight: 10, perHost: 3, hostCaps: [4, 2] }, 1)).toBe(2);
    // a host the list does not reach has no learned limit
    expect(hostCap({ maxInFlight: 10, perHost: 3, hostCaps: [4] }, 1)).toBe(3);
  });
});

describe('DiskListPolicy under learned host limits', () => {
  // six 10 Gi disks on each of two hosts
  const workload = planOf(
    ['esx-01', 'esx-02'],
    Array.from({ length: 12 }, (_, i) => [i % 2, [10]] as [number, number[]]),
  );
  const onHost = (h: number) => workload.disks.filter((d) => d.host === h).map((d) => d.id);

  it('admits no more on a host than its learned limit, and says so', () => {
    const policy = new DiskListPolicy(
      workload,
      { ranks: identity(workload), hostPick: 'rank', saturation: Infinity },
      { maxInFlight: 10, hostCaps: [1, 3] },
    );
    expect(perHost(workload, policy.admit())).toEqual([1, 3]);
    expect(policy.admit()).toEqual([]);
    const waiting = onHost(0)[1];
    expect(policy.status(waiting)).toEqual({ kind: 'wait', reason: 'host esx-01 at 1/1 (learned)' });
    // a finish frees one slot on its host, not on the other
    policy.finish(onHost(1)[0]);
    expect(perHost(workload, policy.admit())).toEqual([0, 1]);
  });

  it('takes the lower of the per-host cap and the learned limit, naming the learned one only when it binds', () => {
    const policy = new DiskListPolicy(
      workload,
      { ranks: identity(workload), hostPick: 'rank', saturation: Infinity },
      { maxInFlight: 10, perHost: 2, hostCaps: [5, 1] },
    );
    expect(perHost(workload, policy.admit())).toEqual([2, 1]);
    expect(policy.status(onHost(0)[2])).toEqual({ kind: 'wait', reason: 'host esx-01 at 2/2' });
    expect(policy.status(onHost(1)[1])).toEqual({ kind: 'wait', reason: 'host esx-02 at 1/1 (learned)' });
  });

  it('applies a raised or lowered limit to later admissions, leaving what is in flight', () => {
    const policy = new DiskListPolicy(
      workload,
      { ranks: identity(workload), hostPick: 'rank', saturation: Infinity },
      { maxInFlight: 10, hostCaps: [2, 2] },
    );
    expect(perHost(workload, policy.admit())).toEqual([2, 2]);
    policy.setCaps({ maxInFlight: 10, hostCaps: [4, 1] });
    expect(perHost(workload, policy.admit())).toEqual([2, 0]);
    expect(policy.status(onHost(1)[2])).toEqual({ kind: 'wait', reason: 'host esx-02 at 2/1 (learned)' });
    // esx-02 goes down to its new limit before it starts anything again
    policy.finish(onHost(1)[0]);
    expect(policy.admit()).toEqual([]);
    policy.finish(onHost(1)[1]);
    expect(perHost(workload, policy.admit())).toEqual([0, 1]);
  });

  it('still holds the run cap above the learned limits', () => {
    const policy = new DiskListPolicy(
      workload,
      { ranks: identity(workload), hostPick: 'rank', saturation: Infinity },
      { maxInFlight: 3, hostCaps: [4, 4] },
    );
    expect(policy.admit()).toHaveLength(3);
    expect(policy.status(policy.queued(1)[0])).toEqual({ kind: 'wait', reason: 'cap 3/3' });
  });

  it.each<[HostPick, number]>([
    ['rank', 0],
    ['rank', 1],
    ['critical', Infinity],
    ['critical', 2],
  ])('never passes a host’s limit over a whole run (host pick %s, saturation %s)', (hostPick, saturation) => {
    const capped = planOf(
      ['esx-01', 'esx-02', 'esx-03'],
      Array.from({ length: 24 }, (_, i) => [i % 3, [10 + (i % 5) * 10]] as [number, number[]]),
    );
    capped.hosts = capped.hosts.map((h, i) => ({ ...h, bandwidth: [300, 250, Infinity][i] * Mi }));
    const hostCaps = [3, 1, 2];
    const policy = new DiskListPolicy(
      capped,
      { ranks: identity(capped), hostPick, saturation },
      { maxInFlight: 20, hostCaps },
    );
    const timeline = runSchedule(capped, policy);
    const peaks = hostPeaks(capped, timeline);
    peaks.forEach((n, h) => {
      expect(n).toBeLessThanOrEqual(hostCaps[h]);
    });
    expect(peaks).toEqual(hostCaps);
  });
});

describe('GangPolicy under learned host limits', () => {
  it('starts whole VMs only while their host stays within its learned limit, and says so', () => {
    // two one-disk VMs and a two-disk VM on each host
    const workload = planOf(
      ['esx-01', 'esx-02'],
      [
        [0, [10]],
        [1, [10]],
        [0, [10]],
        [1, [10]],
        [0, [10, 10]],
        [1, [10, 10]],
      ],
    );
    const policy = new GangPolicy(workload, 'plan', { maxInFlight: 10, hostCaps: [2, 3] });
    // esx-01 (limit 2): vm-0 and vm-2; esx-02 (limit 3): vm-1 and vm-3, and vm-5 does not fit the slot left
    expect(perHost(workload, policy.admit())).toEqual([2, 2]);
    expect(policy.status(workload.vms[4].disks[0])).toEqual({ kind: 'wait', reason: 'host esx-01 at 2/2 (learned)' });
    // where the per-host cap is the lower, it is the one named
    policy.setCaps({ maxInFlight: 10, perHost: 2, hostCaps: [3, 3] });
    expect(policy.status(workload.vms[4].disks[0])).toEqual({ kind: 'wait', reason: 'host esx-01 at 2/2' });
    policy.setCaps({ maxInFlight: 10, hostCaps: [2, 3] });
    expect(policy.status(workload.vms[5].disks[0])).toEqual({
      kind: 'wait',
      reason: "waits for VM vm-5's gang of 2 disks to fit",
    });
    expect(policy.queuedCount).toBe(4);
    // one slot more on esx-02 and it fits
    policy.finish(workload.vms[1].disks[0]);
    expect(policy.admit()).toEqual(workload.vms[5].disks);
    expect(policy.admit()).toEqual([]);
  });

  it('starts a VM wider than its host’s learned limit only on an idle host, as for the per-host cap', () => {
    const workload = planOf(
      ['esx-01'],
      [
        [0, [10]],
        [0, [10, 10, 10]],
      ],
    );
    const policy = new GangPolicy(workload, 'plan', { maxInFlight: 10, hostCaps: [2] });
    expect(policy.admit()).toEqual([0]);
    policy.finish(0);
    expect(policy.admit()).toEqual(workload.vms[1].disks);
  });

  it.each<[GangSplit, number]>([
    ['caps', Infinity],
    ['caps', 1],
    ['host-saturation', Infinity],
    ['host-saturation', 1],
  ])('in split mode (%s, saturation %s) never passes a host’s limit, a wide VM included', (split, saturation) => {
    const workload = planOf(
      ['esx-01', 'esx-02'],
      Array.from({ length: 16 }, (_, i) => [i % 2, i % 4 === 0 ? [40, 10, 10, 10] : [10 + i, 5]] as [number, number[]]),
    );
    workload.hosts = workload.hosts.map((h, i) => ({ ...h, bandwidth: [300, 200][i] * Mi }));
    const hostCaps = [3, 2];
    const policy = new GangPolicy(workload, 'largest', { maxInFlight: 20, hostCaps }, { saturation, split });
    const timeline = runSchedule(workload, policy);
    expect(Math.max(...timeline.end)).toBe(timeline.makespan);
    hostPeaks(workload, timeline).forEach((n, h) => {
      expect(n).toBeLessThanOrEqual(hostCaps[h]);
    });
  });

  it('in split mode starts as many disks of a wide VM as the limit allows, the rest first as slots free', () => {
    const workload = planOf(
      ['esx-01'],
      [
        [0, [40, 30, 20]],
        [0, [10]],
      ],
    );
    const policy = new GangPolicy(workload, 'largest', { maxInFlight: 10, hostCaps: [2] }, { split: 'caps' });
    expect(policy.admit()).toEqual([0, 1]);
    expect(policy.status(2)).toEqual({
      kind: 'wait',
      reason: 'next for VM vm-0, whose other disks have started; waits for a slot',
    });
    policy.finish(1);
    expect(policy.status(2)).toEqual({ kind: 'start' });
    expect(policy.admit()).toEqual([2]);
  });
});

describe('the disk policy under learned host limits', () => {
  it('holds every host to its limit whichever strategy it planned', () => {
    const workload = planOf(
      ['esx-01', 'esx-02'],
      Array.from({ length: 30 }, (_, i) => [i % 2, i % 3 === 0 ? [30 + i, 10] : [5 + 3 * i]] as [number, number[]]),
    );
    const hostCaps = [4, 2];
    for (const order of ['largest', 'smallest', 'plan'] as const) {
      const policy: Policy = createPolicy(workload, { policy: 'disk', maxInFlight: 20, order });
      const caps: Caps = { maxInFlight: 20, hostCaps };
      policy.setCaps(caps);
      const timeline = runSchedule(workload, policy);
      expect(hostPeaks(workload, timeline), order).toEqual(hostCaps);
    }
  });
});
