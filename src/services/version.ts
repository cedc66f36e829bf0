/**
 * `kubectl mtv version`: the plugin's version, the Node.js it runs on and, unless `client`, the API server's
 * `GET /version`. An unreachable server is part of the answer, never an error: `version` is what a user runs to find
 * out what is wrong. The kube client is imported only when the server is asked, so `version --client` stays fast.
 */
import { UserError } from '../errors.js';

export interface VersionOptions {
  pluginVersion: string;
  /** Only the client side: no kubeconfig is read, nothing is contacted. */
  client: boolean;
  kubeconfig?: string;
  context?: string;
  /** Milliseconds the server may take to answer (the connection and the request together); 0 = no limit. */
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
}

/** The API server's /version (kube's version.Info; the fields every server sends). */
export interface ServerVersion {
  major: string;
  minor: string;
  gitVersion: string;
  platform?: string;
  [field: string]: unknown;
}

/** What `version -o json` prints. `serverVersion` or `serverError` is absent with `--client`. */
export interface VersionReport {
  pluginVersion: string;
  nodeVersion: string;
  serverVersion?: ServerVersion;
  /** Why the server's version is missing, in a few words: `connection refused`, `401 Unauthorized`. */
  serverError?: string;
}

export async function version(options: VersionOptions): Promise<VersionReport> {
  const report: VersionReport = { pluginVersion: options.pluginVersion, nodeVersion: process.version };
  if (options.client) return report;
  try {
    const { connectKube } = await import('../cluster/kube-client.js');
    const kube = await connectKube({
      kubeconfig: options.kubeconfig,
      context: options.context,
      requestTimeoutMs: options.timeoutMs,
      env: options.env,
    });
    // 0 waits forever, as for the kube client
    const asked = kube.serverVersion();
    const server = (await (options.timeoutMs > 0 ? withDeadline(asked, options.timeoutMs) : asked)) as ServerVersion;
    return { ...report, serverVersion: server };
  } catch (error) {
    return { ...report, serverError: shortReason(error, options.timeoutMs) };
  }
}

/** The kube client's deadline covers the request; this one also covers credential plugins that hang. */
async function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000}s`)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The kube client's errors cut to the reason (they name the server and context, never a credential): the answer of
 * an API server (`401 Unauthorized`, `HTTP 503`), or why there was none (`connection refused`, `no answer within 3s`).
 * Read from the errors' fields (kube-errors.ts), which this module does not import so that `--client` stays fast.
 */
export function shortReason(error: unknown, timeoutMs: number): string {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof Error && error.name === 'KubeApiError') {
    const status = (error as Error & { status: number }).status;
    if (status === 401) return '401 Unauthorized';
    if (status === 403) return '403 Forbidden';
    return `HTTP ${status}`;
  }
  if (error instanceof Error && error.name === 'ClusterUnreachableError') {
    return (error as Error & { detail: string }).detail.replace(/ \([A-Z_]+\)$/, '');
  }
  if (/no answer within/.test(message)) return `no answer within ${timeoutMs / 1000}s`;
  return error instanceof UserError ? message : message.split('\n')[0];
}
