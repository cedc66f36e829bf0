import { Flags } from '@oclif/core';
import { ORDER_NAMES, POLICY_NAMES } from '../engine/model.js';
import { type SimulateOptions, simulate } from '../services/simulate.js';
import { formatSimulateJson } from '../ui/simulate-json.js';
import { formatScenarioLine, formatSimulateTable, formatSvgLine } from '../ui/simulate-table.js';
import { BaseCommand } from './base.js';
import { parseChoice, parseChoiceList, parseWholeNumber } from './support/flag-values.js';

const OUTPUT_FORMATS = ['table', 'json'] as const;

export default class Simulate extends BaseCommand {
  static override summary = 'Simulate how each policy schedules the disk transfers of a scenario.';

  static override description =
    'Runs the scheduling engine on a scenario file, once per policy, under the same caps, and reports the makespan, ' +
    "its lower bound, the peak of disks in flight and the VMs' transfer windows. Nothing touches a cluster.";

  static override examples = [
    'kubectl mtv simulate --scenario examples/seed-10x10.yaml',
    'kubectl mtv simulate --scenario examples/seed-10x10.yaml --policy forklift,disk --max-inflight 10',
    'kubectl mtv simulate --scenario examples/seed-10x10.yaml -o json | jq ".results[].makespanSeconds"',
    'kubectl mtv simulate --scenario examples/datacenter.yaml --policy forklift,disk --svg schedule.svg',
  ];

  static override flags = {
    scenario: Flags.string({ description: 'Scenario file (YAML or JSON).', required: true, helpValue: 'FILE' }),
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
    output: Flags.string({ char: 'o', description: 'Output format.', default: 'table', helpValue: 'table|json' }),
    svg: Flags.string({
      description: 'Also write the schedules as Gantt charts, one per policy, to this SVG file (exit 2 if it cannot).',
      helpValue: 'FILE',
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Simulate);
    const maxInFlight = flags['max-inflight'];
    const maxInFlightPerHost = flags['max-inflight-per-host'];
    const output = parseChoice('--output', flags.output, OUTPUT_FORMATS, 'output format');
    const options: SimulateOptions = {
      scenarioPath: flags.scenario,
      policies: parseChoiceList('--policy', flags.policy, POLICY_NAMES, 'policy'),
      maxInFlight: maxInFlight === undefined ? undefined : parseWholeNumber('--max-inflight', maxInFlight),
      maxInFlightPerHost:
        maxInFlightPerHost === undefined ? undefined : parseWholeNumber('--max-inflight-per-host', maxInFlightPerHost),
      order: parseChoice('--order', flags.order, ORDER_NAMES, 'order'),
      svgPath: flags.svg,
    };
    const report = await simulate(options);
    if (output === 'json') {
      this.log(formatSimulateJson(report));
    } else {
      this.logToStderr(formatScenarioLine(report));
      this.log(formatSimulateTable(report));
    }
    if (flags.svg !== undefined) this.logToStderr(formatSvgLine(flags.svg, report));
  }
}
