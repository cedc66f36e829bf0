/**
 * The sandbox in the harness's process (its stats and store at hand), a kubeconfig file for the plugin, and the
 * checks every part makes from the cluster's side: one Succeeded DataVolume per disk, none duplicated, the cap held.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Scenario } from '@kubectl-mtv/engine';
import type { KubeObject } from '@kubectl-mtv/sandbox';
import {
  DATAVOLUMES,
  type Sandbox,
  type SandboxOptions,
  SEED_NAMES,
  STUCK_ANNOTATION,
  startSandbox,
} from '@kubectl-mtv/sandbox';
import { type Check, check } from './checks.js';
import { diskCount } from './scenarios.js';

export const LEASES = 'leases.coordination.k8s.io';
export const LEASE_NAME = `kubectl-mtv-${SEED_NAMES.plan}`;

export interface ChaosCluster {
  sandbox: Sandbox;
  scenario: Scenario;
  kubeconfig: string;
  dir: string;
  /** Wall-clock ms of every DataVolume creation the store saw, in order. */
  creations: { name: string; at: number }[];
  dataVolumes(): KubeObject[];
  lease(): KubeObject | undefined;
  /** migrate's arguments for the seeded plan, then `extra`. */
  migrateArgs(...extra: string[]): string[];
  close(): Promise<void>;
}

export async function startCluster(
  scenario: Scenario,
  options: Omit<SandboxOptions, 'scenario'> = {},
): Promise<ChaosCluster> {
  const sandbox = await startSandbox({ scenario, ...options });
  const dir = mkdtempSync(join(tmpdir(), 'kubectl-mtv-chaos-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, sandbox.kubeconfigText, { mode: 0o600 });
  const creations: { name: string; at: number }[] = [];
  const unsubscribe = sandbox.store.subscribe((event) => {
    if (event.resource === DATAVOLUMES && event.type === 'ADDED') {
      creations.push({ name: event.object.metadata.name ?? '', at: Date.now() });
    }
  });
  return {
    sandbox,
    scenario,
    kubeconfig,
    dir,
    creations,
    dataVolumes: () => sandbox.store.list(DATAVOLUMES, SEED_NAMES.targetNamespace),
    lease: () => sandbox.store.get(LEASES, SEED_NAMES.forkliftNamespace, LEASE_NAME),
    migrateArgs: (...extra) => [
      'migrate',
      SEED_NAMES.plan,
      '-n',
      SEED_NAMES.forkliftNamespace,
      '--kubeconfig',
      kubeconfig,
      '--no-tui',
      // the chaos parts judge the copy (one Succeeded DataVolume per disk); making the VMs deletes the DataVolumes and
      // is judged by test/runner/vm-finisher.test.ts and the e2e tests
      '--disks-only',
      ...extra,
    ],
    close: async () => {
      unsubscribe();
      await sandbox.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function phaseOf(dv: KubeObject): string | undefined {
  return (dv.status as { phase?: string } | undefined)?.phase;
}

/** The disk a DataVolume copies: its VM's inventory id and the disk's index (Forklift's label and annotation). */
function diskKey(dv: KubeObject): string {
  return `${dv.metadata.labels?.['kubectl-mtv.konveyor.io/vm-id'] ?? '?'}#${dv.metadata.labels?.['kubectl-mtv.konveyor.io/disk-index'] ?? dv.metadata.name}`;
}

export interface Tally {
  disks: number;
  dataVolumes: number;
  duplicates: number;
  missing: number;
  notSucceeded: number;
  stuck: number;
  peak: number;
  importsStarted: number;
}

/** What the cluster holds for the plan, counted. */
export function tally(cluster: ChaosCluster): Tally {
  const dvs = cluster.dataVolumes();
  const keys = new Map<string, number>();
  for (const dv of dvs) keys.set(diskKey(dv), (keys.get(diskKey(dv)) ?? 0) + 1);
  const disks = diskCount(cluster.scenario);
  const duplicates = [...keys.values()].reduce((sum, n) => sum + (n - 1), 0);
  const stats = cluster.sandbox.stats();
  return {
    disks,
    dataVolumes: dvs.length,
    duplicates,
    missing: disks - keys.size,
    notSucceeded: dvs.filter((dv) => phaseOf(dv) !== 'Succeeded').length,
    stuck: dvs.filter((dv) => dv.metadata.annotations?.[STUCK_ANNOTATION] !== undefined).length,
    peak: stats.imports.peak,
    importsStarted: stats.imports.started,
  };
}

/** The four checks of a finished plan: no duplicate, none missing, all Succeeded, the cap never exceeded. */
export function completionChecks(t: Tally, cap: number): Check[] {
  return [
    check(
      '0 duplicate DataVolumes',
      t.duplicates === 0 && t.importsStarted === t.disks,
      `${t.duplicates} duplicates; ${t.importsStarted} imports started for ${t.disks} disks`,
    ),
    check('0 disks without a DataVolume', t.missing === 0, `${t.missing} missing of ${t.disks}`),
    check(
      'every DataVolume Succeeded',
      t.notSucceeded === 0 && t.dataVolumes === t.disks,
      `${t.dataVolumes - t.notSucceeded}/${t.dataVolumes} Succeeded`,
    ),
    check('peak in flight never above the cap', t.peak <= cap, `sandbox imports.peak ${t.peak}, cap ${cap}`),
  ];
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
