/**
 * `kubectl mtv migrate`: connect, resolve the plan (a refusal is exit 2 with nothing created), check RBAC (exit 3),
 * build the DataVolumes, then either show them (`--dry-run=client`), send them with dryRun=All (`--dry-run=server`),
 * or hand them to the runner. The exit code says how the run ended (docs/exit-codes.md).
 */
import { hostname, userInfo } from 'node:os';
import type { SchedulerOptions } from '@kubectl-mtv/engine';
import { boundCaps, lowerBound } from '@kubectl-mtv/engine';
import {
  checkAccess,
  conversionAccessChecks,
  deniedAccess,
  describeCheck,
  migrateHostChecks,
  migrateTargetChecks,
  sourcePowerAccessChecks,
  throughputAccessChecks,
} from '../cluster/access-review.js';
import { type BuiltDataVolumes, buildPlanDataVolumes } from '../cluster/datavolume-builder.js';
import { connectDestination, type DestinationKind, type PlanClusters } from '../cluster/destination.js';
import type { InventoryOptions } from '../cluster/inventory-client.js';
import type { KubeClient, KubeConnectionOptions } from '../cluster/kube-client.js';
import { refuseLeftoverClaims } from '../cluster/leftover-claims.js';
import type { MtvRelease } from '../cluster/mtv-release.js';
import { resolvePlan } from '../cluster/plan-resolver.js';
import type { ResolvedPlan } from '../cluster/resolved-plan.js';
import { knownThroughputOf, readThroughputRecord, ThroughputRecord } from '../cluster/throughput-record.js';
import { WarmRecord } from '../cluster/warm-record.js';
import { ExitCode, type ExitCodeValue, UserError } from '../errors.js';
import type { RunController } from '../runner/run-controller.js';
import type { RunEvent, RunSummary } from '../runner/run-events.js';
import type { RunOptions } from '../runner/run-options.js';
import { runTransfers } from '../runner/run-transfers.js';
import { DEFAULT_SHUTDOWN_TIMEOUT_MS } from '../runner/source-power.js';
import type { ThroughputStore } from '../runner/throughput-memory.js';
import { DEFAULT_VM_READY_TIMEOUT_MS } from '../runner/vm-finisher.js';
import { workloadOfDataVolumes } from '../runner/workload-of-datavolumes.js';
import { renderGanttSvg } from '../ui/gantt-svg.js';
import { runCharts } from '../ui/run-gantt.js';
import { createRunReporter, type OutputStreams, type RunOutput } from '../ui/run-reporters.js';
import { formatBytes } from '../ui/simulate-table.js';
import {
  type DryRunOutput,
  dryRunClient,
  dryRunServer,
  dryRunThroughput,
  PREVIEW_DISK_RATE,
  previewSchedule,
  reportSkipped,
} from './migrate-dry-run.js';
import { type PreparedSourcePower, prepareSourcePower, type SourcePowerSettings } from './migrate-source-power.js';
import { connectPlanCluster } from './plan-cluster.js';
import { checkSvgPath, writeSvg } from './svg-file.js';

export type { DryRunOutput } from './migrate-dry-run.js';

export interface WarmSettings {
  /** --precopy-interval; undefined: the ForkliftController's controller_precopy_interval, else 60 min. */
  precopyIntervalMs?: number;
  /** --cutover (ms since the epoch); undefined: the one recorded by an earlier run, else none yet. */
  cutoverAt?: number;
  /** How the sources are shut down at the cutover. */
  shutdown: SourcePowerSettings;
}

/** Forklift's PRECOPY_INTERVAL default (pkg/settings/migration.go), in minutes. */
export const DEFAULT_PRECOPY_INTERVAL_MINUTES = 60;

export interface MigrateOptions {
  /** Kubeconfig, context, namespace (the plan's) and request timeout. */
  connection: KubeConnectionOptions;
  inventory: InventoryOptions;
  plan: string;
  vddkSecret?: string;
  allowPoweredOn: boolean;
  /** --power-off-source (with --force-power-off, --shutdown-timeout): Forklift's cold steps before each VM's copy. */
  powerOffSource?: SourcePowerSettings;
  /**
   * A warm plan's settings (--precopy-interval, --cutover, and --force-power-off / --shutdown-timeout for its
   * cutover's shutdown); refused for a cold plan when the interval or the cutover is given.
   */
  warm?: WarmSettings;
  scheduler: SchedulerOptions;
  /**
   * --adaptive (the default; false: --no-adaptive): a cold `disk` run learns each host's throughput and limit while it copies (runner/transfer-loop.ts).
   * Ignored by the other policies and by warm plans.
   */
  adaptive?: boolean;
  /**
   * --max-inflight auto (adaptive `disk` runs only, checked with the flags): no run-wide cap, each host's learned
   * limit alone; `scheduler.maxInFlight` becomes the plan's disk count once the plan is read. Refused for warm plans.
   */
  maxInFlightAuto?: boolean;
  maxRestarts: number;
  /** Milliseconds a disk's progress may stand still before it is stuck. */
  stuckAfterMs: number;
  /** Milliseconds after which admission stops (exit 4); undefined = none. */
  timeoutMs?: number;
  /** client: print, server: dryRun=All; undefined: run. */
  dryRun?: 'client' | 'server';
  /** What a run prints on stdout. */
  output: RunOutput;
  /** What a dry run prints on stdout instead of its own text: the DataVolumes as a List, or through a template. */
  dryRunOutput?: DryRunOutput;
  /**
   * Where a human watches: the live view on this terminal (its keys pause, change the cap, detach), or undefined for
   * plain lines on stderr. stdout keeps the `output` either way.
   */
  tui?: TuiTerminal;
  takeover: boolean;
  /** --mtv-version: the cluster's MTV release; undefined: read from the Plan schema it serves. */
  mtvVersion?: MtvRelease;
  /** --disks-only: copy the disks, make no VM (also of a plan that needs a guest conversion, running none). */
  disksOnly?: boolean;
  /** --vm-ready-timeout: how long a made VM may take to be Running (Always) or Stopped (Halted). */
  vmReadyTimeoutMs?: number;
  /** How to reach a remote destination: --destination-context, --use-provider-credentials. */
  destination?: { context?: string; useProviderCredentials?: boolean };
  /** Write the run's Gantt chart (planned and actual) here at its end. */
  reportPath?: string;
  /** --debug: debug lines on stderr (e.g. whether the ingress CA is trusted). */
  debug?: boolean;
  /** Aborted on SIGINT/SIGTERM: the runner stops admitting and releases the Lease. */
  signal: AbortSignal;
  streams?: OutputStreams;
}

/** The terminal the live view draws on (stderr's, so that stdout stays the command's output) and its keyboard. */
export interface TuiTerminal {
  stream: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
  color: boolean;
  ascii: boolean;
}

export async function migrate(options: MigrateOptions): Promise<ExitCodeValue> {
  const streams = options.streams ?? { stdout: process.stdout, stderr: process.stderr };
  if (options.reportPath !== undefined) await checkSvgPath(options.reportPath, '--report');
  const { client, inventory, mtvRelease } = await connectPlanCluster(options, streams.stderr, 'migrate');
  let destination = client;
  let resolved = await resolvePlan(client, inventory, {
    plan: options.plan,
    namespace: client.namespace,
    vddkSecret: options.vddkSecret,
    allowPoweredOn: options.allowPoweredOn,
    ...(options.powerOffSource && { powerOffSource: true }),
    mtvRelease,
    ...(options.disksOnly && { disksOnly: true }),
    destination: async (provider) => {
      const reached = await connectDestination(client, options.plan, provider, {
        ...options.destination,
        connection: options.connection,
      });
      destination = reached.client;
      return reached;
    },
  });
  if (resolved.disksOnly !== undefined) {
    streams.stderr.write(
      `warning: plan "${resolved.plan.name}" ${resolved.disksOnly}: --disks-only copies its disks and runs no conversion; no VM can be made from them until they are converted\n`,
    );
  }
  for (const warning of resolved.warnings ?? []) streams.stderr.write(`warning: ${warning}\n`);
  if (resolved.destination.kind === 'remote') streams.stderr.write(`${destinationLine(resolved.destination)}\n`);
  const targetChecks = migrateTargetChecks(
    resolved.plan.targetNamespace,
    resolved.vddkSecretSource.kind,
    resolved.vmSettings !== undefined,
  );
  const hostChecks = [
    ...migrateHostChecks(resolved.plan.namespace),
    // the power states recorded before the sources are shut down (source-power-record.ts), and a warm run's record
    ...(options.powerOffSource || resolved.warm ? sourcePowerAccessChecks(resolved.plan.namespace) : []),
    // Conversions go in the plan's namespace, on the host cluster
    ...(resolved.conversion ? conversionAccessChecks(resolved.conversion.namespace) : []),
  ];
  if (destination === client) {
    // one cluster: every gap in one line
    await checkAccess(client, [...targetChecks, ...hostChecks]);
  } else {
    // each cluster is asked about its own part, as the identity that will act there
    await checkAccess(client, hostChecks);
    await checkAccess(destination, targetChecks);
  }
  const warmGiven = options.warm?.precopyIntervalMs !== undefined || options.warm?.cutoverAt !== undefined;
  if (!resolved.warm && warmGiven) {
    throw new UserError(`plan "${resolved.plan.name}" is cold: --precopy-interval and --cutover apply to warm plans`, {
      hint: 'leave them out, or set spec.warm: true on a plan whose VMs have change block tracking on',
    });
  }
  if (resolved.warm && options.maxInFlightAuto) {
    throw new UserError(`plan "${resolved.plan.name}" is warm: --max-inflight auto applies to cold plans`, {
      hint: 'give --max-inflight a number (warm copies are not admitted adaptively)',
    });
  }
  if (!resolved.warm && !options.powerOffSource && options.warm?.shutdown.force) {
    throw new UserError(
      '--force-power-off needs --power-off-source on a cold plan (warm plans use it at their cutover)',
      {
        hint: 'add --power-off-source, or leave --force-power-off out',
      },
    );
  }
  // vCenter reached, the VMs found and checked before anything is created; the record read (a re-run's states); a
  // warm plan always needs it (snapshots, and its cutover's shutdown)
  const shutdown =
    options.powerOffSource ??
    (resolved.warm
      ? (options.warm?.shutdown ?? { force: false, shutdownTimeoutMs: DEFAULT_SHUTDOWN_TIMEOUT_MS })
      : undefined);
  const power = shutdown && (await prepareSourcePower(client, resolved, shutdown));
  if (power) resolved = power.resolved;
  try {
    return await afterPreparation(client, destination, resolved, options, streams, power || undefined);
  } finally {
    await power?.close();
  }
}

async function afterPreparation(
  client: KubeClient,
  destination: KubeClient,
  resolved: ResolvedPlan,
  options: MigrateOptions,
  streams: OutputStreams,
  power: PreparedSourcePower | undefined,
): Promise<ExitCodeValue> {
  const built = buildPlanDataVolumes(resolved);
  for (const note of built.notes) streams.stderr.write(`warning: ${note}\n`);
  if (options.maxInFlightAuto) {
    // as many as the plan has disks: the run-wide cap never binds, the hosts' learned limits do
    const disks = Math.max(1, built.dataVolumes.length);
    options = { ...options, scheduler: { ...options.scheduler, maxInFlight: disks } };
    streams.stderr.write(
      `migrate: --max-inflight auto: no run-wide cap (${disks}, the plan's disks); each host's learned limit decides\n`,
    );
  }
  await refuseLeftoverClaims(
    destination,
    resolved.plan,
    built.dataVolumes.map((dv) => dv.manifest.metadata.name),
  );
  if (options.signal.aborted) return stoppedExitCode(options.signal);
  if (options.dryRun !== undefined) {
    const { scheduler, dryRunOutput: output, signal } = options;
    const adaptive = options.adaptive !== false && scheduler.policy === 'disk' && !resolved.warm;
    const context = {
      resolved,
      built,
      scheduler,
      ...(output !== undefined && { output }),
      signal,
      streams,
      ...(power && { sourcePower: power.describe() }),
      adaptive,
      // an adaptive run starts from what earlier runs learned: so does the schedule shown
      ...(adaptive && { learned: await dryRunThroughput(client, resolved, streams) }),
    };
    return options.dryRun === 'client' ? dryRunClient(context) : dryRunServer(destination, context);
  }
  return run({ host: client, destination }, resolved, built, options, streams, power);
}

/** Where a remote plan's disks go, and as whom: said once, before anything is asked of that cluster. */
export function destinationLine(where: Extract<DestinationKind, { kind: 'remote' }>): string {
  const as = 'context' in where.via ? `context "${where.via.context}"` : `provider Secret ${where.via.providerSecret}`;
  return `migrate: plan's destination is the remote cluster ${where.url} (provider ${where.provider}), reached with ${as}`;
}

/**
 * The exit code of a command stopped through `signal`: its abort reason's (the command sets SIGTERM 143, SIGHUP 129,
 * a closed output 141), else Ctrl-C's 130 (also the live view's q).
 */
export function stoppedExitCode(signal: AbortSignal): ExitCodeValue {
  return (signal.reason as { exitCode?: ExitCodeValue } | undefined)?.exitCode ?? ExitCode.interrupted;
}

/** How a run's outcome maps to the documented exit codes; `stopped` is the code of an interrupted run. */
export function exitCodeOf(summary: RunSummary, stopped: ExitCodeValue = ExitCode.interrupted): ExitCodeValue {
  switch (summary.outcome) {
    case 'completed':
    case 'stuck': {
      // every VM the plan asked for exists, and is as the plan asks (Running where its runStrategy is Always)
      const vmsOk = (summary.vms ?? []).every((vm) => vm.state === 'ready');
      return summary.stuck + summary.failed + summary.notStarted === 0 && vmsOk ? ExitCode.ok : ExitCode.failed;
    }
    case 'timeout':
      return ExitCode.timeout;
    case 'interrupted':
      return stopped;
    case 'lease-lost':
      return ExitCode.locked;
    case 'controller-took-over':
      return ExitCode.unreachable;
  }
}

/** Who runs: `user@host/pid`, the Lease's holderIdentity (`--takeover` compares the user@host part). */
export function runnerIdentity(env: NodeJS.ProcessEnv = process.env): string {
  let user = env.USER ?? 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (a container's random uid): $USER it is
  }
  return `${user}@${hostname()}/${process.pid}`;
}

async function run(
  { host: client, destination }: PlanClusters,
  resolved: ResolvedPlan,
  built: BuiltDataVolumes,
  options: MigrateOptions,
  streams: OutputStreams,
  power: PreparedSourcePower | undefined,
): Promise<ExitCodeValue> {
  reportSkipped(built, streams);
  // read before the live view starts: its warnings are plain lines, not drawn over
  const adaptive =
    options.adaptive !== false && options.scheduler.policy === 'disk' && !resolved.warm
      ? await adaptiveRun(client, resolved, streams)
      : undefined;
  const detached = new AbortController();
  const onAbort = () => detached.abort(options.signal.reason);
  options.signal.addEventListener('abort', onAbort);
  let controller: RunController | undefined;
  const holder = runnerIdentity();
  // stdout on the live view's terminal is held until the view is gone, or the view's redraws would wipe it
  const held: string[] | undefined =
    options.tui && (streams.stdout as { isTTY?: boolean }).isTTY === true ? [] : undefined;
  const stdout = held ? { write: (text: string) => held.push(text) } : streams.stdout;
  const reporters = [createRunReporter(options.output, options.tui ? 'none' : 'plain', { ...streams, stdout })];
  if (options.tui) {
    const { startTuiReporter } = await import('../ui/live/tui-reporter.js');
    reporters.push(
      await startTuiReporter({
        stdout: options.tui.stream,
        stdin: options.tui.stdin,
        color: options.tui.color,
        ascii: options.tui.ascii,
        holder,
        controls: {
          detach: () => detached.abort(),
          togglePause: () => controller?.setPaused(!controller.paused, KEYBOARD),
          cutoverNow: () => controller?.setCutover?.(Date.now(), KEYBOARD),
          changeCap: (delta) => {
            const caps = controller?.caps;
            if (caps && caps.maxInFlight + delta >= 1)
              controller?.setCaps({ ...caps, maxInFlight: caps.maxInFlight + delta }, KEYBOARD);
          },
        },
      }),
    );
  }
  let summarized = false;
  const events: RunEvent[] = [];
  const emit = (event: RunEvent) => {
    if (event.type === 'summary') summarized = true;
    if (options.reportPath !== undefined && event.type !== 'progress' && event.type !== 'queue') events.push(event);
    for (const reporter of reporters) reporter.event(event);
  };
  try {
    const summary = await runTransfers(
      {
        client,
        destination,
        resolved,
        dataVolumes: built.dataVolumes,
        scheduler: options.scheduler,
        ...(adaptive && { adaptive }),
        maxRestarts: options.maxRestarts,
        stuckAfterMs: options.stuckAfterMs,
        ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
        signal: detached.signal,
        holder,
        takeover: options.takeover,
        ...(power && { sourcePower: power.run }),
        ...(power && resolved.warm && { warm: warmRun(client, resolved, power, options.warm) }),
        ...(resolved.vmSettings && {
          vms: {
            readyTimeoutMs: options.vmReadyTimeoutMs ?? DEFAULT_VM_READY_TIMEOUT_MS,
            skipped: built.skipped,
          },
        }),
        onController: (c) => {
          controller = c;
        },
      },
      emit,
    );
    if (!summarized) emit({ type: 'summary', time: new Date().toISOString(), summary });
    if (options.reportPath !== undefined) await writeReport(options.reportPath, events, built, options, streams);
    return exitCodeOf(summary, detached.signal.aborted ? stoppedExitCode(detached.signal) : ExitCode.interrupted);
  } finally {
    options.signal.removeEventListener('abort', onAbort);
    for (const reporter of reporters) await reporter.close();
    if (held) streams.stdout.write(held.join(''));
  }
}

/**
 * Adaptive admission's memory (throughput-record.ts): what earlier runs learned of the source Provider's hosts, read
 * before the run (none: it learns from scratch), and where this run writes what it learns. The record is the run's
 * help, not its need: a permission denied (asked first, as the other checks are) or a ConfigMap of its name not ours
 * is one warning line, and the run goes on without reading or writing it.
 */
async function adaptiveRun(
  client: KubeClient,
  resolved: ResolvedPlan,
  streams: OutputStreams,
): Promise<NonNullable<RunOptions['adaptive']>> {
  const record = new ThroughputRecord(client, resolved.provider);
  const where = `ConfigMap "${record.name}" in "${resolved.provider.namespace}"`;
  const warn = (line: string) => streams.stderr.write(`warning: adaptive admission: ${line}\n`);
  const denied = await deniedAccess(client, throughputAccessChecks(resolved.provider.namespace));
  if (denied.length > 0) warn(`no access to the learned throughput (${denied.map(describeCheck).join(', ')})`);
  const mayRead = !denied.some((check) => check.verb === 'get');
  const mayWrite = denied.length === 0;
  let known: NonNullable<RunOptions['adaptive']>['known'];
  let foreign = false;
  if (mayRead) {
    const reading = await readThroughputRecord(record);
    if (reading.state === 'read') {
      known = knownThroughputOf(reading.entries);
      const hosts = [...reading.entries.values()].map(
        (e) => `${e.host} ${e.limit} in flight, ${formatBytes(e.bandwidth)}/s`,
      );
      streams.stderr.write(
        `migrate: adaptive admission starts from what earlier runs learned (${where}): ${hosts.join(', ')}\n`,
      );
    } else if (reading.state === 'foreign') {
      foreign = true;
      warn(`${reading.message}; the run learns from scratch and remembers nothing`);
    } else if (reading.state === 'forbidden' || reading.state === 'failed') {
      // not read, not overwritten: a later run may still find what earlier ones learned
      foreign = true;
      const why = reading.state === 'forbidden' ? 'forbidden' : reading.message;
      warn(`cannot read ${where} (${why}); the run learns from scratch and remembers nothing`);
    }
  }
  const store: ThroughputStore = { description: where, write: (entries) => record.write(entries) };
  return {
    ...(known && { known }),
    ...(mayWrite && !foreign && { remember: { store } }),
  };
}

/** A warm run's part (warm-loop.ts): the vCenter session and refs found before, the record, the interval, the cutover. */
function warmRun(
  client: KubeClient,
  resolved: ResolvedPlan,
  power: PreparedSourcePower,
  settings: WarmSettings | undefined,
): NonNullable<RunOptions['warm']> {
  const minutes = resolved.warm?.controllerPrecopyIntervalMinutes ?? DEFAULT_PRECOPY_INTERVAL_MINUTES;
  return {
    session: power.session,
    refs: power.run.refs,
    record: new WarmRecord(client, resolved.plan),
    precopyIntervalMs: settings?.precopyIntervalMs ?? minutes * 60_000,
    ...(settings?.cutoverAt !== undefined && { cutoverAt: settings.cutoverAt }),
  };
}

/** The run's picture: the engine's plan at the planning rate, then the run as it happened. */
async function writeReport(
  path: string,
  events: readonly RunEvent[],
  built: BuiltDataVolumes,
  options: MigrateOptions,
  streams: OutputStreams,
): Promise<void> {
  const lowerBoundSeconds = lowerBound(
    workloadOfDataVolumes(built.dataVolumes, PREVIEW_DISK_RATE),
    boundCaps(options.scheduler),
  );
  const schedule = previewSchedule(built.dataVolumes, options.scheduler);
  const charts = runCharts(events, { schedule, lowerBoundSeconds, rate: PREVIEW_DISK_RATE });
  await writeSvg(path, renderGanttSvg(charts), '--report');
  streams.stderr.write(`wrote ${path} (${charts.length} charts: planned, this run)\n`);
}

const KEYBOARD = { kind: 'keyboard' } as const;
