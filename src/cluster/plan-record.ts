/**
 * A ConfigMap a run keeps for one plan in the plan's namespace (`<plan>-<infix>-<uid prefix>`): the source power
 * states (source-power-record.ts) and a warm run's state (warm-record.ts). The Plan's status is Forklift's to write,
 * so what a run must find again after a crash, from any workstation, is kept here. Its labels are ours only (none of
 * Forklift's selector keys, FORKLIFT_SELECTOR_KEYS), so no Forklift cleanup deletes it; `clean` does. Writes are taken
 * one at a time, each building on the last answer; a change by anyone else is a 409, read again.
 */
import { UserError } from '../errors.js';
import { DV_LABEL, labelValue, MANAGED_BY } from './datavolume-builder.js';
import type { KubeClient } from './kube-client.js';
import { KubeApiError } from './kube-errors.js';
import { inNamespace, RESOURCES } from './resource-types.js';

/** The label that says what one of our plan objects is for. */
export const USE_LABEL = 'kubectl-mtv.konveyor.io/use';

export interface PlanRef {
  name: string;
  namespace: string;
  uid: string;
}

interface ConfigMapObject {
  metadata: { name?: string; labels?: Record<string, string>; resourceVersion?: string };
  data?: Record<string, string>;
}

/** The first 8 letters and digits of the plan's uid: what tells two plans of one name apart in our objects' names. */
export function planUidPart(plan: { uid: string }): string {
  return plan.uid.replace(/[^a-z0-9]/g, '').slice(0, 8) || 'plan';
}

/** `<plan>-<infix>-<uid prefix>[-<tail>]`, the plan's name cut to keep it within a DNS-1123 subdomain's 253 characters. */
export function planObjectName(plan: { name: string; uid: string }, infix: string, tail?: string): string {
  const suffix = `-${infix}-${planUidPart(plan)}${tail === undefined ? '' : `-${tail}`}`;
  return `${plan.name.slice(0, 253 - suffix.length).replace(/[-.]+$/, '')}${suffix}`;
}

/** The labels of a plan object of ours that is not a VM's: the plan, kubectl-mtv as manager, and what it is for. */
export function planObjectLabels(plan: PlanRef, use: string): Record<string, string> {
  return {
    [DV_LABEL.planUid]: plan.uid,
    [DV_LABEL.planName]: labelValue(plan.name),
    [DV_LABEL.planNamespace]: labelValue(plan.namespace),
    [DV_LABEL.managedBy]: MANAGED_BY,
    [USE_LABEL]: use,
  };
}

/** What to write: keys to set (a string) or remove (null); undefined: nothing to write. */
export type RecordChange = Record<string, string | null> | undefined;

export class PlanRecord {
  private readonly ref;
  readonly name: string;
  /** The record as the last write returned it (undefined: read it). */
  private last: ConfigMapObject | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly client: KubeClient,
    private readonly plan: PlanRef,
    /** `power`, `warm`: the name's infix. */
    infix: string,
    /** The use label's value. */
    private readonly use: string,
    /** What it is, for the refusal of a ConfigMap of that name not ours: `power-state record`. */
    private readonly what: string,
  ) {
    this.ref = inNamespace(RESOURCES.configMaps, plan.namespace);
    this.name = planObjectName(plan, infix);
  }

  /** The record's data; empty when there is none. A ConfigMap of its name not ours: exit 2. */
  async read(): Promise<Map<string, string>> {
    const found = await this.client.get<ConfigMapObject>(this.ref, this.name);
    if (found && !this.isOurs(found)) throw this.foreign();
    if (found) this.last = found;
    return new Map(Object.entries(found?.data ?? {}));
  }

  /**
   * Writes what `change` returns for the data as it stands (it may be called again after a 409); resolves with the
   * data after the write. Calls are taken one at a time.
   */
  update(change: (data: Readonly<Record<string, string>>) => RecordChange): Promise<Record<string, string>> {
    const done = this.queue.then(() => this.updateNow(change));
    this.queue = done.catch(() => undefined);
    return done;
  }

  private async updateNow(change: (data: Readonly<Record<string, string>>) => RecordChange) {
    for (let attempt = 0; ; attempt++) {
      const current = this.last ?? (await this.client.get<ConfigMapObject>(this.ref, this.name));
      try {
        if (current && !this.isOurs(current)) throw this.foreign();
        const data = current?.data ?? {};
        const patch = change(data);
        if (patch === undefined || Object.keys(patch).length === 0) return { ...data };
        if (!current) {
          const set = Object.fromEntries(Object.entries(patch).filter((e): e is [string, string] => e[1] !== null));
          this.last = await this.client.create<ConfigMapObject>(this.ref, {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: {
              name: this.name,
              namespace: this.plan.namespace,
              labels: planObjectLabels(this.plan, this.use),
            },
            data: set,
          });
        } else {
          // the resourceVersion makes a concurrent change a 409, not a lost write
          this.last = await this.client.mergePatch<ConfigMapObject>(this.ref, this.name, {
            metadata: { resourceVersion: current.metadata.resourceVersion },
            data: patch,
          });
        }
        return { ...(this.last?.data ?? {}) };
      } catch (error) {
        this.last = undefined;
        if (error instanceof KubeApiError && error.status === 409 && attempt < 5) continue;
        throw error;
      }
    }
  }

  /** Deletes the record; whether there was one of ours. */
  async delete(): Promise<boolean> {
    this.last = undefined;
    const found = await this.client.get<ConfigMapObject>(this.ref, this.name);
    if (!found || !this.isOurs(found)) return false;
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
      `ConfigMap "${this.name}" in namespace "${this.plan.namespace}" exists and is not this plan's ${this.what}; nothing created`,
      { hint: `rename or delete it: kubectl get configmap ${this.name} -n ${this.plan.namespace} -o yaml` },
    );
  }

  private isOurs(object: ConfigMapObject): boolean {
    const labels = object.metadata.labels ?? {};
    return labels[DV_LABEL.planUid] === this.plan.uid && labels[USE_LABEL] === this.use;
  }
}
