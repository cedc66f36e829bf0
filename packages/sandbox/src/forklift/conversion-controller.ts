/**
 * Forklift's conversion controller (MTV 2.12), simulated: a Conversion of type InPlace or Remote gets a virt-v2v pod
 * and the phases and stages the real controller reports. Followed, in kubev2v/forklift release-2.12
 * pkg/controller/conversion:
 * - controller.go Reconcile: a Succeeded or Failed Conversion is left alone; validation blockers (validation.go)
 *   leave it Pending with a True Critical condition and nothing else; otherwise the pipeline runs, and its error
 *   makes the phase Failed; resolvePhaseConditions writes message and conditions per phase (Ready False while
 *   Pending, an Advisory condition with the stage's message while Running, Ready True and completionTime on
 *   Succeeded, ConversionFailed (Critical) and completionTime on Failed). Conditions are staged: each write carries
 *   only the conditions of that reconcile.
 * - pipeline.go Run/runPhasePending: Pending turns Running (startTime) in the same reconcile the pod is first
 *   ensured, so a valid Conversion is first seen Running, stage CreatingPod; runVirtV2v/runStageEnsurePod: pod
 *   Pending -> CreatingPod, Running -> PodRunning, exited -> stage Finished; podHandler (the next reconcile):
 *   Succeeded -> phase Succeeded, Failed -> `conversion pod failed`; checkPendingPodTimeout: a pod Pending longer
 *   than CONVERSION_POD_PENDING_TIMEOUT (settings/migration.go default 5 minutes) fails the Conversion with
 *   `conversion pod <name> stuck in Pending for <d> (reason: ...)`.
 * - ensurer.go ensureVirtV2vPodFromSpec: the connection Secret is read (spec.connection.secret) and every
 *   spec.disks[] PVC (VolumesFromDiskRefs), on the destination cluster; a missing one is the pipeline's error
 *   (`secrets "x" not found`, `persistentvolumeclaims "x" not found`); a disk without namespace is
 *   `spec.disks[i] ("x"): namespace is required`.
 * The pod: generateName from podSettings.generateName, else `<conversion>-` (context/doc.go PodConfigFromSpec),
 * recorded in status.pod. Sandbox liberties: no Pod object is served (the pod lives in this controller); a pod whose
 * PVCs are all Bound runs at once, else stays Pending as the scheduler keeps a pod with unbound immediate PVCs; it
 * runs for the PVCs' total requested size over `bytesPerSecond`; a faulted VM's pod fails half way, and its virt-v2v
 * error, which a user would read in the pod's log, is written as a Warning Event on the pod. A Conversion's spec is
 * read once: an update does not re-run validation.
 */
import type { ClusterStore, KubeObject, StoreEvent } from '../cluster-store.js';
import type { ConversionFault } from '../faults.js';

export const CONVERSIONS = 'conversions.forklift.konveyor.io';
const PVCS = 'persistentvolumeclaims';
const SECRETS = 'secrets';
const EVENTS = 'events';

/** virt-v2v-in-place's pace in the sandbox: bytes of PVC per simulated second (a 40 GiB VM takes ~7 minutes). */
export const CONVERSION_BYTES_PER_SECOND = 100 * 2 ** 20;
/** settings/migration.go DefaultPendingPodTimeoutMinutes, in seconds. */
export const POD_PENDING_TIMEOUT_SECONDS = 5 * 60;
/** What kube-scheduler says of a pod whose PVC is not bound (and no node can take it). */
export const UNBOUND_PVC_REASON =
  'Unschedulable: 0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.';

export interface ConversionControllerOptions {
  /** The host cluster, where Conversions live. */
  store: ClusterStore;
  /**
   * The cluster a Conversion's spec.destination Provider leads to (ensurer.go resolveDestinationClient: the host for
   * an empty ref or a host Provider, else the remote one); its PVCs and Secret are looked up there.
   */
  destination(ref: { name?: string; namespace?: string } | undefined): ClusterStore;
  /** Simulated seconds now. */
  clock(): number;
  /** Wall time of a simulated instant, for startTime, completionTime and conditions. */
  timestamp(seconds: number): string;
  /** Bytes/s of conversion (default CONVERSION_BYTES_PER_SECOND). */
  bytesPerSecond?: number;
  /** VMs (by spec.vm.name or spec.vm.id) whose virt-v2v fails, with its error. */
  failures?: readonly ConversionFault[];
}

interface ConversionSpec {
  type?: string;
  targetNamespace?: string;
  vm?: { id?: string; name?: string };
  disks?: { name?: string; namespace?: string }[];
  connection?: { secret?: { name?: string; namespace?: string } };
  destination?: { name?: string; namespace?: string };
  podSettings?: { generateName?: string };
}

interface Condition {
  type: string;
  status: 'True' | 'False';
  category: string;
  message: string;
  reason?: string;
  lastTransitionTime: string;
}

/** A virt-v2v pod of the sandbox: when it was made, when it started running, when it ends and how. */
interface SimulatedPod {
  name: string;
  namespace: string;
  createdAt: number;
  runningAt?: number;
  endsAt?: number;
  fails?: string;
  exited?: 'Succeeded' | 'Failed';
}

interface Tracked {
  namespace: string;
  name: string;
  uid: string;
  startTime: string;
  pod?: SimulatedPod;
  /** Set once the pod has exited and stage Finished was written: the next reconcile ends the Conversion. */
  finished?: boolean;
}

/** What the controller has done, for tests and stats. */
export interface ConversionRecord {
  conversion: string;
  vm: string;
  pod?: string;
  phase: string;
  startedAt?: number;
  endedAt?: number;
}

export class ConversionController {
  readonly records = new Map<string, ConversionRecord>();
  private readonly tracked = new Map<string, Tracked>();
  private readonly unsubscribe: () => void;
  private readonly rate: number;

  constructor(private readonly options: ConversionControllerOptions) {
    this.rate = options.bytesPerSecond ?? CONVERSION_BYTES_PER_SECOND;
    if (!(this.rate > 0)) throw new RangeError(`ConversionController: bytesPerSecond must be > 0, got ${this.rate}`);
    this.unsubscribe = options.store.subscribe((event) => this.seen(event));
    for (const conversion of options.store.list(CONVERSIONS)) this.reconcile(conversion);
  }

  stop(): void {
    this.unsubscribe();
  }

  /** Runs every open Conversion's reconcile at simulated time `seconds` (the requeue of the real controller). */
  advanceTo(seconds: number): void {
    for (const [key, tracked] of [...this.tracked]) {
      const conversion = this.options.store.get(CONVERSIONS, tracked.namespace, tracked.name);
      if (!conversion || conversion.metadata.uid !== tracked.uid) {
        this.tracked.delete(key);
        continue;
      }
      this.step(conversion, tracked, seconds);
    }
  }

  private seen(event: StoreEvent): void {
    if (event.resource !== CONVERSIONS) return;
    const key = keyOf(event.object);
    if (event.type === 'DELETED') {
      this.tracked.delete(key);
      return;
    }
    if (event.type === 'ADDED') this.reconcile(event.object);
  }

  /** The first reconcile of a Conversion (Reconcile with an empty phase). */
  private reconcile(conversion: KubeObject): void {
    const phase = (conversion.status as { phase?: string } | undefined)?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return;
    const now = this.options.clock();
    const spec = (conversion.spec ?? {}) as ConversionSpec;
    const blockers = validate(spec, this.stamp(now));
    if (blockers.length > 0) {
      this.write(conversion, { phase: 'Pending', conditions: blockers });
      this.record(conversion, spec, { phase: 'Pending' });
      return;
    }
    const tracked: Tracked = {
      namespace: conversion.metadata.namespace ?? '',
      name: conversion.metadata.name ?? '',
      uid: conversion.metadata.uid ?? '',
      startTime: this.stamp(now),
    };
    this.tracked.set(keyOf(conversion), tracked);
    this.step(conversion, tracked, now);
  }

  /** One reconcile of a Running Conversion (pipeline.go runVirtV2v, podHandler). */
  private step(conversion: KubeObject, tracked: Tracked, now: number): void {
    const spec = (conversion.spec ?? {}) as ConversionSpec;
    if (tracked.finished && tracked.pod?.exited) {
      if (tracked.pod.exited === 'Succeeded') this.succeed(conversion, tracked, now);
      else this.fail(conversion, tracked, 'conversion pod failed', now);
      return;
    }
    if (!tracked.pod) {
      const error = this.ensurePod(spec, conversion, tracked, now);
      if (error) {
        this.fail(conversion, tracked, error, now);
        return;
      }
    }
    const pod = tracked.pod as SimulatedPod;
    const destination = this.options.destination(spec.destination);
    if (pod.runningAt === undefined) {
      if (this.claimsBound(spec, destination)) {
        pod.runningAt = now;
        const bytes = this.claimBytes(spec, destination);
        const duration = bytes / this.rate;
        const fault = this.fault(spec);
        pod.endsAt = now + (fault === undefined ? duration : duration / 2);
        if (fault !== undefined) pod.fails = fault;
      } else if (now - pod.createdAt >= POD_PENDING_TIMEOUT_SECONDS) {
        this.fail(
          conversion,
          tracked,
          `conversion pod ${pod.name} stuck in Pending for ${goDuration(now - pod.createdAt)} (reason: ${UNBOUND_PVC_REASON})`,
          now,
        );
        return;
      } else {
        this.running(conversion, tracked, 'CreatingPod');
        return;
      }
    }
    if (pod.endsAt !== undefined && now >= pod.endsAt) {
      pod.exited = pod.fails === undefined ? 'Succeeded' : 'Failed';
      if (pod.fails !== undefined) this.podEvent(pod, pod.fails, pod.endsAt);
      // runStageEnsurePod: the exited pod ends stage PodRunning; advanceStage -> Finished, phase still Running
      tracked.finished = true;
      this.running(conversion, tracked, 'Finished');
      return;
    }
    this.running(conversion, tracked, 'PodRunning');
  }

  /** ensureVirtV2vPodFromSpec: the Secret, then every PVC, must exist on the destination; then the pod is made. */
  private ensurePod(spec: ConversionSpec, conversion: KubeObject, tracked: Tracked, now: number): string | undefined {
    const destination = this.options.destination(spec.destination);
    const secret = spec.connection?.secret;
    if (secret?.name && !destination.get(SECRETS, secret.namespace, secret.name)) {
      return `secrets "${secret.name}" not found`;
    }
    for (const [i, disk] of (spec.disks ?? []).entries()) {
      if (!disk.namespace) return `spec.disks[${i}] ("${disk.name ?? ''}"): namespace is required`;
      if (!destination.get(PVCS, disk.namespace, disk.name ?? '')) {
        return `persistentvolumeclaims "${disk.name ?? ''}" not found`;
      }
    }
    const generateName = spec.podSettings?.generateName || `${conversion.metadata.name}-`;
    tracked.pod = {
      name: `${generateName}${suffix(tracked.uid)}`,
      namespace: spec.targetNamespace || (conversion.metadata.namespace ?? ''),
      createdAt: now,
    };
    return undefined;
  }

  private claimsBound(spec: ConversionSpec, destination: ClusterStore): boolean {
    return (spec.disks ?? []).every((disk) => {
      const claim = destination.get(PVCS, disk.namespace, disk.name ?? '');
      return (claim?.status as { phase?: string } | undefined)?.phase === 'Bound';
    });
  }

  /** The PVCs' requested sizes, in bytes: what the conversion's time is proportional to. */
  private claimBytes(spec: ConversionSpec, destination: ClusterStore): number {
    return (spec.disks ?? []).reduce((sum, disk) => {
      const claim = destination.get(PVCS, disk.namespace, disk.name ?? '');
      const request = (claim?.spec as { resources?: { requests?: { storage?: string } } } | undefined)?.resources
        ?.requests?.storage;
      return sum + (request === undefined ? 0 : parseQuantity(request));
    }, 0);
  }

  private fault(spec: ConversionSpec): string | undefined {
    return this.options.failures?.find((fault) => fault.vm === spec.vm?.name || fault.vm === spec.vm?.id)?.message;
  }

  private running(conversion: KubeObject, tracked: Tracked, stage: 'CreatingPod' | 'PodRunning' | 'Finished'): void {
    const message = STAGE_MESSAGES[stage];
    const now = this.stamp(this.options.clock());
    this.write(conversion, {
      phase: 'Running',
      stage,
      message,
      startTime: tracked.startTime,
      ...(tracked.pod && { pod: { namespace: tracked.pod.namespace, name: tracked.pod.name } }),
      conditions: [{ type: 'Advisory', status: 'True', category: 'Advisory', message, lastTransitionTime: now }],
    });
    this.record(conversion, conversion.spec as ConversionSpec, { phase: 'Running', pod: tracked.pod?.name });
  }

  private succeed(conversion: KubeObject, tracked: Tracked, now: number): void {
    const message = 'The conversion has completed successfully.';
    this.end(conversion, tracked, now, 'Succeeded', message, {
      type: 'Ready',
      status: 'True',
      category: 'Required',
      message,
      lastTransitionTime: this.stamp(now),
    });
  }

  private fail(conversion: KubeObject, tracked: Tracked, error: string, now: number): void {
    const message = `The conversion has failed: ${error}`;
    this.end(conversion, tracked, now, 'Failed', message, {
      type: 'ConversionFailed',
      status: 'True',
      category: 'Critical',
      message,
      lastTransitionTime: this.stamp(now),
    });
  }

  private end(
    conversion: KubeObject,
    tracked: Tracked,
    now: number,
    phase: 'Succeeded' | 'Failed',
    message: string,
    condition: Condition,
  ): void {
    this.tracked.delete(keyOf(conversion));
    const stage = (conversion.status as { stage?: string } | undefined)?.stage;
    this.write(conversion, {
      phase,
      ...(stage && { stage }),
      message,
      startTime: tracked.startTime,
      completionTime: this.stamp(now),
      ...(tracked.pod && { pod: { namespace: tracked.pod.namespace, name: tracked.pod.name } }),
      conditions: [condition],
    });
    this.record(conversion, conversion.spec as ConversionSpec, { phase, pod: tracked.pod?.name, endedAt: now });
  }

  /** The virt-v2v error a user would read in the pod's log, as a Warning Event on the pod (a sandbox liberty). */
  private podEvent(pod: SimulatedPod, message: string, at: number): void {
    const time = this.stamp(at);
    this.options.store.create(EVENTS, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${pod.name}.virt-v2v`, namespace: pod.namespace },
      involvedObject: { apiVersion: 'v1', kind: 'Pod', name: pod.name, namespace: pod.namespace },
      reason: 'Failed',
      message,
      type: 'Warning',
      source: { component: 'virt-v2v' },
      firstTimestamp: time,
      lastTimestamp: time,
      count: 1,
    });
  }

  private write(conversion: KubeObject, status: Record<string, unknown>): void {
    const current = this.options.store.get(CONVERSIONS, conversion.metadata.namespace, conversion.metadata.name ?? '');
    if (!current) return;
    const generation = (current.metadata as { generation?: number }).generation;
    const next = { ...status, ...(generation !== undefined && { observedGeneration: generation }) };
    if (JSON.stringify(withoutTimes(current.status)) === JSON.stringify(withoutTimes(next))) return;
    this.options.store.updateStatus(CONVERSIONS, conversion.metadata.namespace, conversion.metadata.name ?? '', next);
  }

  private record(
    conversion: KubeObject,
    spec: ConversionSpec | undefined,
    update: { phase: string; pod?: string; endedAt?: number },
  ): void {
    const key = keyOf(conversion);
    const before = this.records.get(key);
    this.records.set(key, {
      conversion: key,
      vm: spec?.vm?.name ?? spec?.vm?.id ?? '',
      phase: update.phase,
      ...(update.pod && { pod: update.pod }),
      startedAt: before?.startedAt ?? this.options.clock(),
      ...(update.endedAt !== undefined && { endedAt: update.endedAt }),
    });
  }

  private stamp(seconds: number): string {
    return this.options.timestamp(seconds);
  }
}

const STAGE_MESSAGES = {
  CreatingPod: 'Creating the conversion pod.',
  PodRunning: 'Conversion pod is running.',
  Finished: 'Finalizing conversion.',
} as const;

/** validation.go: the blockers, each a True Critical condition (reason NotSet / NotValid). */
function validate(spec: ConversionSpec, now: string): Condition[] {
  const out: Condition[] = [];
  const blocker = (type: string, reason: string, message: string) =>
    out.push({ type, status: 'True', reason, category: 'Critical', message, lastTransitionTime: now });
  const types = ['DeepInspection', 'Inspection', 'InPlace', 'Remote'];
  if (!types.includes(spec.type ?? '')) {
    blocker('TypeNotValid', 'NotValid', 'The `Type` must be one of: DeepInspection, Inspection, InPlace, Remote.');
  }
  if (!spec.targetNamespace) blocker('TargetNamespaceNotSet', 'NotSet', 'The `targetNamespace` field is required.');
  if (!spec.vm?.id && !spec.vm?.name) blocker('VMNotSet', 'NotSet', 'The `VM` reference is not set.');
  if ((spec.type === 'InPlace' || spec.type === 'Remote') && (spec.disks ?? []).length === 0) {
    blocker('DisksNotSet', 'NotSet', 'The `Disks` field is required for this conversion type.');
  }
  if (!spec.connection?.secret?.name) blocker('ConnectionNotSet', 'NotSet', 'The `Connection.Secret` is required.');
  return out;
}

function keyOf(object: KubeObject): string {
  return `${object.metadata.namespace ?? ''}/${object.metadata.name ?? ''}`;
}

/** The pod name's random part (names.SimpleNameGenerator: 5 characters), from the Conversion's uid. */
function suffix(uid: string): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let hash = 0;
  for (const c of uid) hash = (hash * 31 + c.charCodeAt(0)) >>> 0;
  return Array.from({ length: 5 }, (_, i) => alphabet[(hash >>> (i * 5)) % alphabet.length]).join('');
}

/** time.Duration.String of whole seconds (elapsed.Truncate(time.Second)): `5m0s`, `1h2m3s`. */
export function goDuration(seconds: number): string {
  const whole = Math.floor(seconds);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

const SUFFIXES: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

/** A Kubernetes quantity (`42949672960`, `40Gi`, `1.5G`) in bytes; 0 when it is not one. */
export function parseQuantity(text: string): number {
  const match = /^([0-9.]+)([KMGTPE]i|[kMGTPE])?$/.exec(text.trim());
  if (!match) return 0;
  return Number(match[1]) * (match[2] ? (SUFFIXES[match[2]] ?? 1) : 1);
}

/** A status without its times, to skip writes that change nothing but the clock. */
function withoutTimes(status: unknown): unknown {
  if (!status || typeof status !== 'object') return status;
  const { conditions, ...rest } = status as { conditions?: { lastTransitionTime?: string }[] };
  return {
    ...rest,
    conditions: (conditions ?? []).map(({ lastTransitionTime: _, ...condition }) => condition),
  };
}
