import { notFound } from '../api-error.js';
import { sendJson } from '../http-io.js';
import { parseIncludeObject, toTable, wantsTable } from '../table.js';
import type { ResourceCall } from './api-context.js';

/** GET of one object (or its /status), as JSON or as a one-row Table. */
export function handleGet({ ctx, info, type, query, req, res }: ResourceCall): void {
  const name = info.name as string;
  const object = ctx.store.get(type.name, type.namespaced ? info.namespace : undefined, name);
  if (!object) throw notFound(type, name);
  if (wantsTable(req.headers.accept)) {
    const table = toTable(type, [object], {
      now: ctx.clock(),
      includeObject: parseIncludeObject(query.get('includeObject')),
      listMeta: { resourceVersion: object.metadata.resourceVersion },
    });
    sendJson(res, 200, table);
    return;
  }
  sendJson(res, 200, object);
}
