/**
 * The connection to the API server: kubeconfig loading the way kubectl does it (--kubeconfig, else every file of
 * KUBECONFIG merged first-wins, else ~/.kube/config), --context and the namespace, and JSON requests signed by
 * client-node (tokens, client certificates, exec and OIDC plugins). Requests go through node:http(s) with the agent
 * and headers client-node computes, so each one has a deadline, any Accept header, and one error vocabulary:
 * unreachable, 401 and 403 become a one-line UserError (exit 3) naming the server, never the token.
 */
import { readFileSync } from 'node:fs';
import type { RequestOptions } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { KubeConfig } from '@kubernetes/client-node';
import { ExitCode, UserError } from '../errors.js';
import { describeNetworkError, firstLine, isCertificateError, parseJson, sendHttp } from './http-request.js';
import { loadKubeconfig } from './kubeconfig-loading.js';
import { backoffMs } from './retrying-calls.js';

export interface KubeConnectionOptions {
  /** --kubeconfig: the only file read when given. */
  kubeconfig?: string;
  /** --context: defaults to the kubeconfig's current-context. */
  context?: string;
  /** -n/--namespace: defaults to the context's namespace, else "default". */
  namespace?: string;
  /** --request-timeout in milliseconds for each request; 0 waits forever; default 30 000. */
  requestTimeoutMs?: number;
  /** Where KUBECONFIG and HOME are read (default process.env). */
  env?: NodeJS.ProcessEnv;
}

/** A resource type: `group` empty or absent for core/v1. `namespace` absent for cluster-scoped calls. */
export interface ResourceRef {
  group?: string;
  version: string;
  plural: string;
  namespace?: string;
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
}

export interface RequestSpec {
  query?: Record<string, string | undefined>;
  body?: unknown;
  accept?: string;
  /** Default application/json; e.g. application/merge-patch+json for PATCH. */
  contentType?: string;
}

/** The Status the API server sends with an error. */
interface KubeStatus {
  message?: string;
  reason?: string;
  code?: number;
}

/** An API answer that is neither success nor one of the answers mapped to UserError (404, 409, 422, ...). */
export class KubeApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }
}

const DEFAULT_TIMEOUT_MS = 30_000;
/** Attempts of one request of KubeClient before a 429, 5xx or dropped connection is the command's error. */
const START_ATTEMPTS = 5;
/** Dropped connections worth another attempt (a refused one means no server: said at once). */
const RETRIED_NETWORK_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'EAI_AGAIN']);
/** Server-side printing: a Table without the object (includeObject=None) carries no Secret data. */
const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io';

/** Loads the kubeconfig, selects the context and namespace; contacts nothing. Bad kubeconfig input: exit 2. */
export async function connectKube(options: KubeConnectionOptions = {}): Promise<KubeClient> {
  const env = options.env ?? process.env;
  const kc = await loadKubeconfig(options.kubeconfig, env);
  const names = kc.getContexts().map((context) => context.name);
  const contextName = options.context || kc.getCurrentContext();
  const choose = names.length > 0 ? `--context with one of: ${names.join(', ')}` : 'a kubeconfig with a context';
  if (!contextName) throw new UserError('the kubeconfig sets no current-context', { hint: choose });
  const context = kc.getContextObject(contextName);
  if (!context) throw new UserError(`context "${contextName}" is not in the kubeconfig`, { hint: choose });
  kc.setCurrentContext(contextName);
  const cluster = kc.getCurrentCluster();
  if (!cluster?.server) {
    throw new UserError(`context "${contextName}" names cluster "${context.cluster}", which the kubeconfig lacks`, {
      hint: 'kubectl config view',
    });
  }
  const namespace = options.namespace || context.namespace || 'default';
  return new KubeClient(kc, contextName, cluster.server, namespace, options.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS);
}

/** One context of one kubeconfig: typed JSON calls against its API server. */
export class KubeClient {
  constructor(
    /** client-node's view, for Watch and typed APIs later code may need. */
    readonly kubeConfig: KubeConfig,
    readonly context: string,
    /** The API server URL. */
    readonly server: string,
    /** The namespace from -n, else the context's, else "default". */
    readonly namespace: string,
    /** Milliseconds per request; 0 = none. */
    readonly requestTimeoutMs: number,
  ) {}

  /** One object, or undefined when the server answers 404. */
  async get<T>(ref: ResourceRef, name: string): Promise<T | undefined> {
    return this.orUndefinedOn404(() => this.request<T>('GET', resourcePath(ref, name)));
  }

  /** Every object of a list (one request; selectors as the API takes them). */
  async list<T>(ref: ResourceRef, options: ListOptions = {}): Promise<T[]> {
    const body = await this.request<{ items?: T[] }>('GET', resourcePath(ref), { query: { ...options } });
    return body.items ?? [];
  }

  /**
   * Whether an object exists, asked as a server-side Table without the object (includeObject=None): the answer
   * holds its name and printed columns only, so a Secret's data never reaches this process.
   */
  async exists(ref: ResourceRef, name: string): Promise<boolean> {
    const table = await this.orUndefinedOn404(() =>
      this.request<{ kind?: string }>('GET', resourcePath(ref, name), {
        query: { includeObject: 'None' },
        accept: TABLE_ACCEPT,
      }),
    );
    if (table !== undefined && table.kind !== 'Table') {
      throw new Error(`the API server ${this.server} answered a Table request with kind "${table.kind}"`);
    }
    return table !== undefined;
  }

  /** The bearer token client-node would send (static, file, exec or OIDC), or undefined (client certificates). */
  async bearerToken(): Promise<string | undefined> {
    const options: RequestOptions = { headers: {} };
    await this.signed(options);
    const header = (options.headers as Record<string, string>).Authorization ?? '';
    return /^Bearer\s+(.+)$/i.exec(header)?.[1];
  }

  /** The cluster's CA certificate (PEM) from certificate-authority(-data), if the kubeconfig gives one. */
  clusterCa(): string | undefined {
    const cluster = this.kubeConfig.getCurrentCluster();
    if (cluster?.caFile) return readFileSync(cluster.caFile, 'utf8');
    if (cluster?.caData) return Buffer.from(cluster.caData, 'base64').toString('utf8');
    return undefined;
  }

  /**
   * A JSON request to `path`; 401, 403, 429, 5xx and network failures throw UserError (exit 3), others KubeApiError.
   * A 429, a 5xx or a dropped connection is tried again a few times first (START_ATTEMPTS): a one-shot command's
   * reads and checks must not fail on one throttled or dropped request (the runner's own calls use KubeCalls).
   */
  async request<T>(method: string, path: string, spec: RequestSpec = {}): Promise<T> {
    // a server URL may carry a path prefix (a proxy): keep it
    const url = new URL(`${this.server.replace(/\/+$/, '')}${path}`);
    for (const [key, value] of Object.entries(spec.query ?? {})) if (value) url.searchParams.set(key, value);
    const payload = spec.body === undefined ? undefined : JSON.stringify(spec.body);
    for (let attempt = 1; ; attempt++) {
      const options: RequestOptions = {
        method,
        headers: {
          Accept: spec.accept ?? 'application/json',
          ...(payload !== undefined && { 'Content-Type': spec.contentType ?? 'application/json' }),
        },
        ...(this.requestTimeoutMs > 0 && { signal: AbortSignal.timeout(this.requestTimeoutMs) }),
      };
      await this.signed(options);
      let answer: { status: number; text: string } | undefined;
      let failure: unknown;
      try {
        answer = await sendHttp(url, options, payload);
      } catch (error) {
        failure = error;
      }
      const retry = answer
        ? answer.status === 429 || answer.status >= 500
        : RETRIED_NETWORK_CODES.has((failure as NodeJS.ErrnoException).code ?? '');
      if (retry && attempt < START_ATTEMPTS) {
        await delay(backoffMs(attempt));
        continue;
      }
      if (!answer) throw this.networkFailure(failure);
      const body = parseJson(answer.text);
      if (answer.status >= 200 && answer.status < 300) return body as T;
      throw this.statusFailure(answer.status, method, url.pathname, body as KubeStatus | undefined);
    }
  }

  /** Maps a client-node ApiException or network error (for code that uses client-node's typed APIs or Watch). */
  failure(error: unknown): unknown {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'number') {
      const body = parseJson(String((error as { body?: unknown }).body ?? '')) as KubeStatus | undefined;
      return this.statusFailure(code, '', '', body);
    }
    return this.networkFailure(error);
  }

  private async signed(options: RequestOptions): Promise<void> {
    try {
      await this.kubeConfig.applyToHTTPSOptions(options);
    } catch (error) {
      throw new UserError(`the credentials of context "${this.context}" cannot be used: ${firstLine(error)}`, {
        exitCode: ExitCode.unreachable,
        hint: 'kubectl config view --minify',
      });
    }
  }

  private async orUndefinedOn404<T>(call: () => Promise<T>): Promise<T | undefined> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  private networkFailure(error: unknown): unknown {
    if (error instanceof UserError || error instanceof KubeApiError) return error;
    const name = (error as Error).name;
    if (name === 'AbortError' || name === 'TimeoutError') {
      return new UserError(
        `the API server ${this.server} does not answer within ${this.requestTimeoutMs / 1000}s (context "${this.context}")`,
        { exitCode: ExitCode.unreachable, hint: 'check the cluster, or raise --request-timeout' },
      );
    }
    // it answered: "unreachable, is the cluster running?" would send the user the wrong way
    if (isCertificateError(error)) {
      return new UserError(`the API server ${this.server} is not trusted: ${describeNetworkError(error)}`, {
        exitCode: ExitCode.unreachable,
        hint: `check the server and certificate-authority of context "${this.context}" (kubectl config view --minify)`,
      });
    }
    return new UserError(`the API server ${this.server} is unreachable: ${describeNetworkError(error)}`, {
      exitCode: ExitCode.unreachable,
      hint: `check that context "${this.context}" names a running cluster (kubectl --context ${this.context} version)`,
    });
  }

  private statusFailure(status: number, method: string, path: string, body: KubeStatus | undefined): Error {
    const message = body?.message ? firstLine(body.message) : `HTTP ${status}`;
    if (status === 401) {
      return new UserError(
        `the API server ${this.server} rejects the credentials of context "${this.context}" (401 Unauthorized)`,
        { exitCode: ExitCode.unreachable, hint: 'log in again or refresh the kubeconfig token' },
      );
    }
    if (status === 403) {
      return new UserError(`the API server ${this.server} forbids it (403): ${message}`, {
        exitCode: ExitCode.unreachable,
        hint: 'ask a cluster admin for the permission named',
      });
    }
    if (status === 429) {
      return new UserError(`the API server ${this.server} keeps throttling requests (429): ${message}`, {
        exitCode: ExitCode.unreachable,
        hint: 'try again in a minute; an API server under load, or an API priority and fairness limit',
      });
    }
    if (status >= 500) {
      return new UserError(`the API server ${this.server} fails (${status}): ${message}`, {
        exitCode: ExitCode.unreachable,
      });
    }
    const request = method ? `${method} ${path}: ` : '';
    return new KubeApiError(status, body?.reason ?? '', `${request}${message}`);
  }
}

/** `/api/v1/namespaces/NS/PLURAL/NAME` or `/apis/GROUP/VERSION/...`. */
export function resourcePath(ref: ResourceRef, name?: string): string {
  const root = ref.group ? `/apis/${ref.group}/${ref.version}` : `/api/${ref.version}`;
  const scope = ref.namespace ? `/namespaces/${encodeURIComponent(ref.namespace)}` : '';
  return `${root}${scope}/${ref.plural}${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;
}
