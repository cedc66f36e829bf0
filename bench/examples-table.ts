import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { POLICY_NAMES, simulateScenario } from '@kubectl-mtv/engine';
import { loadScenarioFile } from '../src/services/scenario-file.js';
import { markdownTable, type ReportSection, ratio, seconds } from './markdown.js';

/** Goal 3: every policy on every shipped example, at the example's own cap, largest first. */
export async function examplesSection(directory: string): Promise<ReportSection> {
  const files = (await readdir(directory)).filter((f) => f.endsWith('.yaml')).sort();
  const parts: string[] = [];
  for (const file of files) {
    const scenario = await loadScenarioFile(join(directory, file));
    const disks = scenario.vms.reduce((n, vm) => n + vm.disks.length, 0);
    const rows = POLICY_NAMES.map((policy) => {
      const r = simulateScenario(scenario, { policy, maxInFlight: scenario.maxInFlight, order: 'largest' });
      const w = r.transferWindowSeconds;
      return [
        policy,
        seconds(r.makespanSeconds),
        ratio(r.ratioToLowerBound),
        String(r.peakInFlight),
        seconds(w.mean),
        seconds(w.p95),
        seconds(w.max),
      ];
    });
    const heading = `### ${file} (${scenario.migration}, ${scenario.vms.length} VMs, ${disks} disks, ${scenario.hosts.length} hosts, cap ${scenario.maxInFlight})`;
    const table = markdownTable(
      ['policy', 'makespan', 'ratio to LB', 'peak in flight', 'mean window', 'p95 window', 'max window'],
      rows,
      [false, true, true, true, true, true, true],
    );
    parts.push(`${heading}\n\n${table}`);
  }
  return {
    title: 'Policies on the shipped examples',
    goals: [],
    body: parts.join('\n\n'),
    howToRead:
      'Each example in `examples/` runs under every policy with its own `maxInFlight` and largest-first order. ' +
      '`legacy` and `forklift` apply the cap per host (as the controller does), `gang` and `disk` over the whole ' +
      'run, so their lower bounds differ and "ratio to LB" compares each policy with its own best case. A window ' +
      "is one VM's first disk start to its last disk end: shorter windows mean shorter outages for warm cutovers " +
      'and less time a VM is half-copied. Peak in flight is the most disks copying at one instant.',
  };
}
