/**
 * Kubeconfig files as kubectl reads them: --kubeconfig, else every file of KUBECONFIG merged first-wins, else
 * ~/.kube/config, else (no file at all, in a pod) the in-cluster service account. What client-node 1.4 does not
 * read the way kubectl does is filled in here: a user's `tokenFile` (client-node reads only a `token-file` key, once,
 * untrimmed; see token-file.ts), paths relative to their file, and files that do not exist, named before any request
 * is sent.
 */
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import type { Cluster, KubeConfig, User } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { UserError } from '../errors.js';
import { firstLine } from '../network-errors.js';

/** Where a pod's service account is mounted (client-go's rest.InClusterConfig). */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
/** Overrides SERVICE_ACCOUNT_DIR (tests; a pod that mounts its token elsewhere). */
export const SERVICE_ACCOUNT_DIR_VARIABLE = 'KUBECTL_MTV_SERVICEACCOUNT_DIR';
/** The context of the in-cluster configuration, as `version` and messages name it. */
export const IN_CLUSTER_CONTEXT = 'in-cluster';

/** The loaded configuration, and the token file of each user that authenticates with one. */
export interface LoadedKubeconfig {
  kc: KubeConfig;
  /** User name -> absolute path of its tokenFile (a user with a `token` has none: kubectl prefers the token). */
  tokenFiles: Map<string, string>;
}

/** kubectl's loading rules; client-node's loadFromDefault differs (last current-context wins, duplicates throw). */
export async function loadKubeconfig(explicit: string | undefined, env: NodeJS.ProcessEnv): Promise<LoadedKubeconfig> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const paths = kubeconfigPaths(explicit, env);
  if (paths === 'in-cluster') return inClusterConfig(new KubeConfig(), env);
  const userTokenFilePaths = new Map<string, string>();
  const merged = {
    clusters: [] as Cluster[],
    users: [] as User[],
    contexts: [] as ReturnType<KubeConfig['getContexts']>,
    currentContext: '',
  };
  const seen = { clusters: new Set<string>(), users: new Set<string>(), contexts: new Set<string>() };
  for (const path of paths) {
    const part = new KubeConfig();
    let tokenFiles: Map<string, string>;
    try {
      part.loadFromFile(path);
      tokenFiles = userTokenFiles(path);
    } catch (error) {
      throw new UserError(`kubeconfig "${path}" cannot be read: ${firstLine(error)}`, {
        hint: `fix the file; kubectl config view --kubeconfig ${path} shows what kubectl makes of it`,
      });
    }
    // the first file to define a name, or to set current-context, wins (kubectl's merge)
    merged.currentContext ||= part.getCurrentContext() ?? '';
    for (const cluster of part.getClusters()) {
      if (seen.clusters.has(cluster.name)) continue;
      seen.clusters.add(cluster.name);
      merged.clusters.push(cluster);
    }
    for (const user of part.getUsers()) {
      if (seen.users.has(user.name)) continue;
      seen.users.add(user.name);
      const tokenFile = tokenFiles.get(user.name);
      // kubectl: a token wins over a tokenFile
      if (tokenFile && !user.token) userTokenFilePaths.set(user.name, tokenFile);
      merged.users.push(user);
    }
    for (const context of part.getContexts()) {
      if (seen.contexts.has(context.name)) continue;
      seen.contexts.add(context.name);
      merged.contexts.push(context);
    }
  }
  const kc = new KubeConfig();
  kc.loadFromOptions(merged);
  return { kc, tokenFiles: userTokenFilePaths };
}

/** The files to read, or 'in-cluster' when there is none and the process runs in a pod. */
function kubeconfigPaths(explicit: string | undefined, env: NodeJS.ProcessEnv): string[] | 'in-cluster' {
  if (explicit) {
    if (!existsSync(explicit)) {
      throw new UserError(`kubeconfig "${explicit}" does not exist`, { hint: 'pass the path of a kubeconfig file' });
    }
    return [explicit];
  }
  const inCluster = Boolean(env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT);
  if (env.KUBECONFIG) {
    const listed = env.KUBECONFIG.split(delimiter).filter((path) => path !== '');
    // kubectl skips KUBECONFIG entries that do not exist
    const paths = listed.filter((path) => existsSync(path));
    if (paths.length > 0) return paths;
    if (inCluster) return 'in-cluster';
    throw new UserError(`no file of KUBECONFIG exists (${listed.join(delimiter)})`, { hint: '--kubeconfig FILE' });
  }
  const fallback = join(env.HOME || homedir(), '.kube', 'config');
  if (existsSync(fallback)) return [fallback];
  if (inCluster) return 'in-cluster';
  throw new UserError(`no kubeconfig: KUBECONFIG is unset and ${fallback} does not exist`, {
    hint: '--kubeconfig FILE (or run in a pod, where the service account is used)',
  });
}

/** Each user's `tokenFile` of one kubeconfig file, made absolute against the file's folder (kubectl's rule). */
function userTokenFiles(path: string): Map<string, string> {
  const raw = parse(readFileSync(path, 'utf8')) as { users?: { name?: string; user?: { tokenFile?: unknown } }[] };
  const files = new Map<string, string>();
  for (const entry of raw?.users ?? []) {
    const file = entry?.user?.tokenFile;
    if (typeof entry?.name === 'string' && typeof file === 'string' && file !== '') {
      files.set(entry.name, isAbsolute(file) ? file : join(dirname(path), file));
    }
  }
  return files;
}

/**
 * The pod's service account, as kubectl uses it without a kubeconfig (client-go rest.InClusterConfig): the API server
 * at KUBERNETES_SERVICE_HOST:PORT over TLS verified by the mounted ca.crt, the mounted token (re-read as it rotates),
 * the mounted namespace.
 */
function inClusterConfig(kc: KubeConfig, env: NodeJS.ProcessEnv): LoadedKubeconfig {
  const dir = env[SERVICE_ACCOUNT_DIR_VARIABLE] || SERVICE_ACCOUNT_DIR;
  const tokenFile = join(dir, 'token');
  const caFile = join(dir, 'ca.crt');
  requireReadable(tokenFile, 'the service account token', 'in-cluster');
  requireReadable(caFile, "the service account's CA certificate", 'in-cluster');
  const host = env.KUBERNETES_SERVICE_HOST ?? '';
  const server = `https://${host.includes(':') ? `[${host}]` : host}:${env.KUBERNETES_SERVICE_PORT}`;
  const namespaceFile = join(dir, 'namespace');
  const namespace = existsSync(namespaceFile) ? readFileSync(namespaceFile, 'utf8').trim() : undefined;
  kc.loadFromOptions({
    clusters: [{ name: IN_CLUSTER_CONTEXT, server, caFile }],
    users: [{ name: IN_CLUSTER_CONTEXT }],
    contexts: [{ name: IN_CLUSTER_CONTEXT, cluster: IN_CLUSTER_CONTEXT, user: IN_CLUSTER_CONTEXT, namespace }],
    currentContext: IN_CLUSTER_CONTEXT,
  });
  return { kc, tokenFiles: new Map([[IN_CLUSTER_CONTEXT, tokenFile]]) };
}

/** A file the context needs; one that is missing or unreadable is named, before anything is sent (exit 2). */
function requireReadable(file: string, what: string, context: string): void {
  try {
    accessSync(file, constants.R_OK);
  } catch (error) {
    throw new UserError(
      `context "${context}": ${what} "${file}" cannot be read (${(error as NodeJS.ErrnoException).code})`,
      { hint: 'fix the path in the kubeconfig (kubectl config view --minify), or the file itself' },
    );
  }
}

/**
 * Checks every file the selected context names (CA, client certificate and key, token file); returns the user's
 * token file, if it authenticates with one.
 */
export function checkContextFiles(loaded: LoadedKubeconfig, context: string): string | undefined {
  const cluster = loaded.kc.getCurrentCluster();
  const user = loaded.kc.getCurrentUser();
  if (cluster?.caFile) requireReadable(cluster.caFile, `certificate-authority of cluster "${cluster.name}"`, context);
  if (user?.certFile) requireReadable(user.certFile, `client-certificate of user "${user.name}"`, context);
  if (user?.keyFile) requireReadable(user.keyFile, `client-key of user "${user.name}"`, context);
  const tokenFile = user ? loaded.tokenFiles.get(user.name) : undefined;
  if (tokenFile) requireReadable(tokenFile, `tokenFile of user "${user?.name}"`, context);
  return tokenFile;
}
