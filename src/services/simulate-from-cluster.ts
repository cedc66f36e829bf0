/**
 * `kubectl mtv simulate --from-cluster PLAN`: the plan as `migrate` reads it (its Provider, its inventory, the
 * DataVolumes a run would make) and what earlier runs learned of its hosts (the throughput record), simulated as
 * `simulate` simulates a scenario. Read only: nothing is created, no Lease is taken; a warm plan is simulated as a
 * scenario with `migration: warm`.
 */
import type { Scenario, SimulateReport, WarmSimulateReport, Workload } from '@kubectl-mtv/engine';
import { buildPlanDataVolumes } from '../cluster/datavolume-builder.js';
import { resolvePlan } from '../cluster/plan-resolver.js';
import { workloadOfDataVolumes } from '../runner/workload-of-datavolumes.js';
import { PREVIEW_DISK_RATE } from './migrate-dry-run.js';
import {
  type BandwidthAssumption,
  connectPlanCluster,
  learnedWorkload,
  type PlanClusterOptions,
  readLearnedThroughput,
} from './plan-cluster.js';
import { simulateScenarioReport } from './simulate.js';
import type { SimulateOptions } from './simulate-options.js';

export interface FromClusterOptions extends PlanClusterOptions {
  plan: string;
  /** Where the warnings and notes go (the report's own lines are the command's). */
  stderr: { write(text: string): unknown };
}

/** What was simulated: the plan, its hosts, and what each host's bandwidth was taken to be. */
export interface PlanFacts {
  /** `namespace/name`. */
  plan: string;
  migration: 'cold' | 'warm';
  assumed: BandwidthAssumption;
}

export type FromClusterReport = (SimulateReport | WarmSimulateReport) & { cluster: PlanFacts };

/** Reads the plan and its record, then simulates it as a scenario under `options` (the policies, caps, --blind). */
export async function simulateFromCluster(
  from: FromClusterOptions,
  options: Omit<SimulateOptions, 'scenarioPath'> & { maxInFlight: number },
): Promise<FromClusterReport> {
  const { stderr } = from;
  const { client, inventory, mtvRelease } = await connectPlanCluster(from, stderr, 'simulate');
  const resolved = await resolvePlan(client, inventory, {
    plan: from.plan,
    namespace: client.namespace,
    // a simulation copies nothing: a powered-on VM is planned as migrate --allow-powered-on would copy it
    allowPoweredOn: true,
    mtvRelease,
  });
  for (const warning of resolved.warnings ?? []) stderr.write(`warning: ${warning}\n`);
  const built = buildPlanDataVolumes(resolved);
  for (const note of built.notes) stderr.write(`warning: ${note}\n`);
  const learned = await readLearnedThroughput(client, resolved.provider);
  const where = `ConfigMap ${learned.record.namespace}/${learned.record.name}`;
  if (learned.reading.state === 'missing') {
    stderr.write(
      `note: no learned throughput for provider "${resolved.provider.name}" (${where} not found): bandwidth unknown; ` +
        'a migrate run (adaptive admission, the default for disk) writes it\n',
    );
  } else if (learned.reading.state === 'forbidden' || learned.reading.state === 'failed') {
    const why = learned.reading.state === 'forbidden' ? 'forbidden' : learned.reading.message;
    stderr.write(`warning: cannot read ${where} (${why}): bandwidth unknown\n`);
  } else if (learned.reading.state === 'foreign') {
    stderr.write(`warning: ${learned.reading.message}: bandwidth unknown\n`);
  }
  const view = workloadOfDataVolumes(built.dataVolumes, PREVIEW_DISK_RATE);
  const { workload, assumed } = learnedWorkload(view, learned);
  const plan = `${resolved.plan.namespace}/${resolved.plan.name}`;
  const migration = resolved.warm ? 'warm' : 'cold';
  const scenario = scenarioOfWorkload(workload, { name: plan, migration, maxInFlight: options.maxInFlight });
  const summary = { name: plan, vms: scenario.vms.length, disks: workload.disks.length, bytes: bytesOf(workload) };
  const report = await simulateScenarioReport(scenario, summary, options, 'plan');
  return { ...report, cluster: { plan, migration, assumed } };
}

/** The workload as a scenario (the engine's toWorkload gives it back): an uncapped host has no bandwidth. */
export function scenarioOfWorkload(
  workload: Workload,
  head: { name: string; migration: 'cold' | 'warm'; maxInFlight: number },
): Scenario {
  return {
    ...head,
    diskRate: workload.disks[0]?.rate ?? PREVIEW_DISK_RATE,
    ...(Number.isFinite(workload.networkBandwidth) && { networkBandwidth: workload.networkBandwidth }),
    hosts: workload.hosts.map((h) => ({
      name: h.name,
      ...(Number.isFinite(h.bandwidth) && { bandwidth: h.bandwidth }),
    })),
    vms: workload.vms
      .filter((vm) => vm.disks.length > 0)
      .map((vm) => ({
        name: vm.name,
        host: workload.hosts[vm.host].name,
        disks: vm.disks.map((id) => ({ size: workload.disks[id].bytes, rate: workload.disks[id].rate })),
      })),
  };
}

function bytesOf(workload: Workload): number {
  return workload.disks.reduce((sum, disk) => sum + disk.bytes, 0);
}
