import { ORDER_NAMES, POLICY_NAMES } from '@kubectl-mtv/engine';
import { type SimulateOptions, simulate } from '../services/simulate.js';
import { formatYaml, withoutHeader } from '../ui/object-output.js';
import { formatSimulateJson } from '../ui/simulate-json.js';
import { formatScenarioLine, formatSimulateTable, formatSvgLine } from '../ui/simulate-table.js';
import { formatTemplateOutput } from '../ui/template-output.js';
import { BaseCommand } from './base.js';
import { parseChoice, parseChoiceList, parseSvgPath, parseWholeNumber, RANGES } from './support/flag-values.js';
import { parseOutput } from './support/output-flags.js';
import { SIMULATE_OUTPUTS, simulateFlags } from './support/simulate-flags.js';

export default class Simulate extends BaseCommand {
  static override summary = 'Simulate how each policy schedules the disk transfers of a scenario.';

  static override description =
    'Runs the scheduling engine on a scenario file, once per policy, under the same caps, and reports the makespan, ' +
    "its lower bound, the peak of disks in flight and the VMs' transfer windows. Nothing touches a cluster.";

  static override examples = [
    'kubectl mtv simulate --scenario examples/seed-10x10.yaml',
    'kubectl mtv simulate --scenario examples/seed-10x10.yaml --policy forklift,disk --max-inflight 10',
    'kubectl mtv simulate --scenario examples/seed-10x10.yaml -o json | jq ".results[].makespanSeconds"',
    'kubectl mtv simulate --scenario examples/seed-10x10.yaml -o custom-columns=POLICY:.policy,SECONDS:.makespanSeconds',
    'kubectl mtv simulate --scenario examples/datacenter.yaml --policy forklift,disk --svg schedule.svg',
    'cat examples/seed-10x10.yaml | kubectl mtv simulate --scenario -',
  ];

  static override flags = simulateFlags;

  async run(): Promise<void> {
    const { flags } = await this.parse(Simulate);
    const maxInFlight = flags['max-inflight'];
    const perHost = flags['max-inflight-per-host'];
    const output = parseOutput(flags.output, SIMULATE_OUTPUTS);
    const options: SimulateOptions = {
      scenarioPath: flags.scenario,
      policies: parseChoiceList('--policy', flags.policy, POLICY_NAMES, 'policy'),
      maxInFlight:
        maxInFlight === undefined ? undefined : parseWholeNumber('--max-inflight', maxInFlight, RANGES.inFlight),
      maxInFlightPerHost:
        perHost === undefined ? undefined : parseWholeNumber('--max-inflight-per-host', perHost, RANGES.inFlight),
      order: parseChoice('--order', flags.order, ORDER_NAMES, 'order'),
      svgPath: flags.svg === undefined ? undefined : parseSvgPath('--svg', flags.svg),
    };
    const report = await simulate(options);
    if (output === 'json') {
      this.log(formatSimulateJson(report));
    } else if (output === 'yaml') {
      this.log(formatYaml(report).trimEnd());
    } else if (typeof output === 'object') {
      process.stdout.write(formatTemplateOutput(output, report, report.results, flags['no-headers']));
    } else {
      this.logToStderr(formatScenarioLine(report));
      this.log(withoutHeader(formatSimulateTable(report), flags['no-headers']));
    }
    if (flags.svg !== undefined) this.logToStderr(formatSvgLine(flags.svg, report));
  }
}
