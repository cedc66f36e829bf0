/**
 * The typed operations on one plan's KubeVirt VirtualMachines in its target namespace, and on what moves to them from
 * the copy: find a VM again by the plan's labels (a re-run after kill -9 never makes a second one), create one, give a
 * VM its PVCs (their owner moves from the DataVolume to the VM, as Forklift's kubevirt.go EnsureVM does), release a
 * DataVolume once its PVC is the VM's (deleted with propagationPolicy Orphan, so the PVC and the disk in it stay), and
 * read what KubeVirt reports (vm-creation.md §5).
 */
import { DV_LABEL, dataVolumeSelector, labelValue, MANAGED_BY } from './datavolume-builder.js';
import type { KubeClient } from './kube-client.js';
import { KubeApiError } from './kube-errors.js';
import { inNamespace, RESOURCES, type ResourceRef } from './resource-types.js';
import type { ResourceWatch, WatchHandlers } from './resource-watch.js';

/** A VirtualMachine as a run reads it back. */
export interface VirtualMachineObject {
  metadata: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
  };
  spec?: { runStrategy?: string; running?: boolean };
  status?: {
    printableStatus?: string;
    ready?: boolean;
    created?: boolean;
    conditions?: { type?: string; status?: string; reason?: string; message?: string }[];
  };
}

interface ClaimObject {
  metadata: {
    name?: string;
    ownerReferences?: { apiVersion?: string; kind?: string; name?: string; uid?: string; controller?: boolean }[];
  };
}

/** The label selector of a plan's VMs (the keys its DataVolumes carry: none of them is a Forklift selector key). */
export function virtualMachineSelector(planUid: string, vmId?: string): string {
  const base = dataVolumeSelector(planUid);
  return vmId === undefined ? base : `${base},${DV_LABEL.vmId}=${labelValue(vmId)}`;
}

/** What KubeVirt says of a VM, for a run that waits for it (vm-creation.md §5, kubevirt vm.go printableStatus). */
export type VmReading =
  | { kind: 'waiting'; status: string }
  | { kind: 'ready'; status: string }
  | { kind: 'failed'; status: string; reason: string };

/**
 * printableStatus values that mean the VM will not come up by itself: its PVC is gone, its pod cannot be scheduled or
 * crash-loops, its image cannot be pulled (kubevirt types.go VirtualMachinePrintableStatus).
 */
const ERROR_STATUSES = new Set([
  'ErrorPvcNotFound',
  'DataVolumeError',
  'ErrorUnschedulable',
  'CrashLoopBackOff',
  'ErrImagePull',
  'ImagePullBackOff',
]);

/**
 * How far a VM got: `ready` when it is Running and Ready (runStrategy Always) or Stopped (Halted); `failed` when KubeVirt
 * reports an error status or a Failure condition; otherwise still `waiting` (Starting, WaitingForVolumeBinding, ...).
 */
export function readVirtualMachine(vm: VirtualMachineObject, runStrategy: 'Always' | 'Halted'): VmReading {
  const status = vm.status?.printableStatus ?? 'Stopped';
  const failure = vm.status?.conditions?.find((c) => c.type === 'Failure' && c.status === 'True');
  if (ERROR_STATUSES.has(status) || failure) {
    const ready = vm.status?.conditions?.find((c) => c.type === 'Ready');
    const detail = failure?.message || failure?.reason || ready?.message || ready?.reason;
    return { kind: 'failed', status, reason: detail ? `${status}: ${detail}` : status };
  }
  if (runStrategy === 'Halted') return status === 'Stopped' ? { kind: 'ready', status } : { kind: 'waiting', status };
  return status === 'Running' && vm.status?.ready === true ? { kind: 'ready', status } : { kind: 'waiting', status };
}

export class PlanVirtualMachines {
  readonly ref: ResourceRef;
  private readonly claims: ResourceRef;
  private readonly dataVolumes: ResourceRef;

  constructor(
    private readonly client: KubeClient,
    /** The plan's target namespace. */
    readonly namespace: string,
    private readonly planUid: string,
  ) {
    this.ref = inNamespace(RESOURCES.virtualMachines, namespace);
    this.claims = inNamespace(RESOURCES.persistentVolumeClaims, namespace);
    this.dataVolumes = inNamespace(RESOURCES.dataVolumes, namespace);
  }

  /** Every VM the plan made (one request). */
  list(): Promise<VirtualMachineObject[]> {
    return this.client.list<VirtualMachineObject>(this.ref, { labelSelector: virtualMachineSelector(this.planUid) });
  }

  /** A list and a long watch of the plan's VMs (not started). */
  watch(handlers: WatchHandlers<VirtualMachineObject>): ResourceWatch<VirtualMachineObject> {
    return this.client.watch<VirtualMachineObject>(
      this.ref,
      { labelSelector: virtualMachineSelector(this.planUid), list: true },
      handlers,
    );
  }

  /**
   * Creates a VM. A 409 is read back once: a VM of that name with this plan's labels for the same source VM is an
   * earlier create that landed (`exists`); anything else is `taken`, with who has it.
   */
  async create(
    manifest: { metadata: { name: string; labels: Record<string, string> } },
    vmId: string,
  ): Promise<{ outcome: 'created' | 'exists'; object: VirtualMachineObject } | { outcome: 'taken'; by: string }> {
    try {
      return { outcome: 'created', object: await this.client.create<VirtualMachineObject>(this.ref, manifest) };
    } catch (error) {
      if (!(error instanceof KubeApiError && error.status === 409)) throw error;
      const found = await this.client.get<VirtualMachineObject>(this.ref, manifest.metadata.name);
      if (!found) throw error;
      const labels = found.metadata.labels ?? {};
      if (
        labels[DV_LABEL.planUid] === this.planUid &&
        labels[DV_LABEL.managedBy] === MANAGED_BY &&
        labels[DV_LABEL.vmId] === labelValue(vmId)
      ) {
        return { outcome: 'exists', object: found };
      }
      const plan = labels[DV_LABEL.planName];
      return { outcome: 'taken', by: plan ? `plan ${labels[DV_LABEL.planNamespace]}/${plan}` : 'another owner' };
    }
  }

  /**
   * Makes `vm` the only owner of each claim (a merge patch replaces ownerReferences, dropping the DataVolume, as
   * Forklift's EnsureVM does), then reads every claim back: resolves once each names the VM, throws otherwise.
   */
  async own(vm: { name: string; uid: string }, claimNames: readonly string[]): Promise<void> {
    const owner = {
      apiVersion: 'kubevirt.io/v1',
      kind: 'VirtualMachine',
      name: vm.name,
      uid: vm.uid,
      blockOwnerDeletion: true,
      controller: false,
    };
    // the VM's claims together: a VM's downtime should not grow with its disk count
    await Promise.all(
      claimNames.map((name) => this.client.mergePatch(this.claims, name, { metadata: { ownerReferences: [owner] } })),
    );
    const claims = await Promise.all(claimNames.map((name) => this.client.get<ClaimObject>(this.claims, name)));
    for (const [i, name] of claimNames.entries()) {
      const owners = claims[i]?.metadata.ownerReferences ?? [];
      if (!owners.some((ref) => ref.uid === vm.uid) || owners.some((ref) => ref.kind === 'DataVolume')) {
        throw new Error(
          `PVC ${name} is not owned by VM ${vm.name} after the patch (owners: ${owners.map((o) => `${o.kind} ${o.name}`).join(', ') || 'none'})`,
        );
      }
    }
  }

  /** Deletes a DataVolume whose PVC a VM owns now, leaving the PVC (propagationPolicy Orphan); `gone` if already. */
  async release(dataVolume: string): Promise<'deleted' | 'gone'> {
    try {
      await this.client.delete(this.dataVolumes, dataVolume, { propagationPolicy: 'Orphan' });
      return 'deleted';
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) return 'gone';
      throw error;
    }
  }

  /** Deletes one of the plan's VMs; the PVCs it owns go with it (the garbage collector's default). */
  async delete(name: string): Promise<void> {
    await this.client.delete(this.ref, name);
  }

  /** A DataVolume's annotations (undefined when it is gone). */
  async dataVolumeAnnotations(name: string): Promise<Record<string, string> | undefined> {
    const dv = await this.client.get<{ metadata: { annotations?: Record<string, string> } }>(this.dataVolumes, name);
    return dv && (dv.metadata.annotations ?? {});
  }
}
