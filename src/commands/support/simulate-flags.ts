import { OBJECTIVE_NAMES, ORDER_NAMES, POLICY_NAMES } from '@kubectl-mtv/engine';
import { Flags, type Interfaces } from '@oclif/core';
import { UserError } from '../../errors.js';
import type { SimulateOptions } from '../../services/simulate.js';
import type { FromClusterOptions } from '../../services/simulate-from-cluster.js';
import { parseChoice, parseChoiceList, parseDuration, parseSvgPath, parseWholeNumber, RANGES } from './flag-values.js';
import {
  connectionFlags,
  connectionOptions,
  inventoryFlags,
  inventoryOptions,
  objectiveFlag,
} from './migrate-flags.js';
import { noHeadersFlag, outputFlag, withTemplates } from './output-flags.js';

export const SIMULATE_OUTPUTS = ['table', 'json', 'yaml'] as const;

/** `kubectl mtv simulate`'s flags, as strings: flag-values.ts checks their values. */
export const simulateFlags = {
  scenario: Flags.string({
    description: 'Scenario file (YAML or JSON); - reads it from stdin.',
    exactlyOne: ['scenario', 'from-cluster'],
    helpValue: 'FILE',
  }),
  'from-cluster': Flags.string({
    description:
      "Simulate this Forklift Plan of the cluster instead of a scenario: its disks as migrate reads them, each host's " +
      "bandwidth and the importers' rate learned by earlier adaptive runs of migrate (ConfigMap kubectl-mtv-throughput-" +
      '<provider>), unknown (uncapped, 100 MiB/s importers) where none was. Reads only; with the connection flags.',
    exactlyOne: ['scenario', 'from-cluster'],
    helpValue: 'PLAN',
  }),
  policy: Flags.string({
    description:
      `Policies to compare, comma-separated, in report order (${POLICY_NAMES.join(', ')}; a warm scenario: ` +
      'forklift, disk). Default: all of them.',
    helpValue: 'p1,p2,..',
  }),
  'max-inflight': Flags.string({
    description:
      'Most disks in flight: over the run for gang and disk, never exceeded; per host for legacy and forklift, as the ' +
      "controller, unless --max-inflight-per-host. Default: the scenario's maxInFlight; --from-cluster: as migrate, " +
      '$MAX_VM_INFLIGHT, else 20.',
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
  objective: objectiveFlag,
  'precopy-interval': Flags.string({
    description:
      "Warm scenarios: from the end of a VM's copy round to its next precopy (Forklift's PRECOPY_INTERVAL). " +
      'Default: 60m.',
    helpValue: 'DURATION',
  }),
  cutover: Flags.string({
    description:
      'Warm scenarios: when the cutover begins, simulated time after the start (e.g. 4h; 0: at once). Default: once ' +
      'every VM has copied its disks and one precopy.',
    helpValue: 'DURATION',
  }),
  blind: Flags.boolean({
    description:
      'Cold scenarios: after the disk row, what a real run of disk does knowing no bandwidth, as migrate runs it: the ' +
      "simulated runner plans with every host uncapped and importers at 100 MiB/s, while the simulated hosts keep the scenario's " +
      "bandwidths. One row as migrate --no-adaptive (admits up to the caps), one as migrate's default adaptive admission (learns each host from progress, re-plans). " +
      'legacy, forklift and gang use no bandwidth to schedule: their rows are what a blind run of them does.',
    default: false,
  }),
  'progress-every': Flags.string({
    description:
      "With --blind: how often the blind runner reads an import's progress, in whole percents (CDI's cadence). " +
      'Default: 2s.',
    helpValue: 'DURATION',
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
  ...connectionFlags,
  ...inventoryFlags,
};

/** The parsed flags (oclif's inferred type adds `json`, which simulate has not). */
type SimulateFlags = Omit<Interfaces.InferredFlags<typeof simulateFlags>, 'json'>;
type ClusterFlagName = keyof typeof connectionFlags | keyof typeof inventoryFlags | 'from-cluster';
/** What simulateOptions reads: the flags of a scenario's simulation (a plan's connection may be left out). */
type ScenarioFlags = Omit<SimulateFlags, ClusterFlagName> & Partial<Pick<SimulateFlags, ClusterFlagName>>;

/** The flags' values checked and typed (flag-values.ts), as the service takes them; durations in seconds. */
export function simulateOptions(flags: ScenarioFlags): SimulateOptions {
  const { policy, order, svg, cutover } = flags;
  const maxInFlight = flags['max-inflight'];
  const perHost = flags['max-inflight-per-host'];
  const interval = flags['precopy-interval'];
  const progress = flags['progress-every'];
  return {
    // --from-cluster reads no file (fromClusterOptions)
    scenarioPath: flags.scenario ?? '',
    policies: policy === undefined ? undefined : parseChoiceList('--policy', policy, POLICY_NAMES, 'policy'),
    maxInFlight:
      maxInFlight === undefined ? undefined : parseWholeNumber('--max-inflight', maxInFlight, RANGES.inFlight),
    maxInFlightPerHost:
      perHost === undefined ? undefined : parseWholeNumber('--max-inflight-per-host', perHost, RANGES.inFlight),
    order: parseChoice('--order', order, ORDER_NAMES, 'order'),
    objective: parseChoice('--objective', flags.objective, OBJECTIVE_NAMES, 'objective'),
    svgPath: svg === undefined ? undefined : parseSvgPath('--svg', svg),
    precopyIntervalSeconds: interval === undefined ? undefined : parseDuration('--precopy-interval', interval) / 1000,
    cutoverSeconds:
      cutover === undefined
        ? undefined
        : parseDuration('--cutover', cutover, { zero: 'a cutover at the start' }) / 1000,
    blind: flags.blind,
    progressEverySeconds: progress === undefined ? undefined : parseProgressEvery(progress),
  };
}

/**
 * --from-cluster's plan and connection, and --max-inflight's default as migrate's ($MAX_VM_INFLIGHT, else 20); a
 * connection or inventory flag without --from-cluster is refused.
 */
export function fromClusterOptions(
  flags: Partial<SimulateFlags> & Pick<SimulateFlags, 'request-timeout'> & { debug?: boolean },
  env: NodeJS.ProcessEnv,
): { from: Omit<FromClusterOptions, 'stderr'>; maxInFlight: number } | undefined {
  const plan = flags['from-cluster'];
  if (plan === undefined) {
    const stray = CLUSTER_FLAGS.find((name) => flags[name] !== undefined && flags[name] !== false);
    if (stray !== undefined) throw new UserError(`--${stray}: applies with --from-cluster, to a plan's cluster`);
    return undefined;
  }
  const cap = flags['max-inflight'] ?? env.MAX_VM_INFLIGHT;
  const name = flags['max-inflight'] === undefined ? 'MAX_VM_INFLIGHT' : '--max-inflight';
  return {
    from: {
      plan,
      connection: connectionOptions(flags),
      inventory: inventoryOptions(flags),
      ...(flags.debug && { debug: true }),
    },
    maxInFlight: cap === undefined ? 20 : parseWholeNumber(name, cap, RANGES.inFlight),
  };
}

/** The flags that say how to reach a cluster (request-timeout has a default: not among them). */
const CLUSTER_FLAGS = [
  'namespace',
  'kubeconfig',
  'context',
  'inventory-url',
  'inventory-ca',
  'inventory-insecure-skip-tls-verify',
] as const;

/** --progress-every in seconds: 1s to 1h (a finer cadence than CDI's only slows the simulation down). */
function parseProgressEvery(raw: string): number {
  const ms = parseDuration('--progress-every', raw);
  if (ms < 1000 || ms > 3_600_000) throw new UserError(`--progress-every: "${raw}" must be a duration from 1s to 1h`);
  return ms / 1000;
}
