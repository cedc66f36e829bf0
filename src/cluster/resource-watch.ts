/**
 * One list and one long watch of a resource by label selector, kept alive for a whole run without polling: a watch
 * that ends (its timeout, a dropped connection) resumes from the last resourceVersion seen (events or bookmarks); a
 * 410 Expired re-lists (or, without a list, re-watches from now with the current objects as ADDED); 429, 5xx and
 * dropped connections are retried with back-off. Everything else ends the watch through `onError`.
 */
import type { IncomingMessage } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { type ResourceRef, resourcePath } from './kube-client.js';
import { backoffMs, isTransient, type KubeCalls } from './retrying-calls.js';

/** The part of an object a watch needs. */
export interface WatchedObject {
  metadata: { name?: string; resourceVersion?: string };
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

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
const MAX_FAILURES = 8;

export class ResourceWatch<T extends WatchedObject> {
  private resourceVersion: string | undefined;
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  /** Watch requests opened (the first and every resume). */
  watches = 0;
  /** Lists made (the first and every re-list after a 410). */
  lists = 0;

  constructor(
    private readonly calls: KubeCalls,
    private readonly ref: ResourceRef,
    private readonly options: { labelSelector?: string; fieldSelector?: string; list: boolean },
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
    const body = await this.calls.request<{ items?: T[]; metadata?: { resourceVersion?: string } }>(
      'GET',
      resourcePath(this.ref),
      { query: { labelSelector: this.options.labelSelector, fieldSelector: this.options.fieldSelector } },
    );
    this.resourceVersion = body.metadata?.resourceVersion;
    return body.items ?? [];
  }

  private async watchLoop(): Promise<void> {
    let failures = 0;
    while (!this.abort.signal.aborted) {
      let expired = false;
      try {
        this.watches++;
        const res = await this.calls.openStream(
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
        // a server that ends every watch at once must not make this a busy loop
        if (!expired && Date.now() - opened < 1000) {
          await delay(backoffMs(1), undefined, { signal: this.abort.signal }).catch(() => undefined);
        }
      } catch (error) {
        if (this.abort.signal.aborted) return;
        const status = (error as { code?: unknown }).code;
        if (status === 410) expired = true;
        else if (typeof status === 'number' && !isTransient(status)) throw this.calls.client.failure(error);
        else if (typeof status !== 'number' && !isTransient(undefined, error) && !isStreamCut(error)) {
          throw this.calls.client.failure(error);
        } else if (++failures >= MAX_FAILURES) throw this.calls.client.failure(error);
        else {
          const retryAfter = (error as { retryAfterSeconds?: number }).retryAfterSeconds;
          await delay(backoffMs(failures, retryAfter), undefined, { signal: this.abort.signal }).catch(() => undefined);
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

  /** Delivers the stream's events; true when the server says the resourceVersion expired (410). */
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
          let event: { type: string; object: T & { code?: number } };
          try {
            event = JSON.parse(line);
          } catch {
            // A torn or garbled line: treat it as a dropped watch, which resumes from the last resourceVersion.
            res.destroy();
            reject(Object.assign(new Error('watch: malformed event'), { code: 'ECONNRESET' }));
            return;
          }
          if (event.type === 'ERROR') {
            if (event.object.code === 410) expired = true;
            else reject(Object.assign(new Error('watch ERROR event'), { code: event.object.code ?? 500 }));
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
      // a cut connection is a resumable end, like the server's timeout
      res.on('error', () => resolve(expired));
      res.on('aborted', () => resolve(expired));
      res.on('end', () => resolve(expired));
      res.on('close', () => resolve(expired));
    });
  }
}

function isStreamCut(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE';
}
