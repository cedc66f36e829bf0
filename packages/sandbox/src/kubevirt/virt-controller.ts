/**
 * The simulated virt-controller: KubeVirt's VM controller (kubevirt/kubevirt d923fdb815,
 * pkg/virt-controller/watch/vm/vm.go) together with what its VMI controller and the kubelet would report
 * (pkg/virt-controller/watch/vmi), acting on the VirtualMachines of one cluster's store:
 * - it holds each VM with its finalizer (vm.go addVMFinalizer) and lets it go once it is deleted
 *   (removeVMFinalizer), which hands its PVCs to the garbage collector;
 * - a VM set to start (runStrategy Always) gets a VMI at once (startVMI); the VMI waits while a PVC of its volumes is
 *   missing (ErrorPvcNotFound) or unbound (WaitingForVolumeBinding), then its guest runs `startSeconds` later
 *   (Starting, then Running, Ready True);
 * - a VM named in `failure` never gets there: ErrorUnschedulable (its pod stays Pending: PodScheduled False
 *   Unschedulable), or CrashLoopBackOff (the launcher dies before the guest runs: the VMI fails, is deleted, and
 *   is made again after KubeVirt's start back-off, forever);
 * - Halted (and Manual) stay Stopped.
 * The VMIs live inside the simulator: the sandbox serves no VirtualMachineInstance resource. Time moves only
 * through `advanceTo` (simulated seconds); events between two calls happen at their own instants.
 */
import { randomUUID } from 'node:crypto';
import type { ClusterStore, KubeObject, StoreEvent } from '../cluster-store.js';
import {
  carryVmConditionTimes,
  isSetToStart,
  runStrategyOf,
  startBackoffSeconds,
  UNSCHEDULABLE_MESSAGE,
  type VmCondition,
  type VmFailure,
  type VmiPhase,
  type VmState,
  virtualMachineStatus,
} from './vm-status.js';

export const VIRTUALMACHINES = 'virtualmachines.kubevirt.io';
const PVCS = 'persistentvolumeclaims';
/** virtv1.VirtualMachineControllerFinalizer. */
export const VM_CONTROLLER_FINALIZER = 'kubevirt.io/virtualMachineControllerFinalize';
/** Simulated seconds from a VMI whose volumes are ready to its guest running, unless told otherwise. */
export const DEFAULT_VM_START_SECONDS = 10;

export interface VirtControllerOptions {
  store: ClusterStore;
  /** Wall time (RFC 3339) for condition times and retryAfterTimestamp, from simulated seconds. */
  timestamp(seconds: number): string;
  /** Simulated seconds from a VMI whose PVCs all exist and are Bound to Running (default 10). */
  startSeconds?: number;
  /** How a VM fails to start, if it does (a test's fault); undefined: it starts. */
  failure?: (vm: KubeObject) => VmFailure | undefined;
  /** The simulated clock, when time runs by itself: an event is handled at the clock's time. */
  clock?: () => number;
}

interface Vmi {
  uid: string;
  phase: VmiPhase;
  generation: number;
  /** When its volumes were all ready and its pod was made: the guest runs `startSeconds` later. */
  scheduledAt?: number;
  unschedulable?: string;
}

interface TrackedVm {
  namespace: string;
  name: string;
  vmi?: Vmi;
  startFailure?: { count: number; lastFailedVmiUid: string; retryAt: number };
  /** The status last written, without its times: an unchanged status is not written again. */
  lastWritten?: string;
}

type Loose = Record<string, unknown>;

export class VirtController {
  private readonly vms = new Map<string, TrackedVm>();
  private now = 0;
  private readonly unsubscribe: () => void;
  private readonly startSeconds: number;

  constructor(private readonly options: VirtControllerOptions) {
    const startSeconds = options.startSeconds ?? DEFAULT_VM_START_SECONDS;
    if (!(startSeconds >= 0 && Number.isFinite(startSeconds))) {
      throw new RangeError(`VirtController: startSeconds must be a finite number >= 0, got ${startSeconds}`);
    }
    this.startSeconds = startSeconds;
    // React after the write that told us has been delivered to every watcher, so events keep resourceVersion order.
    this.unsubscribe = options.store.subscribe((event) => queueMicrotask(() => this.react(event)));
    for (const vm of options.store.list(VIRTUALMACHINES)) this.sync(vm);
  }

  stop(): void {
    this.unsubscribe();
  }

  /** Simulated seconds the controller has reached. */
  get seconds(): number {
    return this.now;
  }

  /** A failure to act on one VM (deleted under us, its namespace going away) must not stop the rest. */
  private react(event: StoreEvent): void {
    try {
      this.onEvent(event);
    } catch {
      // the next event or tick of that VM tries again, as a requeued key would
    }
  }

  private onEvent(event: StoreEvent): void {
    if (event.resource !== VIRTUALMACHINES && event.resource !== PVCS) return;
    if (this.options.clock) this.advanceTo(this.options.clock());
    const { namespace = '', name = '' } = event.object.metadata;
    if (event.resource === PVCS) {
      // the VM controller's PVC informer enqueues the VMs of the PVC's namespace
      for (const tracked of [...this.vms.values()]) {
        if (tracked.namespace === namespace) this.resync(tracked);
      }
      return;
    }
    if (event.type === 'DELETED') this.vms.delete(`${namespace}/${name}`);
    else this.resync(this.track(namespace, name));
  }

  private track(namespace: string, name: string): TrackedVm {
    const key = `${namespace}/${name}`;
    let tracked = this.vms.get(key);
    if (!tracked) {
      tracked = { namespace, name };
      this.vms.set(key, tracked);
    }
    return tracked;
  }

  private resync(tracked: TrackedVm): void {
    const vm = this.options.store.get(VIRTUALMACHINES, tracked.namespace, tracked.name);
    if (!vm) {
      this.vms.delete(`${tracked.namespace}/${tracked.name}`);
      return;
    }
    this.sync(vm);
  }

  /** Moves simulated time to `target`, starting guests, failing launchers and retrying starts at their own instants. */
  advanceTo(target: number): void {
    while (this.now < target) {
      let next = target;
      for (const tracked of this.vms.values()) next = Math.min(next, this.dueAt(tracked) ?? next);
      this.now = Math.max(this.now, next);
      for (const tracked of [...this.vms.values()]) {
        const due = this.dueAt(tracked);
        if (due !== undefined && due <= this.now) this.resync(tracked);
      }
    }
  }

  /** The next instant something happens to this VM without an event: its guest starts or fails, or a retry. */
  private dueAt(tracked: TrackedVm): number | undefined {
    const { vmi, startFailure } = tracked;
    if (vmi?.scheduledAt !== undefined && vmi.phase === 'Scheduling' && vmi.unschedulable === undefined)
      return vmi.scheduledAt + this.startSeconds;
    if (!vmi && startFailure) return startFailure.retryAt;
    return undefined;
  }

  /** vm.go sync then updateStatus, for one VM as stored now. */
  private sync(vm: KubeObject): void {
    const namespace = vm.metadata.namespace ?? '';
    const name = vm.metadata.name ?? '';
    const tracked = this.track(namespace, name);
    const finalizers = vm.metadata.finalizers ?? [];
    if (vm.metadata.deletionTimestamp) {
      // stopVMI, then the VM's status says Terminating until the VMI is gone and the finalizer is dropped
      tracked.vmi = undefined;
      this.writeStatus(vm, tracked);
      if (finalizers.includes(VM_CONTROLLER_FINALIZER)) {
        this.options.store.patchMetadata(VIRTUALMACHINES, namespace, name, {
          finalizers: finalizers.filter((finalizer) => finalizer !== VM_CONTROLLER_FINALIZER),
        });
      }
      return;
    }
    if (!finalizers.includes(VM_CONTROLLER_FINALIZER)) {
      // the MODIFIED event of this write syncs the VM again
      this.options.store.patchMetadata(VIRTUALMACHINES, namespace, name, {
        finalizers: [...finalizers, VM_CONTROLLER_FINALIZER],
      });
      return;
    }
    const volumes = this.claims(vm);
    const strategy = runStrategyOf(vm.spec as Loose | undefined);
    if (!isSetToStart(strategy)) {
      tracked.vmi = undefined;
      tracked.startFailure = undefined;
    } else {
      this.runVmi(vm, tracked, volumes);
    }
    this.writeStatus(vm, tracked);
  }

  /** The VMI of a VM set to start: made (after any start back-off), then scheduled, running, or failing. */
  private runVmi(vm: KubeObject, tracked: TrackedVm, volumes: ReturnType<VirtController['claims']>): void {
    if (!tracked.vmi) {
      if (tracked.startFailure && this.now < tracked.startFailure.retryAt) return;
      tracked.vmi = { uid: randomUUID(), phase: 'Pending', generation: Number(vm.metadata.generation ?? 1) };
    }
    const vmi = tracked.vmi;
    if (vmi.phase === 'Pending') {
      // vmi/datavolumes.go areDataVolumesReady: no virt-launcher pod while a PVC is missing or not populated/bound
      if (volumes.missing !== undefined || volumes.unbound) return;
      vmi.phase = 'Scheduling';
      vmi.scheduledAt = this.now;
      if (this.options.failure?.(vm) === 'ErrorUnschedulable') vmi.unschedulable = UNSCHEDULABLE_MESSAGE;
    }
    if (vmi.phase !== 'Scheduling' || vmi.unschedulable !== undefined) return;
    if (this.now < (vmi.scheduledAt ?? this.now) + this.startSeconds) return;
    if (this.options.failure?.(vm) === 'CrashLoopBackOff') {
      // vm.go syncStartFailureStatus: a VMI final without ever running counts a start failure; the controller
      // deletes it (Always restarts a final VMI: stopVMI) and makes the next one once the back-off has passed
      const count = (tracked.startFailure?.count ?? 0) + 1;
      tracked.startFailure = { count, lastFailedVmiUid: vmi.uid, retryAt: this.now + startBackoffSeconds(count) };
      tracked.vmi = undefined;
      return;
    }
    vmi.phase = 'Running';
    // shouldClearStartFailure: a VMI that reaches Running resets the count
    tracked.startFailure = undefined;
  }

  /** The PVCs the template's volumes name: the first missing one, and whether one is not Bound. */
  private claims(vm: KubeObject): { missing?: string; unbound: boolean } {
    const template = (vm.spec as Loose | undefined)?.template as Loose | undefined;
    const volumes = ((template?.spec as Loose | undefined)?.volumes as Loose[] | undefined) ?? [];
    let missing: string | undefined;
    let unbound = false;
    for (const volume of volumes) {
      const claimName = (volume?.persistentVolumeClaim as { claimName?: string } | undefined)?.claimName;
      if (!claimName) continue;
      const pvc = this.options.store.get(PVCS, vm.metadata.namespace, claimName);
      if (!pvc) missing ??= claimName;
      else if ((pvc.status as { phase?: string } | undefined)?.phase !== 'Bound') unbound = true;
    }
    return { missing, unbound };
  }

  private writeStatus(vm: KubeObject, tracked: TrackedVm): void {
    const stored = (vm.status ?? {}) as { runStrategy?: string; conditions?: VmCondition[] };
    const volumes = this.claims(vm);
    const state: VmState = {
      namespace: tracked.namespace,
      runStrategy: runStrategyOf(vm.spec as Loose | undefined),
      deleting: vm.metadata.deletionTimestamp !== undefined,
      generation: Number(vm.metadata.generation ?? 1),
      runStrategyRecorded: stored.runStrategy !== undefined,
      ...(tracked.vmi && {
        vmi: {
          uid: tracked.vmi.uid,
          phase: tracked.vmi.phase,
          generation: tracked.vmi.generation,
          ...(tracked.vmi.unschedulable !== undefined && { unschedulable: tracked.vmi.unschedulable }),
        },
      }),
      ...(volumes.missing !== undefined && { missingClaim: volumes.missing }),
      unboundClaim: volumes.unbound,
      ...(tracked.startFailure && {
        startFailure: {
          consecutiveFailCount: tracked.startFailure.count,
          lastFailedVMIUID: tracked.startFailure.lastFailedVmiUid,
          retryAfterTimestamp: this.options.timestamp(tracked.startFailure.retryAt),
        },
      }),
    };
    const status = virtualMachineStatus(state, this.options.timestamp(this.now));
    status.conditions = carryVmConditionTimes(stored.conditions, status.conditions);
    const unchanged = JSON.stringify({
      ...status,
      conditions: status.conditions.map(({ type, status: s, reason, message }) => [type, s, reason, message]),
    });
    const storedText = JSON.stringify({
      ...stored,
      conditions: stored.conditions?.map(({ type, status: s, reason, message }) => [type, s, reason, message]),
    });
    if (unchanged === tracked.lastWritten && unchanged === storedText) return;
    tracked.lastWritten = unchanged;
    this.options.store.updateStatus(VIRTUALMACHINES, tracked.namespace, tracked.name, status);
  }
}
