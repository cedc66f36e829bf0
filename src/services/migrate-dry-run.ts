/**
 * `kubectl mtv migrate --dry-run`: what a run would create, and nothing created. `client` builds the DataVolumes
 * and shows them with the engine's schedule; `server` sends each with dryRun=All so that admission and CDI's webhook
 * judge it. With `-o json|yaml` or a template, stdout holds the DataVolumes as a v1 List in the schedule's order
 * (start time, then end time: the order of the schedule the default output shows), as `kubectl apply --dry-run -o
 * yaml` lists several objects; for `server`, as the API server answered them.
 */
import type { KnownThroughput, SchedulerOptions } from '@kubectl-mtv/engine';
import { createPolicy, runSchedule } from '@kubectl-mtv/engine';
import { stringify } from 'yaml';
import type { BuiltDataVolumes, DiskDataVolume } from '../cluster/datavolume-builder.js';
import type { KubeClient } from '../cluster/kube-client.js';
import { isObjectScoped } from '../cluster/kube-errors.js';
import { PlanDataVolumes } from '../cluster/plan-datavolumes.js';
import type { ResolvedPlan } from '../cluster/resolved-plan.js';
import { ExitCode, type ExitCodeValue, UserError } from '../errors.js';
import { planEvent } from '../runner/run-events.js';
import { DEFAULT_PLANNING_RATE, plannedWorkload, workloadOfDataVolumes } from '../runner/workload-of-datavolumes.js';
import { formatJson, formatYaml, kubeList } from '../ui/object-output.js';
import { formatDryRunSchedule, formatPlanLine, type OutputStreams, type ScheduledDisk } from '../ui/run-reporters.js';
import { formatTemplateOutput, type TemplateOutput } from '../ui/template-output.js';
import { type LearnedThroughput, learnedWorkload, readLearnedThroughput } from './plan-cluster.js';

/** How a dry run prints the DataVolumes: as a List (json, yaml), or through a template. */
export type DryRunOutput = 'json' | 'yaml' | TemplateOutput;

/** The per-disk rate the dry-run schedule assumes, the runner's planning rate (hosts' bandwidth is unknown): bytes/s. */
export const PREVIEW_DISK_RATE = DEFAULT_PLANNING_RATE;

export interface DryRunContext {
  resolved: ResolvedPlan;
  built: BuiltDataVolumes;
  scheduler: SchedulerOptions;
  /** Undefined: the dry run's own text (client: schedule and YAML; server: a line per DataVolume). */
  output?: DryRunOutput;
  signal: AbortSignal;
  streams: OutputStreams;
  /** With --power-off-source: what a run would do to the source VMs, one line. */
  sourcePower?: string;
  /** The run would learn the hosts' bandwidths (adaptive admission: policy disk, cold, not --no-adaptive): the header says so. */
  adaptive?: boolean;
  /** With adaptive: the throughput record as read; the run starts from what it holds, and so does the schedule. */
  learned?: LearnedThroughput;
}

/** `--dry-run=client`: the order the engine starts the disks in, and the DataVolumes; nothing is sent. */
export function dryRunClient(context: DryRunContext): ExitCodeValue {
  const { built, streams } = context;
  const schedule = previewSchedule(built.dataVolumes, context.scheduler, context.learned?.known);
  const manifests = built.dataVolumes.map((dv) => dv.manifest);
  // the text first: a template that fails on it is refused before anything else is said
  let text: string;
  if (context.output === undefined) {
    const { learned } = context;
    const view = workloadOfDataVolumes(built.dataVolumes, PREVIEW_DISK_RATE);
    const assumed = learned?.known && learnedWorkload(view, learned).assumed;
    const header = formatDryRunSchedule(
      schedule,
      context.scheduler,
      PREVIEW_DISK_RATE,
      context.adaptive === true,
      assumed || undefined,
    );
    text = `${header}${manifests.map((manifest) => stringify(manifest)).join('---\n')}`;
  } else {
    const byName = new Map(manifests.map((manifest) => [manifest.metadata.name, manifest]));
    text = formatList(
      schedule.map((disk) => byName.get(disk.name)),
      context.output,
    );
  }
  streams.stderr.write(`${planLine(context)}\n`);
  reportSecret(context);
  if (context.sourcePower) streams.stderr.write(`${context.sourcePower}\n`);
  reportSkipped(built, streams);
  streams.stdout.write(text);
  streams.stderr.write(`dry run (client): ${built.dataVolumes.length} DataVolumes shown, none created\n`);
  return ExitCode.ok;
}

/** `--dry-run=server`: each DataVolume sent with dryRun=All, so admission and CDI's webhook judge it; none is kept. */
export async function dryRunServer(client: KubeClient, context: DryRunContext): Promise<ExitCodeValue> {
  const { resolved, built, streams, signal } = context;
  streams.stderr.write(`${planLine(context)}\n`);
  reportSecret(context);
  if (context.sourcePower) streams.stderr.write(`${context.sourcePower}\n`);
  reportSkipped(built, streams);
  const dataVolumes = new PlanDataVolumes(client, resolved.plan.targetNamespace, resolved.plan.uid);
  // the List's lines stay off stdout: it carries the objects alone
  const say = context.output === undefined ? streams.stdout : streams.stderr;
  const accepted = new Map<string, unknown>();
  const rejected: string[] = [];
  let existing = 0;
  for (const dv of built.dataVolumes) {
    const name = dv.manifest.metadata.name;
    if (signal.aborted)
      return (signal.reason as { exitCode?: ExitCodeValue } | undefined)?.exitCode ?? ExitCode.interrupted;
    try {
      const { outcome, object, owner } = await dataVolumes.create(dv.manifest, { dryRun: true });
      if (outcome === 'created') {
        accepted.set(name, object ?? dv.manifest);
        if (context.output === undefined) say.write(`datavolume.cdi.kubevirt.io/${name} created (server dry run)\n`);
      } else if (outcome === 'exists') {
        existing++;
        say.write(`datavolume.cdi.kubevirt.io/${name} exists (a run created it; a re-run adopts it)\n`);
      } else {
        rejected.push(name);
        streams.stderr.write(
          `datavolume.cdi.kubevirt.io/${name} rejected: a DataVolume of that name exists and is not this disk's: ${owner}\n`,
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
  if (context.output !== undefined) {
    const order = previewSchedule(built.dataVolumes, context.scheduler, context.learned?.known).map((d) => d.name);
    const objects = order.filter((name) => accepted.has(name)).map((name) => accepted.get(name));
    streams.stdout.write(formatList(objects, context.output));
  }
  const checked = built.dataVolumes.length - existing;
  const exist = existing > 0 ? `; ${existing} exist already and were not checked` : '';
  streams.stderr.write(`dry run (server): ${checked} DataVolumes accepted${exist}; none created\n`);
  return ExitCode.ok;
}

/** The VDDK Secrets a run would make: the Provider's, and one per ESXi host (their content is never shown). */
function reportSecret({ resolved, streams }: DryRunContext): void {
  const source = resolved.vddkSecretSource;
  if (source.kind !== 'provider') return;
  const target = resolved.plan.targetNamespace;
  if (resolved.vms.some((vm) => vm.esxi === undefined)) {
    streams.stderr.write(
      `a run makes Secret ${target}/${resolved.vddkSecret} for CDI's importers from the Provider Secret ${source.namespace}/${source.name} (keys accessKeyId, secretKey, cacert)\n`,
    );
  }
  for (const secret of resolved.esxiSecrets ?? []) {
    streams.stderr.write(
      `a run makes Secret ${target}/${secret.name} for CDI's importers reading from ESXi host ${secret.hostName} (Host ${secret.hostCr}) from its Secret ${secret.from.namespace}/${secret.from.name}, the CA from the Provider Secret ${source.namespace}/${source.name} (keys accessKeyId, secretKey, cacert)\n`,
    );
  }
}

/** The DataVolumes as a v1 List in JSON or YAML, or through a template (its rows: the List's items). */
function formatList(objects: readonly unknown[], output: DryRunOutput): string {
  const list = kubeList(objects);
  if (output === 'json') return formatJson(list);
  if (output === 'yaml') return formatYaml(list);
  return formatTemplateOutput(output, list, objects, false);
}

/**
 * The schedule the engine makes for these disks, on the runner's own transfer plan (each disk at the planning rate,
 * hosts of unknown bandwidth; an adaptive run's `known` ones at what an earlier run learned): the order is the run's;
 * the times are estimates. Disks in start order.
 */
export function previewSchedule(
  dataVolumes: readonly DiskDataVolume[],
  scheduler: SchedulerOptions,
  known?: KnownThroughput,
): ScheduledDisk[] {
  const plan = plannedWorkload(workloadOfDataVolumes(dataVolumes, PREVIEW_DISK_RATE), known);
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

/** Shared disks copied once, or not at all, get no DataVolume of their own: say which. */
export function reportSkipped(built: BuiltDataVolumes, streams: OutputStreams): void {
  for (const skip of built.skipped) {
    const why =
      skip.reason === 'shared-copied-once'
        ? `shared, copied once by DataVolume ${skip.copiedBy}`
        : 'shared, and the plan sets migrateSharedDisks: false';
    // a shared disk the plan does not migrate has no disk index (MTV numbers the disks without it)
    const which = skip.diskIndex >= 0 ? `disk ${skip.diskIndex}` : 'shared disk';
    streams.stderr.write(`skipped ${skip.vmName} ${which} (${skip.file}): ${why}\n`);
  }
}

/** The plan line a run would print, for the dry runs. */
function planLine({ resolved, built, scheduler }: DryRunContext): string {
  const nothing = { done: 0, running: 0, stuck: 0 };
  return formatPlanLine(planEvent(resolved, scheduler, built.dataVolumes, nothing, new Date().toISOString()));
}

/**
 * An adaptive run's dry run: the throughput record read as the run would read it, so that the schedule shown starts
 * where the run would. A 403 or a ConfigMap not ours is one warning line, and the schedule assumes nothing known.
 */
export async function dryRunThroughput(
  client: KubeClient,
  resolved: ResolvedPlan,
  streams: OutputStreams,
): Promise<LearnedThroughput> {
  const learned = await readLearnedThroughput(client, resolved.provider);
  const where = `ConfigMap ${learned.record.namespace}/${learned.record.name}`;
  const { reading } = learned;
  if (reading.state === 'forbidden' || reading.state === 'failed') {
    const why = reading.state === 'forbidden' ? 'forbidden' : reading.message;
    streams.stderr.write(
      `warning: adaptive admission: cannot read ${where} (${why}); the schedule assumes bandwidth unknown\n`,
    );
  } else if (reading.state === 'foreign') {
    streams.stderr.write(`warning: adaptive admission: ${reading.message}; the schedule assumes bandwidth unknown\n`);
  }
  return learned;
}
