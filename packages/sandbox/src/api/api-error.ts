/**
 * Kubernetes `Status` failures, worded as kube-apiserver words them (k8s.io/apimachinery/pkg/api/errors), so that
 * kubectl and client-node print and classify them as they would against a real cluster.
 */

/** One cause of an Invalid error: `field` is the dotted path (`spec.source.vddk.url`). */
export interface StatusCause {
  reason?: string;
  message: string;
  field?: string;
}

/** The group and plural of a resource, as the messages name it (`datavolumes.cdi.kubevirt.io`). */
export interface QualifiedResource {
  group: string;
  plural: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** A `metav1.Status` with status Failure, thrown by handlers and the store and written by the router. */
export class ApiError extends Error {
  readonly code: number;
  readonly reason: string;
  readonly details?: StatusDetails;

  constructor(code: number, reason: string, message: string, details?: StatusDetails) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.reason = reason;
    this.details = details;
  }

  /** The JSON body kube-apiserver sends. */
  toStatus(): Record<string, unknown> {
    const status: Record<string, unknown> = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
    };
    if (this.reason) status.reason = this.reason;
    if (this.details) status.details = this.details;
    status.code = this.code;
    return status;
  }
}

/** `datavolumes.cdi.kubevirt.io` or `configmaps`. */
export function qualifiedName(resource: QualifiedResource): string {
  return resource.group ? `${resource.plural}.${resource.group}` : resource.plural;
}

function resourceDetails(resource: QualifiedResource, name: string): StatusDetails {
  const details: StatusDetails = { name, kind: resource.plural };
  if (resource.group) details.group = resource.group;
  return details;
}

export function notFound(resource: QualifiedResource, name: string): ApiError {
  return new ApiError(
    404,
    'NotFound',
    `${qualifiedName(resource)} "${name}" not found`,
    resourceDetails(resource, name),
  );
}

export function alreadyExists(resource: QualifiedResource, name: string): ApiError {
  return new ApiError(
    409,
    'AlreadyExists',
    `${qualifiedName(resource)} "${name}" already exists`,
    resourceDetails(resource, name),
  );
}

/** A write based on a stale resourceVersion, or a failed delete precondition (`detail` then says which). */
export function conflict(resource: QualifiedResource, name: string, detail?: string): ApiError {
  const why = detail ?? 'the object has been modified; please apply your changes to the latest version and try again';
  return new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedName(resource)} "${name}": ${why}`,
    resourceDetails(resource, name),
  );
}

/** 422 Invalid; `kind` is the Kind (`DataVolume`) and `group` its group, as kube's NewInvalid names them. */
export function invalid(kind: { group: string; kind: string }, name: string, causes: StatusCause[]): ApiError {
  const qualifiedKind = kind.group ? `${kind.kind}.${kind.group}` : kind.kind;
  const lines = causes.map((cause) => (cause.field ? `${cause.field}: ${cause.message}` : cause.message));
  const aggregate = lines.length === 1 ? lines[0] : `[${lines.join(', ')}]`;
  const message = lines.length
    ? `${qualifiedKind} "${name}" is invalid: ${aggregate}`
    : `${qualifiedKind} "${name}" is invalid`;
  const details: StatusDetails = { name, kind: kind.kind, causes };
  if (kind.group) details.group = kind.group;
  return new ApiError(422, 'Invalid', message, details);
}

export function forbidden(resource: QualifiedResource, name: string, why: string): ApiError {
  const subject = name ? `${qualifiedName(resource)} "${name}"` : qualifiedName(resource);
  return new ApiError(403, 'Forbidden', `${subject} is forbidden: ${why}`, resourceDetails(resource, name));
}

export function unauthorized(): ApiError {
  return new ApiError(401, 'Unauthorized', 'Unauthorized');
}

/** 410 Expired: a watch or list asked for a resourceVersion older than the history kept. */
export function expired(message: string): ApiError {
  return new ApiError(410, 'Expired', message);
}

export function tooManyRequests(retryAfterSeconds: number): ApiError {
  return new ApiError(429, 'TooManyRequests', 'Too many requests, please try again later.', { retryAfterSeconds });
}

export function methodNotAllowed(): ApiError {
  return new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message);
}

export function unsupportedMediaType(contentType: string, accepted: readonly string[]): ApiError {
  return new ApiError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
    { causes: [{ reason: 'UnexpectedHeader', message: contentType, field: 'Content-Type' }] },
  );
}

export function notAcceptable(accepted: readonly string[]): ApiError {
  return new ApiError(406, 'NotAcceptable', `only the following media types are accepted: ${accepted.join(', ')}`);
}

/** 404 for a path that names no API (kube's generic NotFound). */
export function pathNotFound(): ApiError {
  return new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
}

export function serviceUnavailable(message: string): ApiError {
  return new ApiError(503, 'ServiceUnavailable', message);
}

export function internalError(message: string): ApiError {
  return new ApiError(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });
}

/** Anything thrown that is not an ApiError is a bug in the sandbox: answer 500 as kube-apiserver would. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return internalError(error instanceof Error ? error.message : String(error));
}
