/**
 * One list and one long watch of a resource by label or field selector, kept alive for a whole run without polling: a
 * watch that ends (its timeout, a dropped connection) resumes from the last resourceVersion seen (events or
 * bookmarks); a 410 Expired re-lists (or, without a list, re-watches from now); failures the retry policy calls
 * transient are retried with its back-off. Everything else ends the watch through `onError`.
 */
import type { IncomingMessage } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { KubeApiError } from './kube-errors.js';
import type { KubeTransport } from './kube-transport.js';
import { type ResourceRef, resourcePath } from './resource-types.js';

/** The part of an object a watch needs. */
export interface WatchedObject {
  metadata: { name?: string; resourceVersion?: string };
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatchOptions {
  labelSelector?: string;
  fieldSelector?: string;
  /** List first (and after a 410); without it the watch starts from now. */
  list: boolean;
}

export interface WatchHandlers<T> {
  /** Every object, replacing what was known: the first list, and again after a 410. */
  onList(items: T[]): void;
  onEvent(type: WatchEventType, object: T): void;
  /** Events of one read have been delivered: a good moment to act on them together. */
  onBatch(): void;
  /** The watch cannot go on (RBAC, a broken server): the run ends with this error. */
  onError(error: unknown): void;
}

/** Server-side end of each watch request (seconds): a watch is renewed this often even when nothing happens. */
const WATCH_TIMEOUT_SECONDS = 300;
/** A watch that ends sooner than this after opening waits one back-off step before the next (no busy loop). */
const SHORTEST_WATCH_MS = 1000;

export class ResourceWatch<T extends WatchedObject> {
  private resourceVersion: string | undefined;
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  /** Watch requests opened (the first and every resume). */
  watches = 0;
  /** Lists made (the first and every re-list after a 410). */
  lists = 0;

  constructor(
    private readonly transport: KubeTransport,
    private readonly ref: ResourceRef,
    private readonly options: WatchOptions,
    private readonly handlers: WatchHandlers<T>,
  ) {}

  /** Lists (when asked) and resolves with the items; the watch then runs until `stop`. */
  async start(): Promise<T[]> {
    const items = this.options.list ? await this.list() : [];
    this.running = this.watchLoop().catch((error) => {
      if (!this.abort.signal.aborted) this.handlers.onError(error);
    });
    return items;
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  private async list(): Promise<T[]> {
    this.lists++;
    const body = await this.transport.request<{ items?: T[]; metadata?: { resourceVersion?: string } }>(
      'GET',
      resourcePath(this.ref),
      {
        query: { labelSelector: this.options.labelSelector, fieldSelector: this.options.fieldSelector },
        stopRetrying: this.abort.signal,
      },
    );
    this.resourceVersion = body?.metadata?.resourceVersion;
    return body?.items ?? [];
  }

  private async pause(ms: number): Promise<void> {
    await delay(ms, undefined, { signal: this.abort.signal }).catch(() => undefined);
  }

  private async watchLoop(): Promise<void> {
    let failures = 0;
    while (!this.abort.signal.aborted) {
      let expired = false;
      try {
        this.watches++;
        const res = await this.transport.openWatch(
          resourcePath(this.ref),
          {
            labelSelector: this.options.labelSelector,
            fieldSelector: this.options.fieldSelector,
            resourceVersion: this.resourceVersion,
            allowWatchBookmarks: 'true',
            timeoutSeconds: String(WATCH_TIMEOUT_SECONDS),
          },
          this.abort.signal,
        );
        failures = 0;
        const opened = Date.now();
        expired = await this.read(res);
        if (!expired && Date.now() - opened < SHORTEST_WATCH_MS) {
          await this.pause(this.transport.retry.firstDelayMs);
        }
      } catch (raw) {
        if (this.abort.signal.aborted) return;
        const error = this.transport.sendFailure(raw);
        if (error instanceof KubeApiError && error.status === 410) expired = true;
        else {
          failures++;
          const wait = this.transport.retryDelay(error, failures);
          if (wait === undefined) throw error;
          await this.pause(wait);
          continue;
        }
      }
      if (this.abort.signal.aborted) return;
      if (expired) {
        if (this.options.list) this.handlers.onList(await this.list());
        else this.resourceVersion = undefined;
        this.handlers.onBatch();
      }
    }
  }

  /**
   * Delivers the stream's events; resolves true when the server says the resourceVersion expired (410), false when
   * the stream ends or is cut (both resumable); rejects on an ERROR event or a garbled line (treated as a dropped
   * connection: the watch resumes from the last resourceVersion).
   */
  private read(res: IncomingMessage): Promise<boolean> {
    return new Promise((resolve, reject) => {
      let pending = '';
      let expired = false;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        pending += chunk;
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        let delivered = false;
        for (const line of lines) {
          if (line.trim() === '' || expired) continue;
          let event: { type: string; object: T & { code?: number; reason?: string; message?: string } };
          try {
            event = JSON.parse(line);
          } catch {
            res.destroy();
            reject(Object.assign(new Error('watch: malformed event'), { code: 'ECONNRESET' }));
            return;
          }
          if (event.type === 'ERROR') {
            if (event.object.code === 410) expired = true;
            else {
              res.destroy();
              reject(
                new KubeApiError(
                  event.object.code ?? 500,
                  event.object.reason ?? '',
                  event.object.message ?? 'watch ERROR event',
                  `the API server ${this.transport.server} ends a watch of ${this.ref.plural}: ${event.object.message ?? 'ERROR event'}`,
                  'try again; kubectl get --raw /readyz',
                ),
              );
              return;
            }
            continue;
          }
          const rv = event.object.metadata?.resourceVersion;
          if (rv) this.resourceVersion = rv;
          if (event.type === 'BOOKMARK') continue;
          this.handlers.onEvent(event.type as WatchEventType, event.object);
          delivered = true;
        }
        if (delivered) this.handlers.onBatch();
      });
      res.on('error', () => resolve(expired));
      res.on('aborted', () => resolve(expired));
      res.on('end', () => resolve(expired));
      res.on('close', () => resolve(expired));
    });
  }
}
