/**
 * `kubectl mtv cutover PLAN [--at TIME]`: moves a warm plan's cutover. A run holding the plan (a live Lease) is asked
 * through its Lease's request annotation, as `top --control` asks (lease-control.ts): it applies the time between two
 * rounds, records it and says so in its status. With no run holding the plan, the time is written into the plan's warm
 * record (warm-record.ts), where the next `migrate` of the plan finds it. Nothing else changes: the MTV controller's
 * Migration CR is not used (a Migration would make the controller run the plan; the cutover is kubectl-mtv's).
 */
import { randomUUID } from 'node:crypto';
import { checkAccess } from '../cluster/access-review.js';
import { connectKube, type KubeConnectionOptions } from '../cluster/kube-client.js';
import { isLeaseHeld, type LeaseObject, leaseName } from '../cluster/lease.js';
import { sendControlRequest } from '../cluster/lease-control.js';
import { inNamespace, RESOURCES } from '../cluster/resource-types.js';
import { WarmRecord } from '../cluster/warm-record.js';
import { ExitCode, type ExitCodeValue, UserError } from '../errors.js';
import type { OutputStreams } from '../ui/run-reporters.js';
import { runnerIdentity } from './migrate.js';

export interface CutoverOptions {
  connection: KubeConnectionOptions;
  plan: string;
  /** When the cutover may begin (ms since the epoch). */
  at: number;
  now?: () => number;
  streams?: OutputStreams;
}

interface Plan {
  metadata: { uid?: string };
  spec?: { warm?: boolean; type?: string };
}

export async function cutover(options: CutoverOptions): Promise<ExitCodeValue> {
  const streams = options.streams ?? { stdout: process.stdout, stderr: process.stderr };
  const now = options.now ?? Date.now;
  const client = await connectKube(options.connection);
  const namespace = client.namespace;
  await checkAccess(client, [
    { verb: 'get', group: 'forklift.konveyor.io', resource: 'plans', namespace },
    { verb: 'get', group: 'coordination.k8s.io', resource: 'leases', namespace },
    { verb: 'patch', group: 'coordination.k8s.io', resource: 'leases', namespace },
    ...['get', 'create', 'patch'].map((verb) => ({ verb, group: '', resource: 'configmaps', namespace })),
  ]);
  const plan = await client.get<Plan>(inNamespace(RESOURCES.plans, namespace), options.plan);
  if (!plan) {
    throw new UserError(`plan "${options.plan}" not found in namespace "${namespace}"`, {
      hint: 'kubectl get plans -A',
    });
  }
  if (!(plan.spec?.warm === true || plan.spec?.type === 'warm')) {
    throw new UserError(`plan "${options.plan}" is cold: only a warm plan has a cutover`, {
      hint: `kubectl mtv migrate ${options.plan} copies it once, its sources powered off`,
    });
  }
  const at = new Date(options.at).toISOString();
  const lease = await client.get<LeaseObject>(inNamespace(RESOURCES.leases, namespace), leaseName(options.plan));
  if (lease && isLeaseHeld(lease, now())) {
    const by = runnerIdentity().replace(/[^\w.@/:+-]/g, '_');
    const request = {
      id: randomUUID(),
      by,
      time: new Date(now()).toISOString(),
      action: 'cutover' as const,
      cutover: at,
    };
    if ((await sendControlRequest(client, lease.metadata, request)) === 'sent') {
      streams.stderr.write(
        `cutover of plan ${namespace}/${options.plan} set to ${at}: sent to the run held by ${lease.spec.holderIdentity}; it applies it between two rounds (kubectl mtv top ${options.plan})\n`,
      );
      return ExitCode.ok;
    }
  }
  const record = new WarmRecord(client, { name: options.plan, namespace, uid: plan.metadata.uid ?? '' });
  const { run } = await record.read();
  await record.setRun({ precopyIntervalSeconds: run?.precopyIntervalSeconds ?? 3600, ...run, cutover: at });
  streams.stderr.write(
    `cutover of plan ${namespace}/${options.plan} set to ${at} in ConfigMap ${namespace}/${record.name}: no run holds the plan now; the next \`kubectl mtv migrate ${options.plan}\` cuts over then\n`,
  );
  return ExitCode.ok;
}
