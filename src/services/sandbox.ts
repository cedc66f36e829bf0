/**
 * `kubectl mtv sandbox`: starts the embedded cluster for a scenario and writes its kubeconfig once both servers
 * serve, never over a file a sandbox did not write (its kubeconfig carries a mark). Stopping closes the servers and
 * removes the kubeconfig (its token and port die with the sandbox) if it still carries this sandbox's mark.
 */
import { mkdir, mkdtemp, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Scenario } from '@kubectl-mtv/engine';
import { type ScenarioSummary, summarizeScenario } from '@kubectl-mtv/engine';
import {
  DEFAULT_SANDBOX_SCENARIO,
  removeSandboxKubeconfig,
  SEED_NAMES,
  startSandbox,
  writeKubeconfigAtomically,
} from '@kubectl-mtv/sandbox';
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
  /** `VERB:RESOURCE` rules answered 403. */
  deny: string[];
}

/** A running sandbox, as the command reports it. */
export interface ServedSandbox {
  /** Absolute path of the kubeconfig written. */
  kubeconfigPath: string;
  apiUrl: string;
  inventoryUrl: string;
  scenario: ScenarioSummary;
  /** `namespace/name` of the seeded Plan, and the namespace its DataVolumes go to. */
  plan: string;
  targetNamespace: string;
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
      deny: options.deny,
      faults: {
        rate: options.faultRate,
        seed: options.faultSeed,
        watchDropEvery: options.watchDropEvery,
        latencyMs: options.latencyMs,
      },
    }),
  );
  let location: KubeconfigLocation;
  try {
    location = await kubeconfigLocation(options.kubeconfigPath, Number(new URL(sandbox.apiUrl).port));
    await sandboxInput(writeKubeconfigAtomically(location.path, sandbox.kubeconfigText));
  } catch (error) {
    await sandbox.close();
    throw error;
  }
  return {
    kubeconfigPath: location.path,
    apiUrl: sandbox.apiUrl,
    inventoryUrl: sandbox.inventoryUrl,
    scenario: summarizeScenario(
      scenario,
      options.scenarioPath ? scenarioName(options.scenarioPath) : 'sandbox-default',
    ),
    plan: `${SEED_NAMES.forkliftNamespace}/${SEED_NAMES.plan}`,
    targetNamespace: SEED_NAMES.targetNamespace,
    stop: async () => {
      await sandbox.close();
      await removeKubeconfig(location, sandbox.kubeconfigText);
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

/** Removes the kubeconfig if it is still this sandbox's (another sandbox may have taken the path since). */
async function removeKubeconfig(location: KubeconfigLocation, written: string): Promise<void> {
  await removeSandboxKubeconfig(location.path, written);
  if (location.ownDirectory) await rmdir(location.ownDirectory).catch(() => {});
}
