/**
 * The cluster adapter against a real sandbox: a kubeconfig on disk, a KubeClient from it, the inventory found
 * through the seeded Route, and helpers that change seeded objects the way a user or controller would.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Scenario } from '@kubectl-mtv/engine';
import { type Sandbox, type SandboxOptions, startSandbox } from '@kubectl-mtv/sandbox';
import { expect } from 'vitest';
import { InventoryClient, type InventoryOptions } from '../../src/cluster/inventory-client.js';
import { connectKube, type KubeClient, type KubeConnectionOptions } from '../../src/cluster/kube-client.js';
import { UserError } from '../../src/errors.js';

export interface ClusterFixture {
  sandbox: Sandbox;
  kube: KubeClient;
  inventory: InventoryClient;
  dir: string;
  kubeconfigPath: string;
  /** Writes `text` as a file in the fixture's directory and returns its path. */
  file(name: string, text: string): string;
  connect(options?: KubeConnectionOptions): Promise<KubeClient>;
  newInventory(options?: InventoryOptions, kube?: KubeClient): InventoryClient;
  /** Merge-patches an object through the API server (spec, metadata; status goes through the store). */
  patch(path: string, body: unknown): Promise<void>;
  /** The cluster-wide resourceVersion, as a list reports it. */
  revision(): Promise<string>;
  close(): Promise<void>;
}

export async function startCluster(
  scenario: Scenario,
  options: Omit<SandboxOptions, 'scenario'> = {},
): Promise<ClusterFixture> {
  const sandbox = await startSandbox({ scenario, ...options });
  const dir = mkdtempSync(join(tmpdir(), 'cluster-'));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text, { mode: 0o600 });
    return path;
  };
  const kubeconfigPath = file('kubeconfig', sandbox.kubeconfigText);
  const connect = (extra: KubeConnectionOptions = {}) =>
    connectKube({ kubeconfig: kubeconfigPath, env: {}, requestTimeoutMs: 5_000, ...extra });
  const kube = await connect();
  const newInventory = (extra: InventoryOptions = {}, client: KubeClient = kube) =>
    new InventoryClient(client, { env: {}, ...extra });
  return {
    sandbox,
    kube,
    inventory: newInventory(),
    dir,
    kubeconfigPath,
    file,
    connect,
    newInventory,
    patch: async (path, body) => {
      await kube.transport.request('PATCH', path, { body, contentType: 'application/merge-patch+json' });
    },
    revision: async () =>
      (await kube.transport.request<{ metadata: { resourceVersion: string } }>('GET', '/api/v1/namespaces')).metadata
        .resourceVersion,
    close: async () => {
      await sandbox.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The UserError `promise` rejects with; fails the test when it resolves or throws anything else. */
export async function userError(promise: Promise<unknown>): Promise<UserError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(UserError);
  return error as UserError;
}
