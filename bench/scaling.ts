import type { PolicyName, Scenario, VmSpec } from '@kubectl-mtv/engine';
import { simulateScenario } from '@kubectl-mtv/engine';
import { markdownTable, type ReportSection, verdict } from './markdown.js';
import { randomSource } from './scenario-set.js';

const Gi = 2 ** 30;
const Mi = 2 ** 20;
/** Goal 4: ten times the disks takes at most this many times as long. */
const SCALING_GOAL = 12;

/** The plan shape both sizes share: hosts, cap, and the VM mix. */
export interface ScalingShape {
  hosts: number;
  /** bytes/s per host. */
  hostBandwidth: number;
  cap: number;
  seed: number;
}

export const DEFAULT_SHAPE: ScalingShape = { hosts: 8, hostBandwidth: 280 * Mi, cap: 200, seed: 7 };

/** A plan of exactly `disks` disks: VMs of 1-5 disks with skewed sizes, spread over the hosts at random. */
export function scalingScenario(disks: number, shape: ScalingShape): Scenario {
  const r = randomSource(shape.seed);
  const hosts = Array.from({ length: shape.hosts }, (_, h) => ({
    name: `esx-${String(h + 1).padStart(2, '0')}`,
    bandwidth: shape.hostBandwidth,
  }));
  const vms: VmSpec[] = [];
  for (let left = disks; left > 0; ) {
    const width = Math.min(left, 1 + Math.floor(r() * 5));
    vms.push({
      name: `vm-${vms.length + 1}`,
      host: hosts[Math.floor(r() * hosts.length)].name,
      disks: Array.from({ length: width }, () => ({ size: Math.round((1 + 1000 * r() ** 6) * Gi) })),
    });
    left -= width;
  }
  return { name: `scale-${disks}`, migration: 'cold', maxInFlight: shape.cap, diskRate: 100 * Mi, hosts, vms };
}

function collect(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Milliseconds of one `simulateScenario` call. */
function time(scenario: Scenario, policy: PolicyName, cap: number): number {
  collect();
  const start = process.hrtime.bigint();
  simulateScenario(scenario, { policy, maxInFlight: cap, order: 'largest' });
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Goal 4: time `disk` and `forklift` on a 10k-disk and a 100k-disk plan of the same shape. */
export function scalingSection(shape: ScalingShape = DEFAULT_SHAPE, log = (_: string) => {}): ReportSection {
  const small = scalingScenario(10_000, shape);
  const large = scalingScenario(100_000, shape);
  const rows: string[][] = [];
  const goals: string[] = [];
  for (const policy of ['disk', 'forklift'] as const) {
    log(`scaling: ${policy} on 10k disks (3 runs)`);
    const t10 = median([0, 1, 2].map(() => time(small, policy, shape.cap)));
    log(`scaling: ${policy} on 100k disks (1 run)`);
    const t100 = time(large, policy, shape.cap);
    const factor = t100 / t10;
    rows.push([policy, t10.toFixed(0), t100.toFixed(0), factor.toFixed(1)]);
    goals.push(
      `${policy}: 100k/10k time ratio ${factor.toFixed(1)} (goal <= ${SCALING_GOAL}): ${verdict(factor <= SCALING_GOAL)}`,
    );
  }
  collect();
  const rss = process.resourceUsage().maxRSS / 1024;
  goals.push(`peak RSS of the whole bench run ${rss.toFixed(0)} MiB`);
  const vms = (s: Scenario) => s.vms.length;
  return {
    title: 'Engine scaling',
    goals,
    body: markdownTable(['policy', '10k disks (ms, median of 3)', '100k disks (ms, 1 run)', '100k / 10k'], rows, [
      false,
      true,
      true,
      true,
    ]),
    howToRead:
      `Both plans have the same shape: ${shape.hosts} hosts at ${shape.hostBandwidth / Mi}Mi, VMs of 1-5 disks with ` +
      `skewed sizes (1Gi-1Ti, most small; seed ${shape.seed}), cap ${shape.cap} (\`disk\`: over the run; ` +
      `\`forklift\`: per host), largest first; ${vms(small)} and ${vms(large)} VMs. Each time is one ` +
      '`simulateScenario` call (flattening, scheduling, lower bound, windows and the per-disk result), with a GC ' +
      'before each. Ten times the disks should cost at most twelve times the time (n log n, not n^2). Peak RSS is ' +
      'the process maximum (`process.resourceUsage().maxRSS`), so it includes the other sections.',
  };
}
