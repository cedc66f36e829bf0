/**
 * The sandbox's storage: objects keyed by resource, namespace and name; ONE cluster-wide resourceVersion counter
 * bumped by every write; the watch history; and listeners. It keeps no rules about what may be written: that is
 * the ObjectWriter's job. Objects are copied in and out, so no caller can change a stored object behind its back.
 */
import type { KubeObject, WatchEventType } from '../cluster-store.js';
import { type HistoryEvent, WatchHistory } from './watch-history.js';

export type HistoryListener = (event: HistoryEvent) => void;

function key(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

export class ObjectStore {
  private revision = 0;
  private readonly buckets = new Map<string, Map<string, KubeObject>>();
  private readonly listeners = new Set<HistoryListener>();
  private readonly pending: HistoryEvent[] = [];
  private dispatching = false;
  readonly history: WatchHistory;

  constructor(historyLimit: number) {
    this.history = new WatchHistory(historyLimit);
  }

  /** The resourceVersion of the last committed write. */
  get resourceVersion(): number {
    return this.revision;
  }

  private bucket(resource: string): Map<string, KubeObject> {
    let bucket = this.buckets.get(resource);
    if (!bucket) {
      bucket = new Map();
      this.buckets.set(resource, bucket);
    }
    return bucket;
  }

  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const found = this.buckets.get(resource)?.get(key(namespace, name));
    return found ? structuredClone(found) : undefined;
  }

  /** Objects of `resource` (in `namespace` if given), in kube's key order: namespace, then name. */
  list(resource: string, namespace?: string): KubeObject[] {
    const bucket = this.buckets.get(resource);
    if (!bucket) return [];
    const keys = [...bucket.keys()].filter((k) => namespace === undefined || k.startsWith(`${namespace}/`)).sort();
    return keys.map((k) => structuredClone(bucket.get(k) as KubeObject));
  }

  /** Every resource name that holds at least one object (for garbage collection and namespace deletion). */
  resources(): string[] {
    return [...this.buckets.keys()];
  }

  /** Stores `object` (ADDED or MODIFIED) at the next resourceVersion and returns the stored copy. */
  put(resource: string, object: KubeObject, type: Exclude<WatchEventType, 'DELETED'>): KubeObject {
    const bucket = this.bucket(resource);
    const k = key(object.metadata.namespace, object.metadata.name as string);
    const previous = bucket.get(k);
    this.revision++;
    const stored = structuredClone(object);
    stored.metadata.resourceVersion = String(this.revision);
    bucket.set(k, stored);
    this.record({ resource, type, object: stored, resourceVersion: this.revision, previous });
    return structuredClone(stored);
  }

  /** Removes an object; its DELETED event carries the new resourceVersion. Returns the object as deleted. */
  remove(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const bucket = this.buckets.get(resource);
    const k = key(namespace, name);
    const previous = bucket?.get(k);
    if (!bucket || !previous) return undefined;
    bucket.delete(k);
    this.revision++;
    const last = structuredClone(previous);
    last.metadata.resourceVersion = String(this.revision);
    this.record({ resource, type: 'DELETED', object: last, resourceVersion: this.revision, previous });
    return structuredClone(last);
  }

  /** Calls `listener` after every write, in resourceVersion order, also for writes made by listeners. */
  subscribe(listener: HistoryListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private record(event: HistoryEvent): void {
    this.history.append(event);
    this.pending.push(event);
    if (this.dispatching) return;
    this.dispatching = true;
    try {
      for (let next = this.pending.shift(); next; next = this.pending.shift()) {
        for (const listener of [...this.listeners]) {
          try {
            listener(next);
          } catch (error) {
            // a failing listener (a simulator's bug) must not undo a committed write or starve the others
            process.emitWarning(`sandbox store listener failed: ${error instanceof Error ? error.stack : error}`);
          }
        }
      }
    } finally {
      this.dispatching = false;
    }
  }
}
