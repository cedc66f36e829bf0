/**
 * The runner's requests to the API server: KubeClient's signing and error vocabulary, plus what a long run needs and
 * a one-shot command does not: 429 and 5xx answers and reset connections are retried with back-off (a 429's
 * Retry-After is honoured), and watch streams are opened as such (no deadline, one line per event).
 */
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { setTimeout as delay } from 'node:timers/promises';
import { parseJson } from './http-request.js';
import type { KubeClient, RequestSpec } from './kube-client.js';

/** Attempts per request before the last failure is the run's error. */
const MAX_ATTEMPTS = 8;
/** Back-off after the first failure (ms), doubled each time up to MAX_BACKOFF_MS. */
const FIRST_BACKOFF_MS = 200;
const MAX_BACKOFF_MS = 10_000;
/** A Retry-After longer than this (seconds) is cut to it: the run must stay responsive to Ctrl-C and its lease. */
const MAX_RETRY_AFTER_SECONDS = 30;

/** Network failures worth another attempt: the server or a proxy dropped the connection. */
const TRANSIENT_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'ETIMEDOUT', 'EAI_AGAIN', 'UND_ERR_SOCKET']);

interface Answer {
  status: number;
  retryAfterSeconds?: number;
  text: string;
}

/** How long to wait before attempt `attempt` (1-based), honouring a Retry-After. */
export function backoffMs(attempt: number, retryAfterSeconds?: number): number {
  if (retryAfterSeconds !== undefined && retryAfterSeconds >= 0) {
    return Math.min(retryAfterSeconds, MAX_RETRY_AFTER_SECONDS) * 1000;
  }
  return Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (attempt - 1));
}

/** Whether an answer or error is worth retrying. */
export function isTransient(status: number | undefined, error?: unknown): boolean {
  if (status !== undefined) return status === 429 || status >= 500;
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? '';
  return TRANSIENT_CODES.has(code);
}

/** Requests with retries, for one KubeClient; `signal` ends waits between attempts (the run is stopping). */
export class KubeCalls {
  constructor(
    readonly client: KubeClient,
    private readonly signal?: AbortSignal,
  ) {}

  /** A JSON request; retried on 429, 5xx and dropped connections; other failures as KubeClient maps them. */
  async request<T>(method: string, path: string, spec: RequestSpec = {}): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let answer: Answer | undefined;
      let failure: unknown;
      try {
        answer = await this.send(method, path, spec);
      } catch (error) {
        failure = error;
      }
      if (answer && answer.status >= 200 && answer.status < 300) return parseJson(answer.text) as T;
      const transient = isTransient(answer?.status, failure);
      if (!transient || attempt >= MAX_ATTEMPTS || this.signal?.aborted) {
        throw this.client.failure(answer ? { code: answer.status, body: answer.text } : failure);
      }
      await delay(backoffMs(attempt, answer?.retryAfterSeconds), undefined, { signal: this.signal }).catch(
        () => undefined,
      );
    }
  }

  /**
   * Opens a watch (`path` with watch=1 and `query`): resolves with the response once the server answers 200, or
   * throws as `request` does; the caller reads lines and aborts through `abort`.
   */
  async openStream(
    path: string,
    query: Record<string, string | undefined>,
    abort: AbortSignal,
  ): Promise<IncomingMessage> {
    const url = this.url(path, { ...query, watch: '1' });
    const options: RequestOptions = { method: 'GET', headers: { Accept: 'application/json' }, signal: abort };
    await this.client.kubeConfig.applyToHTTPSOptions(options);
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = (url.protocol === 'http:' ? httpRequest : httpsRequest)(url, options, resolve);
      req.on('error', reject);
      req.end();
    });
    if (res.statusCode === 200) return res;
    const text = await readAll(res);
    throw Object.assign(new Error(`watch ${path}: HTTP ${res.statusCode}`), {
      code: res.statusCode ?? 0,
      body: text,
      retryAfterSeconds: retryAfter(res),
    });
  }

  private url(path: string, query: Record<string, string | undefined> = {}): URL {
    const url = new URL(`${this.client.server.replace(/\/+$/, '')}${path}`);
    for (const [key, value] of Object.entries(query)) if (value) url.searchParams.set(key, value);
    return url;
  }

  private async send(method: string, path: string, spec: RequestSpec): Promise<Answer> {
    const url = this.url(path, spec.query);
    const payload = spec.body === undefined ? undefined : JSON.stringify(spec.body);
    const timeout = this.client.requestTimeoutMs;
    const options: RequestOptions = {
      method,
      headers: {
        Accept: spec.accept ?? 'application/json',
        ...(payload !== undefined && { 'Content-Type': spec.contentType ?? 'application/json' }),
      },
      ...(timeout > 0 && { signal: AbortSignal.timeout(timeout) }),
    };
    // KubeClient's own signing errors are UserErrors already
    await this.client.kubeConfig.applyToHTTPSOptions(options);
    return new Promise((resolve, reject) => {
      const req = (url.protocol === 'http:' ? httpRequest : httpsRequest)(url, options, (res) => {
        readAll(res).then(
          (text) => resolve({ status: res.statusCode ?? 0, retryAfterSeconds: retryAfter(res), text }),
          reject,
        );
      });
      req.on('error', reject);
      req.end(payload);
    });
  }
}

function retryAfter(res: IncomingMessage): number | undefined {
  const header = res.headers['retry-after'];
  const seconds = header === undefined ? Number.NaN : Number(header);
  return Number.isFinite(seconds) ? seconds : undefined;
}

function readAll(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('error', reject);
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}
