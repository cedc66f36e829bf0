import { DEFAULT_CHANGE_RATE_PERCENT_PER_HOUR, deltaBytes, INSTANT_SECONDS, maxMinRates } from '@kubectl-mtv/engine';
import type { ClusterStore, KubeObject, StoreEvent } from '../cluster-store.js';
import type { VcenterModel } from '../vcenter/vcenter-model.js';
import {
  CHECKPOINT_ANNOTATIONS,
  type CheckpointArgs,
  checkpointArgs,
  nextCheckpoint,
  podSucceeded,
  pointAt,
} from './checkpoints.js';
import {
  carryConditionTimes,
  type DataVolumeCondition,
  type DataVolumePhase,
  dataVolumeStatus,
  type ImportState,
} from './dv-status.js';
import { annotatePod, recordPaused, type StagePod, stagePod } from './multistage.js';
import { missingNetwork } from './pod-networks.js';
import { checkpointError } from './vddk-checkpoint.js';
import { CANNOT_CONNECT, endpointError, type VddkEndpoints, VM_NOT_FOUND } from './vddk-endpoints.js';

export const DATAVOLUMES = 'datavolumes.cdi.kubevirt.io';
export const PVCS = 'persistentvolumeclaims';
/** DataVolumes annotated so (by kubectl-mtv, when it gives up on a transfer) no longer count as in flight. */
export const STUCK_ANNOTATION = 'kubectl-mtv/stuck';

/** Where a DataVolume's bytes come from: the inventory disk its vddk backingFile names, as the sandbox resolves it. */
export interface DiskSource {
  /** Index into `hostBandwidth`. */
  host: number;
  /** Host name, for stats. */
  hostName: string;
  /** Bytes to copy. */
  bytes: number;
  /** Bytes/s one importer reaches. */
  rate: number;
  /** `VM/INDEX`, the name `--fail-disk` uses. */
  label: string;
  /**
   * The VM in vCenter: its MoRef value and the uuids the importer looks it up by (absent: a disk the inventory does not
   * know).
   */
  vm?: { id: string; uuid: string; instanceUuid: string };
  /** The disk's device key in its VM, which QueryChangedDiskAreas names (with `vm`). */
  deviceKey?: number;
  /** Percent of the disk per hour the VM's guest changes: the size of a multi-stage import's deltas (the engine's change-rate.ts). */
  changeRate?: number;
}

export interface ImporterOptions {
  store: ClusterStore;
  /** Resolves a new DataVolume to its disk; undefined when the vddk source names no known disk. */
  resolve(dv: KubeObject): DiskSource | undefined;
  /** Bytes/s per host (Infinity when uncapped) and for all transfers together. */
  hostBandwidth: number[];
  networkBandwidth: number;
  /** Disks (`VM/INDEX`) whose importer crash-loops. */
  failDisks?: ReadonlySet<string>;
  /** Whether this CDI's importer finds a VM by its instance uuid, or by BIOS uuid only (cdi-version.ts). */
  findsInstanceUuid?: boolean;
  /**
   * The servers a vddk source may name for a known disk (vddk-endpoints.ts): vCenter, or the disk's own ESXi host;
   * elsewhere, or with another thumbprint, the importer crash-loops. Absent: any url and thumbprint do.
   */
  endpoints?: VddkEndpoints;
  /** Disks (`VM/INDEX`) whose importer stops progressing half way: no error, no restart, ImportInProgress forever. */
  stallDisks?: ReadonlySet<string>;
  /** Wall time for the `at` of status updates, from simulated seconds. */
  timestamp(seconds: number): string;
  /** Simulated seconds between two progress updates of one DataVolume (CDI: about 2 s). */
  progressEverySeconds?: number;
  /** The simulated clock, when time runs by itself: an import starts at the clock's time, not the last advance. */
  clock?: () => number;
  /**
   * The sandbox's vCenter, on the same clock: each stage of a multi-stage import looks its checkpoint up there when its
   * container starts, and crash-loops when vCenter does not have it (vddk-checkpoint.ts). Absent: any checkpoint copies.
   */
  vcenter?: VcenterModel;
}

/** Counters `GET /sandbox/v1/stats` reports; times are simulated seconds. */
export interface ImportStats {
  /** Importer pods whose container ran: one per DataVolume, or per checkpoint of a multi-stage import. */
  started: number;
  /** DataVolumes Succeeded (a multi-stage import once, after its final checkpoint). */
  succeeded: number;
  current: number;
  peak: number;
  peakByHost: Record<string, number>;
  firstStartSeconds: number | null;
  lastEndSeconds: number | null;
}

/** The counters before any import started. */
export function noImports(): ImportStats {
  return {
    started: 0,
    succeeded: 0,
    current: 0,
    peak: 0,
    peakByHost: {},
    firstStartSeconds: null,
    lastEndSeconds: null,
  };
}

interface Import {
  key: string;
  namespace: string;
  name: string;
  source: DiskSource;
  state: ImportState;
  /** Bytes this stage copies: the whole disk, or a delta for a later stage of a multi-stage import. */
  bytes: number;
  remaining: number;
  lastPublished: number;
  /** Restarts of the current importer pod (the DataVolume shows the most any of its pods had, as CDI does). */
  podRestarts: number;
  /** A multi-stage import: the pod of the stage now running (or last finished), and when that stage finished. */
  stage?: StagePod;
  stageEnd?: number;
  /** Pods made so far for this DataVolume (a multi-stage import makes one per checkpoint). */
  pods: number;
  /** Crash-looping importers: when the container restarts next, and the back-off after that. */
  nextRestart?: number;
  /** Importers whose container cannot be created: when the kubelet tries again. */
  nextStart?: number;
  /** The DataVolume its importer pod was made from: Multus attaches the pod to the networks it names. */
  dv: KubeObject;
  /**
   * The vddk Secret the importer needs, and the error its container exits with once it runs (crash-looping), as known
   * when the pod is made; a stage's checkpoint is looked up only as the container runs (exitError).
   */
  secretRef?: string;
  failing?: string;
  /** The status last written, without its times: an unchanged status is not written again. */
  lastWritten?: string;
  backoff?: number;
  stuck: boolean;
}

const FIRST_BACKOFF_SECONDS = 10;
/**
 * How often a pod or container that could not be created is tried again. The kubelet retries at its next pod sync (a pod
 * worker requeues a failed sync after a short back-off, and resyncs every --sync-frequency, 1 min): 10 s here.
 */
const CONFIG_RETRY_SECONDS = 10;
const MAX_BACKOFF_SECONDS = 300;

/**
 * The simulated CDI importer: every DataVolume created in the store gets a PVC of the same name (owned by it), goes
 * through CDI's phases, and copies its disk under the engine's bandwidth model, so that the sandbox and `simulate`
 * agree. A failing importer restarts with back-off forever and never turns its DataVolume Failed (CDI's behaviour).
 * Time moves only through `advanceTo` (simulated seconds), exactly: finishes between two calls happen at their own
 * instants.
 */
export class Importer {
  private readonly imports = new Map<string, Import>();
  private now = 0;
  private readonly unsubscribe: () => void;
  private readonly stats: ImportStats = noImports();
  private readonly liveByHost = new Map<string, number>();

  constructor(private readonly options: ImporterOptions) {
    // React after the write that told us has been delivered to every watcher, so events keep resourceVersion order.
    this.unsubscribe = options.store.subscribe((event) => queueMicrotask(() => this.react(event)));
  }

  stop(): void {
    this.unsubscribe();
  }

  /** Simulated seconds the importer has reached. */
  get seconds(): number {
    return this.now;
  }

  snapshot(): ImportStats {
    return { ...this.stats, peakByHost: { ...this.stats.peakByHost } };
  }

  /** A failure to act on one DataVolume (its PVC's name taken, its namespace going away) must not stop the rest. */
  private react(event: StoreEvent): void {
    try {
      this.onEvent(event);
    } catch {
      // CDI leaves such a DataVolume Pending; so does the sandbox: nothing more is published for it.
    }
  }

  private onEvent(event: StoreEvent): void {
    if (event.resource !== DATAVOLUMES) return;
    if (this.options.clock) this.advanceTo(this.options.clock());
    const { namespace = '', name = '' } = event.object.metadata;
    const key = `${namespace}/${name}`;
    if (event.type === 'ADDED' && !this.imports.has(key)) this.begin(event.object, key);
    else if (event.type === 'DELETED') this.forget(key);
    else if (event.type === 'MODIFIED') {
      this.markStuck(key, event.object);
      this.resumeIfPaused(key);
    }
  }

  private begin(dv: KubeObject, key: string): void {
    const source = this.options.resolve(dv);
    if (!source) return;
    const { namespace = '', name = '' } = dv.metadata;
    const imp: Import = {
      key,
      namespace,
      name,
      source,
      state: { phase: '', fraction: 0, restartCount: 0, claimName: name },
      bytes: source.bytes,
      remaining: source.bytes,
      lastPublished: this.now,
      podRestarts: 0,
      pods: 0,
      dv,
      stuck: false,
    };
    this.imports.set(key, imp);
    const args = checkpointArgs(dv);
    this.createClaim(dv, source, args);
    // Pre-import phases take no simulated time, but each is published.
    for (const phase of ['Pending', 'PVCBound', 'ImportScheduled'] as DataVolumePhase[]) {
      imp.state.phase = phase;
      this.publish(imp);
    }
    this.count(imp, +1);
    const first = args && nextCheckpoint({}, args);
    if (first) this.makeStagePod(imp, first.previous, first.current);
    this.launch(imp, dv);
  }

  /** The importer pod's container is tried: blocked (Pending), crash-looping or copying. */
  private launch(imp: Import, dv: KubeObject): void {
    const { source } = imp;
    imp.secretRef = (dv.spec as { source?: { vddk?: { secretRef?: string } } } | undefined)?.source?.vddk?.secretRef;
    imp.failing = this.options.failDisks?.has(source.label)
      ? `${CANNOT_CONNECT}importer of ${source.label} fails`
      : (this.endpointError(source, dv) ?? this.vmLookupError(source, dv));
    const blocked = this.podBlocked(imp);
    if (blocked) {
      // the kubelet cannot make the pod or the container: it stays Pending, no restart counts, no progress
      imp.state.blocked = blocked;
      imp.nextStart = this.now + CONFIG_RETRY_SECONDS;
      this.publish(imp);
      return;
    }
    this.start(imp);
  }

  /** The importer's container runs: ImportInProgress, copying (or crash-looping when --fail-disk names it). */
  private start(imp: Import): void {
    imp.state.blocked = undefined;
    imp.nextStart = undefined;
    imp.state.phase = 'ImportInProgress';
    this.publish(imp);
    this.stats.started++;
    this.stats.firstStartSeconds ??= this.now;
    const error = this.exitError(imp);
    if (error) {
      imp.state.error = error;
      imp.nextRestart = this.now + FIRST_BACKOFF_SECONDS;
      imp.backoff = FIRST_BACKOFF_SECONDS;
      this.publish(imp);
    }
    if (imp.remaining <= 0 && !imp.state.error) this.succeed(imp);
  }

  /**
   * Why the importer's container exits as it runs: what was found when its pod was made (--fail-disk, endpoint, VM
   * lookup), else the stage's checkpoint as vCenter has it now (a restarted container looks it up again).
   */
  private exitError(imp: Import): string | undefined {
    if (imp.failing) return imp.failing;
    const { vcenter } = this.options;
    const { vm, deviceKey } = imp.source;
    if (!vcenter || !imp.stage || vm === undefined || deviceKey === undefined) return undefined;
    return checkpointError(vcenter, { vmId: vm.id, deviceKey }, imp.stage);
  }

  /** Why the importer cannot log in where the vddk source says (vddk-endpoints.ts); a disk the sandbox knows only. */
  private endpointError(source: DiskSource, dv: KubeObject): string | undefined {
    const vddk = (dv.spec as { source?: { vddk?: { url?: string; thumbprint?: string } } } | undefined)?.source?.vddk;
    if (this.options.endpoints === undefined || source.vm === undefined) return undefined;
    return endpointError(this.options.endpoints, source.hostName, vddk?.url ?? '', vddk?.thumbprint ?? '');
  }

  /**
   * Why the importer cannot find the disk's VM in vCenter by the vddk uuid: CDI's FindVM
   * (pkg/importer/vddk-datasource_amd64.go) searches instance uuids, then BIOS uuids, from v1.66.0 (commit 226a35037);
   * before, BIOS uuids only. It fails with "unable to locate VM in any datacenter", and the importer exits.
   */
  private vmLookupError(source: DiskSource, dv: KubeObject): string | undefined {
    const uuid = (dv.spec as { source?: { vddk?: { uuid?: string } } } | undefined)?.source?.vddk?.uuid;
    if (source.vm === undefined || uuid === undefined) return undefined;
    if (uuid === source.vm.uuid) return undefined;
    if (uuid === source.vm.instanceUuid && this.options.findsInstanceUuid) return undefined;
    return `${CANNOT_CONNECT}${VM_NOT_FOUND}`;
  }

  /**
   * Why the importer's pod cannot start yet, as CDI shows it: first its sandbox, which Multus must attach to the
   * networks the DataVolume names (pod-networks.ts: the containers wait, PodInitializing, no message), then its
   * container (containerConfigError).
   */
  private podBlocked(imp: Import): { reason: string; message: string } | undefined {
    if (missingNetwork(imp.dv, this.options.store) !== undefined) return { reason: 'PodInitializing', message: '' };
    const config = this.containerConfigError(imp);
    return config === undefined ? undefined : { reason: 'CreateContainerConfigError', message: config };
  }

  /**
   * Why the kubelet cannot create the importer's container, as it words it: CDI's importer pod reads accessKeyId and
   * secretKey through secretKeyRef without `optional` (CDI pkg/controller/import-controller.go makeImporterPodSpec,
   * createImporterPod), so a missing Secret or key is a CreateContainerConfigError (kubernetes
   * pkg/kubelet/kubelet_pods.go makeEnvironmentVariables: "couldn't find key %v in Secret %v/%v"; the secret
   * manager's NotFound: `secret "NAME" not found`).
   */
  private containerConfigError(imp: Import): string | undefined {
    if (imp.secretRef === undefined || imp.secretRef === '') return undefined;
    const secret = this.options.store.get('secrets', imp.namespace, imp.secretRef) as
      | { data?: Record<string, string>; stringData?: Record<string, string> }
      | undefined;
    if (!secret) return `secret "${imp.secretRef}" not found`;
    for (const key of ['accessKeyId', 'secretKey']) {
      if (secret.data?.[key] === undefined && secret.stringData?.[key] === undefined)
        return `couldn't find key ${key} in Secret ${imp.namespace}/${imp.secretRef}`;
    }
    return undefined;
  }

  private createClaim(dv: KubeObject, source: DiskSource, args: CheckpointArgs | undefined): void {
    const first = args && nextCheckpoint({}, args);
    const spec = (dv.spec ?? {}) as { storage?: Record<string, unknown> };
    const storage = spec.storage ?? {};
    const request = (storage.resources as { requests?: { storage?: string } } | undefined)?.requests?.storage;
    this.options.store.create(PVCS, {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        name: dv.metadata.name,
        namespace: dv.metadata.namespace,
        // CDI pkg/controller/datavolume/controller-base.go newPersistentVolumeClaim: its own label, then every label
        // and annotation of the DataVolume, and the DataVolume's uid (cdi.kubevirt.io/createdForDataVolume)
        labels: { app: 'containerized-data-importer', ...dv.metadata.labels },
        annotations: {
          ...dv.metadata.annotations,
          'cdi.kubevirt.io/storage.pod.restarts': '0',
          'cdi.kubevirt.io/storage.contentType': 'kubevirt',
          'cdi.kubevirt.io/createdForDataVolume': dv.metadata.uid ?? '',
          // CDI datavolume/import-controller.go updateAnnotations: the first checkpoint, on the new PVC
          ...(first && pointAt(first)),
        },
        ownerReferences: [
          {
            apiVersion: 'cdi.kubevirt.io/v1beta1',
            kind: 'DataVolume',
            name: dv.metadata.name ?? '',
            uid: dv.metadata.uid ?? '',
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: {
        accessModes: (storage.accessModes as string[] | undefined) ?? ['ReadWriteOnce'],
        resources: { requests: { storage: request ?? String(source.bytes) } },
        ...(storage.storageClassName !== undefined && { storageClassName: storage.storageClassName }),
        volumeMode: (storage.volumeMode as string | undefined) ?? 'Filesystem',
      },
      status: {
        phase: 'Bound',
        accessModes: ['ReadWriteOnce'],
        capacity: { storage: request ?? String(source.bytes) },
      },
    });
  }

  private forget(key: string): void {
    const imp = this.imports.get(key);
    if (!imp) return;
    if (this.isLive(imp)) this.count(imp, -1);
    this.imports.delete(key);
  }

  private markStuck(key: string, dv: KubeObject): void {
    const imp = this.imports.get(key);
    const stuck = dv.metadata.annotations?.[STUCK_ANNOTATION] !== undefined;
    if (!imp || stuck === imp.stuck) return;
    const wasLive = this.isLive(imp);
    imp.stuck = stuck;
    if (wasLive !== this.isLive(imp)) this.count(imp, this.isLive(imp) ? +1 : -1);
  }

  private isLive(imp: Import): boolean {
    return !imp.stuck && this.copying(imp);
  }

  /** Not yet Succeeded nor Failed, and not Paused between two stages: an importer pod works on it. */
  private copying(imp: Import): boolean {
    return imp.state.phase !== 'Succeeded' && imp.state.phase !== 'Failed' && imp.state.phase !== 'Paused';
  }

  /** Adds `delta` to the DataVolumes in flight, overall and on the import's host, and keeps the peaks. */
  private count(imp: Import, delta: number): void {
    const host = imp.source.hostName;
    this.stats.current += delta;
    this.stats.peak = Math.max(this.stats.peak, this.stats.current);
    const onHost = (this.liveByHost.get(host) ?? 0) + delta;
    this.liveByHost.set(host, onHost);
    this.stats.peakByHost[host] = Math.max(this.stats.peakByHost[host] ?? 0, onHost);
  }

  /** Moves simulated time to `target`, finishing transfers and restarting failed importers at their own instants. */
  advanceTo(target: number): void {
    while (this.now < target) {
      // The stuck annotation is kubectl-mtv's bookkeeping: CDI ignores it, the copy goes on.
      const moving = [...this.imports.values()].filter(
        (i) => i.state.phase === 'ImportInProgress' && !i.state.error && i.remaining > this.stallPoint(i),
      );
      const rates = maxMinRates(
        moving.map((i) => ({ host: i.source.host, rate: i.source.rate })),
        this.options.hostBandwidth,
        this.options.networkBandwidth,
      );
      let next = target;
      moving.forEach((imp, k) => {
        next = Math.min(next, this.now + (imp.remaining - this.stallPoint(imp)) / rates[k]);
      });
      for (const imp of this.imports.values()) {
        if (imp.nextRestart !== undefined) next = Math.min(next, imp.nextRestart);
        if (imp.nextStart !== undefined) next = Math.min(next, imp.nextStart);
      }
      const dt = next - this.now;
      this.now = next;
      moving.forEach((imp, k) => {
        imp.remaining -= rates[k] * dt;
        const stallPoint = this.stallPoint(imp);
        if (stallPoint > 0 && (imp.remaining - stallPoint) / rates[k] <= INSTANT_SECONDS) {
          imp.remaining = stallPoint;
          imp.state.fraction = 1 - imp.remaining / imp.bytes;
          this.publish(imp);
          return;
        }
        imp.state.fraction = 1 - imp.remaining / imp.bytes;
        if (imp.remaining / rates[k] <= INSTANT_SECONDS) this.succeed(imp);
        else if (this.now - imp.lastPublished >= (this.options.progressEverySeconds ?? 2)) this.publish(imp);
      });
      for (const imp of this.imports.values()) {
        this.restartIfDue(imp);
        this.startIfDue(imp);
      }
    }
  }

  /** Bytes left where a stalling importer stops moving (half its disk, or of a stage's delta); 0 for the others. */
  private stallPoint(imp: Import): number {
    return this.options.stallDisks?.has(imp.source.label) ? imp.bytes / 2 : 0;
  }

  private restartIfDue(imp: Import): void {
    if (imp.nextRestart === undefined || imp.nextRestart > this.now || !this.copying(imp)) return;
    imp.podRestarts++;
    // CDI pkg/controller/util.go setAnnotationsFromPodWithPrefix: the PVC's restart count only grows, so a new
    // stage's pod shows the earlier pods' restarts until it has more of its own
    imp.state.restartCount = Math.max(imp.state.restartCount, imp.podRestarts);
    // the restarted container runs the importer from the start: what it could not find then it may find now
    const error = this.exitError(imp);
    if (!error) {
      imp.state.error = undefined;
      imp.nextRestart = undefined;
      imp.backoff = undefined;
      this.publish(imp);
      return;
    }
    imp.state.error = error;
    imp.backoff = Math.min(MAX_BACKOFF_SECONDS, (imp.backoff ?? FIRST_BACKOFF_SECONDS) * 2);
    imp.nextRestart = this.now + imp.backoff;
    this.publish(imp);
  }

  /**
   * A pod or container the kubelet could not create is tried again: it starts once its networks, Secret and keys are
   * there.
   */
  private startIfDue(imp: Import): void {
    if (imp.nextStart === undefined || imp.nextStart > this.now) return;
    const blocked = this.podBlocked(imp);
    if (!blocked) {
      this.start(imp);
      return;
    }
    imp.state.blocked = blocked;
    imp.nextStart = this.now + CONFIG_RETRY_SECONDS;
    this.publish(imp);
  }

  private succeed(imp: Import): void {
    imp.remaining = 0;
    imp.state.fraction = 1;
    if (this.isLive(imp)) this.count(imp, -1);
    if (imp.stage) {
      this.stageSucceeded(imp);
      return;
    }
    this.completed(imp);
  }

  /**
   * A stage's importer pod exists: its name and UID go on the PVC (the sandbox makes no Pod object; the PVC's
   * annotations are where a client sees it).
   */
  private makeStagePod(imp: Import, previous: string, current: string): void {
    imp.pods++;
    imp.stage = stagePod(imp.dv.metadata.uid ?? '', imp.state.claimName, previous, current, imp.pods);
    imp.podRestarts = 0;
    annotatePod(this.options.store, imp.namespace, imp.state.claimName, imp.stage);
  }

  /** A stage's pod succeeded: CDI's DataVolume controller reconciles, Paused (datavolume/import-controller.go). */
  private stageSucceeded(imp: Import): void {
    imp.state.phase = 'Paused';
    imp.stageEnd = this.now;
    this.reconcileSucceededPod(imp);
  }

  /** A Paused multi-stage DataVolume changed (a checkpoint appended, finalCheckpoint set): CDI reconciles it again. */
  private resumeIfPaused(key: string): void {
    const imp = this.imports.get(key);
    if (imp?.stage && imp.state.phase === 'Paused') this.reconcileSucceededPod(imp);
  }

  /**
   * CDI datavolume/import-controller.go updateStatusPhase with the pod Succeeded and the import in progress:
   * UpdatesMultistageImportSucceeded (checkpoints.ts podSucceeded) writes the PVC and the DataVolume is Paused, with
   * an ImportPaused event. Every PVC update makes CDI reconcile again, so this repeats until nothing changes: a next
   * checkpoint gets a new pod; the final one, once marked copied, is cleaned up (still Paused) and the reconcile
   * after that finds no import in progress: Succeeded. The spec read is the stored DataVolume's, so a checkpoint
   * appended while the stage copied is picked up only now.
   */
  private reconcileSucceededPod(imp: Import): void {
    const { store } = this.options;
    for (;;) {
      const dv = store.get(DATAVOLUMES, imp.namespace, imp.name);
      const claim = store.get(PVCS, imp.namespace, imp.state.claimName);
      const args = dv && checkpointArgs(dv);
      if (!dv || !claim || !args) return;
      const annotations = claim.metadata.annotations ?? {};
      const outcome = podSucceeded(annotations, args);
      const changed = Object.keys(outcome.patch).length > 0;
      if (changed) store.patchMetadata(PVCS, imp.namespace, imp.state.claimName, { annotations: outcome.patch });
      this.publish(imp);
      if (changed || outcome.done) {
        const current = annotations[CHECKPOINT_ANNOTATIONS.current] ?? '';
        const meta = { namespace: imp.namespace, name: imp.name, uid: dv.metadata.uid ?? '' };
        recordPaused(store, meta, imp.state.claimName, current, this.options.timestamp(this.now));
      }
      if (outcome.done) {
        this.completed(imp);
        return;
      }
      if (outcome.nextPod) {
        const after = store.get(PVCS, imp.namespace, imp.state.claimName)?.metadata.annotations ?? {};
        this.nextStage(imp, after[CHECKPOINT_ANNOTATIONS.previous] ?? '', after[CHECKPOINT_ANNOTATIONS.current] ?? '');
        return;
      }
      if (!changed) return;
    }
  }

  /**
   * The PVC controller makes the next checkpoint's pod: ImportScheduled, then copying a delta (the engine's change-rate.ts: the
   * guest's writes since the previous stage finished) or, for a checkpoint without a previous one, the whole disk.
   */
  private nextStage(imp: Import, previous: string, current: string): void {
    const since = this.now - (imp.stageEnd ?? this.now);
    const rate = imp.source.changeRate ?? DEFAULT_CHANGE_RATE_PERCENT_PER_HOUR;
    imp.bytes = previous === '' ? imp.source.bytes : deltaBytes(imp.source.bytes, rate, since);
    imp.remaining = imp.bytes;
    imp.state.fraction = 0;
    imp.state.error = undefined;
    imp.nextRestart = undefined;
    imp.backoff = undefined;
    imp.state.phase = 'ImportScheduled';
    if (this.isLive(imp)) this.count(imp, +1);
    this.publish(imp);
    this.makeStagePod(imp, previous, current);
    this.launch(imp, this.options.store.get(DATAVOLUMES, imp.namespace, imp.name) ?? imp.dv);
  }

  private completed(imp: Import): void {
    imp.state.phase = 'Succeeded';
    this.stats.succeeded++;
    this.stats.lastEndSeconds = this.now;
    this.publish(imp);
  }

  private publish(imp: Import): void {
    imp.lastPublished = this.now;
    const status = dataVolumeStatus(imp.state, this.options.timestamp(this.now));
    const unchanged = JSON.stringify({
      ...status,
      conditions: status.conditions.map(({ type, status: s, reason, message }) => [type, s, reason, message]),
    });
    if (unchanged === imp.lastWritten) return;
    imp.lastWritten = unchanged;
    const previous = this.options.store.get(DATAVOLUMES, imp.namespace, imp.name)?.status as
      | { conditions?: DataVolumeCondition[] }
      | undefined;
    status.conditions = carryConditionTimes(previous?.conditions, status.conditions);
    try {
      this.options.store.updateStatus(DATAVOLUMES, imp.namespace, imp.name, status);
    } catch {
      // The DataVolume was deleted under us; its DELETED event forgets the import.
    }
  }
}
