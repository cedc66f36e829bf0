import { DEFAULT_OBJECTIVE, OBJECTIVE_NAMES, ORDER_NAMES } from '@kubectl-mtv/engine';
import { Flags, type Interfaces } from '@oclif/core';
import type { InventoryOptions } from '../../cluster/inventory-client.js';
import type { KubeConnectionOptions } from '../../cluster/kube-client.js';
import { MTV_RELEASES } from '../../cluster/mtv-release.js';
import { UserError } from '../../errors.js';
import type { DryRunOutput, MigrateOptions } from '../../services/migrate.js';
import type { RunOutput } from '../../ui/run-reporters.js';
import { parseChoice, parseCutover, parseDuration, parseSvgPath, parseWholeNumber, RANGES } from './flag-values.js';
import { parseOutput, withTemplates } from './output-flags.js';
import { tuiFlag, tuiTerminal } from './tui-flag.js';

/** The --policy choices `migrate` runs (legacy is the old controller's, for `simulate` only). */
export const MIGRATE_POLICIES = ['disk', 'gang', 'forklift'] as const;
/** What a run prints on stdout. */
export const MIGRATE_OUTPUTS = ['table', 'ndjson', 'json'] as const;
/** What a dry run prints: its own text (table), or the DataVolumes as a v1 List (and the templates). */
export const DRY_RUN_OUTPUTS = ['table', 'json', 'yaml'] as const;
export const DRY_RUN_MODES = ['client', 'server'] as const;

/** The cluster connection, shared by `migrate` and `clean`; values as strings, checked in flag-values.ts. */
export const connectionFlags = {
  namespace: Flags.string({
    char: 'n',
    description: "The plan's namespace. Default: the context's namespace.",
    helpValue: 'NS',
  }),
  kubeconfig: Flags.string({
    description: 'The kubeconfig file. Default: $KUBECONFIG (every file, merged), else ~/.kube/config.',
    helpValue: 'FILE',
  }),
  context: Flags.string({ description: 'The kubeconfig context. Default: its current-context.', helpValue: 'NAME' }),
  'request-timeout': Flags.string({
    description: 'How long one API request may take (e.g. 30s, 1m); 0 waits forever.',
    default: '30s',
    helpValue: 'DURATION',
  }),
};

/** How the Forklift inventory is reached, shared by `migrate` and `simulate --from-cluster`. */
export const inventoryFlags = {
  'inventory-url': Flags.string({
    description: 'The Forklift inventory. Default: $MTV_INVENTORY_URL, else the forklift-inventory Route.',
    helpValue: 'URL',
  }),
  'inventory-ca': Flags.string({
    description: "A PEM CA the inventory's certificate may chain to.",
    helpValue: 'FILE',
  }),
  'inventory-insecure-skip-tls-verify': Flags.boolean({ description: "Do not verify the inventory's certificate." }),
};

/** --objective, shared by `migrate` and `simulate`. */
export const objectiveFlag = Flags.string({
  description:
    "Policy disk, cold plans: what its planner optimises. makespan (default): the shortest plan, even when a VM's " +
    'disks spread out over it; downtime: only schedules whose mean VM transfer window is no longer than the ' +
    "controller's (where that is a fair yardstick: a per-host cap, or one host), then the shortest of those. " +
    'Other policies and warm plans ignore it.',
  default: DEFAULT_OBJECTIVE,
  helpValue: OBJECTIVE_NAMES.join('|'),
});

/** `kubectl mtv migrate`'s flags, as strings: src/commands/support/flag-values.ts checks their values. */
export const migrateFlags = {
  ...connectionFlags,
  'max-inflight': Flags.string({
    description:
      'Most disks in flight: over the whole plan for disk and gang, never exceeded; per host for forklift, as the ' +
      "controller. auto (adaptive disk runs only): no run-wide cap, each host's learned limit alone. Default: " +
      '$MAX_VM_INFLIGHT, else 20.',
    helpValue: 'N|auto',
  }),
  'max-inflight-per-host': Flags.string({
    description: 'Most disks in flight per ESXi host (forklift: in place of --max-inflight). Default: none.',
    helpValue: 'N',
  }),
  policy: Flags.string({
    description: `How disks are scheduled (${MIGRATE_POLICIES.join(', ')}).`,
    default: 'disk',
    helpValue: MIGRATE_POLICIES.join('|'),
  }),
  adaptive: Flags.boolean({
    description:
      "Policy disk, cold plans: learn each ESXi host's throughput while copying, add transfers on a host only while they " +
      'add throughput, and re-plan the rest with the learned bandwidths (the caps stay upper bounds); what it learns is ' +
      'kept in the ConfigMap kubectl-mtv-throughput-<provider> for the next run. --no-adaptive admits up to the caps.',
    default: true,
    allowNo: true,
  }),
  order: Flags.string({
    description: 'Which queued disks start first under gang and disk.',
    default: 'largest',
    helpValue: 'largest|smallest|plan',
  }),
  objective: objectiveFlag,
  timeout: Flags.string({
    description: 'Stop admitting disks after this long (e.g. 90m, 2h) and exit 4; 0 is none. Default: none.',
    helpValue: 'DURATION',
  }),
  'dry-run': Flags.string({
    description:
      'client: print the schedule and the DataVolumes as YAML; server: send them with dryRun=All. Nothing is created.',
    helpValue: DRY_RUN_MODES.join('|'),
  }),
  output: Flags.string({
    char: 'o',
    description:
      'Output format on stdout: table, ndjson or json for a run; with --dry-run, json, yaml or a template print the ' +
      'DataVolumes as a List.',
    default: 'table',
    helpValue: withTemplates(['table', 'ndjson', 'json', 'yaml']).join('|'),
  }),
  tui: tuiFlag,
  report: Flags.string({
    description:
      "At the end, write the run's Gantt chart (the engine's plan, then the run as it happened) as SVG to FILE.svg. A " +
      'path that cannot be written, or not named .svg, stops the command at once (exit 2).',
    helpValue: 'FILE.svg',
  }),
  'vddk-secret': Flags.string({
    description:
      "Use this Secret of the target namespace (keys accessKeyId, secretKey, optional cacert) for CDI's importers; refused when a VM is read from its ESXi host (a Ready Host CR). Default: make <plan>-vddk-<uid> from the source Provider's Secret, and <plan>-vddk-<uid>-<host id> from each such Host's, as Forklift does.",
    helpValue: 'NAME',
  }),
  ...inventoryFlags,
  'allow-powered-on': Flags.boolean({
    description:
      'Copy the disks of VMs that are powered on, as they are (a crash-consistent copy; their VMs are made Halted).',
    exclusive: ['power-off-source'],
  }),
  'power-off-source': Flags.boolean({
    description:
      "Shut each powered-on source VM down through vCenter just before its disks copy, as MTV's cold migration does: its power state is recorded in the cluster first, VMware Tools' ShutdownGuest is asked, and the VM made from it runs if the source ran. Needs the source Provider's vCenter reachable from here.",
  }),
  'force-power-off': Flags.boolean({
    description:
      "With --power-off-source, or at a warm plan's cutover: a hard power-off (PowerOffVM_Task) instead of a guest shutdown.",
  }),
  'shutdown-timeout': Flags.string({
    description:
      "With --power-off-source, or at a warm plan's cutover: how long a source VM may take to power off; one still on by then has its disks left uncopied (exit 1).",
    default: '10m',
    helpValue: 'DURATION',
  }),
  'precopy-interval': Flags.string({
    description:
      "Warm plans: how long after a VM's last copy its next precopy starts (default: the ForkliftController's controller_precopy_interval, else 60m).",
    helpValue: 'DURATION',
  }),
  cutover: Flags.string({
    description:
      'Warm plans: when the cutover may begin (RFC 3339, `now`, or a duration from now such as 2h); a running copy is never interrupted. Without it precopies go on until `kubectl mtv cutover` sets one; a re-run keeps the recorded one.',
    helpValue: 'TIME',
  }),
  'max-restarts': Flags.string({
    description: 'Mark a disk stuck once its importer pod has restarted this many times.',
    default: '3',
    helpValue: 'N',
  }),
  'stuck-after': Flags.string({
    description:
      'A disk whose importer never started in this long is stuck (its slot freed); a started one whose percent has not moved for this long, or for 3x the time 1% takes on its host if longer, is reported stalled (its slot kept).',
    default: '10m',
    helpValue: 'DURATION',
  }),
  takeover: Flags.boolean({
    description: "Take the plan's Lease even when live, if this user@host holds it (a crashed run).",
  }),
  'disks-only': Flags.boolean({
    description:
      'Copy the disks and make no VM from them (also for a plan that needs a guest conversion this release cannot run: no skipGuestConversion before MTV 2.12, or MTV 2.8).',
  }),
  'vm-ready-timeout': Flags.string({
    description:
      'How long to wait, after a VM is made, for KubeVirt to report it Running (runStrategy Always) or Stopped (Halted); a VM not there by then fails the run (exit 1).',
    default: '10m',
    helpValue: 'DURATION',
  }),
  'mtv-version': Flags.string({
    description: `The cluster's MTV release (${MTV_RELEASES.join(', ')}). Default: read from the Plan schema it serves.`,
    helpValue: 'X.Y',
  }),
  'destination-context': Flags.string({
    description:
      "For a plan whose destination is a remote cluster: the kubeconfig context that reaches it with your own credentials; its server must be the destination provider's URL.",
    helpValue: 'NAME',
  }),
  'use-provider-credentials': Flags.boolean({
    description:
      "For a plan whose destination is a remote cluster: reach it with the destination provider's Secret (token, CA), as MTV does; needs get on that Secret.",
  }),
};

/** The connection flags as the cluster adapter takes them. */
export function connectionOptions(flags: {
  namespace?: string;
  kubeconfig?: string;
  context?: string;
  'request-timeout': string;
}): KubeConnectionOptions {
  return {
    kubeconfig: flags.kubeconfig,
    context: flags.context,
    namespace: flags.namespace,
    requestTimeoutMs: parseDuration('--request-timeout', flags['request-timeout'], { zero: 'no limit' }),
  };
}

/** The inventory flags as the inventory client takes them. */
export function inventoryOptions(flags: {
  'inventory-url'?: string;
  'inventory-ca'?: string;
  'inventory-insecure-skip-tls-verify'?: boolean;
}): InventoryOptions {
  return {
    url: flags['inventory-url'],
    caFile: flags['inventory-ca'],
    insecureSkipTlsVerify: flags['inventory-insecure-skip-tls-verify'],
  };
}

/** With the global --debug every command has (BaseCommand.baseFlags). */
type MigrateFlags = Interfaces.InferredFlags<typeof migrateFlags> & { debug?: boolean };

/**
 * `migrate`'s options from its flags, each value checked (one UserError, exit 2, before anything else happens).
 * `MAX_VM_INFLIGHT` stands in for --max-inflight when it is not given.
 */
export function migrateOptions(
  plan: string,
  flags: MigrateFlags,
  env: NodeJS.ProcessEnv,
  signal: AbortSignal,
): MigrateOptions {
  const cap = flags['max-inflight'] ?? env.MAX_VM_INFLIGHT;
  const perHost = flags['max-inflight-per-host'];
  const dryRun =
    flags['dry-run'] === undefined
      ? undefined
      : parseChoice('--dry-run', flags['dry-run'], DRY_RUN_MODES, 'dry-run mode');
  const shutdown = {
    force: flags['force-power-off'],
    shutdownTimeoutMs: parseDuration('--shutdown-timeout', flags['shutdown-timeout']),
  };
  const timeoutMs = flags.timeout === undefined ? 0 : parseDuration('--timeout', flags.timeout, { zero: 'no timeout' });
  const policy = parseChoice('--policy', flags.policy, MIGRATE_POLICIES, 'policy');
  const capAuto = flags['max-inflight'] === 'auto';
  if (capAuto && (policy !== 'disk' || !flags.adaptive)) {
    throw new UserError('--max-inflight auto: only adaptive admission (policy disk) has a learned limit to go by', {
      hint: 'give a number, or run --policy disk without --no-adaptive',
    });
  }
  return {
    connection: connectionOptions(flags),
    inventory: inventoryOptions(flags),
    plan,
    vddkSecret: flags['vddk-secret'],
    allowPoweredOn: flags['allow-powered-on'],
    ...(flags['power-off-source'] && { powerOffSource: shutdown }),
    warm: {
      ...(flags['precopy-interval'] !== undefined && {
        precopyIntervalMs: parseDuration('--precopy-interval', flags['precopy-interval']),
      }),
      ...(flags.cutover !== undefined && { cutoverAt: parseCutover('--cutover', flags.cutover, Date.now()) }),
      shutdown,
    },
    scheduler: {
      policy,
      // auto: no run-wide cap; the service sets it to the plan's disk count once the plan is read
      maxInFlight: capAuto
        ? RANGES.inFlight.max
        : cap === undefined
          ? 20
          : parseWholeNumber(
              flags['max-inflight'] === undefined ? 'MAX_VM_INFLIGHT' : '--max-inflight',
              cap,
              RANGES.inFlight,
            ),
      maxInFlightPerHost:
        perHost === undefined ? undefined : parseWholeNumber('--max-inflight-per-host', perHost, RANGES.inFlight),
      order: parseChoice('--order', flags.order, ORDER_NAMES, 'order'),
      objective: parseChoice('--objective', flags.objective, OBJECTIVE_NAMES, 'objective'),
    },
    adaptive: flags.adaptive,
    ...(capAuto && { maxInFlightAuto: true }),
    maxRestarts: parseWholeNumber('--max-restarts', flags['max-restarts'], RANGES.restarts),
    stuckAfterMs: parseDuration('--stuck-after', flags['stuck-after']),
    ...(timeoutMs > 0 && { timeoutMs }),
    dryRun,
    ...migrateOutputs(flags.output, dryRun),
    tui: tuiTerminal(flags.tui),
    ...(flags.report !== undefined && { reportPath: parseSvgPath('--report', flags.report) }),
    takeover: flags.takeover,
    disksOnly: flags['disks-only'],
    vmReadyTimeoutMs: parseDuration('--vm-ready-timeout', flags['vm-ready-timeout']),
    destination: {
      ...(flags['destination-context'] !== undefined && { context: flags['destination-context'] }),
      ...(flags['use-provider-credentials'] && { useProviderCredentials: true }),
    },
    ...(flags['mtv-version'] !== undefined && {
      mtvVersion: parseChoice('--mtv-version', flags['mtv-version'], MTV_RELEASES, 'MTV release'),
    }),
    ...(flags.debug && { debug: true }),
    signal,
  };
}

/**
 * -o for a run (table, ndjson, json: the run's events or summary) or for a dry run (its own text, or the
 * DataVolumes as a List in json, yaml or a template, as kubectl apply --dry-run -o prints several objects).
 */
export function migrateOutputs(
  raw: string,
  dryRun: 'client' | 'server' | undefined,
): { output: RunOutput; dryRunOutput?: DryRunOutput } {
  const value = parseOutput(raw, ['table', 'ndjson', 'json', 'yaml'] as const);
  if (dryRun !== undefined) {
    if (value === 'ndjson') {
      throw new UserError(`--output: "${raw}" streams a run's events: a dry run has none`, {
        hint: `with --dry-run, choose from ${withTemplates(DRY_RUN_OUTPUTS).join(', ')}`,
      });
    }
    return { output: 'table', ...(value !== 'table' && { dryRunOutput: value }) };
  }
  if (value === 'yaml' || typeof value === 'object') {
    throw new UserError(`--output: "${raw}" prints the DataVolumes: only with --dry-run=client or --dry-run=server`, {
      hint: `add --dry-run, or for a run choose from ${MIGRATE_OUTPUTS.join(', ')}`,
    });
  }
  return { output: value };
}
