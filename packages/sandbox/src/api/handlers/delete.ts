/**
 * DELETE of one object or a collection. As kube answers: custom resources and namespaces return the object,
 * other built-ins a Success Status; an object kept by finalizers returns 202 with its deletionTimestamp set.
 */
import { readObjectBody, sendJson } from '../http-io.js';
import type { DeleteOptions } from '../object-writer.js';
import { apiVersionOf } from '../resource-type.js';
import { isDryRun, type ResourceCall } from './api-context.js';
import { selectObjects } from './list.js';

interface DeleteBody {
  propagationPolicy?: DeleteOptions['propagationPolicy'];
  preconditions?: DeleteOptions['preconditions'];
  dryRun?: string[];
}

async function deleteOptions(call: ResourceCall): Promise<{ options: DeleteOptions; dryRun: boolean }> {
  const body = ((await readObjectBody(call.req)) ?? {}) as DeleteBody;
  const policy = (call.query.get('propagationPolicy') ?? body.propagationPolicy) as DeleteOptions['propagationPolicy'];
  return {
    options: { propagationPolicy: policy ?? undefined, preconditions: body.preconditions },
    dryRun: isDryRun(call.query, body),
  };
}

export async function handleDelete(call: ResourceCall): Promise<void> {
  const { ctx, info, type, res } = call;
  const { options, dryRun } = await deleteOptions(call);
  const result = ctx.writer.delete(type, info.namespace, info.name as string, options, { origin: 'api', dryRun });
  if (!result.removed) {
    sendJson(res, 202, result.object);
    return;
  }
  if (type.custom || type.name === 'namespaces') {
    sendJson(res, 200, result.object);
    return;
  }
  const details: Record<string, unknown> = { name: result.object.metadata.name, kind: type.plural };
  if (type.group) details.group = type.group;
  details.uid = result.object.metadata.uid;
  sendJson(res, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details });
}

/** DELETE on a collection: every selected object, answered with the list of what was deleted. */
export async function handleDeleteCollection(call: ResourceCall): Promise<void> {
  const { ctx, type, res } = call;
  const { options, dryRun } = await deleteOptions(call);
  const deleted = selectObjects(call).map(
    (object) =>
      ctx.writer.delete(type, object.metadata.namespace, object.metadata.name as string, options, {
        origin: 'api',
        dryRun,
      }).object,
  );
  sendJson(res, 200, {
    kind: type.listKind,
    apiVersion: apiVersionOf(type),
    metadata: { resourceVersion: String(ctx.store.resourceVersion) },
    items: deleted,
  });
}
