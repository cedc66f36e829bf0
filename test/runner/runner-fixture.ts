/** A sandbox with plan-a resolved and its DataVolumes built, and a runTransfers that collects the events. */

import type { Scenario, VmSpec } from '@kubectl-mtv/engine';
import type { SandboxOptions } from '@kubectl-mtv/sandbox';
import { SEED_NAMES } from '@kubectl-mtv/sandbox';
import { buildPlanDataVolumes, type DiskDataVolume } from '../../src/cluster/datavolume-builder.js';
import type { KubeClient } from '../../src/cluster/kube-client.js';
import { detectMtvRelease } from '../../src/cluster/mtv-release.js';
import { resolvePlan } from '../../src/cluster/plan-resolver.js';
import type { ResolvedPlan } from '../../src/cluster/resolved-plan.js';
import type { RunEvent, RunSummary } from '../../src/runner/run-events.js';
import type { RunOptions } from '../../src/runner/run-options.js';
import { runTransfers } from '../../src/runner/run-transfers.js';
import { type ClusterFixture, startCluster } from '../cluster/cluster-fixture.js';

export const NS = SEED_NAMES.forkliftNamespace;
export const DATAVOLUMES = 'datavolumes.cdi.kubevirt.io';
const Gi = 2 ** 30;

/** `vms` VMs of `disksPerVm` disks (4-16 GiB) on two hosts, cap `maxInFlight`. */
export function scenario(vms: number, disksPerVm: number, maxInFlight: number): Scenario {
  const list: VmSpec[] = Array.from({ length: vms }, (_, v) => ({
    name: `vm-${String(v + 1).padStart(2, '0')}`,
    host: v % 2 === 0 ? 'esx-01' : 'esx-02',
    disks: Array.from({ length: disksPerVm }, (_, d) => ({
      size: (4 + ((v * 3 + d * 5) % 13)) * Gi,
      datastore: 'ds-1',
    })),
  }));
  return {
    name: 'runner',
    migration: 'cold',
    maxInFlight,
    diskRate: 100 * 2 ** 20,
    hosts: [
      { name: 'esx-01', bandwidth: 300 * 2 ** 20 },
      { name: 'esx-02', bandwidth: 300 * 2 ** 20 },
    ],
    vms: list,
  };
}

export interface RunnerFixture {
  cluster: ClusterFixture;
  resolved: ResolvedPlan;
  dataVolumes: DiskDataVolume[];
  /** Runs plan-a; `extra` overrides the defaults (holder alice@ws1/1, cap from the scenario, disk policy). */
  run(extra?: Partial<RunOptions>): { events: RunEvent[]; done: Promise<RunSummary> };
  /** The plan's DataVolumes in the sandbox. */
  stored(): { name: string; phase?: string; annotations: Record<string, string> }[];
  close(): Promise<void>;
}

export async function startRunner(
  sc: Scenario,
  options: Omit<SandboxOptions, 'scenario'> = {},
): Promise<RunnerFixture> {
  const cluster = await startCluster(sc, { speed: 2000, ...options });
  // the client retries 429, 5xx and dropped connections (retry-policy.ts): injected faults pass through it
  const mtvRelease = await detectMtvRelease(cluster.kube);
  // the fixture runs plan-a on every release served: on 2.8 it needs a conversion afterwards, which no test runs
  const resolved = await resolvePlan(cluster.kube, cluster.inventory, {
    plan: 'plan-a',
    namespace: NS,
    mtvRelease,
    disksOnly: true,
  });
  const { dataVolumes } = buildPlanDataVolumes(resolved);
  const run = (extra: Partial<RunOptions> & { client?: KubeClient } = {}) => {
    const events: RunEvent[] = [];
    const done = runTransfers(
      {
        client: cluster.kube,
        resolved,
        dataVolumes,
        scheduler: { policy: 'disk', maxInFlight: sc.maxInFlight, order: 'largest' },
        signal: new AbortController().signal,
        holder: 'alice@ws1/1',
        takeover: false,
        ...extra,
      },
      (e) => events.push(e),
    );
    return { events, done };
  };
  return {
    cluster,
    resolved,
    dataVolumes,
    run,
    stored: () =>
      cluster.sandbox.store.list(DATAVOLUMES, resolved.plan.targetNamespace).map((dv) => ({
        name: dv.metadata.name ?? '',
        phase: (dv.status as { phase?: string } | undefined)?.phase,
        annotations: dv.metadata.annotations ?? {},
      })),
    close: () => cluster.close(),
  };
}
