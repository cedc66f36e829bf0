import type { DiskSpec, HostSpec, Scenario, VmSpec } from '@kubectl-mtv/engine';
import { seededRandom } from '@kubectl-mtv/test-support';

/**
 * The varied scenario set the engine's goals are measured on: hand-made edge cases plus seeded random plans of
 * several families (many hosts, skewed sizes, huge disks last in plan order, VMs wider than the cap, network-bound
 * plans). Deterministic: the same seed gives the same set.
 */

const Gi = 2 ** 30;
const Mi = 2 ** 20;

/** The set must not change between runs: one seeded generator (the sandbox's fault draws use the same). */
export const randomSource = seededRandom;

function scenario(name: string, parts: Partial<Scenario> & { vms: VmSpec[]; hosts: HostSpec[] }): Scenario {
  return { name, migration: 'cold', maxInFlight: 20, diskRate: 100 * Mi, ...parts };
}

function vmsOf(prefix: string, count: number, host: string, disks: DiskSpec[]): VmSpec[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `${prefix}-${String(i + 1).padStart(2, '0')}`,
    host,
    disks: disks.map((d) => ({ ...d })),
  }));
}

const seedDisks: DiskSpec[] = [{ size: 500 * Gi }, ...Array.from({ length: 9 }, () => ({ size: 10 * Gi }))];

/** Hand-made cases, each showing one way the controller's scheduling goes wrong. */
export function edgeCases(): Scenario[] {
  return [
    scenario('seed-10x10', { hosts: [{ name: 'esx-01' }], vms: vmsOf('app', 10, 'esx-01', seedDisks) }),
    scenario('seed-host-capped', {
      hosts: [{ name: 'esx-01', bandwidth: 280 * Mi }],
      vms: vmsOf('app', 10, 'esx-01', seedDisks),
    }),
    scenario('single-disk', {
      hosts: [{ name: 'esx-01' }],
      vms: [{ name: 'one', host: 'esx-01', disks: [{ size: 200 * Gi }] }],
    }),
    scenario('huge-disk-last', {
      hosts: [{ name: 'esx-01', bandwidth: 300 * Mi }],
      vms: [
        ...vmsOf('web', 40, 'esx-01', [{ size: 40 * Gi }, { size: 20 * Gi }]),
        { name: 'archive', host: 'esx-01', disks: [{ size: 4096 * Gi }] },
      ],
    }),
    scenario('wider-than-cap', {
      hosts: [
        { name: 'esx-01', bandwidth: 280 * Mi },
        { name: 'esx-02', bandwidth: 280 * Mi },
      ],
      vms: [
        { name: 'wide', host: 'esx-01', disks: Array.from({ length: 30 }, () => ({ size: 50 * Gi })) },
        ...vmsOf('app', 20, 'esx-01', [{ size: 80 * Gi }]),
        ...vmsOf('db', 10, 'esx-02', [{ size: 300 * Gi }, { size: 30 * Gi }]),
      ],
    }),
    scenario('network-bound', {
      networkBandwidth: 600 * Mi,
      hosts: ['a', 'b', 'c', 'd'].map((h) => ({ name: `esx-${h}`, bandwidth: 280 * Mi })),
      vms: ['a', 'b', 'c', 'd'].flatMap((h, i) =>
        vmsOf(`vm${h}`, 10 + 5 * i, `esx-${h}`, [{ size: (60 + 40 * i) * Gi }, { size: 20 * Gi }]),
      ),
    }),
    scenario('zero-and-tiny', {
      hosts: [{ name: 'esx-01' }],
      vms: [
        { name: 'empty', host: 'esx-01', disks: [] },
        { name: 'zeros', host: 'esx-01', disks: [{ size: 0 }, { size: 0 }, { size: 1 }] },
        ...vmsOf('app', 30, 'esx-01', [{ size: 30 * Gi }]),
      ],
    }),
  ];
}

/** One random plan of a family; `r` is a seeded source. */
function randomPlan(family: string, index: number, r: () => number): Scenario {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const hostCount = family === 'single-host' ? 1 : 2 + Math.floor(r() * 9);
  const hosts: HostSpec[] = Array.from({ length: hostCount }, (_, h) => ({
    name: `esx-${String(h + 1).padStart(2, '0')}`,
    bandwidth: family === 'uncapped' ? undefined : (220 + Math.floor(r() * 100)) * Mi,
  }));
  const vmCount = 10 + Math.floor(r() * 140);
  // Sizes are skewed: most disks are small, a few are huge (lognormal-like via an exponent of a uniform).
  const size = () => Math.round((5 + 2000 * r() ** (family === 'skewed' ? 6 : 3)) * Gi);
  const vms: VmSpec[] = Array.from({ length: vmCount }, (_, v) => {
    const width = r() < 0.05 ? 12 + Math.floor(r() * 30) : 1 + Math.floor(r() * 5);
    return {
      name: `vm-${String(v + 1).padStart(3, '0')}`,
      host: hosts[Math.floor(r() ** (family === 'hot-host' ? 3 : 1) * hostCount)].name,
      disks: Array.from({ length: width }, () => ({
        size: size(),
        rate: family === 'mixed-rates' ? (75 + Math.floor(r() * 70)) * Mi : undefined,
      })),
    };
  });
  if (family === 'huge-last') vms.push({ name: 'vm-last', host: hosts[0].name, disks: [{ size: 6144 * Gi }] });
  return {
    name: `${family}-${index}`,
    migration: 'cold',
    maxInFlight: pick([5, 10, 20, 40]),
    diskRate: 100 * Mi,
    networkBandwidth: family === 'network' ? pick([500, 800, 1024]) * Mi : undefined,
    hosts,
    vms,
  };
}

export const FAMILIES = [
  'single-host',
  'uncapped',
  'skewed',
  'hot-host',
  'mixed-rates',
  'huge-last',
  'network',
] as const;

/** The whole set: edge cases, then `perFamily` random plans of each family. */
export function scenarioSet(perFamily = 6, seed = 20261126): Scenario[] {
  const r = randomSource(seed);
  const out = edgeCases();
  for (const family of FAMILIES) for (let i = 0; i < perFamily; i++) out.push(randomPlan(family, i + 1, r));
  return out;
}
