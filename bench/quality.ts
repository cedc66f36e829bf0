import { type Scenario, simulateScenario } from '@kubectl-mtv/engine';
import { markdownTable, type ReportSection, ratio, verdict } from './markdown.js';

/** Goal 1: `disk` ends within this factor of the lower bound. */
const QUALITY_GOAL = 1.05;
/** Goal 1: share of the set within QUALITY_GOAL, and the ratio no scenario may pass. */
const QUALITY_SHARE = 90;
const QUALITY_CEILING = 1.1;
/** Goal 2: `disk` on equal terms ends within this factor of `forklift`. */
const MAKESPAN_GOAL = 1.01;
/** Mean-window ratios within this of 1 count as equal (floating-point noise, not a regression). */
const EPSILON = 1e-9;

/** Goal 1: `disk` at the scenario's cap, no per-host cap, largest first, against the lower bound. */
export function qualitySection(scenarios: Scenario[]): ReportSection {
  const ratios = scenarios.map((s) => {
    const result = simulateScenario(s, { policy: 'disk', maxInFlight: s.maxInFlight, order: 'largest' });
    return {
      name: s.name ?? '?',
      ratio: result.ratioToLowerBound,
      // the engine's packing bound (busy time over C, p_C + p_{C+1}) explains misses the lower bound cannot see
      packed: result.makespanSeconds / Math.max(result.lowerBoundSeconds, result.packingBoundSeconds),
    };
  });
  const within = ratios.filter((r) => r.ratio <= QUALITY_GOAL).length;
  const above = ratios.filter((r) => r.ratio > QUALITY_GOAL).sort((a, b) => b.ratio - a.ratio);
  const max = Math.max(...ratios.map((r) => r.ratio));
  const share = (100 * within) / ratios.length;
  return {
    title: 'Goal 1: `disk` against the lower bound',
    goals: [
      `${within} of ${ratios.length} scenarios (${share.toFixed(1)}%) within ${QUALITY_GOAL} of the lower bound (goal >= ${QUALITY_SHARE}%): ${verdict(share >= QUALITY_SHARE)}`,
      `max ratio to lower bound ${ratio(max)} (goal <= ${QUALITY_CEILING} on every scenario): ${verdict(max <= QUALITY_CEILING)}`,
    ],
    body:
      above.length === 0
        ? `No scenario above ${QUALITY_GOAL}.`
        : `Scenarios above ${QUALITY_GOAL}:\n\n${markdownTable(
            ['scenario', 'ratio to lower bound', 'ratio to packing bound'],
            above.map((r) => [r.name, ratio(r.ratio), ratio(r.packed)]),
            [false, true, true],
          )}`,
    howToRead:
      'Each scenario of the set runs under `disk` with its own `maxInFlight`, no per-host cap, largest disk first. ' +
      'The ratio is the makespan over a lower bound no schedule under the same caps can beat (longest disk, total ' +
      'bytes over the cap and the network, each host over its bandwidth), so 1.000 is optimal and 1.05 means at most ' +
      '5% slower than the best possible. The bound ignores how disks pack, so a ratio above 1 is not always a loss: ' +
      "the last column divides by a bound that also counts packing (the slots' busy time at each disk's own rate " +
      'over C, and two of the C+1 longest transfers sharing a slot).',
  };
}

interface EqualTerms {
  name: string;
  /** Mean window ratio disk/forklift under the default objective (makespan), for contrast. */
  defaultWindow: number;
  cap: number;
  hosts: number;
  widest: number;
  makespan: number;
  meanWindow: number;
}

/** Goal 2: `disk` capped C*H over the run and C per host, against `forklift` at C per host. */
export function equalTermsSection(scenarios: Scenario[]): ReportSection {
  const rows: EqualTerms[] = scenarios.map((s) => {
    const cap = s.maxInFlight;
    const hosts = new Set(s.vms.map((vm) => vm.host)).size;
    const options = { policy: 'disk', maxInFlight: cap * hosts, maxInFlightPerHost: cap, order: 'largest' } as const;
    // the windows goal is the downtime objective's promise; the default objective (makespan) is shown for contrast
    const disk = simulateScenario(s, { ...options, objective: 'downtime' });
    const byDefault = simulateScenario(s, options);
    const forklift = simulateScenario(s, { policy: 'forklift', maxInFlight: cap, order: 'largest' });
    const dw = disk.transferWindowSeconds.mean;
    const fw = forklift.transferWindowSeconds.mean;
    const windowRatio = (w: number) => (fw > 0 ? w / fw : w > 0 ? Infinity : 1);
    return {
      name: s.name ?? '?',
      defaultWindow: windowRatio(byDefault.transferWindowSeconds.mean),
      cap,
      hosts,
      widest: Math.max(0, ...s.vms.map((vm) => vm.disks.length)),
      makespan: forklift.makespanSeconds > 0 ? disk.makespanSeconds / forklift.makespanSeconds : 1,
      meanWindow: windowRatio(dw),
    };
  });
  const maxMakespan = Math.max(...rows.map((r) => r.makespan));
  const longerWindows = rows.filter((r) => r.meanWindow > 1 + EPSILON);
  const longerByDefault = rows.filter((r) => r.defaultWindow > 1 + EPSILON).length;
  const misses = rows
    .filter((r) => r.makespan > MAKESPAN_GOAL || r.meanWindow > 1 + EPSILON)
    .sort((a, b) => b.makespan - a.makespan);
  const wideMisses = misses.filter((r) => r.widest > r.cap).length;
  const wide = rows.filter((r) => r.widest > r.cap).length;
  const table = markdownTable(
    ['scenario', 'C', 'H', 'widest VM', 'wider than C', 'makespan ratio', 'mean window ratio'],
    misses.map((r) => [
      r.name,
      String(r.cap),
      String(r.hosts),
      String(r.widest),
      r.widest > r.cap ? 'yes' : 'no',
      ratio(r.makespan),
      ratio(r.meanWindow),
    ]),
    [false, true, true, true, false, true, true],
  );
  return {
    title: 'Goal 2: `disk` against `forklift` on equal terms',
    goals: [
      `objective downtime: max makespan ratio disk/forklift ${ratio(maxMakespan)} (goal <= ${MAKESPAN_GOAL}): ${verdict(maxMakespan <= MAKESPAN_GOAL)}`,
      `${longerWindows.length} of ${rows.length} scenarios with a mean window longer than forklift's (goal 0): ${verdict(longerWindows.length === 0)}`,
      `${misses.length} scenarios miss either goal; ${wideMisses} of them have a VM wider than C (${wide} of ${rows.length} in the set have one)`,
      `for contrast, the default objective (makespan): ${longerByDefault} of ${rows.length} scenarios with a mean window longer than forklift's (not a goal: it trades windows for a shorter plan)`,
    ],
    body: misses.length === 0 ? 'No scenario misses either goal.' : `Scenarios that miss either goal:\n\n${table}`,
    howToRead:
      "C is the scenario's `maxInFlight` and H the number of hosts its VMs use. `forklift` runs C disks per host, " +
      'as the controller does; `disk` runs at most C per host and C*H over the run, so neither has more slots, under ' +
      '`--objective downtime`, whose promise the windows goal is. ' +
      'Ratios are disk/forklift: below 1 `disk` is better. The makespan goal is <= 1.01; the mean VM transfer ' +
      "window (first disk start to last disk end) must never be longer than forklift's (0/0 counts as 1). " +
      '"wider than C" marks a VM with more disks than C: the controller starts all its disks at once on an idle ' +
      'host, which the per-host cap C forbids `disk` to do.',
  };
}
