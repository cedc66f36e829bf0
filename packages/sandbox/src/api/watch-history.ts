import type { KubeObject, StoreEvent } from '../cluster-store.js';

/** A committed change: every resourceVersion names exactly one such event. */
export interface HistoryEvent extends StoreEvent {
  resourceVersion: number;
  /** The object before a MODIFIED or DELETED, so that a filtered watch can tell "left the selection". */
  previous?: KubeObject;
}

/**
 * The last `limit` events, oldest first: the window a watch can resume from. Since each resourceVersion is one
 * event, a watch from `rv` can resume iff `rv` is current or the event `rv + 1` is still held.
 */
export class WatchHistory {
  private readonly ring: (HistoryEvent | undefined)[];
  private start = 0;
  private size = 0;

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`historyLimit must be an integer >= 1, got ${limit}`);
    this.ring = new Array(limit);
  }

  append(event: HistoryEvent): void {
    if (this.size < this.limit) {
      this.ring[(this.start + this.size) % this.limit] = event;
      this.size++;
    } else {
      this.ring[this.start] = event;
      this.start = (this.start + 1) % this.limit;
    }
  }

  /** resourceVersion of the oldest event held, or undefined when none is. */
  oldest(): number | undefined {
    return this.size ? this.ring[this.start]?.resourceVersion : undefined;
  }

  /** Events after `resourceVersion`, in order; undefined if some of them are no longer held. */
  since(resourceVersion: number, current: number): HistoryEvent[] | undefined {
    if (resourceVersion >= current) return [];
    const oldest = this.oldest();
    if (oldest === undefined || oldest > resourceVersion + 1) return undefined;
    const events: HistoryEvent[] = [];
    for (let i = 0; i < this.size; i++) {
      const event = this.ring[(this.start + i) % this.limit] as HistoryEvent;
      if (event.resourceVersion > resourceVersion) events.push(event);
    }
    return events;
  }
}
