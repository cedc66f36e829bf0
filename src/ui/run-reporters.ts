/**
 * What a migration run shows, from the runner's events alone: stdout carries the result (`-o ndjson` every event as
 * one JSON line, `-o json` the summary object, `table` a summary table), stderr the human view (plain lines, or on a
 * terminal one status line redrawn at most 10 times a second). The live view (src/ui/live) takes the same events.
 */
import type { SchedulerOptions } from '@kubectl-mtv/engine';
import type { DiskRef, RunEvent, RunSummary } from '../runner/run-events.js';
import { type ClusterFacts, clusterAssumptions, formatBytes, formatColumns, formatDuration } from './simulate-table.js';

export type RunOutput = 'table' | 'ndjson' | 'json';

/** Where a reporter writes; process.stdout and process.stderr fit. */
export interface OutputStreams {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; columns?: number };
}

export interface RunReporter {
  event(event: RunEvent): void;
  /** Stops redrawing; call once the run has ended (after the summary, or after an error). */
  close(): void | Promise<void>;
}

/**
 * The stdout reporter for `output` with the stderr view: plain lines, or none when the live view (src/ui/live) shows the
 * run instead.
 */
export function createRunReporter(output: RunOutput, view: 'plain' | 'none', streams: OutputStreams): RunReporter {
  const lines = view === 'plain' ? new PlainLines(streams.stderr) : undefined;
  return {
    event: (event) => {
      lines?.event(event);
      if (output === 'ndjson') streams.stdout.write(`${JSON.stringify(event)}\n`);
      else if (event.type === 'summary') {
        streams.stdout.write(
          output === 'json' ? `${JSON.stringify(event.summary, null, 2)}\n` : formatSummary(event.summary),
        );
      }
    },
    close: () => undefined,
  };
}

/** `app-01 disk 0 (plan-a-app-01-disk-0, 500 GiB)`. */
export function describeDisk(disk: DiskRef, bytes: number): string {
  return `${disk.vm} disk ${disk.index} (${disk.name}, ${formatBytes(bytes)})`;
}

/**
 * The caps in words: `at most 20 in flight, 4 per host`; under forklift, whose cap is per host as the controller's,
 * `at most 20 in flight per host`.
 */
export function capWords(policy: string, maxInFlight: number, perHost: number | null | undefined): string {
  if (policy === 'forklift') return `at most ${perHost ?? maxInFlight} in flight per host`;
  return `at most ${maxInFlight} in flight${perHost == null ? '' : `, ${perHost} per host`}`;
}

/** The run's first line: what runs, under which caps, and the controller's own figure, which is not reused. */
export function formatPlanLine(event: Extract<RunEvent, { type: 'plan' }>): string {
  const controller =
    event.controllerMaxInFlight === null
      ? ''
      : `; the controller's MAX_VM_INFLIGHT is ${event.controllerMaxInFlight} per host (a per-host figure, not used as this run's cap)`;
  const { done, running, stuck } = event.adopted;
  const adopted = done + running + stuck > 0 ? `; found ${done} done, ${running} in flight, ${stuck} stuck` : '';
  const planning = event.planning;
  const cut =
    planning && planning.simulations < planning.of
      ? `; planned from ${planning.simulations} of ${planning.of} simulations (time budget spent after ${planning.seconds.toFixed(1)}s)`
      : '';
  const release =
    event.mtvRelease.source === 'flag'
      ? `MTV ${event.mtvRelease.release} (--mtv-version)`
      : `MTV ${event.mtvRelease.release}`;
  return (
    `plan ${event.namespace}/${event.plan} (${release}): ${count(event.disks, 'disk')}, ${formatBytes(event.bytes)} into namespace ` +
    `${event.targetNamespace}; policy ${event.policy}${event.policy === 'disk' && event.objective ? ` for ${event.objective}` : ''}, ${capWords(event.policy, event.maxInFlight, event.maxInFlightPerHost)}${controller}${adopted}${cut}`
  );
}

/** The one-line verdict for stderr. */
export function formatOutcomeLine(summary: RunSummary): string {
  const counts = [
    `${summary.transferred}/${summary.disks} disks transferred`,
    summary.stuck > 0 && `${summary.stuck} stuck`,
    summary.failed > 0 && `${summary.failed} failed`,
    summary.inFlight > 0 && `${summary.inFlight} still copying`,
    summary.notStarted > 0 && `${summary.notStarted} not started`,
  ].filter(Boolean);
  if (summary.vms) {
    const ready = summary.vms.filter((vm) => vm.state === 'ready').length;
    const failed = summary.vms.filter((vm) => vm.state === 'failed').length;
    counts.push(`${ready}/${summary.vms.length} VMs ready${failed > 0 ? `, ${failed} failed` : ''}`);
  }
  const why = OUTCOME_REASONS[summary.outcome];
  return `${summary.outcome}: ${counts.join(', ')} in ${formatDuration(summary.elapsedSeconds)}${why ? `; ${why}` : ''}`;
}

/** Why admission stopped early, and what to do next. */
const OUTCOME_REASONS: Partial<Record<RunSummary['outcome'], string>> = {
  timeout: '--timeout reached: no new disks started, running transfers go on; run migrate again to continue',
  interrupted: 'no new disks started, running transfers go on; run migrate again to continue',
  'lease-lost': "the plan's Lease was lost (see the warning above): no new disks started",
  'controller-took-over': 'a Migration for the plan appeared: the MTV controller runs it now, no new disks started',
};

/** The summary table for stdout: the counts, then each stuck or failed disk with its reason, then the note. */
export function formatSummary(summary: RunSummary): string {
  const table = formatColumns([
    ['OUTCOME', 'DISKS', 'TRANSFERRED', 'STUCK', 'FAILED', 'IN FLIGHT', 'NOT STARTED', 'BYTES', 'ELAPSED'],
    [
      summary.outcome,
      String(summary.disks),
      String(summary.transferred),
      String(summary.stuck),
      String(summary.failed),
      String(summary.inFlight),
      String(summary.notStarted),
      formatBytes(summary.bytes),
      formatDuration(summary.elapsedSeconds),
    ],
  ]);
  const problems =
    summary.problems.length === 0
      ? ''
      : `\n\n${formatColumns([
          ['VM', 'DISK', 'DATAVOLUME', 'REASON'],
          ...summary.problems.map((p) => [p.disk.vm, String(p.disk.index), p.disk.name, p.reason]),
        ])}`;
  const vms = summary.vms ? `\n\n${formatVmTable(summary.vms)}` : '';
  const halted = (summary.vms ?? []).filter((vm) => vm.haltedSourceOn).map((vm) => vm.name);
  const haltedNote =
    halted.length > 0
      ? `\n\nMade Halted because the source VM was still powered on: ${halted.join(', ')}. Start each once its source is off: virtctl start NAME`
      : '';
  const note = summary.vms ? '' : `\n\n${summary.note || DISKS_ONLY}`;
  return `${table}${problems}${vms}${haltedNote}${note}\n`;
}

/** Each plan VM after its disks: its name, state, runStrategy, KubeVirt's status and why. */
export function formatVmTable(vms: NonNullable<RunSummary['vms']>): string {
  // a warm run's VMs: the downtime of each, from its cutover to its VM made
  const warm = vms.some((vm) => vm.downtimeSeconds !== undefined);
  const table = formatColumns([
    ['SOURCE VM', 'VM', 'STATE', 'RUN STRATEGY', 'STATUS', ...(warm ? ['DOWNTIME'] : []), 'REASON'],
    ...vms.map((vm) => [
      vm.vm,
      vm.name,
      vm.state,
      vm.runStrategy ?? '-',
      vm.status ?? '-',
      ...(warm ? [vm.downtimeSeconds === undefined ? '-' : formatDuration(vm.downtimeSeconds)] : []),
      vm.state === 'ready' && !vm.haltedSourceOn ? '' : (vm.reason ?? ''),
    ]),
  ]);
  return table
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');
}

/** What a disks-only run leaves, when the runner's summary does not say it. */
export const DISKS_ONLY = '--disks-only: no VM is made; the DataVolumes (and their PVCs) stay in the target namespace.';

/** A disk of the dry-run schedule; seconds from the start, estimated. */
export interface ScheduledDisk {
  vm: string;
  index: number;
  name: string;
  host: string;
  bytes: number;
  startSeconds: number;
  endSeconds: number;
}

/** The dry-run schedule as YAML comments, so that the stdout of `--dry-run=client` stays a valid YAML stream. */
export function formatDryRunSchedule(
  schedule: readonly ScheduledDisk[],
  scheduler: SchedulerOptions,
  rate: number,
  adaptive = false,
  assumed?: ClusterFacts['assumed'],
): string {
  const rows = formatColumns([
    ['#', 'VM', 'DISK', 'DATAVOLUME', 'HOST', 'SIZE', 'START', 'END'],
    ...schedule.map((disk, i) => [
      String(i + 1),
      disk.vm,
      String(disk.index),
      disk.name,
      disk.host,
      formatBytes(disk.bytes),
      disk.startSeconds === 0 ? 'at once' : `+${formatDuration(disk.startSeconds)}`,
      `+${formatDuration(disk.endSeconds)}`,
    ]),
  ]);
  const intro = [
    `Schedule: policy ${scheduler.policy}, order ${scheduler.order}, ${capWords(scheduler.policy, scheduler.maxInFlight, scheduler.maxInFlightPerHost)}.`,
    assumed
      ? `Bandwidth: ${clusterAssumptions({ assumed })}: the schedule starts from these, as the run does; the order is the engine's, the times are estimates.`
      : `Bandwidth unknown: the schedule assumes every host uncapped and every disk copying at ${formatBytes(rate)}/s; the order is the engine's, the times are estimates.`,
    adaptive
      ? "The run learns each host's bandwidth while it copies and re-plans with it (adaptive admission; kubectl mtv simulate --blind predicts such a run)."
      : 'The run admits up to the caps whatever the hosts sustain (--no-adaptive; without it the run learns them; kubectl mtv simulate --blind predicts either run).',
  ];
  return `${[...intro, '', ...rows.split('\n')].map((line) => `# ${line}`.trimEnd()).join('\n')}\n---\n`;
}

/** Plain lines on stderr, one per fact; progress is left to the summary (a CI log needs no byte counter). */
class PlainLines {
  constructor(private readonly stderr: OutputStreams['stderr']) {}

  event(event: RunEvent): void {
    const line = plainLine(event);
    if (line !== undefined) this.stderr.write(`${event.time.slice(11, 19)} ${line}\n`);
  }
}

function plainLine(event: RunEvent): string | undefined {
  switch (event.type) {
    case 'plan':
      return formatPlanLine(event);
    case 'started':
      return event.adopted
        ? `adopted ${describeDisk(event.disk, event.bytes)}: in flight since an earlier run`
        : event.round !== undefined && event.round > 1
          ? `started precopy ${event.round} of ${event.disk.name} (${event.disk.vm} disk ${event.disk.index})`
          : `started ${describeDisk(event.disk, event.bytes)}`;
    case 'copied':
      return `copied ${event.round === 1 ? 'the initial copy' : `precopy ${event.round}`} of ${event.disk.name} in ${formatDuration(event.seconds)}`;
    case 'finished':
      return `finished ${describeDisk(event.disk, event.bytes)}${event.seconds === null ? '' : ` in ${formatDuration(event.seconds)}`}`;
    case 'stuck':
      return event.failed
        ? `failed ${describeDisk(event.disk, event.bytes)}: ${event.reason}`
        : `stuck ${describeDisk(event.disk, event.bytes)}: ${event.reason} (its DataVolume is left as is)`;
    case 'secret':
      return event.action === 'deleted'
        ? `deleted Secret ${event.namespace}/${event.name}: no DataVolume needs it any more`
        : event.host === undefined
          ? `${event.action === 'unchanged' ? 'kept' : event.action} Secret ${event.namespace}/${event.name} for CDI's importers, from the Provider Secret ${event.from}`
          : `${event.action === 'unchanged' ? 'kept' : event.action} Secret ${event.namespace}/${event.name} for CDI's importers reading from ESXi host ${event.host}, from its Host's Secret ${event.from} (the CA from the Provider's)`;
    case 'alert':
      return event.kind === null
        ? `moving again ${describeDisk(event.disk, event.bytes)}`
        : `${event.kind} ${describeDisk(event.disk, event.bytes)}: ${event.reason}`;
    case 'summary':
      return formatOutcomeLine(event.summary);
    case 'settings': {
      if (event.source.kind === 'start') {
        return event.cutover
          ? `warm run: the cutover begins at ${event.cutover} (VMs still copying finish their round first)`
          : 'warm run: no cutover set: precopies go on until `kubectl mtv cutover` sets one';
      }
      const by =
        event.source.kind === 'remote'
          ? `${event.source.by} (kubectl mtv top --control or kubectl mtv cutover)`
          : 'the keyboard';
      const perHost = event.maxInFlightPerHost === null ? '' : `, ${event.maxInFlightPerHost} per host`;
      // a warm run's settings carry its cutover
      const cutover = event.cutover === undefined ? '' : `, cutover ${event.cutover ?? 'not set'}`;
      return `${event.paused ? 'paused' : 'running'}, at most ${event.maxInFlight} in flight${perHost}${cutover}: set by ${by}`;
    }
    case 'source-power':
    case 'vm-converting':
    case 'vm-created':
    case 'vm-ready':
    case 'vm-failed':
    case 'warm':
      return vmEventLine(event);
    case 'throughput':
      return event.cause === 'measure' ? undefined : throughputLine(event);
    case 'warning':
      return `warning: ${event.message}`;
    default:
      return undefined;
  }
}

/**
 * What adaptive admission learned, in one line: each host's limit and what it measured, e.g.
 * `learned: esx-01 at most 3 in flight, 305 MiB/s (settled); importers 104 MiB/s; the rest re-planned with it`.
 */
export function throughputLine(event: Extract<RunEvent, { type: 'throughput' }>): string {
  const rate = (bytes: number) => `${formatBytes(bytes)}/s`;
  const hosts = event.hosts.map((h) => {
    const measured =
      h.bandwidth !== null
        ? `, ${rate(h.bandwidth)}`
        : h.throughput !== null
          ? `, ${rate(h.throughput)} with ${h.inFlight}`
          : '';
    const phase = h.phase === 'holding' ? 'settled' : h.phase;
    return `${h.name} at most ${h.limit} in flight${measured} (${phase})`;
  });
  const importers = event.diskRate === null ? '' : `; importers ${rate(event.diskRate)}`;
  const replanned = event.cause === 'replan' ? '; the rest re-planned with it' : '';
  return `learned: ${hosts.join(', ')}${importers}${replanned}`;
}

/** A VM event as one line (plain lines and the live view's log); undefined for other events. */
export function vmEventLine(event: RunEvent): string | undefined {
  switch (event.type) {
    case 'source-power': {
      const how = event.action === 'shutdown' ? 'ShutdownGuest' : 'PowerOffVM_Task';
      if (event.phase === 'requested') return `shutting down source VM ${event.vm} (${how}; it was ${event.was})`;
      if (event.phase === 'off')
        return `source VM ${event.vm} is powered off${event.seconds === undefined ? '' : ` after ${Math.round(event.seconds)} s`}; its disks copy now`;
      return `source VM ${event.vm} not powered off: ${event.reason ?? 'unknown'}; its disks are not copied`;
    }
    case 'warm':
      return warmLine(event);
    case 'vm-converting':
      return `converting the guest of ${event.vm} (Conversion ${event.conversion})`;
    case 'vm-created':
      return event.adopted
        ? `found VM ${event.namespace}/${event.name} (from ${event.vm}) made by an earlier run, runStrategy ${event.runStrategy}`
        : `created VM ${event.namespace}/${event.name} from ${event.vm}, runStrategy ${event.runStrategy}${event.why ? ` (${event.why})` : ''}`;
    case 'vm-ready':
      return `VM ${event.name} is ${event.status}`;
    case 'vm-failed':
      return `failed VM ${event.name ?? event.vm}${event.name && event.name !== event.vm ? ` (from ${event.vm})` : ''}: ${event.reason}`;
    default:
      return undefined;
  }
}

function warmLine(event: Extract<RunEvent, { type: 'warm' }>): string {
  const round = event.round === 1 ? 'the initial copy' : event.final ? 'the final copy' : `precopy ${event.round}`;
  switch (event.phase) {
    case 'snapshot':
      return `${event.vm}: snapshot ${event.snapshot ?? ''} taken for ${round}`;
    case 'paused': {
      const age =
        event.snapshotAgeSeconds === undefined
          ? ''
          : `; its snapshot was ${formatDuration(event.snapshotAgeSeconds)} old`;
      return `${event.vm}: ${round} done${age}; next precopy at ${event.nextAt?.slice(11, 19) ?? '?'} unless the cutover comes first`;
    }
    case 'cutover':
      return `${event.vm}: cutover: shutting the source down for the final copy`;
    case 'finished':
      return `${event.vm}: final copy done; making the VM (its final snapshot is removed)`;
    case 'downtime':
      return `${event.vm}: VM made ${formatDuration(event.seconds ?? 0)} after its cutover began (downtime)`;
    case 'failed':
      return `${event.vm}: warm migration failed: ${event.reason ?? 'unknown'}`;
  }
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
