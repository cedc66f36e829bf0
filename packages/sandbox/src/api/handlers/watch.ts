/**
 * WATCH: newline-delimited JSON events over a chunked response. With no resourceVersion (or "0") the current
 * objects come first as ADDED; with one, every event after it from the history, or an ERROR event carrying a 410
 * Expired Status when the history no longer reaches back that far. A MODIFIED object that enters or leaves the
 * selection arrives as ADDED or DELETED, as kube's cacher sends it. BOOKMARKs when allowed, timeoutSeconds ends it.
 */
import type { KubeObject } from '../../cluster-store.js';
import { badRequest, expired } from '../api-error.js';
import { queryFlag } from '../http-io.js';
import { apiVersionOf } from '../resource-type.js';
import { parseFieldSelector, parseLabelSelector } from '../selectors.js';
import { parseIncludeObject, toTable, wantsTable } from '../table.js';
import type { HistoryEvent } from '../watch-history.js';
import type { ActiveWatch, ResourceCall } from './api-context.js';

type EventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

function parseResourceVersion(text: string | null): number | undefined {
  if (text === null || text === '' || text === '0') return undefined;
  if (!/^\d+$/.test(text))
    throw badRequest(`resourceVersion: Invalid value: ${JSON.stringify(text)}: must be a number`);
  return Number(text);
}

export function handleWatch(call: ResourceCall): void {
  const { ctx, info, type, query, req, res } = call;
  const labels = parseLabelSelector(query.get('labelSelector'));
  const fields = parseFieldSelector(type, query.get('fieldSelector'));
  const named = info.name;
  const namespace = type.namespaced ? info.namespace : undefined;
  const matches = (object: KubeObject | undefined): boolean =>
    object !== undefined &&
    (namespace === undefined || object.metadata.namespace === namespace) &&
    (named === undefined || object.metadata.name === named) &&
    labels(object) &&
    fields(object);
  const from = parseResourceVersion(query.get('resourceVersion'));
  const sendInitialEvents = queryFlag(query, 'sendInitialEvents');
  const bookmarks = queryFlag(query, 'allowWatchBookmarks');
  const asTable = wantsTable(req.headers.accept);
  const includeObject = parseIncludeObject(query.get('includeObject'));
  let headersSent = false;

  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();

  const send = (eventType: EventType, object: unknown): void => {
    let payload = object;
    if (asTable && eventType !== 'ERROR' && eventType !== 'BOOKMARK') {
      const rv = (object as KubeObject).metadata.resourceVersion;
      payload = toTable(type, [object as KubeObject], {
        now: ctx.clock(),
        includeObject,
        listMeta: { resourceVersion: rv },
        noHeaders: headersSent,
      });
      headersSent = true;
    }
    res.write(`${JSON.stringify({ type: eventType, object: payload })}\n`);
  };
  const bookmark = (initialEventsEnd: boolean): void => {
    const metadata: Record<string, unknown> = {
      resourceVersion: String(ctx.store.resourceVersion),
      creationTimestamp: null,
    };
    if (initialEventsEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
    send('BOOKMARK', { kind: type.kind, apiVersion: apiVersionOf(type), metadata });
  };
  const deliver = (event: HistoryEvent): void => {
    if (event.resource !== type.name) return;
    const now = matches(event.object);
    const before = event.type === 'MODIFIED' && matches(event.previous);
    if (event.type === 'MODIFIED' && now !== before) {
      if (now) send('ADDED', event.object);
      else
        send('DELETED', {
          ...(event.previous as KubeObject),
          metadata: { ...event.previous?.metadata, resourceVersion: event.object.metadata.resourceVersion },
        });
    } else if (now) send(event.type, event.object);
  };

  if (from === undefined || sendInitialEvents) {
    for (const object of ctx.store.list(type.name, namespace)) if (matches(object)) send('ADDED', object);
    if (bookmarks) bookmark(sendInitialEvents);
  } else {
    const events = ctx.store.history.since(from, ctx.store.resourceVersion);
    if (!events) {
      const oldest = (ctx.store.history.oldest() ?? ctx.store.resourceVersion + 1) - 1;
      send('ERROR', expired(`too old resource version: ${from} (${oldest})`).toStatus());
      res.end();
      return;
    }
    for (const event of events) deliver(event);
  }

  const unsubscribe = ctx.store.subscribe(deliver);
  const timers: NodeJS.Timeout[] = [];
  if (bookmarks) timers.push(setInterval(() => bookmark(false), ctx.bookmarkIntervalMs));
  const timeoutSeconds = Number(query.get('timeoutSeconds') ?? 0);
  if (timeoutSeconds > 0) timers.push(setTimeout(() => res.end(), timeoutSeconds * 1000));
  const watch: ActiveWatch = { drop: () => res.destroy() };
  ctx.watches.add(watch);
  const stop = (): void => {
    unsubscribe();
    for (const timer of timers) clearTimeout(timer);
    ctx.watches.delete(watch);
  };
  // 'close' also fires when the client goes away mid-stream
  res.on('close', stop);
}
