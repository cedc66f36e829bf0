import { DEFAULT_OBJECTIVE, type LearnedHost, type ObjectiveName, type SchedulerOptions } from '@kubectl-mtv/engine';
import type { ResolvedPlan } from '../cluster/resolved-plan.js';

/**
 * What a migration run publishes, in order, for the reporters (plain lines, ndjson, the TUI later) and for `-o json`.
 * Times are RFC 3339; sizes are bytes. Every disk event names the disk as the user knows it.
 */

/** Most queued disks a `queue` event (and the published snapshot) lists. */
export const QUEUE_HEAD = 50;

/** A disk as reports name it: its VM, its index in the VM, and its DataVolume. */
export interface DiskRef {
  vm: string;
  index: number;
  name: string;
  /** The ESXi host the disk is read from (inventory name; `default` when unknown). */
  host: string;
}

/** A queued disk and the engine's reason for waiting ("starts now" when the next admission takes it). */
export interface QueuedDisk {
  disk: DiskRef;
  bytes: number;
  reason: string;
}

/** Who changed a running run's settings: the keyboard of the runner's own terminal, or a `top --control` user. */
export type SettingsSource = { kind: 'keyboard' } | { kind: 'remote'; by: string } | { kind: 'start' };

export type RunEvent =
  | {
      type: 'plan';
      time: string;
      plan: string;
      namespace: string;
      targetNamespace: string;
      policy: string;
      /** What a cold `disk` run plans for (--objective); null for the other policies and for warm runs. */
      objective: ObjectiveName | null;
      maxInFlight: number;
      maxInFlightPerHost: number | null;
      /** The controller's per-host MAX_VM_INFLIGHT when known: shown, never reused silently. */
      controllerMaxInFlight: number | null;
      disks: number;
      bytes: number;
      /** Bytes of the disks a re-run found done. */
      bytesDone: number;
      /** Disks a re-run found Succeeded, in flight, or marked stuck. */
      adopted: { done: number; running: number; stuck: number };
      /** How `disk` chose its strategy; null for the other policies and for the dry runs. */
      planning: PlanningReport | null;
      /** The cluster's MTV release, and how it was known (`schema`: read from its Plan schema; `flag`: --mtv-version). */
      mtvRelease: { release: string; source: 'schema' | 'flag' };
    }
  | { type: 'queued'; time: string; disk: DiskRef; bytes: number; reason: string }
  /** A disk entered flight: created by this run, or (`adopted`) found copying by a re-run. */
  | {
      type: 'started';
      time: string;
      disk: DiskRef;
      bytes: number;
      adopted?: true;
      /** A warm plan's round (1 the initial copy, 2… precopies, the last the final copy); absent for cold plans. */
      round?: number;
    }
  /** A warm plan's disk copied a precopy round's checkpoint (not the final one): it leaves flight until its next round. */
  | { type: 'copied'; time: string; disk: DiskRef; round: number; seconds: number }
  /**
   * A warm plan's VM (warm-loop.ts): its round's snapshot taken (`snapshot`, `final` for the cutover's), its round
   * copied and paused until `nextAt` (`snapshotAgeSeconds`: after round 1, how long the initial snapshot had lived),
   * its `cutover` begun (the source is shut down next), `finished` (its final copy done: the VM is made next, the final
   * snapshot removed before (2.8-2.11) or meanwhile (2.12)),
   * or `failed`; `downtime`: its VM was made `seconds` after its cutover began.
   */
  | {
      type: 'warm';
      time: string;
      vm: string;
      phase: 'snapshot' | 'paused' | 'cutover' | 'finished' | 'failed' | 'downtime';
      round: number;
      final?: true;
      snapshot?: string;
      nextAt?: string;
      snapshotAgeSeconds?: number;
      seconds?: number;
      reason?: string;
    }
  | {
      type: 'progress';
      time: string;
      disk: DiskRef;
      bytes: number;
      bytesDone: number;
      /** Bytes/s since the disk's previous progress event; null for the first. */
      rate: number | null;
      /** The DataVolume's phase (ImportScheduled, ImportInProgress, ...). */
      phase: string;
      /** Importer pod restarts. */
      restarts: number;
    }
  /** The engine's queue head (at most QUEUE_HEAD disks, in the order it would start them) and the queue's length. */
  | { type: 'queue'; time: string; head: QueuedDisk[]; total: number }
  /**
   * What adaptive admission learned of the source hosts (cold `disk` runs): per host its limit on transfers in
   * flight, the phase of its climb, the bandwidth it plateaued at and the throughput at its current level (bytes/s
   * of the run's clock), and the importers' rate. `cause`: a host's limit moved, the rest of the plan was re-planned
   * with what was learned, or (every few seconds) new measurements.
   */
  | {
      type: 'throughput';
      time: string;
      cause: 'limit' | 'replan' | 'measure';
      hosts: LearnedHost[];
      diskRate: number | null;
    }
  /** Admission paused or resumed, or the caps changed, while the run goes on. */
  | {
      type: 'settings';
      time: string;
      paused: boolean;
      maxInFlight: number;
      maxInFlightPerHost: number | null;
      source: SettingsSource;
      /** A warm run's cutover (RFC 3339), null when none is set; absent for cold runs. */
      cutover?: string | null;
    }
  | {
      type: 'finished';
      time: string;
      disk: DiskRef;
      bytes: number;
      seconds: number | null;
      /** A warm plan's final round (its copy took `seconds`); absent for cold plans. */
      round?: number;
    }
  | {
      type: 'stuck';
      time: string;
      disk: DiskRef;
      bytes: number;
      reason: string;
      /** True when CDI itself marked the DataVolume Failed (counted as failed, not stuck). */
      failed?: boolean;
    }
  /**
   * A disk in flight that needs a look but keeps its slot: `blocked` (its importer cannot start: a missing Secret or
   * key, an image pull failure), `stalled` (its percent has not moved for longer than expected), or null when it moves
   * again.
   */
  | { type: 'alert'; time: string; disk: DiskRef; bytes: number; kind: 'blocked' | 'stalled' | null; reason: string }
  /**
   * One of the plan's VDDK Secrets (vddk-secret.ts): created, updated or found as it should be before the first
   * DataVolume, deleted once every disk is copied. `from` names the Secret it is made from: the source Provider's, or
   * with `host` the Host CR's of that ESXi host (the CA still the Provider's); its content is never in an event.
   */
  | {
      type: 'secret';
      time: string;
      name: string;
      namespace: string;
      action: 'created' | 'updated' | 'unchanged' | 'deleted';
      from: string;
      /** The ESXi host the Secret is for (its VMs are read from it); absent: vCenter's. */
      host?: string;
    }
  /**
   * A VM made from its copied disks (vm-finisher.ts): `name` in `namespace`, started or not as `runStrategy` says and
   * `why`; `adopted` when an earlier run had made it.
   */
  | {
      type: 'vm-created';
      time: string;
      vm: string;
      name: string;
      namespace: string;
      runStrategy: 'Always' | 'Halted';
      why: string;
      adopted?: true;
    }
  /**
   * The source VM before its first disk is copied (--power-off-source, source-power.ts): `requested` when
   * ShutdownGuest (or with --force-power-off PowerOffVM_Task) was sent, `off` once vCenter reports it poweredOff
   * (`seconds` after the request), `failed` when it did not power off (its disks are not copied). `was` is the power
   * state recorded before, which the new VM's runStrategy follows.
   */
  | {
      type: 'source-power';
      time: string;
      vm: string;
      phase: 'requested' | 'off' | 'failed';
      action: 'shutdown' | 'power-off';
      was: string;
      seconds?: number;
      reason?: string;
    }
  /** The VM's disks are copied and its guest is being converted (a Conversion CR, MTV 2.12+) before the VM is made. */
  | { type: 'vm-converting'; time: string; vm: string; conversion: string }
  /** KubeVirt reports the VM as the plan asks: Running and Ready (Always) or Stopped (Halted). */
  | { type: 'vm-ready'; time: string; vm: string; name: string; status: string }
  /**
   * A VM the run could not finish: not made (its conversion failed, the name was taken, the API refused it), in error
   * in KubeVirt, or not ready within --vm-ready-timeout. `name` is absent when no VM was made.
   */
  | { type: 'vm-failed'; time: string; vm: string; name?: string; reason: string }
  /** Something the run could not do but goes on without (e.g. remembering what it learned): one line. */
  | { type: 'warning'; time: string; message: string }
  | { type: 'summary'; time: string; summary: RunSummary };

/** What became of one plan VM after its disks (vm-finisher.ts). */
export interface VmOutcome {
  /** Source VM name. */
  vm: string;
  /** Target VM name, once known. */
  name: string;
  /**
   * `ready`: as the plan asks; `created`: made, not ready yet (the run stopped waiting); `failed`: see reason;
   * `not-created`: its disks did not all copy in this run.
   */
  state: 'ready' | 'created' | 'failed' | 'not-created';
  runStrategy?: 'Always' | 'Halted';
  /** KubeVirt's printableStatus at the end. */
  status?: string;
  /** Why it is Halted, failed or not created. */
  reason?: string;
  /** Made Halted because its source VM was still powered on. */
  haltedSourceOn?: true;
  /** A warm plan's VM made by this run: seconds from its cutover (its source asked to shut down) to its VM made. */
  downtimeSeconds?: number;
}

/** How `disk` planned a run: the strategy chosen from `simulations` of its `of` candidate simulations. */
export interface PlanningReport {
  strategy: string;
  simulations: number;
  of: number;
  /** Wall time the planning took. */
  seconds: number;
}

/** How a run ended. */
export type RunOutcome = 'completed' | 'stuck' | 'timeout' | 'interrupted' | 'lease-lost' | 'controller-took-over';

export interface RunSummary {
  outcome: RunOutcome;
  plan: string;
  namespace: string;
  disks: number;
  /** Disks whose DataVolume is Succeeded (including those a re-run adopted as done). */
  transferred: number;
  stuck: number;
  failed: number;
  /** Disks never started (interrupted, timed out, or a lost lease). */
  notStarted: number;
  /** Disks still copying when the run stopped: left to CDI, a re-run adopts them. */
  inFlight: number;
  bytes: number;
  elapsedSeconds: number;
  /** Stuck and failed disks with the reason. */
  problems: { disk: DiskRef; reason: string }[];
  /** What this run does not do yet. */
  note: string;
  /** Each plan VM after its disks; absent with --disks-only (no VM is made). */
  vms?: VmOutcome[];
}

/** The `plan` event that opens a run (and heads a dry run): the plan, the caps, the disks and what was adopted. */
export function planEvent(
  resolved: ResolvedPlan,
  scheduler: SchedulerOptions,
  disks: readonly { bytes: number }[],
  adopted: { done: number; running: number; stuck: number },
  time: string,
  bytesDone = 0,
): Extract<RunEvent, { type: 'plan' }> {
  return {
    type: 'plan',
    time,
    plan: resolved.plan.name,
    namespace: resolved.plan.namespace,
    targetNamespace: resolved.plan.targetNamespace,
    policy: scheduler.policy,
    objective: scheduler.policy === 'disk' && !resolved.warm ? (scheduler.objective ?? DEFAULT_OBJECTIVE) : null,
    maxInFlight: scheduler.maxInFlight,
    maxInFlightPerHost: scheduler.maxInFlightPerHost ?? null,
    controllerMaxInFlight: resolved.controllerMaxInFlight ?? null,
    disks: disks.length,
    bytes: disks.reduce((sum, d) => sum + d.bytes, 0),
    bytesDone,
    adopted,
    planning: null,
    mtvRelease: resolved.mtvRelease,
  };
}
