import type { KubeObject } from '../../cluster-store.js';
import { badRequest } from '../api-error.js';
import { readObjectBody, sendJson } from '../http-io.js';
import { handleAccessReview } from './access-review.js';
import { bodyNamespace, fieldValidationOf, isDryRun, type ResourceCall } from './api-context.js';

/** POST to a collection: 201 with the created object (also under dryRun=All, which stores nothing). */
export async function handleCreate(call: ResourceCall): Promise<void> {
  const body = await readObjectBody(call.req);
  if (call.type.name === 'selfsubjectaccessreviews.authorization.k8s.io') {
    handleAccessReview(call, body);
    return;
  }
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw badRequest('the request body must be a JSON object');
  const object = body as KubeObject;
  object.metadata ??= {};
  bodyNamespace(call, object.metadata);
  const warnings: string[] = [];
  const created = call.ctx.writer.create(call.type, object, {
    origin: 'api',
    dryRun: isDryRun(call.query),
    fieldValidation: fieldValidationOf(call.query),
    warnings,
  });
  sendJson(call.res, 201, created, warnings);
}
