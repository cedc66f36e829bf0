/**
 * The typed operations on one plan's DataVolumes in its target namespace: list and watch them by the plan's label
 * selector, create one (or ask admission about it with a dry run), mark one stuck, delete one. What a run, `clean` and
 * the dry runs send to the cluster about DataVolumes goes through here.
 */
import { type DataVolumeManifest, DV_LABEL, dataVolumeSelector, MANAGED_BY } from './datavolume-builder.js';
import type { KubeClient } from './kube-client.js';
import { KubeApiError } from './kube-errors.js';
import { inNamespace, RESOURCES, type ResourceRef } from './resource-types.js';
import type { ResourceWatch, WatchHandlers } from './resource-watch.js';

/** The annotation a run puts on a DataVolume it gives up on; `kubectl mtv clean --stuck` finds them by it. */
export const STUCK_ANNOTATION = 'kubectl-mtv/stuck';

/** A DataVolume as a run lists and watches it (what CDI publishes that the runner reads; domain.md §3). */
export interface DataVolumeObject {
  metadata: {
    name?: string;
    resourceVersion?: string;
    ownerReferences?: { kind?: string; name?: string }[];
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: {
    source?: { vddk?: { secretRef?: string } };
    storage?: { resources?: { requests?: { storage?: string } }; storageClassName?: string };
  };
  status?: {
    phase?: string;
    progress?: string;
    restartCount?: number;
    conditions?: { type?: string; status?: string; reason?: string; message?: string }[];
  };
}

/**
 * What a create found: `created`, or `exists` when a DataVolume of that name is already this plan's (an earlier
 * create landed: a re-run adopts it), or `foreign` when one of that name exists and belongs to something else.
 */
export type CreateOutcome = 'created' | 'exists' | 'foreign';

/** A create's outcome; for `foreign`, who the DataVolume of that name belongs to, as its metadata says. */
export interface CreateResult {
  outcome: CreateOutcome;
  /** The object the API server answered, when `created`. */
  object?: DataVolumeObject;
  owner?: string;
}

/**
 * Whether `found` is the very DataVolume `manifest` describes: this plan's (plan uid, managed by kubectl-mtv), for the
 * same VM and disk index. Only then is a 409 an earlier create that landed; a DataVolume of the plan for another disk
 * under the same name (a changed template) is not this disk's copy.
 */
export function isSameDataVolume(found: DataVolumeObject, manifest: DataVolumeManifest): boolean {
  const labels = found.metadata.labels ?? {};
  const wanted = manifest.metadata.labels;
  return (
    labels[DV_LABEL.managedBy] === MANAGED_BY &&
    [DV_LABEL.planUid, DV_LABEL.vmId, DV_LABEL.diskIndex].every((key) => labels[key] === wanted[key])
  );
}

/** Who a DataVolume that is not this disk's belongs to, in a few words, from its labels and owners. */
export function describeOwner(found: DataVolumeObject): string {
  const labels = found.metadata.labels ?? {};
  if (labels[DV_LABEL.managedBy] === MANAGED_BY) {
    const plan = `${labels[DV_LABEL.planNamespace] ?? '?'}/${labels[DV_LABEL.planName] ?? '?'}`;
    const disk = `VM ${labels[DV_LABEL.vmId] ?? '?'} disk ${labels[DV_LABEL.diskIndex] ?? '?'}`;
    return `kubectl-mtv's copy of plan ${plan} (uid ${labels[DV_LABEL.planUid] ?? '?'}), ${disk}`;
  }
  // Forklift's vmLabels (kubevirt.go): plan uid, migration uid, vmID
  if (labels.plan !== undefined || labels.migration !== undefined) {
    return `the MTV controller's (plan uid ${labels.plan ?? '?'}, VM ${labels.vmID ?? '?'})`;
  }
  const owner = found.metadata.ownerReferences?.[0];
  if (owner?.kind) return `owned by ${owner.kind} ${owner.name ?? ''}`.trimEnd();
  const manager = labels[DV_LABEL.managedBy];
  return manager ? `managed by ${manager}` : 'no owner it names (no kubectl-mtv or Forklift labels)';
}

export class PlanDataVolumes {
  readonly ref: ResourceRef;
  readonly selector: string;

  constructor(
    private readonly client: KubeClient,
    /** The plan's target namespace. */
    readonly namespace: string,
    planUid: string,
  ) {
    this.ref = inNamespace(RESOURCES.dataVolumes, namespace);
    this.selector = dataVolumeSelector(planUid);
  }

  /** Every DataVolume of the plan (one request). */
  list(): Promise<DataVolumeObject[]> {
    return this.client.list<DataVolumeObject>(this.ref, { labelSelector: this.selector });
  }

  /** A list and a long watch of the plan's DataVolumes (not started). */
  watch(handlers: WatchHandlers<DataVolumeObject>): ResourceWatch<DataVolumeObject> {
    return this.client.watch<DataVolumeObject>(this.ref, { labelSelector: this.selector, list: true }, handlers);
  }

  /**
   * Creates a DataVolume; `dryRun` asks admission and CDI's webhook about it and keeps nothing. A 409 is read back
   * once: the very DataVolume this manifest describes (isSameDataVolume) is `exists`, anything else is `foreign`, with
   * its owner. Other refusals throw KubeApiError.
   */
  async create(manifest: DataVolumeManifest, options: { dryRun?: boolean } = {}): Promise<CreateResult> {
    try {
      return { outcome: 'created', object: await this.client.create<DataVolumeObject>(this.ref, manifest, options) };
    } catch (error) {
      if (!(error instanceof KubeApiError && error.status === 409)) throw error;
      const found = await this.client.get<DataVolumeObject>(this.ref, manifest.metadata.name);
      // a 409 for an object that is gone by now: it was deleted between the two calls; say it as the API did
      if (!found) throw error;
      return isSameDataVolume(found, manifest)
        ? { outcome: 'exists' }
        : { outcome: 'foreign', owner: describeOwner(found) };
    }
  }

  /** Writes the stuck annotation with its reason (a merge patch: nothing else of the DataVolume changes). */
  async markStuck(name: string, reason: string): Promise<void> {
    await this.client.mergePatch(this.ref, name, { metadata: { annotations: { [STUCK_ANNOTATION]: reason } } });
  }

  /** Deletes one (with its PVC and the disk copied into it); `gone` when it no longer existed. */
  async delete(name: string): Promise<'deleted' | 'gone'> {
    try {
      await this.client.delete(this.ref, name);
      return 'deleted';
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) return 'gone';
      throw error;
    }
  }
}
