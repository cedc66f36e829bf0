import type { KubeObject } from '../../cluster-store.js';
import { badRequest, invalid, notFound } from '../api-error.js';
import { readBody, sendJson } from '../http-io.js';
import { applyPatch, parsePatchBody, patchTypeOf } from '../patch.js';
import { bodyNamespace, fieldValidationOf, isDryRun, type ResourceCall } from './api-context.js';
import { checkBodyName } from './update.js';

/**
 * PATCH of an object or its /status. The patch applies to the stored object, then the result is written as an
 * update (so a resourceVersion in the patch is an optimistic-concurrency precondition, as in kube). Server-side
 * apply creates the object when it is absent.
 */
export async function handlePatch(call: ResourceCall): Promise<void> {
  const { ctx, info, type, query, req, res } = call;
  const patchType = patchTypeOf(req.headers['content-type']);
  const patch = parsePatchBody(patchType, await readBody(req));
  const apply = patchType === 'application/apply-patch+yaml';
  if (apply && !query.get('fieldManager')) {
    throw invalid({ group: 'meta.k8s.io', kind: 'PatchOptions' }, '', [
      { reason: 'FieldValueRequired', message: 'Required value: is required for apply patch', field: 'fieldManager' },
    ]);
  }
  const options = {
    origin: 'api' as const,
    dryRun: isDryRun(query),
    fieldValidation: fieldValidationOf(query),
    warnings: [] as string[],
  };
  const name = info.name as string;
  const current = ctx.store.get(type.name, type.namespaced ? info.namespace : undefined, name);
  if (!current) {
    if (!apply || info.subresource) throw notFound(type, name);
    const object = patch as KubeObject;
    if (!object || typeof object !== 'object') throw badRequest('the applied configuration must be an object');
    object.metadata ??= {};
    checkBodyName(call, object);
    bodyNamespace(call, object.metadata);
    sendJson(res, 201, ctx.writer.create(type, object, options), options.warnings);
    return;
  }
  const patched = applyPatch(patchType, current, patch, type.custom) as KubeObject;
  if (!patched || typeof patched !== 'object' || Array.isArray(patched))
    throw badRequest('the patched object is not an object');
  patched.metadata ??= {};
  checkBodyName(call, patched);
  bodyNamespace(call, patched.metadata);
  const updated = ctx.writer.update(type, patched, {
    ...options,
    patch: true,
    subresource: info.subresource === 'status' ? 'status' : undefined,
  });
  sendJson(res, 200, updated, options.warnings);
}
