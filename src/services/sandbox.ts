/**
 * `kubectl mtv sandbox`: starts the embedded cluster for a scenario and writes its kubeconfig once both servers
 * serve, never over a file a sandbox did not write (its kubeconfig carries a mark). Stopping closes the servers and
 * removes the kubeconfig (its token and port die with the sandbox) if it still carries this sandbox's mark.
 */
import { mkdir, mkdtemp, readFile, rmdir, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Scenario } from '@kubectl-mtv/engine';
import { type ScenarioSummary, summarizeScenario } from '@kubectl-mtv/engine';
import {
  DEFAULT_CDI_VERSION,
  DEFAULT_SANDBOX_SCENARIO,
  removeSandboxKubeconfig,
  SANDBOX_REMOTE_CONTEXT,
  type Sandbox,
  SEED_NAMES,
  sandboxKubeconfig,
  sandboxKubeconfigInstance,
  startSandbox,
  writeKubeconfigAtomically,
} from '@kubectl-mtv/sandbox';
import { MTV_RELEASES, type MtvRelease } from '../cluster/mtv-release.js';
import { UserError } from '../errors.js';
import { sandboxInput } from './sandbox-input.js';
import { loadScenarioFile } from './scenario-file.js';
import { scenarioName } from './simulate.js';

export interface SandboxServiceOptions {
  /** Scenario file; undefined = the built-in default scenario. */
  scenarioPath?: string;
  /** API server port; 0 = any free one. */
  port: number;
  /** Where the kubeconfig goes; undefined = a per-port file under $XDG_RUNTIME_DIR or a fresh temporary directory. */
  kubeconfigPath?: string;
  /** Simulated seconds per real second. */
  speed: number;
  insecureHttp: boolean;
  /** Share of resource requests answered with a fault, 0..1. */
  faultRate: number;
  /** Seed of the fault draws. */
  faultSeed: number;
  watchDropEvery?: number;
  /** Milliseconds every request waits. */
  latencyMs: number;
  /** `VM/INDEX` disks whose importer crash-loops. */
  failDisks: string[];
  /** Source VMs whose KubeVirt VM fails to start: `NAME` (CrashLoopBackOff) or `NAME:ErrorUnschedulable`. */
  failVms?: string[];
  /** VMs whose guest conversion (Conversion CR) fails, with the message. */
  failConversions?: { vm: string; message: string }[];
  /** VMs whose CreateSnapshot_Task on the sandbox's vCenter ends in error. */
  failSnapshots?: string[];
  /** VMs whose guest ignores ShutdownGuest on the sandbox's vCenter. */
  ignoreShutdown?: string[];
  /** `VERB:RESOURCE` rules answered 403. */
  deny: string[];
  /** The kubeconfig's user authenticates with a client certificate written beside it (PATH-client.crt/.key). */
  clientCertificate?: boolean;
  /** An HTTP proxy in front of both servers, named in the kubeconfig's proxy-url. */
  proxy?: boolean;
  /** The MTV release whose Forklift CRDs are served (default the newest). */
  mtvRelease?: MtvRelease;
  /** The first N inventory requests that name the provider are answered 206: the inventory is still syncing. */
  inventorySyncing?: number;
  /** What the CDI installation reports as its version (default the sandbox's, DEFAULT_CDI_VERSION). */
  cdiVersion?: string;
}

/** A running sandbox, as the command reports it. */
export interface ServedSandbox {
  /** Absolute path of the kubeconfig written. */
  kubeconfigPath: string;
  apiUrl: string;
  inventoryUrl: string;
  /** The source Provider's vCenter: its SDK URL and user (the password stays in the Provider's Secret). */
  vcenter: { url: string; secret: string };
  scenario: ScenarioSummary;
  /** `namespace/name` of the seeded Plan, and the namespace its DataVolumes go to. */
  plan: string;
  targetNamespace: string;
  mtvRelease: MtvRelease;
  /** The version the CDI installation reports. */
  cdiVersion: string;
  /** The remote destination cluster, its context in the kubeconfig and the plan that copies to it. */
  remote: { apiUrl: string; context?: string; plan: string };
  proxyUrl?: string;
  clientCertificateFiles?: string[];
  /** Closes the servers and removes the kubeconfig; resolves when done. */
  stop(): Promise<void>;
}

export async function serveSandbox(options: SandboxServiceOptions): Promise<ServedSandbox> {
  const scenario: Scenario =
    options.scenarioPath === undefined ? DEFAULT_SANDBOX_SCENARIO : await loadScenarioFile(options.scenarioPath);
  const sandbox = await sandboxInput(
    startSandbox({
      scenario,
      port: options.port,
      speed: options.speed,
      insecureHttp: options.insecureHttp,
      failDisks: options.failDisks,
      ...(options.failVms && options.failVms.length > 0 && { failVms: options.failVms }),
      ...(options.failConversions &&
        options.failConversions.length > 0 && { failConversions: options.failConversions }),
      ...(options.failSnapshots && options.failSnapshots.length > 0 && { failSnapshots: options.failSnapshots }),
      ...(options.ignoreShutdown && options.ignoreShutdown.length > 0 && { ignoreShutdown: options.ignoreShutdown }),
      deny: options.deny,
      clientCertificate: options.clientCertificate ?? false,
      proxy: options.proxy ?? false,
      ...(options.mtvRelease && { mtvRelease: options.mtvRelease }),
      ...(options.cdiVersion && { cdiVersion: options.cdiVersion }),
      ...(options.inventorySyncing && { inventorySyncing: { requests: options.inventorySyncing } }),
      faults: {
        rate: options.faultRate,
        seed: options.faultSeed,
        watchDropEvery: options.watchDropEvery,
        latencyMs: options.latencyMs,
      },
    }),
  );
  let location: KubeconfigLocation;
  let written: WrittenKubeconfig;
  try {
    location = await kubeconfigLocation(options.kubeconfigPath, Number(new URL(sandbox.apiUrl).port));
    written = await writeKubeconfig(sandbox, location.path);
  } catch (error) {
    await sandbox.close();
    throw error;
  }
  return {
    kubeconfigPath: location.path,
    apiUrl: sandbox.apiUrl,
    inventoryUrl: sandbox.inventoryUrl,
    vcenter: {
      url: sandbox.vcenter.url,
      secret: `${SEED_NAMES.forkliftNamespace}/${SEED_NAMES.sourceProviderSecret}`,
    },
    scenario: summarizeScenario(
      scenario,
      options.scenarioPath ? scenarioName(options.scenarioPath) : 'sandbox-default',
    ),
    plan: `${SEED_NAMES.forkliftNamespace}/${SEED_NAMES.plan}`,
    targetNamespace: SEED_NAMES.targetNamespace,
    mtvRelease: options.mtvRelease ?? MTV_RELEASES[MTV_RELEASES.length - 1],
    cdiVersion: options.cdiVersion ?? DEFAULT_CDI_VERSION,
    remote: {
      apiUrl: sandbox.remote.apiUrl,
      ...(!options.clientCertificate && { context: SANDBOX_REMOTE_CONTEXT }),
      plan: `${SEED_NAMES.forkliftNamespace}/${SEED_NAMES.remotePlan}`,
    },
    ...(sandbox.proxyUrl && { proxyUrl: sandbox.proxyUrl }),
    ...(written.beside.length > 0 && { clientCertificateFiles: written.beside }),
    stop: async () => {
      await sandbox.close();
      await removeKubeconfig(location, written);
    },
  };
}

interface KubeconfigLocation {
  path: string;
  /** A directory created for the file alone, removed with it. */
  ownDirectory?: string;
}

/**
 * The given path, else `$XDG_RUNTIME_DIR/kubectl-mtv/sandbox-PORT.kubeconfig` (a per-user directory), else a fresh
 * `kubectl-mtv-sandbox-PORT-XXXXXX/kubeconfig` under the temporary directory (mkdtemp: private, never a name another
 * user could have planted). Never ~/.kube/config: writeKubeconfigAtomically refuses it anyway.
 */
async function kubeconfigLocation(given: string | undefined, port: number): Promise<KubeconfigLocation> {
  if (given !== undefined) return { path: resolve(given) };
  const runtime = process.env.XDG_RUNTIME_DIR;
  if (runtime) {
    const directory = join(runtime, 'kubectl-mtv');
    try {
      await mkdir(directory, { recursive: true, mode: 0o700 });
      return { path: join(directory, `sandbox-${port}.kubeconfig`) };
    } catch {
      // an unusable runtime directory: fall back to the temporary one
    }
  }
  const directory = await mkdtemp(join(tmpdir(), `kubectl-mtv-sandbox-${port}-`));
  return { path: join(directory, 'kubeconfig'), ownDirectory: directory };
}

/** What was written: the kubeconfig's text, and the files beside it (a client certificate and its key). */
interface WrittenKubeconfig {
  text: string;
  beside: string[];
}

/**
 * Writes the kubeconfig (and, for a client certificate, PATH-client.crt and PATH-client.key beside it, mode 0600,
 * named by the kubeconfig's user instead of the token). The files beside it are written only where none is, or where
 * the kubeconfig at PATH is a sandbox's (an earlier sandbox wrote them).
 */
async function writeKubeconfig(sandbox: Sandbox, path: string): Promise<WrittenKubeconfig> {
  const certificate = sandbox.clientCertificate;
  if (!certificate) {
    await sandboxInput(writeKubeconfigAtomically(path, sandbox.kubeconfigText));
    return { text: sandbox.kubeconfigText, beside: [] };
  }
  const certFile = `${path}-client.crt`;
  const keyFile = `${path}-client.key`;
  const previous = await readFile(path, 'utf8').catch(() => undefined);
  const flag = previous !== undefined && sandboxKubeconfigInstance(previous) !== undefined ? 'w' : 'wx';
  for (const [file, pem] of [
    [certFile, certificate.cert],
    [keyFile, certificate.key],
  ] as const) {
    await writeFile(file, pem, { mode: 0o600, flag }).catch((error: NodeJS.ErrnoException) => {
      throw new UserError(`"${file}" exists and was not written by kubectl mtv sandbox (${error.code})`, {
        hint: '--kubeconfig with a path where no file is, e.g. ./sandbox.kubeconfig',
      });
    });
  }
  const text = sandboxKubeconfig({
    server: sandbox.apiUrl,
    token: sandbox.token,
    caCert: sandbox.caCert,
    ...(sandbox.proxyUrl && { proxyUrl: sandbox.proxyUrl }),
    // the remote cluster takes tokens only: its context is left out of a kubeconfig that carries none
    clientCertificate: { certFile, keyFile },
  });
  await sandboxInput(writeKubeconfigAtomically(path, text));
  return { text, beside: [certFile, keyFile] };
}

/** Removes the kubeconfig, and what was written beside it, if it is still this sandbox's. */
async function removeKubeconfig(location: KubeconfigLocation, written: WrittenKubeconfig): Promise<void> {
  const current = await readFile(location.path, 'utf8').catch(() => undefined);
  const ours = current !== undefined && sandboxKubeconfigInstance(current) === sandboxKubeconfigInstance(written.text);
  await removeSandboxKubeconfig(location.path, written.text);
  if (ours) for (const file of written.beside) await unlink(file).catch(() => {});
  if (location.ownDirectory) await rmdir(location.ownDirectory).catch(() => {});
}
