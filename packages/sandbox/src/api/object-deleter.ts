/**
 * Deletion as kube-apiserver and its controllers carry it out, at once: delete preconditions, finalizers (a
 * deletionTimestamp until they are gone), namespace deletion (Terminating, then empty, then gone) and the garbage
 * collector (dependents whose owners are all gone go too; Orphan only drops the reference).
 */
import type { KubeObject } from '../cluster-store.js';
import { conflict, notFound } from './api-error.js';
import { timestamp } from './object-meta.js';
import type { ObjectStore } from './object-store.js';
import type { ResourceType } from './resource-type.js';

/** The finalizer kube-apiserver adds for a delete with propagationPolicy Orphan (metav1.FinalizerOrphanDependents). */
export const ORPHAN_FINALIZER = 'orphan';

/**
 * Whether an object being deleted is held only by the garbage collector's `orphan` finalizer (or by none), and so goes
 * now; with which policy its dependents are collected.
 */
export function finalizersDone(object: KubeObject): { done: boolean; policy: 'Background' | 'Orphan' } {
  const finalizers = object.metadata.finalizers ?? [];
  return {
    done: finalizers.every((finalizer) => finalizer === ORPHAN_FINALIZER),
    policy: finalizers.includes(ORPHAN_FINALIZER) ? 'Orphan' : 'Background',
  };
}

export interface DeleteOptions {
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
}

/** A delete's outcome: `removed` is false while finalizers keep the object (it then has a deletionTimestamp). */
export interface DeleteResult {
  object: KubeObject;
  removed: boolean;
}

export class ObjectDeleter {
  constructor(
    private readonly store: ObjectStore,
    private readonly clock: () => Date,
    private readonly lookupKind: (apiVersion: string, kind: string) => ResourceType | undefined,
    private readonly allTypes: () => readonly ResourceType[],
  ) {}

  delete(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    options: DeleteOptions,
    dryRun: boolean,
  ): DeleteResult {
    const old = this.store.get(type.name, type.namespaced ? namespace : undefined, name);
    if (!old) throw notFound(type, name);
    const { uid, resourceVersion } = options.preconditions ?? {};
    if (uid && uid !== old.metadata.uid) {
      throw conflict(
        type,
        name,
        `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${old.metadata.uid}`,
      );
    }
    if (resourceVersion && resourceVersion !== old.metadata.resourceVersion) {
      throw conflict(
        type,
        name,
        `Precondition failed: ResourceVersion in precondition: ${resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`,
      );
    }
    if (dryRun) return { object: old, removed: true };
    if (type.name === 'namespaces') return this.deleteNamespace(old);
    if (old.metadata.finalizers?.length) {
      if (old.metadata.deletionTimestamp) return { object: old, removed: false };
      const marked = structuredClone(old);
      marked.metadata.deletionTimestamp = timestamp(this.clock());
      marked.metadata.deletionGracePeriodSeconds = 0;
      // kube-apiserver's registry (staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go
      // deletionFinalizersForGarbageCollection) records Orphan as the `orphan` finalizer, which the garbage
      // collector honours once the object's other finalizers are gone (finalizersDone)
      if (options.propagationPolicy === 'Orphan' && !marked.metadata.finalizers?.includes(ORPHAN_FINALIZER)) {
        marked.metadata.finalizers = [...(marked.metadata.finalizers ?? []), ORPHAN_FINALIZER];
      }
      return { object: this.store.put(type.name, marked, 'MODIFIED'), removed: false };
    }
    return { object: this.remove(type, old, options.propagationPolicy ?? 'Background'), removed: true };
  }

  /** Namespaces go Terminating, lose their content, and go once nothing (no finalizer) holds them. */
  private deleteNamespace(namespace: KubeObject): DeleteResult {
    const name = namespace.metadata.name as string;
    let current = namespace;
    if (!current.metadata.deletionTimestamp) {
      const marked = structuredClone(current);
      marked.metadata.deletionTimestamp = timestamp(this.clock());
      marked.status = { ...(marked.status as object), phase: 'Terminating' };
      current = this.store.put('namespaces', marked, 'MODIFIED');
    }
    for (const type of this.allTypes()) {
      if (!type.namespaced) continue;
      for (const object of this.store.list(type.name, name)) {
        if (this.store.get(type.name, name, object.metadata.name as string)) {
          this.delete(type, name, object.metadata.name as string, {}, false);
        }
      }
    }
    return this.finishNamespace(name) ?? { object: current, removed: false };
  }

  private finishNamespace(name: string): DeleteResult | undefined {
    const namespace = this.store.get('namespaces', undefined, name);
    if (!namespace?.metadata.deletionTimestamp) return undefined;
    const remaining = this.allTypes().some((type) => type.namespaced && this.store.list(type.name, name).length > 0);
    if (remaining) return undefined;
    const removed = this.store.remove('namespaces', undefined, name) as KubeObject;
    return { object: removed, removed: true };
  }

  /** Removes a stored object now, then collects its dependents and, if it was the last, its terminating namespace. */
  remove(type: ResourceType, object: KubeObject, policy: NonNullable<DeleteOptions['propagationPolicy']>): KubeObject {
    const namespace = type.namespaced ? object.metadata.namespace : undefined;
    const removed = this.store.remove(type.name, namespace, object.metadata.name as string) as KubeObject;
    this.collectGarbage(removed, policy);
    if (namespace) this.finishNamespace(namespace);
    return removed;
  }

  /** The garbage collector, run at once: dependents with no owner left go (or lose the reference, for Orphan). */
  private collectGarbage(owner: KubeObject, policy: NonNullable<DeleteOptions['propagationPolicy']>): void {
    const uid = owner.metadata.uid;
    for (const type of this.allTypes()) {
      const scope = type.namespaced && owner.metadata.namespace ? owner.metadata.namespace : undefined;
      for (const dependent of this.store.list(type.name, scope)) {
        const refs = dependent.metadata.ownerReferences ?? [];
        if (!refs.some((ref) => ref.uid === uid)) continue;
        const others = refs.filter((ref) => ref.uid !== uid && this.ownerExists(ref, dependent.metadata.namespace));
        if (policy !== 'Orphan' && others.length === 0) {
          const still = this.store.get(type.name, dependent.metadata.namespace, dependent.metadata.name as string);
          if (still) this.delete(type, dependent.metadata.namespace, dependent.metadata.name as string, {}, false);
          continue;
        }
        const next = structuredClone(dependent);
        next.metadata.ownerReferences = refs.filter((ref) => ref.uid !== uid);
        if (next.metadata.ownerReferences.length === 0) delete next.metadata.ownerReferences;
        this.store.put(type.name, next, 'MODIFIED');
      }
    }
  }

  private ownerExists(
    ref: { apiVersion: string; kind: string; name: string; uid: string },
    namespace?: string,
  ): boolean {
    const type = this.lookupKind(ref.apiVersion, ref.kind);
    if (!type) return false;
    const found = this.store.get(type.name, type.namespaced ? namespace : undefined, ref.name);
    return found?.metadata.uid === ref.uid;
  }
}
