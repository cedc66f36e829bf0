/**
 * The kubeconfig the sandbox hands to kubectl and client-node: one cluster, one token user, one context whose
 * namespace is openshift-mtv, and a top-level extension that marks it as the sandbox's (kubectl keeps extensions when
 * it rewrites a kubeconfig). It is written atomically (a reader never sees half a file), only where no file is or
 * where the file is one a sandbox wrote, and removed only by the sandbox that wrote it: never the user's own files.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { chmod, link, open, readFile, rename, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, delimiter, dirname, join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
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
  /** The sandbox this kubeconfig belongs to, in its marker (default: a new random id). */
  instance?: string;
  /** The cluster's proxy-url. */
  proxyUrl?: string;
  /**
   * Authenticate with a client certificate instead of the token: PEM data written into the kubeconfig, or the paths
   * of files that hold it.
   */
  clientCertificate?: { certData: string; keyData: string } | { certFile: string; keyFile: string };
  /**
   * A second cluster (the remote destination): written as context `<contextName>-remote` (its own cluster and token
   * user, namespace demo); the current context stays the first.
   */
  remote?: { server: string; token: string; caCert?: string; namespace?: string };
}

/** The kubeconfig's context for the sandbox's remote destination cluster (`<context>-remote` of the default one). */
export const SANDBOX_REMOTE_CONTEXT = 'mtv-sandbox-remote';

/** The name of the kubeconfig extension that marks a file as written by a sandbox. */
export const SANDBOX_KUBECONFIG_MARK = 'kubectl-mtv.konveyor.io/sandbox';

/** The kubeconfig YAML for the sandbox. */
export function sandboxKubeconfig({
  server,
  token,
  caCert,
  insecure = false,
  namespace = 'openshift-mtv',
  contextName = 'mtv-sandbox',
  instance = randomUUID(),
  proxyUrl,
  clientCertificate,
  remote,
}: SandboxKubeconfigOptions): string {
  const cluster = clusterEntry(server, caCert, insecure, proxyUrl);
  const user =
    clientCertificate === undefined
      ? { token }
      : 'certFile' in clientCertificate
        ? { 'client-certificate': clientCertificate.certFile, 'client-key': clientCertificate.keyFile }
        : {
            'client-certificate-data': Buffer.from(clientCertificate.certData).toString('base64'),
            'client-key-data': Buffer.from(clientCertificate.keyData).toString('base64'),
          };
  const second = `${contextName}-remote`;
  const remoteEntries = remote && {
    cluster: { name: second, cluster: clusterEntry(remote.server, remote.caCert, insecure, proxyUrl) },
    user: { name: second, user: { token: remote.token } },
    context: { name: second, context: { cluster: second, user: second, namespace: remote.namespace ?? 'demo' } },
  };
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: [{ name: contextName, cluster }, ...(remoteEntries ? [remoteEntries.cluster] : [])],
    users: [{ name: contextName, user }, ...(remoteEntries ? [remoteEntries.user] : [])],
    contexts: [
      { name: contextName, context: { cluster: contextName, user: contextName, namespace } },
      ...(remoteEntries ? [remoteEntries.context] : []),
    ],
    'current-context': contextName,
    extensions: [{ name: SANDBOX_KUBECONFIG_MARK, extension: { instance, writtenBy: 'kubectl mtv sandbox' } }],
  });
}

/** One kubeconfig cluster: kubectl refuses a cluster that sets both a CA and insecure-skip-tls-verify, so exactly one. */
function clusterEntry(server: string, caCert: string | undefined, insecure: boolean, proxyUrl: string | undefined) {
  const skipVerify = insecure || server.startsWith('http://');
  if (!skipVerify && !caCert) {
    throw new Error(`sandboxKubeconfig: server "${server}" is https but neither caCert nor insecure was given`);
  }
  return {
    ...(skipVerify
      ? { server, 'insecure-skip-tls-verify': true }
      : { server, 'certificate-authority-data': Buffer.from(caCert as string).toString('base64') }),
    ...(proxyUrl !== undefined && { 'proxy-url': proxyUrl }),
  };
}

/** The sandbox instance a kubeconfig's marker names, or undefined when the text is not a sandbox's kubeconfig. */
export function sandboxKubeconfigInstance(text: string): string | undefined {
  try {
    const config = parse(text) as { extensions?: { name?: string; extension?: { instance?: unknown } }[] } | null;
    const mark = config?.extensions?.find((entry) => entry?.name === SANDBOX_KUBECONFIG_MARK);
    return typeof mark?.extension?.instance === 'string' ? mark.extension.instance : undefined;
  } catch {
    return undefined;
  }
}

/** Removes the kubeconfig at `path` if it is still the one `written` is (its marker names the same sandbox). */
export async function removeSandboxKubeconfig(path: string, written: string): Promise<void> {
  const current = await readFile(path, 'utf8').catch(() => undefined);
  const ours = sandboxKubeconfigInstance(written);
  if (current !== undefined && ours !== undefined && sandboxKubeconfigInstance(current) === ours) {
    await unlink(path).catch(() => {});
  }
}

/**
 * Writes `text` to `path` with mode 0600 through a temporary file in the same directory, so the file is either the
 * old one or the whole new one: linked in where no file is (no-clobber, so a file that appears meanwhile is kept),
 * renamed over one a sandbox wrote before. Refuses, with a SandboxInputError, any other existing file and the user's
 * default kubeconfig (~/.kube/config and every path of KUBECONFIG) even when absent.
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
    await placeFile(temporary, target, path);
  } catch (error) {
    await unlink(temporary).catch(() => {});
    if (error instanceof SandboxInputError) throw error;
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

/** Puts the written temporary file at `target`: linked where nothing is, renamed over a sandbox's own kubeconfig. */
async function placeFile(temporary: string, target: string, given: string): Promise<void> {
  for (;;) {
    const existing = await readFile(target, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (existing === undefined) {
      try {
        await link(temporary, target);
        await unlink(temporary);
        return;
      } catch (error) {
        // another file appeared meanwhile: judge it as any existing file
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw error;
      }
    }
    if (sandboxKubeconfigInstance(existing) === undefined) {
      throw new SandboxInputError(
        `kubeconfig "${given}" exists and was not written by kubectl mtv sandbox; the sandbox writes only a new file or one it wrote before`,
        '--kubeconfig with a path where no file is, e.g. ./sandbox.kubeconfig',
      );
    }
    await rename(temporary, target);
    return;
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
