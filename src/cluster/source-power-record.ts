/**
 * The source VMs' power states as they were before a run shut them down: Forklift's StorePowerState, which keeps
 * `restorePowerState` in the Plan's status.migration.vms[] (pkg/controller/plan/migration.go, cold itinerary
 * StorePowerState → PowerOffSource → WaitForPowerOff). The Plan's status is Forklift's to write, so ours is a
 * ConfigMap in the plan's namespace (`<plan>-power-<uid prefix>`, data `<vm id>: poweredOn`), written before the
 * first shutdown and never overwritten: a re-run after a crash, from any workstation, finds a VM it shut down still
 * recorded as poweredOn, and makes its KubeVirt VM Running. Its labels are ours only (none of Forklift's selector
 * keys, FORKLIFT_SELECTOR_KEYS), so no Forklift cleanup deletes it; `clean` does.
 */
import { UserError } from '../errors.js';
import { DV_LABEL, MANAGED_BY } from './datavolume-builder.js';
import type { KubeClient } from './kube-client.js';
import { KubeApiError } from './kube-errors.js';
import { inNamespace, RESOURCES } from './resource-types.js';

/** Marks the record among our objects. */
export const POWER_RECORD_USE = 'source-power';
const USE_LABEL = 'kubectl-mtv.konveyor.io/use';

interface ConfigMapObject {
  metadata: { name?: string; labels?: Record<string, string>; resourceVersion?: string };
  data?: Record<string, string>;
}

export interface PlanRef {
  name: string;
  namespace: string;
  uid: string;
}

/** The record's name: `<plan>-power-<first 8 of the uid>`, within a DNS-1123 subdomain's 253 characters. */
export function powerRecordName(plan: { name: string; uid: string }): string {
  const suffix = `-power-${plan.uid.replace(/[^a-z0-9]/g, '').slice(0, 8) || 'plan'}`;
  return `${plan.name.slice(0, 253 - suffix.length).replace(/[-.]+$/, '')}${suffix}`;
}

/** The plan's power-state record: read, added to (first value wins), deleted. */
export class SourcePowerRecord {
  private readonly ref;
  readonly name: string;
  /** The record as the last write returned it (undefined: read it). */
  private last: ConfigMapObject | undefined;
  /** The writes, one after the other. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly client: KubeClient,
    private readonly plan: PlanRef,
  ) {
    this.ref = inNamespace(RESOURCES.configMaps, plan.namespace);
    this.name = powerRecordName(plan);
  }

  /** The recorded states by VM id; empty when there is no record. A ConfigMap of its name not ours: exit 2. */
  async read(): Promise<Map<string, string>> {
    const found = await this.client.get<ConfigMapObject>(this.ref, this.name);
    if (found && !this.isOurs(found)) throw this.foreign();
    return new Map(Object.entries(found?.data ?? {}));
  }

  /**
   * Records `state` for `vmId` unless a state is recorded already (the first, taken before any shutdown, is the one
   * to restore); returns the state that stands. A ConfigMap of that name that is not this plan's is refused. Calls
   * are taken one at a time (a run records many VMs at once): each patch builds on the last answer, so they do not
   * conflict with each other; a change by anyone else is a 409, read again.
   */
  record(vmId: string, state: string): Promise<string> {
    const recorded = this.queue.then(() => this.recordNow(vmId, state));
    this.queue = recorded.catch(() => undefined);
    return recorded;
  }

  private async recordNow(vmId: string, state: string): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      const current = this.last ?? (await this.client.get<ConfigMapObject>(this.ref, this.name));
      try {
        if (!current) {
          this.last = await this.client.create<ConfigMapObject>(this.ref, {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: this.name, namespace: this.plan.namespace, labels: this.labels() },
            data: { [vmId]: state },
          });
          return state;
        }
        if (!this.isOurs(current)) throw this.foreign();
        const standing = current.data?.[vmId];
        if (standing !== undefined) return standing;
        // the resourceVersion makes a concurrent change a 409, not a lost write
        this.last = await this.client.mergePatch<ConfigMapObject>(this.ref, this.name, {
          metadata: { resourceVersion: current.metadata.resourceVersion },
          data: { [vmId]: state },
        });
        return state;
      } catch (error) {
        this.last = undefined;
        // another writer made or changed it meanwhile: read it again
        if (error instanceof KubeApiError && error.status === 409 && attempt < 5) continue;
        throw error;
      }
    }
  }

  /** Deletes the record; whether there was one of ours. */
  async delete(): Promise<boolean> {
    this.last = undefined;
    const found = await this.ours();
    if (!found) return false;
    try {
      await this.client.delete(this.ref, this.name);
      return true;
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) return false;
      throw error;
    }
  }

  private foreign(): UserError {
    return new UserError(
      `ConfigMap "${this.name}" in namespace "${this.plan.namespace}" exists and is not this plan's power-state record; nothing created`,
      { hint: `rename or delete it: kubectl get configmap ${this.name} -n ${this.plan.namespace} -o yaml` },
    );
  }

  private async ours(): Promise<ConfigMapObject | undefined> {
    const found = await this.client.get<ConfigMapObject>(this.ref, this.name);
    return found && this.isOurs(found) ? found : undefined;
  }

  private isOurs(object: ConfigMapObject): boolean {
    const labels = object.metadata.labels ?? {};
    return labels[DV_LABEL.planUid] === this.plan.uid && labels[USE_LABEL] === POWER_RECORD_USE;
  }

  private labels(): Record<string, string> {
    return {
      [DV_LABEL.planUid]: this.plan.uid,
      [DV_LABEL.planName]: this.plan.name.slice(0, 63),
      [DV_LABEL.planNamespace]: this.plan.namespace,
      [DV_LABEL.managedBy]: MANAGED_BY,
      [USE_LABEL]: POWER_RECORD_USE,
    };
  }
}
