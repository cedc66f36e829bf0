import { simulate } from '../services/simulate.js';
import { simulateFromCluster } from '../services/simulate-from-cluster.js';
import { formatYaml } from '../ui/object-output.js';
import { formatSimulateJson } from '../ui/simulate-json.js';
import { formatBandwidthLine, formatScenarioLine, formatSvgLine } from '../ui/simulate-table.js';
import { formatSimulateTables } from '../ui/simulate-warm-table.js';
import { formatTemplateOutput } from '../ui/template-output.js';
import { BaseCommand } from './base.js';
import { parseOutput } from './support/output-flags.js';
import { fromClusterOptions, SIMULATE_OUTPUTS, simulateFlags, simulateOptions } from './support/simulate-flags.js';

export default class Simulate extends BaseCommand {
  static override summary = 'Simulate how each policy schedules the disk transfers of a scenario.';

  static override description =
    'Runs the scheduling engine on a scenario file, once per policy, under the same caps, and reports the makespan, ' +
    "its lower bound, the peak of disks in flight and the VMs' transfer windows. A scenario with migration: warm is " +
    'simulated as a warm migration under forklift and disk: copy rounds, a precopy every interval, the cutover; it ' +
    'reports when every VM could cut over and how long each was down. ' +
    "Every policy knows the scenario's bandwidths; with --blind a cold scenario also shows what disk does knowing " +
    'none, as a real run does: that makespan is the one a real run gets. Nothing touches a cluster, unless ' +
    '--from-cluster PLAN: then the plan is read as migrate reads it, with the bandwidths earlier adaptive runs ' +
    'learned (unknown where none), and nothing is created.';

  static override examples = [
    'kubectl mtv simulate --scenario examples/seed-10x10.yaml',
    'kubectl mtv simulate --scenario examples/seed-10x10.yaml --policy forklift,disk --max-inflight 10',
    'kubectl mtv simulate --scenario examples/seed-10x10.yaml -o json | jq ".results[].makespanSeconds"',
    'kubectl mtv simulate --scenario examples/seed-10x10.yaml -o custom-columns=POLICY:.policy,SECONDS:.makespanSeconds',
    'kubectl mtv simulate --scenario examples/datacenter.yaml --policy forklift,disk --svg schedule.svg',
    'cat examples/seed-10x10.yaml | kubectl mtv simulate --scenario -',
    'kubectl mtv simulate --scenario examples/warm.yaml --precopy-interval 30m --cutover 4h',
    'kubectl mtv simulate --scenario examples/host-capped.yaml --policy forklift,disk --blind',
    'kubectl mtv simulate --from-cluster plan-a -n openshift-mtv --policy forklift,disk --blind',
  ];

  static override flags = simulateFlags;

  async run(): Promise<void> {
    const { flags } = await this.parse(Simulate);
    const output = parseOutput(flags.output, SIMULATE_OUTPUTS);
    const cluster = fromClusterOptions(flags, process.env);
    const options = simulateOptions(flags);
    const report = cluster
      ? await simulateFromCluster(
          { ...cluster.from, stderr: process.stderr },
          { ...options, maxInFlight: cluster.maxInFlight },
        )
      : await simulate(options);
    if (output === 'json') {
      this.log(formatSimulateJson(report));
    } else if (output === 'yaml') {
      this.log(formatYaml(report).trimEnd());
    } else if (typeof output === 'object') {
      process.stdout.write(formatTemplateOutput(output, report, report.results, flags['no-headers']));
    } else {
      this.logToStderr(formatScenarioLine(report));
      this.logToStderr(formatBandwidthLine(report));
      this.log(formatSimulateTables(report, flags['no-headers']));
    }
    if (flags.svg !== undefined) this.logToStderr(formatSvgLine(flags.svg, report));
  }
}
