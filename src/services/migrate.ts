/**
 * `kubectl mtv migrate`: connect, resolve the plan (a refusal is exit 2 with nothing created), check RBAC (exit 3),
 * build the DataVolumes, then either show them (`--dry-run=client`), send them with dryRun=All (`--dry-run=server`),
 * or hand them to the runner. The exit code says how the run ended (README: exit codes).
 */
import { hostname, userInfo } from 'node:os';
import type { SchedulerOptions } from '@kubectl-mtv/engine';
import { boundCaps, createPolicy, lowerBound, runSchedule } from '@kubectl-mtv/engine';
import { stringify } from 'yaml';
import { checkAccess, migrateAccessChecks } from '../cluster/access-review.js';
import { type BuiltDataVolumes, buildPlanDataVolumes, type DiskDataVolume } from '../cluster/datavolume-builder.js';
import { InventoryClient, type InventoryOptions, readCaFile } from '../cluster/inventory-client.js';
import { connectKube, type KubeClient, type KubeConnectionOptions } from '../cluster/kube-client.js';
import { isObjectScoped } from '../cluster/kube-errors.js';
import { PlanDataVolumes } from '../cluster/plan-datavolumes.js';
import { resolvePlan } from '../cluster/plan-resolver.js';
import type { ResolvedPlan } from '../cluster/resolved-plan.js';
import { ExitCode, type ExitCodeValue, UserError } from '../errors.js';
import type { RunController } from '../runner/run-controller.js';
import { planEvent, type RunEvent, type RunSummary } from '../runner/run-events.js';
import { runTransfers } from '../runner/run-transfers.js';
import { DEFAULT_PLANNING_RATE, workloadOfDataVolumes } from '../runner/workload-of-datavolumes.js';
import { renderGanttSvg } from '../ui/gantt-svg.js';
import { runCharts } from '../ui/run-gantt.js';
import {
  createRunReporter,
  formatDryRunSchedule,
  formatPlanLine,
  type OutputStreams,
  type RunOutput,
  type ScheduledDisk,
} from '../ui/run-reporters.js';
import { checkSvgPath, writeSvg } from './svg-file.js';

export interface MigrateOptions {
  /** Kubeconfig, context, namespace (the plan's) and request timeout. */
  connection: KubeConnectionOptions;
  inventory: InventoryOptions;
  plan: string;
  vddkSecret?: string;
  allowPoweredOn: boolean;
  scheduler: SchedulerOptions;
  maxRestarts: number;
  /** Milliseconds a disk's progress may stand still before it is stuck. */
  stuckAfterMs: number;
  /** Milliseconds after which admission stops (exit 4); undefined = none. */
  timeoutMs?: number;
  /** client: print, server: dryRun=All; undefined: run. */
  dryRun?: 'client' | 'server';
  output: RunOutput;
  /**
   * Where a human watches: the Ink view on this terminal (its keys pause, change the cap, detach), or undefined for
   * plain lines on stderr. stdout keeps the `output` either way.
   */
  tui?: TuiTerminal;
  takeover: boolean;
  /** Write the run's Gantt chart (planned and actual) here at its end. */
  reportPath?: string;
  /** Aborted on SIGINT/SIGTERM: the runner stops admitting and releases the Lease. */
  signal: AbortSignal;
  streams?: OutputStreams;
}

/** The per-disk rate the dry-run schedule assumes, the runner's planning rate (hosts' bandwidth is unknown): bytes/s. */
const PREVIEW_DISK_RATE = DEFAULT_PLANNING_RATE;

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
  // a CA file that cannot serve is bad input: said before anything is asked of the cluster
  if (options.inventory.caFile !== undefined) readCaFile(options.inventory.caFile);
  const client = await connectKube(options.connection);
  const inventory = new InventoryClient(client, options.inventory);
  const resolved = await resolvePlan(client, inventory, {
    plan: options.plan,
    namespace: client.namespace,
    vddkSecret: options.vddkSecret,
    allowPoweredOn: options.allowPoweredOn,
  });
  await checkAccess(client, migrateAccessChecks(resolved.plan.namespace, resolved.plan.targetNamespace));
  const built = buildPlanDataVolumes(resolved);
  if (options.signal.aborted) return stoppedExitCode(options.signal);
  if (options.dryRun === 'client') return dryRunClient(resolved, built, options, streams);
  if (options.dryRun === 'server') return dryRunServer(client, resolved, built, options, streams);
  return run(client, resolved, built, options, streams);
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
    case 'stuck':
      return summary.stuck + summary.failed + summary.notStarted === 0 ? ExitCode.ok : ExitCode.failed;
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
  client: KubeClient,
  resolved: ResolvedPlan,
  built: BuiltDataVolumes,
  options: MigrateOptions,
  streams: OutputStreams,
): Promise<ExitCodeValue> {
  reportSkipped(built, streams);
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
        resolved,
        dataVolumes: built.dataVolumes,
        scheduler: options.scheduler,
        maxRestarts: options.maxRestarts,
        stuckAfterMs: options.stuckAfterMs,
        ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
        signal: detached.signal,
        holder,
        takeover: options.takeover,
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

/** Shared disks copied once, or not at all, get no DataVolume of their own: say which. */
function reportSkipped(built: BuiltDataVolumes, streams: OutputStreams): void {
  for (const skip of built.skipped) {
    const why =
      skip.reason === 'shared-copied-once'
        ? `shared, copied once by DataVolume ${skip.copiedBy}`
        : 'shared, and the plan sets migrateSharedDisks: false';
    streams.stderr.write(`skipped ${skip.vmName} disk ${skip.diskIndex} (${skip.file}): ${why}\n`);
  }
}

/** The plan line a run would print, for the dry runs. */
function planLine(resolved: ResolvedPlan, built: BuiltDataVolumes, scheduler: SchedulerOptions): string {
  const nothing = { done: 0, running: 0, stuck: 0 };
  return formatPlanLine(planEvent(resolved, scheduler, built.dataVolumes, nothing, new Date().toISOString()));
}

/** `--dry-run=client`: the order the engine starts the disks in, and the DataVolumes as YAML; nothing is sent. */
function dryRunClient(
  resolved: ResolvedPlan,
  built: BuiltDataVolumes,
  options: MigrateOptions,
  streams: OutputStreams,
): ExitCodeValue {
  streams.stderr.write(`${planLine(resolved, built, options.scheduler)}\n`);
  reportSkipped(built, streams);
  const schedule = previewSchedule(built.dataVolumes, options.scheduler);
  const manifests = built.dataVolumes.map((dv) => dv.manifest);
  if (options.output === 'json') {
    streams.stdout.write(`${JSON.stringify({ schedule, dataVolumes: manifests }, null, 2)}\n`);
  } else {
    const header = formatDryRunSchedule(schedule, options.scheduler, PREVIEW_DISK_RATE);
    streams.stdout.write(`${header}${manifests.map((manifest) => stringify(manifest)).join('---\n')}`);
  }
  streams.stderr.write(`dry run (client): ${built.dataVolumes.length} DataVolumes shown, none created\n`);
  return ExitCode.ok;
}

/**
 * The schedule the engine makes for these disks, on the runner's own transfer plan (each disk at the planning rate,
 * hosts of unknown bandwidth): the order is the run's; the times are estimates. Disks in start order.
 */
export function previewSchedule(dataVolumes: readonly DiskDataVolume[], scheduler: SchedulerOptions): ScheduledDisk[] {
  const plan = workloadOfDataVolumes(dataVolumes, PREVIEW_DISK_RATE);
  const timeline = runSchedule(plan, createPolicy(plan, scheduler));
  return dataVolumes
    .map((dv, id) => ({
      vm: dv.vmName,
      index: dv.diskIndex,
      name: dv.manifest.metadata.name,
      host: dv.host,
      bytes: dv.bytes,
      startSeconds: timeline.start[id],
      endSeconds: timeline.end[id],
    }))
    .sort((a, b) => a.startSeconds - b.startSeconds || a.endSeconds - b.endSeconds);
}

/** `--dry-run=server`: each DataVolume sent with dryRun=All, so admission and CDI's webhook judge it; none is kept. */
async function dryRunServer(
  client: KubeClient,
  resolved: ResolvedPlan,
  built: BuiltDataVolumes,
  options: MigrateOptions,
  streams: OutputStreams,
): Promise<ExitCodeValue> {
  streams.stderr.write(`${planLine(resolved, built, options.scheduler)}\n`);
  reportSkipped(built, streams);
  const dataVolumes = new PlanDataVolumes(client, resolved.plan.targetNamespace, resolved.plan.uid);
  const rejected: string[] = [];
  let existing = 0;
  for (const dv of built.dataVolumes) {
    const name = dv.manifest.metadata.name;
    if (options.signal.aborted) return stoppedExitCode(options.signal);
    try {
      const outcome = await dataVolumes.create(dv.manifest, { dryRun: true });
      if (outcome === 'created') {
        streams.stdout.write(`datavolume.cdi.kubevirt.io/${name} created (server dry run)\n`);
      } else if (outcome === 'exists') {
        existing++;
        streams.stdout.write(`datavolume.cdi.kubevirt.io/${name} exists (a run created it; a re-run adopts it)\n`);
      } else {
        rejected.push(name);
        streams.stderr.write(
          `datavolume.cdi.kubevirt.io/${name} rejected: a DataVolume of that name exists and is not this plan's\n`,
        );
      }
    } catch (error) {
      // the cluster refuses this DataVolume alone; 401, 403, 429 and 5xx end the dry run
      if (!isObjectScoped(error)) throw error;
      rejected.push(name);
      streams.stderr.write(`datavolume.cdi.kubevirt.io/${name} rejected: ${error.answer}: ${error.detail}\n`);
    }
  }
  if (rejected.length > 0) {
    throw new UserError(
      `the API server rejects ${rejected.length} of ${built.dataVolumes.length} DataVolumes of plan "${resolved.plan.name}" (server dry run; nothing was created)`,
      { exitCode: ExitCode.unreachable, hint: 'read the reasons above; kubectl get storageclass, kubectl get cdi' },
    );
  }
  const checked = built.dataVolumes.length - existing;
  const exist = existing > 0 ? `; ${existing} exist already and were not checked` : '';
  streams.stderr.write(`dry run (server): ${checked} DataVolumes accepted${exist}; none created\n`);
  return ExitCode.ok;
}
