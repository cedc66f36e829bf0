/**
 * One `kubectl mtv top --once` snapshot in the format -o asks for: the tables and the JSON object of
 * ui/live/top-table.ts, the same object as YAML, or `plan.forklift.konveyor.io/<plan>` lines (what `kubectl get plan
 * -o name` prints, so `kubectl describe $(kubectl mtv top -o name)` shows the running plans).
 */
import type { TopEntry } from './live/top-entry.js';
import { formatTopJson, formatTopTable, topJsonPlans } from './live/top-table.js';
import { formatYaml } from './object-output.js';
import { formatTemplateOutput, type TemplateOutput } from './template-output.js';

/** The -o values of `top`'s snapshots. `--watch` streams ndjson whatever -o says. */
export const TOP_OUTPUTS = ['table', 'wide', 'json', 'yaml', 'name'] as const;
export type TopOutput = (typeof TOP_OUTPUTS)[number];

const PLAN_KIND = 'plan.forklift.konveyor.io';

/** The snapshot's text for stdout, ending with a newline when it is not empty. */
export function formatTopOutput(
  entries: readonly TopEntry[],
  output: TopOutput | TemplateOutput,
  noHeaders: boolean,
): string {
  if (typeof output === 'object') {
    const plans = topJsonPlans(entries);
    return formatTemplateOutput(output, { plans }, plans, noHeaders);
  }
  switch (output) {
    case 'json':
      return formatTopJson(entries);
    case 'yaml':
      return formatYaml({ plans: topJsonPlans(entries) });
    case 'name':
      return entries.map((entry) => `${PLAN_KIND}/${entry.snapshot.plan}\n`).join('');
    default:
      return formatTopTable(entries, { wide: output === 'wide', noHeaders });
  }
}

/**
 * Whether an empty snapshot still prints something on stdout (an object with no plans, as kubectl's empty List; a
 * template runs on it).
 */
export function printsEmptySnapshot(output: TopOutput | TemplateOutput): boolean {
  return output === 'json' || output === 'yaml' || typeof output === 'object';
}
