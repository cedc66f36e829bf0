/**
 * The one way kubectl-mtv talks to an API server: requests signed by client-node from the kubeconfig (tokens, client
 * certificates, exec and OIDC plugins), sent over node:http(s) with a deadline each, retried by the one retry policy
 * (retry-policy.ts), and every failure mapped to one error vocabulary (kube-errors.ts). Watches are opened here too,
 * as streams without a deadline. A second cluster is a second transport.
 */
import { Agent as HttpAgent, type IncomingMessage, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { setTimeout as delay } from 'node:timers/promises';
import type { KubeConfig } from '@kubernetes/client-node';
import { ExitCode, UserError } from '../errors.js';
import { firstLine } from '../network-errors.js';
import { type HttpAnswer, openHttp, parseJson, readAll, sendHttp } from './http-request.js';
import {
  apiFailure,
  ClusterUnreachableError,
  type Endpoint,
  KubeApiError,
  type KubeStatus,
  networkFailure,
} from './kube-errors.js';
import {
  isRetryableNetworkError,
  isRetryableStatus,
  parseRetryAfter,
  type RetryPolicy,
  retryDelayMs,
} from './retry-policy.js';
import type { TokenFile } from './token-file.js';

/** One request's parts beyond method and path. */
export interface RequestSpec {
  query?: Record<string, string | undefined>;
  body?: unknown;
  accept?: string;
  /** Default application/json; e.g. application/merge-patch+json for PATCH. */
  contentType?: string;
  /** Ends the waits between attempts (a run that is stopping): the last failure is thrown instead. */
  stopRetrying?: AbortSignal;
  /**
   * A write that must land soon or not at all (the run's Lease): sent once, on connections of its own (never queued
   * behind the shared MAX_CONNECTIONS), with this deadline in ms (or the transport's, when that is shorter). Its
   * caller's timer is its retry.
   */
  urgentTimeoutMs?: number;
}

/** Requests (so connections) one transport has open at once; watches have connections of their own. */
export const MAX_CONNECTIONS = 8;
/** Connections of the urgent lane (the Lease's writes, one at a time; a second for one left hung). */
const URGENT_CONNECTIONS = 2;

export class KubeTransport implements Endpoint {
  /** The server has answered this process at least once: a refused connection is then a restart, worth a retry. */
  private answered = false;
  /**
   * The connections the requests share. client-node signs each request with a new agent of its own, which made every
   * request a new TLS connection (handshake, TLS context, socket): a 10,000-disk run cost 10,000 connections and
   * 50 MiB outside the JavaScript heap. The TLS material stays in each request's options, by which an agent keeps its
   * connections apart. At most MAX_CONNECTIONS requests are sent at once: an admission burst waits here, not in the
   * API server's queue ahead of the Lease renewals (which a saturated server then answered in 3-7 s: a lost Lease).
   */
  private readonly agents = {
    http: new HttpAgent({ keepAlive: true, maxSockets: MAX_CONNECTIONS }),
    https: new HttpsAgent({ keepAlive: true, maxSockets: MAX_CONNECTIONS }),
  };
  /**
   * The urgent lane's connections. In a 10,000-disk run at 200x, the Lease's renewals waited behind the admission
   * burst's creates in the shared agents' queue (where no deadline runs) until the Lease was given up.
   */
  private readonly urgentAgents = {
    http: new HttpAgent({ keepAlive: true, maxSockets: URGENT_CONNECTIONS }),
    https: new HttpsAgent({ keepAlive: true, maxSockets: URGENT_CONNECTIONS }),
  };
  /** Requests sent, every attempt and every watch included. */
  sent = 0;

  constructor(
    /** client-node's view of the kubeconfig, for signing. */
    readonly kubeConfig: KubeConfig,
    readonly context: string,
    /** The API server URL (it may carry a path prefix: a proxy). */
    readonly server: string,
    /** Milliseconds per request; 0 = none. */
    readonly requestTimeoutMs: number,
    readonly retry: RetryPolicy,
    /** The user's token file (kubeconfig `tokenFile`, a pod's service account), when it authenticates with one. */
    private readonly tokenFile?: TokenFile,
  ) {}

  /** A JSON request, retried by the policy; a non-2xx answer throws KubeApiError, no answer ClusterUnreachableError. */
  async request<T>(method: string, path: string, spec: RequestSpec = {}): Promise<T> {
    const url = this.url(path, spec.query);
    const payload = spec.body === undefined ? undefined : JSON.stringify(spec.body);
    const urgent = spec.urgentTimeoutMs;
    const timeoutMs =
      urgent === undefined || (this.requestTimeoutMs > 0 && this.requestTimeoutMs < urgent)
        ? this.requestTimeoutMs
        : urgent;
    for (let attempt = 1; ; attempt++) {
      let failure: UserError;
      try {
        const answer = await this.send(url, method, spec, payload, timeoutMs);
        if (answer.status >= 200 && answer.status < 300) return parseJson(answer.text) as T;
        failure = this.answerFailure(answer, method, url.pathname);
      } catch (error) {
        failure = this.sendFailure(error, timeoutMs);
      }
      const wait = spec.urgentTimeoutMs === undefined ? this.retryDelay(failure, attempt) : undefined;
      if (wait === undefined || spec.stopRetrying?.aborted) throw failure;
      await delay(wait, undefined, { signal: spec.stopRetrying }).catch(() => undefined);
      if (spec.stopRetrying?.aborted) throw failure;
    }
  }

  /**
   * Opens a watch of `path` (watch=1 and `query`); resolves with the stream once the server answers 200. No retries
   * here: the watch's own loop resumes (resource-watch.ts), asking `retryDelay` how long to wait.
   */
  async openWatch(
    path: string,
    query: Record<string, string | undefined>,
    abort: AbortSignal,
  ): Promise<IncomingMessage> {
    const url = this.url(path, { ...query, watch: '1' });
    let res: IncomingMessage;
    try {
      const options: RequestOptions = { method: 'GET', headers: { Accept: 'application/json' }, signal: abort };
      // a watch holds its connection for minutes: its own, never one of the requests' MAX_CONNECTIONS
      await this.sign(options);
      this.sent++;
      res = await openHttp(url, options);
      this.answered = true;
    } catch (error) {
      throw this.sendFailure(error);
    }
    if (res.statusCode === 200) return res;
    const text = await readAll(res).catch(() => '');
    const retryAfterSeconds = parseRetryAfter(res.headers['retry-after']);
    throw this.answerFailure(
      { status: res.statusCode ?? 0, text, ...(retryAfterSeconds !== undefined && { retryAfterSeconds }) },
      'GET',
      url.pathname,
    );
  }

  /**
   * How long to wait before attempt `attempt + 1` after `failure` ended attempt `attempt`, or undefined when the
   * policy says no more (not retryable, or the attempts are spent).
   */
  retryDelay(failure: unknown, attempt: number): number | undefined {
    if (attempt >= this.retry.attempts) return undefined;
    if (failure instanceof KubeApiError) {
      return isRetryableStatus(failure.status)
        ? retryDelayMs(this.retry, attempt, failure.retryAfterSeconds)
        : undefined;
    }
    if (failure instanceof ClusterUnreachableError && failure.code !== undefined) {
      return isRetryableNetworkError({ code: failure.code }, this.answered)
        ? retryDelayMs(this.retry, attempt)
        : undefined;
    }
    return undefined;
  }

  /** A failure of the network (or of a stream cut mid-read) in this transport's vocabulary. */
  sendFailure(error: unknown, timeoutMs = this.requestTimeoutMs): UserError {
    if (error instanceof UserError) return error;
    return networkFailure(this, error, timeoutMs);
  }

  /** The bearer token client-node would send (static, file, exec or OIDC), or undefined (client certificates). */
  async bearerToken(): Promise<string | undefined> {
    const options: RequestOptions = { headers: {} };
    await this.sign(options);
    const header = (options.headers as Record<string, string>).Authorization ?? '';
    return /^Bearer\s+(.+)$/i.exec(header)?.[1];
  }

  private answerFailure(answer: HttpAnswer, method: string, path: string): KubeApiError {
    const error = apiFailure(this, answer.status, method, path, parseJson(answer.text) as KubeStatus | undefined);
    if (answer.retryAfterSeconds !== undefined) error.retryAfterSeconds = answer.retryAfterSeconds;
    return error;
  }

  // Per request, objects are written out rather than spread: under V8 (Node 20) `{ ...x, more }` gives each object
  // hidden classes of its own, made in the old generation; a 10,000-disk run's heap grew by megabytes a second so.
  private async send(
    url: URL,
    method: string,
    spec: RequestSpec,
    payload: string | undefined,
    timeoutMs: number,
  ): Promise<HttpAnswer> {
    const headers: Record<string, string> = { Accept: spec.accept ?? 'application/json' };
    if (payload !== undefined) {
      headers['Content-Type'] = spec.contentType ?? 'application/json';
      // Node sends a DELETE's body neither chunked nor with a length unless told: the server would read it as the
      // next request on the connection (a DeleteOptions with preconditions got 400)
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    const options: RequestOptions = { method, headers };
    await this.sign(options, spec.urgentTimeoutMs === undefined ? this.agents : this.urgentAgents);
    this.sent++;
    const answer = await sendHttp(url, options, payload, timeoutMs);
    this.answered = true;
    return answer;
  }

  /**
   * Headers and TLS material as client-node computes them from the kubeconfig (and the token file, when the user has
   * one); with `shared`, sent on those agents' kept-alive connections (a proxy's agent is kept as it is).
   */
  private async sign(options: RequestOptions, shared?: { http: HttpAgent; https: HttpsAgent }): Promise<void> {
    try {
      await this.kubeConfig.applyToHTTPSOptions(options);
      if (this.tokenFile)
        (options.headers as Record<string, string>).Authorization = `Bearer ${this.tokenFile.current()}`;
      if (shared && options.agent?.constructor === HttpsAgent) options.agent = shared.https;
      else if (shared && options.agent?.constructor === HttpAgent) options.agent = shared.http;
    } catch (error) {
      throw new UserError(`the credentials of context "${this.context}" cannot be used: ${firstLine(error)}`, {
        exitCode: ExitCode.unreachable,
        hint: 'kubectl config view --minify',
      });
    }
  }

  private url(path: string, query: Record<string, string | undefined> = {}): URL {
    const url = new URL(`${this.server.replace(/\/+$/, '')}${path}`);
    for (const [key, value] of Object.entries(query)) if (value) url.searchParams.set(key, value);
    return url;
  }
}
