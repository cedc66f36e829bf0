import type { KubeObject } from '../../cluster-store.js';
import { badRequest } from '../api-error.js';
import { readObjectBody, sendJson } from '../http-io.js';
import { bodyNamespace, fieldValidationOf, isDryRun, type ResourceCall } from './api-context.js';

/** The name in a PUT or patched body must be the URL's, as kube checks. */
export function checkBodyName(call: ResourceCall, object: KubeObject): void {
  const name = object.metadata?.name ?? '';
  if (name !== call.info.name) {
    throw badRequest(`the name of the object (${name}) does not match the name on the URL (${call.info.name})`);
  }
}

/** PUT of an object or its /status: 409 Conflict on a stale resourceVersion. */
export async function handleUpdate(call: ResourceCall): Promise<void> {
  const body = await readObjectBody(call.req);
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw badRequest('the request body must be a JSON object');
  const object = body as KubeObject;
  object.metadata ??= {};
  checkBodyName(call, object);
  bodyNamespace(call, object.metadata);
  const warnings: string[] = [];
  const updated = call.ctx.writer.update(call.type, object, {
    origin: 'api',
    subresource: call.info.subresource === 'status' ? 'status' : undefined,
    dryRun: isDryRun(call.query),
    fieldValidation: fieldValidationOf(call.query),
    warnings,
  });
  sendJson(call.res, 200, updated, warnings);
}
