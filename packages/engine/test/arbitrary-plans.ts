import fc from 'fast-check';
import { ORDER_NAMES, POLICY_NAMES, type Scenario, type SchedulerOptions } from '../src/model.js';

/** Random small plans for the engine's property tests. */

export const Mi = 2 ** 20;
export const Gi = 2 ** 30;

/** Runs per property: enough to meet every policy, order and shape of plan, each property well under 5 s. */
export const RUNS = 150;

export interface Case {
  scenario: Scenario;
  options: SchedulerOptions;
}

// Disk sizes 0..500Gi: empty disks, whole Gi and whole Mi. Whole Mi keeps two finishes that differ by less than
// the simulator's 1 ms instant a matter of chance rather than of a size generator that shrinks towards 1 byte.
const diskSize = fc.oneof(
  { arbitrary: fc.constant(0), weight: 1 },
  { arbitrary: fc.integer({ min: 1, max: 500 }).map((g) => g * Gi), weight: 3 },
  { arbitrary: fc.integer({ min: 1, max: 500 * 1024 }).map((m) => m * Mi), weight: 2 },
);

const mibps = (min: number, max: number) => fc.integer({ min, max }).map((x) => x * Mi);

/** Small random plans: 1-4 hosts, 1-12 VMs of 0-6 disks, caps 1-8, every policy and order, cold or warm. */
export const cases: fc.Arbitrary<Case> = fc.integer({ min: 1, max: 4 }).chain((hostCount) =>
  fc
    .record({
      hostBandwidths: fc.array(fc.option(mibps(50, 500), { nil: undefined }), {
        minLength: hostCount,
        maxLength: hostCount,
      }),
      network: fc.option(mibps(100, 2000), { nil: undefined }),
      diskRate: mibps(20, 200),
      vms: fc.array(
        fc.record({
          host: fc.integer({ min: 0, max: hostCount - 1 }),
          disks: fc.array(fc.record({ size: diskSize, rate: fc.option(mibps(10, 300), { nil: undefined }) }), {
            maxLength: 6,
          }),
        }),
        { minLength: 1, maxLength: 12 },
      ),
      maxInFlight: fc.integer({ min: 1, max: 8 }),
      perHost: fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }),
      migration: fc.constantFrom('cold' as const, 'warm' as const),
      policy: fc.constantFrom(...POLICY_NAMES),
      order: fc.constantFrom(...ORDER_NAMES),
    })
    .map((g) => ({
      scenario: {
        migration: g.migration,
        maxInFlight: g.maxInFlight,
        diskRate: g.diskRate,
        networkBandwidth: g.network,
        hosts: g.hostBandwidths.map((bandwidth, h) => ({ name: `esx-${h}`, bandwidth })),
        vms: g.vms.map((vm, v) => ({ name: `vm-${v}`, host: `esx-${vm.host}`, disks: vm.disks })),
      },
      options: { policy: g.policy, maxInFlight: g.maxInFlight, maxInFlightPerHost: g.perHost, order: g.order },
    })),
);
