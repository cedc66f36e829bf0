import { ORDER_NAMES, POLICY_NAMES } from '@kubectl-mtv/engine';
import { Flags } from '@oclif/core';
import { noHeadersFlag, outputFlag, withTemplates } from './output-flags.js';

export const SIMULATE_OUTPUTS = ['table', 'json', 'yaml'] as const;

/** `kubectl mtv simulate`'s flags, as strings: flag-values.ts checks their values. */
export const simulateFlags = {
  scenario: Flags.string({
    description: 'Scenario file (YAML or JSON); - reads it from stdin.',
    required: true,
    helpValue: 'FILE',
  }),
  policy: Flags.string({
    description: `Policies to compare, comma-separated, in report order (${POLICY_NAMES.join(', ')}).`,
    default: POLICY_NAMES.join(','),
    helpValue: 'p1,p2,..',
  }),
  'max-inflight': Flags.string({
    description:
      "Most disks in flight (legacy, forklift: per host unless --max-inflight-per-host). Default: the scenario's maxInFlight.",
    helpValue: 'N',
  }),
  'max-inflight-per-host': Flags.string({
    description: 'Most disks in flight per host. Default: none.',
    helpValue: 'N',
  }),
  order: Flags.string({
    description: `Which queued work gang and disk start first (${ORDER_NAMES.join(', ')}); legacy and forklift keep plan order.`,
    default: 'largest',
    helpValue: ORDER_NAMES.join('|'),
  }),
  output: outputFlag(
    withTemplates(SIMULATE_OUTPUTS),
    'table',
    'Output format; a jsonpath template reads the -o json report, custom-columns a row per policy result.',
  ),
  'no-headers': noHeadersFlag,
  svg: Flags.string({
    description:
      'Also write the schedules as Gantt charts, one per policy, to this .svg file (exit 2 if it cannot, or if its ' +
      'name does not end in .svg).',
    helpValue: 'FILE.svg',
  }),
};
