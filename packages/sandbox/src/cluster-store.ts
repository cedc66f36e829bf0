/**
 * The contract between the sandbox's API server (which owns the objects) and the simulators that act on them (the
 * CDI importer, the seeding). Resources are named `plural` for core/v1 and `plural.group` otherwise, e.g.
 * `persistentvolumeclaims`, `datavolumes.cdi.kubevirt.io`, `plans.forklift.konveyor.io`, `leases.coordination.k8s.io`.
 */

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: {
    apiVersion: string;
    kind: string;
    name: string;
    uid: string;
    controller?: boolean;
    blockOwnerDeletion?: boolean;
  }[];
  finalizers?: string[];
  [key: string]: unknown;
}

/** Any Kubernetes object as JSON. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** A change to one object, as a watch delivers it; `object` carries the new resourceVersion. */
export interface StoreEvent {
  resource: string;
  type: WatchEventType;
  object: KubeObject;
}

/**
 * The sandbox's object store as its simulators see it. Every write bumps the one cluster-wide resourceVersion and
 * is delivered, in order, to every subscriber and watch. Writes made here skip authentication and admission
 * (they are the controllers' own), but still run the CRD schema and keep metadata consistent.
 */
export interface ClusterStore {
  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined;
  list(resource: string, namespace?: string): KubeObject[];
  /**
   * Creates the object (resourceVersion, creationTimestamp, generateName are filled in; uid too unless given, so that
   * seeded objects keep the uids other parts refer to); throws if it exists. With `prune`, fields the schema lacks
   * are dropped as an API server drops a client's (a Plan written for a newer MTV); otherwise they are an error.
   */
  create(resource: string, object: KubeObject, options?: { prune?: boolean }): KubeObject;
  /** Replaces `status` only (the status subresource); returns the stored object. Throws if absent. */
  updateStatus(resource: string, namespace: string | undefined, name: string, status: unknown): KubeObject;
  /**
   * Merges metadata.labels / metadata.annotations of an object and replaces its finalizers when given (a controller
   * adding or removing its own); returns the stored object, or the object as deleted when the last finalizer of an
   * object being deleted goes.
   */
  patchMetadata(
    resource: string,
    namespace: string | undefined,
    name: string,
    patch: {
      labels?: Record<string, string | null>;
      annotations?: Record<string, string | null>;
      finalizers?: string[];
    },
  ): KubeObject;
  /** Deletes the object and, by ownerReference, what it owns (foreground is not modelled). */
  delete(resource: string, namespace: string | undefined, name: string): void;
  /** Calls `listener` after every committed write, in resourceVersion order; returns the unsubscribe function. */
  subscribe(listener: (event: StoreEvent) => void): () => void;
}
