import { describe, expect, it } from 'vitest';
import { boundCaps, lowerBound, packingBound } from '../src/lower-bound.js';
import type { Scenario, VmSpec } from '../src/model.js';
import { toWorkload } from '../src/workload.js';

/** A cold plan at 1 byte/s per disk unless a disk names its rate, so a disk's seconds are its bytes. */
function plan(vms: VmSpec[], hosts = ['esx-01']): Scenario {
  return { migration: 'cold', maxInFlight: 2, diskRate: 1, hosts: hosts.map((name) => ({ name })), vms };
}

const vm = (name: string, sizes: number[], host = 'esx-01'): VmSpec => ({
  name,
  host,
  disks: sizes.map((size) => ({ size })),
});

describe('packingBound', () => {
  it('is the two shortest of the C+1 longest transfers when they cannot all overlap (p_C + p_{C+1})', () => {
    // three 10 s disks under a cap of 2: two rounds, 20 s; the busy time over C is only 15 s
    const w = toWorkload(plan([vm('a', [10, 10, 10])]));
    const caps = boundCaps({ policy: 'disk', maxInFlight: 2, order: 'largest' });
    expect(packingBound(w, caps)).toBe(20);
    expect(lowerBound(w, caps)).toBe(15);
  });

  it("is the slots' busy time over C at each disk's own rate", () => {
    // 40 s + 20 s + 20 s + 20 s over 2 slots = 50 s; p_2 + p_3 = 40 s
    const w = toWorkload({
      ...plan([vm('a', [20, 20, 20])]),
      vms: [{ name: 'slow', host: 'esx-01', disks: [{ size: 20, rate: 0.5 }] }, vm('a', [20, 20, 20])],
    });
    expect(packingBound(w, boundCaps({ policy: 'disk', maxInFlight: 2, order: 'largest' }))).toBe(50);
  });

  it("counts each host's cap on that host's disks, at most the run cap", () => {
    const w = toWorkload(plan([vm('a', [10, 10, 10], 'esx-01'), vm('b', [5], 'esx-02')], ['esx-01', 'esx-02']));
    // one slot per host: esx-01 copies 30 s alone
    expect(
      packingBound(w, boundCaps({ policy: 'disk', maxInFlight: 4, maxInFlightPerHost: 1, order: 'largest' })),
    ).toBe(30);
    // no per-host cap: 35 s over 4 slots, or 10 s for the longest (p_4 + p_5 needs five disks)
    expect(packingBound(w, boundCaps({ policy: 'disk', maxInFlight: 4, order: 'largest' }))).toBe(8.75);
  });

  it("lets the controller's host run its widest VM whole (legacy, forklift)", () => {
    const w = toWorkload(plan([vm('wide', [10, 10, 10])]));
    // forklift at 1 per host starts the three disks together on the idle host: 10 s, not 30 s
    expect(packingBound(w, boundCaps({ policy: 'forklift', maxInFlight: 1, order: 'largest' }))).toBe(10);
    expect(packingBound(w, boundCaps({ policy: 'disk', maxInFlight: 1, order: 'largest' }))).toBe(30);
  });

  it('is 0 for an empty plan', () => {
    expect(packingBound(toWorkload(plan([])), boundCaps({ policy: 'disk', maxInFlight: 2, order: 'largest' }))).toBe(0);
  });
});
