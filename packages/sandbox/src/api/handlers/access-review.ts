/**
 * SelfSubjectAccessReview (create only, nothing stored): `kubectl auth can-i` and clients that check before they
 * act. Everything is allowed to the sandbox's user except what the deny rules name.
 */
import { badRequest } from '../api-error.js';
import { sendJson } from '../http-io.js';
import type { ResourceCall } from './api-context.js';

interface ReviewSpec {
  resourceAttributes?: {
    namespace?: string;
    verb?: string;
    group?: string;
    resource?: string;
    subresource?: string;
    name?: string;
  };
  nonResourceAttributes?: { path?: string; verb?: string };
}

export function handleAccessReview(call: ResourceCall, body: unknown): void {
  const review = body as { apiVersion?: string; kind?: string; spec?: ReviewSpec } | undefined;
  const spec = review?.spec;
  if (!spec || (!spec.resourceAttributes && !spec.nonResourceAttributes)) {
    throw badRequest('spec.resourceAttributes or spec.nonResourceAttributes is required');
  }
  let allowed = true;
  const attributes = spec.resourceAttributes;
  if (attributes) {
    allowed = call.ctx.authorizer.allowed({
      verb: attributes.verb ?? '',
      group: attributes.group ?? '',
      resource: attributes.resource ?? '',
      subresource: attributes.subresource || undefined,
      namespace: attributes.namespace || undefined,
      name: attributes.name || undefined,
    });
  }
  const status = allowed
    ? { allowed: true, reason: `allowed by the sandbox to User "${call.ctx.authorizer.user}"` }
    : { allowed: false }; // as RBAC denies: no reason, so `kubectl auth can-i` prints a bare "no"
  sendJson(call.res, 201, {
    kind: 'SelfSubjectAccessReview',
    apiVersion: 'authorization.k8s.io/v1',
    metadata: { creationTimestamp: null },
    spec,
    status,
  });
}
