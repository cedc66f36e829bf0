import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Scenario } from '@kubectl-mtv/engine';
import { SEED_NAMES, startSandbox } from '@kubectl-mtv/sandbox';
import { checkAccess, migrateAccessChecks } from '../src/cluster/access-review.js';
import { buildPlanDataVolumes } from '../src/cluster/datavolume-builder.js';
import { InventoryClient } from '../src/cluster/inventory-client.js';
import { connectKube } from '../src/cluster/kube-client.js';
import { detectMtvRelease } from '../src/cluster/mtv-release.js';
import { resolvePlan } from '../src/cluster/plan-resolver.js';
import { runTransfers } from '../src/runner/run-transfers.js';
import { markdownTable, type ReportSection, verdict } from './markdown.js';

const Gi = 2 ** 30;
const Mi = 2 ** 20;
/** Goal: requests to the API server and the inventory per disk, Lease requests aside. */
const REQUESTS_PER_DISK_GOAL = 1.3;

/** 1000 disks: 250 powered-off VMs of 4 disks on 4 hosts at 280Mi, cap 40. */
export function efficiencyScenario(): Scenario {
  const hosts = ['esx-01', 'esx-02', 'esx-03', 'esx-04'].map((name) => ({ name, bandwidth: 280 * Mi }));
  return {
    name: 'efficiency-1000',
    migration: 'cold',
    maxInFlight: 40,
    diskRate: 100 * Mi,
    hosts,
    vms: Array.from({ length: 250 }, (_, v) => ({
      name: `vm-${String(v + 1).padStart(3, '0')}`,
      host: hosts[v % 4].name,
      powerState: 'poweredOff',
      disks: [{ size: (8 + (v % 7) * 4) * Gi }, { size: 2 * Gi }, { size: 1 * Gi }, { size: 512 * Mi }],
    })),
  };
}

/** One measured run: the plan copied, with (or without, as --disks-only) its VMs made. */
interface Measured {
  disks: number;
  vms: number;
  api: number;
  leases: number;
  inventoryRequests: number;
  perDisk: number;
  seconds: number;
  outcome: string;
  transferred: number;
  ready: number;
  peak: number;
}

async function measure(withVms: boolean, log: (line: string) => void): Promise<Measured> {
  const scenario = efficiencyScenario();
  const sandbox = await startSandbox({ scenario, speed: 500 });
  const dir = mkdtempSync(join(tmpdir(), 'bench-efficiency-'));
  try {
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, sandbox.kubeconfigText, { mode: 0o600 });
    const before = sandbox.stats().requests;
    const started = performance.now();
    const client = await connectKube({ kubeconfig, env: {} });
    const inventory = new InventoryClient(client, { env: {} });
    const resolved = await resolvePlan(client, inventory, {
      plan: SEED_NAMES.plan,
      namespace: SEED_NAMES.forkliftNamespace,
      mtvRelease: await detectMtvRelease(client),
      ...(!withVms && { disksOnly: true }),
    });
    await checkAccess(
      client,
      migrateAccessChecks(
        resolved.plan.namespace,
        resolved.plan.targetNamespace,
        resolved.vddkSecretSource.kind,
        resolved.vmSettings !== undefined,
      ),
    );
    const { dataVolumes, skipped } = buildPlanDataVolumes(resolved);
    log(`efficiency: migrating ${dataVolumes.length} disks in the sandbox${withVms ? ', and making the VMs' : ''}`);
    const summary = await runTransfers(
      {
        client,
        resolved,
        dataVolumes,
        scheduler: { policy: 'disk', maxInFlight: scenario.maxInFlight, order: 'largest' },
        signal: new AbortController().signal,
        holder: 'bench@localhost/0',
        takeover: false,
        ...(resolved.vmSettings && { vms: { readyTimeoutMs: 600_000, skipped } }),
      },
      () => {},
    );
    const seconds = (performance.now() - started) / 1000;
    const after = sandbox.stats();
    const leases =
      (after.requests.byResource['leases.coordination.k8s.io'] ?? 0) -
      (before.byResource['leases.coordination.k8s.io'] ?? 0);
    const api = after.requests.total - before.total - leases;
    const inventoryRequests = inventory.requestCount();
    return {
      disks: dataVolumes.length,
      vms: summary.vms?.length ?? 0,
      api,
      leases,
      inventoryRequests,
      perDisk: (api + inventoryRequests) / dataVolumes.length,
      seconds,
      outcome: summary.outcome,
      transferred: summary.transferred,
      ready: summary.vms?.filter((vm) => vm.state === 'ready').length ?? 0,
      peak: after.imports.peak,
    };
  } finally {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * What `migrate` costs the API server and the inventory for a 1000-disk plan: the same steps as the command (connect,
 * resolve, access review, build, run) against the sandbox in process, counted by the sandbox and the inventory client;
 * the copy alone (--disks-only), which the goal is about, then the copy and the VMs made from it.
 */
export async function efficiencySection(log: (line: string) => void): Promise<ReportSection> {
  const copy = await measure(false, log);
  const full = await measure(true, log);
  const row = (what: string, m: Measured) => [
    what,
    String(m.disks),
    String(m.api),
    String(m.leases),
    String(m.inventoryRequests),
    m.perDisk.toFixed(3),
    `${m.seconds.toFixed(1)} s`,
  ];
  return {
    title: 'migrate: requests per disk',
    goals: [
      `${copy.perDisk.toFixed(3)} requests per disk to the API server and the inventory for the copy, Leases aside (goal <= ${REQUESTS_PER_DISK_GOAL}): ${verdict(copy.perDisk <= REQUESTS_PER_DISK_GOAL)}`,
      `outcome ${copy.outcome}: ${copy.transferred} of ${copy.disks} disks transferred; peak in flight ${copy.peak} (cap ${efficiencyScenario().maxInFlight})`,
      `with the VMs made: ${full.perDisk.toFixed(3)} requests per disk (${((full.api + full.inventoryRequests - copy.api - copy.inventoryRequests) / Math.max(1, full.vms)).toFixed(1)} more per VM); ${full.ready} of ${full.vms} VMs ready, outcome ${full.outcome}`,
    ],
    body: markdownTable(
      ['run', 'disks', 'API requests', 'Lease requests', 'inventory requests', 'per disk', 'wall time'],
      [row('copy (--disks-only)', copy), row('copy and VMs', full)],
      [false, true, true, true, true, true, true],
    ),
    howToRead:
      'Measured by `npm run bench` (bench/migrate-efficiency.ts): the steps of `kubectl mtv migrate plan-a` (connect, ' +
      'resolve the plan with the inventory, SelfSubjectAccessReviews, build the DataVolumes, run) against the sandbox in ' +
      'process at 500x, 250 VMs x 4 disks on 4 hosts at 280Mi, cap 40, policy disk; once with --disks-only (the copy, ' +
      'which the goal is about) and once making the VMs (resolving the NetworkMap, NADs and VM names, then per VM: ' +
      'find it by its labels, create it, give it its PVCs and read them back, delete its DataVolumes, follow it until ' +
      'ready). API requests are what the sandbox counted (creates, patches, deletes, lists and watches, the plan reads ' +
      'and access reviews); Lease creation and renewals are counted apart, as the goal excludes them.',
  };
}
