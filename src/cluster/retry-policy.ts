/**
 * The one retry policy of every request kubectl-mtv sends to an API server (one-shot reads, a run's writes, watches):
 * a 429, a 5xx or a dropped connection is tried again with exponential back-off, a 429's or 503's Retry-After
 * honoured up to a bound, at most `attempts` times in all. A refused connection is retried only once the server has
 * answered this process before (an API server restarting under a run); on the first contact it means there is no
 * server, which is said at once.
 */

export interface RetryPolicy {
  /** Attempts of one request, the first included, before its last failure is the caller's. */
  attempts: number;
  /** Back-off after the first failure (ms), doubled each time up to maxDelayMs. */
  firstDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this (seconds) is cut to it: a run must stay responsive to Ctrl-C and its Lease. */
  maxRetryAfterSeconds: number;
}

/** 8 attempts: about 23 s of back-off in all, enough for an API server's restart or a throttling burst. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  attempts: 8,
  firstDelayMs: 200,
  maxDelayMs: 10_000,
  maxRetryAfterSeconds: 30,
};

/** Dropped connections: the server or a proxy went away mid-request. */
const DROPPED = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

/** Whether an HTTP status is worth another attempt. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/** Whether a network failure is worth another attempt; `answeredBefore`: this server has answered this process. */
export function isRetryableNetworkError(error: unknown, answeredBefore: boolean): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? '';
  return DROPPED.has(code) || (answeredBefore && code === 'ECONNREFUSED');
}

/** How long to wait before attempt `attempt + 1` after failed attempt `attempt` (1-based), in ms. */
export function retryDelayMs(policy: RetryPolicy, attempt: number, retryAfterSeconds?: number): number {
  if (retryAfterSeconds !== undefined && retryAfterSeconds >= 0) {
    return Math.min(retryAfterSeconds, policy.maxRetryAfterSeconds) * 1000;
  }
  return Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** (attempt - 1));
}

/** A Retry-After header in seconds (the delay-seconds form; an HTTP date is read as unknown). */
export function parseRetryAfter(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}

/** Checks a caller's policy: exact messages with the value received. */
export function checkRetryPolicy(policy: RetryPolicy): RetryPolicy {
  if (!(Number.isSafeInteger(policy.attempts) && policy.attempts >= 1)) {
    throw new RangeError(`RetryPolicy: attempts must be a whole number >= 1, got ${policy.attempts}`);
  }
  for (const key of ['firstDelayMs', 'maxDelayMs', 'maxRetryAfterSeconds'] as const) {
    if (!(Number.isFinite(policy[key]) && policy[key] >= 0)) {
      throw new RangeError(`RetryPolicy: ${key} must be >= 0, got ${policy[key]}`);
    }
  }
  return policy;
}
