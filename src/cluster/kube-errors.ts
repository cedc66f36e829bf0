/**
 * How an API server's refusals and a network's failures reach the user: every one is a UserError with exit 3 and a
 * "try" line, naming the server and the context, never a credential. Callers that expect an answer (a 404 on a get, a
 * 409 on a create) read `status` and decide; what nobody expects ends the command with its line.
 */
import { ExitCode, UserError } from '../errors.js';
import { describeNetworkError, firstLine, isCertificateError } from '../network-errors.js';

/** Where a request went: for the messages. */
export interface Endpoint {
  server: string;
  context: string;
}

/** The Status the API server sends with an error. */
export interface KubeStatus {
  message?: string;
  reason?: string;
  code?: number;
}

/** An API answer outside 2xx, after the retry policy gave up on it where it applies (429, 5xx). */
export class KubeApiError extends UserError {
  /** The Retry-After the server sent with it (seconds), if any. */
  retryAfterSeconds?: number;

  constructor(
    /** The HTTP status. */
    readonly status: number,
    /** The Status's reason (NotFound, AlreadyExists, Invalid, Conflict, ...); empty when the body had none. */
    readonly reason: string,
    /** The server's own message, one line. */
    readonly detail: string,
    message: string,
    hint: string,
  ) {
    super(message, { exitCode: ExitCode.unreachable, hint });
    this.name = 'KubeApiError';
  }

  /** `404 NotFound`, `422 Invalid`: the answer in two words. */
  get answer(): string {
    return this.reason ? `${this.status} ${this.reason}` : `HTTP ${this.status}`;
  }
}

/** No answer: refused, reset, timed out, or a TLS certificate we do not trust. */
export class ClusterUnreachableError extends UserError {
  constructor(
    /** Why, in a few words: `connection refused (ECONNREFUSED)`, `no answer within 30s`. */
    readonly detail: string,
    message: string,
    hint: string,
    /** The system error code (ECONNREFUSED, ECONNRESET, ...), when there is one. */
    readonly code?: string,
  ) {
    super(message, { exitCode: ExitCode.unreachable, hint });
    this.name = 'ClusterUnreachableError';
  }
}

/** The error for a non-2xx answer to `method path`. */
export function apiFailure(
  endpoint: Endpoint,
  status: number,
  method: string,
  path: string,
  body: KubeStatus | undefined,
): KubeApiError {
  const detail = body?.message ? firstLine(body.message) : `HTTP ${status}`;
  const reason = body?.reason ?? '';
  const { server, context } = endpoint;
  const make = (message: string, hint: string) => new KubeApiError(status, reason, detail, message, hint);
  if (status === 401) {
    return make(
      `the API server ${server} rejects the credentials of context "${context}" (401 Unauthorized)`,
      'log in again or refresh the kubeconfig token',
    );
  }
  if (status === 403) {
    return make(`the API server ${server} forbids it (403): ${detail}`, 'ask a cluster admin for the permission named');
  }
  if (status === 429) {
    return make(
      `the API server ${server} keeps throttling requests (429): ${detail}`,
      'try again in a minute; an API server under load, or an API priority and fairness limit',
    );
  }
  if (status >= 500) {
    return make(`the API server ${server} fails (${status}): ${detail}`, 'try again; kubectl get --raw /readyz');
  }
  const answer = reason ? `${status} ${reason}` : `${status}`;
  return make(
    `the API server ${server} refuses ${method} ${path} (${answer}): ${detail}`,
    status === 404 ? 'kubectl api-resources (is the resource type installed?)' : 'kubectl get --raw the same path',
  );
}

/** The error for a request that got no answer (or one we do not trust). */
export function networkFailure(endpoint: Endpoint, error: unknown, timeoutMs: number): ClusterUnreachableError {
  const { server, context } = endpoint;
  const name = (error as Error | undefined)?.name;
  if (name === 'AbortError' || name === 'TimeoutError') {
    const cause = `no answer within ${timeoutMs / 1000}s`;
    return new ClusterUnreachableError(
      cause,
      `the API server ${server} does not answer within ${timeoutMs / 1000}s (context "${context}")`,
      'check the cluster, or raise --request-timeout',
    );
  }
  const cause = describeNetworkError(error);
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  // it answered: "unreachable, is the cluster running?" would send the user the wrong way
  if (isCertificateError(error)) {
    return new ClusterUnreachableError(
      cause,
      `the API server ${server} is not trusted: ${cause}`,
      `check the server and certificate-authority of context "${context}" (kubectl config view --minify)`,
    );
  }
  return new ClusterUnreachableError(
    cause,
    `the API server ${server} is unreachable: ${cause}`,
    `check that context "${context}" names a running cluster (kubectl --context ${context} version)`,
    code,
  );
}

/**
 * Answers that concern one object alone, so a run can go on without it: the request was wrong for it (400), it or its
 * namespace is gone (404), a name or version clash (409), or admission refused it (422). Everything else (401, 403,
 * and 429 or 5xx after the retry policy gave up) concerns every request alike.
 */
const OBJECT_SCOPED_STATUSES = new Set([400, 404, 409, 422]);

export function isObjectScoped(error: unknown): error is KubeApiError {
  return error instanceof KubeApiError && OBJECT_SCOPED_STATUSES.has(error.status);
}
