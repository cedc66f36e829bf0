/**
 * One context of one kubeconfig: the typed calls kubectl-mtv makes against its API server (get, list, create,
 * replace, merge-patch, delete, watch, access reviews, the server's version), each through the one transport
 * (kube-transport.ts). Kubeconfig loading is kubectl's: --kubeconfig, else every file of KUBECONFIG merged
 * first-wins, else ~/.kube/config; then --context and the namespace.
 */
import { readFileSync } from 'node:fs';
import { UserError } from '../errors.js';
import { KubeApiError } from './kube-errors.js';
import { KubeTransport, type RequestSpec } from './kube-transport.js';
import { checkContextFiles, loadKubeconfig } from './kubeconfig-loading.js';
import { apiVersionOf, RESOURCES, type ResourceRef, resourcePath, VERSION_PATH } from './resource-types.js';
import { ResourceWatch, type WatchedObject, type WatchHandlers, type WatchOptions } from './resource-watch.js';
import { checkRetryPolicy, DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy.js';
import { TokenFile } from './token-file.js';

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
  /** The retry policy (default DEFAULT_RETRY_POLICY); tests shorten it. */
  retry?: Partial<RetryPolicy>;
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
}

/** A list's items and the resourceVersion a watch resumes from. */
export interface ListPage<T> {
  items: T[];
  resourceVersion?: string;
}

/** What GET /version answers. */
export interface ServerVersion {
  major?: string;
  minor?: string;
  gitVersion?: string;
  platform?: string;
}

/** Kube's resource attributes of one permission. */
export interface ResourceAttributes {
  verb: string;
  /** API group; empty for core. */
  group: string;
  resource: string;
  namespace: string;
  /** One object's name (an access review for that object only). */
  name?: string;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const MERGE_PATCH = 'application/merge-patch+json';

/** Loads the kubeconfig, selects the context and namespace; contacts nothing. Bad kubeconfig input: exit 2. */
export async function connectKube(options: KubeConnectionOptions = {}): Promise<KubeClient> {
  const env = options.env ?? process.env;
  const loaded = await loadKubeconfig(options.kubeconfig, env);
  const kc = loaded.kc;
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
  const tokenFile = checkContextFiles(loaded, contextName);
  const namespace = options.namespace || context.namespace || 'default';
  const retry = checkRetryPolicy({ ...DEFAULT_RETRY_POLICY, ...options.retry });
  const timeout = options.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  const transport = new KubeTransport(
    kc,
    contextName,
    cluster.server,
    timeout,
    retry,
    tokenFile ? new TokenFile(tokenFile) : undefined,
  );
  return new KubeClient(transport, namespace);
}

/** Typed calls against one API server; `namespace` is the default of commands, not of calls (refs name theirs). */
export class KubeClient {
  constructor(
    readonly transport: KubeTransport,
    /** The namespace from -n, else the context's, else "default". */
    readonly namespace: string,
    /** When aborted, a failing request stops retrying (a run that is stopping). */
    private readonly stopRetrying?: AbortSignal,
    /** Set: every request is urgent, with this deadline (RequestSpec.urgentTimeoutMs). */
    private readonly urgentTimeoutMs?: number,
  ) {}

  get context(): string {
    return this.transport.context;
  }

  /** The API server URL. */
  get server(): string {
    return this.transport.server;
  }

  /** This client, whose requests stop retrying once `signal` aborts. */
  stoppingWith(signal: AbortSignal): KubeClient {
    return new KubeClient(this.transport, this.namespace, signal, this.urgentTimeoutMs);
  }

  /**
   * This client, whose requests are urgent: each sent once, on connections of its own, within `timeoutMs` (the run's
   * Lease, which must not wait behind the run's own requests).
   */
  urgently(timeoutMs: number): KubeClient {
    return new KubeClient(this.transport, this.namespace, this.stopRetrying, timeoutMs);
  }

  /** One object, or undefined when the server answers 404. */
  async get<T>(ref: ResourceRef, name: string): Promise<T | undefined> {
    return orUndefinedOn404(() => this.call<T>('GET', resourcePath(ref, name)));
  }

  /** Every object of a list (one request; selectors as the API takes them). */
  async list<T>(ref: ResourceRef, options: ListOptions = {}): Promise<T[]> {
    return (await this.listPage<T>(ref, options)).items;
  }

  /** A list with its resourceVersion (for a watch to resume from). */
  async listPage<T>(ref: ResourceRef, options: ListOptions = {}): Promise<ListPage<T>> {
    const body = await this.call<{ items?: T[]; metadata?: { resourceVersion?: string } }>('GET', resourcePath(ref), {
      query: { ...options },
    });
    return { items: body?.items ?? [], resourceVersion: body?.metadata?.resourceVersion };
  }

  /** Creates `object` in `ref`'s namespace; `dryRun` asks admission and webhooks, and keeps nothing. */
  async create<T>(ref: ResourceRef, object: unknown, options: { dryRun?: boolean } = {}): Promise<T> {
    const spec: RequestSpec = { body: object };
    if (options.dryRun) spec.query = { dryRun: 'All' };
    return this.call<T>('POST', resourcePath(ref), spec);
  }

  /** Replaces an object (PUT): optimistic concurrency through the resourceVersion `object` carries. */
  async replace<T>(ref: ResourceRef, name: string, object: unknown): Promise<T> {
    return this.call<T>('PUT', resourcePath(ref, name), { body: object });
  }

  /** A JSON merge patch: no resourceVersion, so it never conflicts with other writers' fields. */
  async mergePatch<T>(ref: ResourceRef, name: string, patch: unknown): Promise<T> {
    return this.call<T>('PATCH', resourcePath(ref, name), { body: patch, contentType: MERGE_PATCH });
  }

  /**
   * Deletes an object; with `resourceVersion`, only that version of it (409 otherwise); with `propagationPolicy`,
   * what becomes of the objects it owns (`Orphan`: they stay, the garbage collector drops it from their owners).
   */
  async delete(
    ref: ResourceRef,
    name: string,
    options: { resourceVersion?: string; propagationPolicy?: 'Orphan' | 'Background' | 'Foreground' } = {},
  ): Promise<void> {
    const body =
      options.resourceVersion === undefined && options.propagationPolicy === undefined
        ? undefined
        : {
            kind: 'DeleteOptions',
            apiVersion: 'v1',
            ...(options.resourceVersion !== undefined && {
              preconditions: { resourceVersion: options.resourceVersion },
            }),
            ...(options.propagationPolicy !== undefined && { propagationPolicy: options.propagationPolicy }),
          };
    await this.call('DELETE', resourcePath(ref, name), body === undefined ? {} : { body });
  }

  /** A list (when asked) and a long watch of `ref`; see resource-watch.ts. Not started: call `start`. */
  watch<T extends WatchedObject>(
    ref: ResourceRef,
    options: WatchOptions,
    handlers: WatchHandlers<T>,
  ): ResourceWatch<T> {
    return new ResourceWatch<T>(this.transport, ref, options, handlers);
  }

  /** Whether the API server lets this identity do it (a SelfSubjectAccessReview). */
  async mayDo(attributes: ResourceAttributes): Promise<boolean> {
    const type = RESOURCES.selfSubjectAccessReviews;
    const review = await this.create<{ status?: { allowed?: boolean } }>(type, {
      apiVersion: apiVersionOf(type),
      kind: type.kind,
      spec: { resourceAttributes: attributes },
    });
    return review?.status?.allowed === true;
  }

  /** An OpenAPI document: the index (OPENAPI_V3_PATH) or a server-relative URL it names (open to every user). */
  async openApi<T>(serverRelativeUrl: string): Promise<T> {
    const url = new URL(serverRelativeUrl, 'http://server');
    const query = Object.fromEntries(url.searchParams);
    return this.call<T>('GET', url.pathname, { query });
  }

  /** GET /version (open to every authenticated user). */
  async serverVersion(): Promise<ServerVersion> {
    return this.call<ServerVersion>('GET', VERSION_PATH);
  }

  /** The bearer token client-node would send (static, file, exec or OIDC), or undefined (client certificates). */
  bearerToken(): Promise<string | undefined> {
    return this.transport.bearerToken();
  }

  /** The cluster's CA certificate (PEM) from certificate-authority(-data), if the kubeconfig gives one. */
  clusterCa(): string | undefined {
    const cluster = this.transport.kubeConfig.getCurrentCluster();
    if (cluster?.caFile) return readFileSync(cluster.caFile, 'utf8');
    if (cluster?.caData) return Buffer.from(cluster.caData, 'base64').toString('utf8');
    return undefined;
  }

  /** Milliseconds per request; 0 = none. */
  get requestTimeoutMs(): number {
    return this.transport.requestTimeoutMs;
  }

  /** `spec` is the caller's own object: the stop signal is set on it, not spread into a copy (see kube-transport.ts). */
  private call<T>(method: string, path: string, spec: RequestSpec = {}): Promise<T> {
    if (this.stopRetrying) spec.stopRetrying = this.stopRetrying;
    if (this.urgentTimeoutMs !== undefined) spec.urgentTimeoutMs = this.urgentTimeoutMs;
    return this.transport.request<T>(method, path, spec);
  }
}

async function orUndefinedOn404<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof KubeApiError && error.status === 404) return undefined;
    throw error;
  }
}
