/**
 * The kubeconfig the sandbox hands to kubectl and client-node: one cluster, one token user, one context whose
 * namespace is openshift-mtv. It is written atomically (a reader never sees half a file) and never over the
 * user's own kubeconfig.
 */
import { randomBytes } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { chmod, open, rename, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, delimiter, dirname, join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { SandboxInputError } from './input-error.js';

export interface SandboxKubeconfigOptions {
  /** The API server's URL, e.g. `https://127.0.0.1:6443`. */
  server: string;
  /** The bearer token the API server accepts. */
  token: string;
  /** The CA certificate (PEM) that signed the server's certificate; required for https unless `insecure`. */
  caCert?: string;
  /** Writes `insecure-skip-tls-verify: true` (and no CA); implied by an http:// server, which client-node requires. */
  insecure?: boolean;
  namespace?: string;
  /** Names the context, the cluster and the user alike. */
  contextName?: string;
}

/** The kubeconfig YAML for the sandbox. */
export function sandboxKubeconfig({
  server,
  token,
  caCert,
  insecure = false,
  namespace = 'openshift-mtv',
  contextName = 'mtv-sandbox',
}: SandboxKubeconfigOptions): string {
  const skipVerify = insecure || server.startsWith('http://');
  // kubectl refuses a cluster that sets both a CA and insecure-skip-tls-verify, so exactly one is written.
  if (!skipVerify && !caCert) {
    throw new Error(`sandboxKubeconfig: server "${server}" is https but neither caCert nor insecure was given`);
  }
  const cluster = skipVerify
    ? { server, 'insecure-skip-tls-verify': true }
    : { server, 'certificate-authority-data': Buffer.from(caCert as string).toString('base64') };
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: [{ name: contextName, cluster }],
    users: [{ name: contextName, user: { token } }],
    contexts: [{ name: contextName, context: { cluster: contextName, user: contextName, namespace } }],
    'current-context': contextName,
  });
}

/**
 * Writes `text` to `path` with mode 0600 through a temporary file in the same directory and a rename, so the file
 * is either the old one or the whole new one. Refuses the user's default kubeconfig (~/.kube/config and every path
 * of KUBECONFIG) with a SandboxInputError.
 */
export async function writeKubeconfigAtomically(path: string, text: string): Promise<void> {
  const target = canonical(path);
  const protectedPath = defaultKubeconfigPaths().find((candidate) => canonical(candidate) === target);
  if (protectedPath !== undefined) {
    throw new SandboxInputError(
      `kubeconfig "${path}" is your default kubeconfig ("${protectedPath}"); the sandbox never writes over it`,
      '--kubeconfig ./sandbox.kubeconfig, then export KUBECONFIG=./sandbox.kubeconfig',
    );
  }
  const temporary = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const file = await open(temporary, 'wx', 0o600);
    try {
      await file.writeFile(text, 'utf8');
      await file.sync();
    } finally {
      await file.close();
    }
    await chmod(temporary, 0o600); // the umask may only remove bits, but be explicit: the file holds a token
    await rename(temporary, target);
  } catch (error) {
    await unlink(temporary).catch(() => {});
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EPERM' || code === 'ENOTDIR' || code === 'EISDIR') {
      throw new SandboxInputError(
        `kubeconfig "${path}" cannot be written (${code})`,
        'pass --kubeconfig with a path in an existing, writable directory',
      );
    }
    throw error;
  }
}

/** ~/.kube/config and each path of KUBECONFIG: the files kubectl reads when no --kubeconfig is given. */
function defaultKubeconfigPaths(): string[] {
  const fromEnv = (process.env.KUBECONFIG ?? '').split(delimiter).filter((entry) => entry !== '');
  return [join(homedir(), '.kube', 'config'), ...fromEnv];
}

/** The absolute path with its directory's symlinks resolved (the file itself may not exist yet). */
function canonical(path: string): string {
  const absolute = resolve(path);
  let directory = dirname(absolute);
  try {
    directory = realpathSync(directory);
  } catch {
    // a missing directory cannot hide a symlink to ~/.kube; the write reports it
  }
  return join(directory, basename(absolute));
}
