/**
 * `clean --yes` for a warm plan: once the plan's DataVolumes are gone no importer reads a snapshot any more, so the
 * snapshots a run took (named `kubectl-mtv-<uid prefix>-<round>`, on the VMs its warm record names) are removed
 * through the source Provider's vCenter (RemoveSnapshot_Task, waited, as Forklift's removeLastWarmSnapshot on a
 * cancel), then the record is deleted. A vCenter that cannot be reached keeps the record (exit 3): a later clean
 * finds the snapshots again from it.
 */

import type { KubeClient } from '../cluster/kube-client.js';
import { KubeApiError } from '../cluster/kube-errors.js';
import { detectMtvRelease } from '../cluster/mtv-release.js';
import { inNamespace, RESOURCES } from '../cluster/resource-types.js';
import { readVCenterEndpoint } from '../cluster/vcenter-endpoint.js';
import { WarmRecord, type WarmVmRecord, warmSnapshotPrefix, warmVmKey } from '../cluster/warm-record.js';
import { ExitCode, UserError } from '../errors.js';
import type { OutputStreams } from '../ui/run-reporters.js';
import { connectVCenter, type MoRef, type VCenterSession } from '../vsphere/index.js';

/** How long one snapshot removal may take before clean gives up on it (vCenter consolidates the disks). */
const REMOVAL_TIMEOUT_MS = 10 * 60_000;

export interface WarmPlanRef {
  name: string;
  namespace: string;
  uid: string;
  /** The plan's spec.provider.source. */
  source?: { name?: string; namespace?: string };
  /** The plan's VM names by inventory id, for the messages. */
  vmNames: ReadonlyMap<string, string>;
}

interface Provider {
  metadata: { name: string; namespace?: string; uid?: string };
  spec?: { url?: string; secret?: { name?: string; namespace?: string } };
  status?: { fingerprint?: string };
}

export async function cleanWarmState(
  host: KubeClient,
  plan: WarmPlanRef,
  streams: OutputStreams,
  /** Called once there is a record to clean, before anything is removed (refuses a plan a run holds). */
  beforeRemoving: () => Promise<void> = async () => undefined,
  connect: typeof connectVCenter = connectVCenter,
  pollMs = 1000,
): Promise<void> {
  const record = new WarmRecord(host, plan);
  let vms: Map<string, WarmVmRecord>;
  let found: boolean;
  try {
    const read = await record.read();
    vms = read.vms;
    found = read.run !== undefined || read.vms.size > 0;
  } catch (error) {
    // no ConfigMap reading here (never ran a warm plan), or one of that name not ours: nothing of ours to clean
    if ((error instanceof KubeApiError && error.status === 403) || error instanceof UserError) return;
    throw error;
  }
  if (!found) return;
  await beforeRemoving();
  const onVms = [...vms].filter(([, state]) => state.vm !== undefined);
  if (onVms.length > 0) {
    const session = await reachVCenter(host, plan, connect);
    try {
      const prefix = warmSnapshotPrefix(plan.uid);
      const names = new Map([...plan.vmNames].map(([id, name]) => [warmVmKey(id), name]));
      for (const [key, state] of onVms) {
        const vm: MoRef = { type: 'VirtualMachine', value: state.vm ?? '' };
        const snapshots = (await session.snapshots(vm)).filter((s) => s.name.startsWith(prefix));
        for (const snapshot of snapshots) {
          await removeSnapshot(session, snapshot.snapshot, pollMs);
          streams.stderr.write(
            `removed snapshot ${snapshot.name} (${snapshot.snapshot.value}) of source VM ${names.get(key) ?? state.vm}\n`,
          );
        }
      }
    } finally {
      await session.logout();
    }
  }
  if (await record.delete()) {
    streams.stderr.write(`the plan's warm record ${plan.namespace}/${record.name} deleted\n`);
  }
}

async function reachVCenter(
  host: KubeClient,
  plan: WarmPlanRef,
  connect: typeof connectVCenter,
): Promise<VCenterSession> {
  const namespace = plan.source?.namespace || plan.namespace;
  const provider = await host.get<Provider>(inNamespace(RESOURCES.providers, namespace), plan.source?.name ?? '');
  const keep = `the plan's warm record is kept: run kubectl mtv clean ${plan.name} --yes again where vCenter is reachable`;
  if (!provider) {
    throw new UserError(`the plan's warm snapshots were not removed: provider "${plan.source?.name ?? ''}" not found`, {
      hint: keep,
    });
  }
  const release = await detectMtvRelease(host);
  const endpoint = await readVCenterEndpoint(
    host,
    {
      name: provider.metadata.name,
      namespace,
      url: provider.spec?.url ?? '',
      fingerprint: provider.status?.fingerprint ?? '',
      ...(provider.spec?.secret && { secret: provider.spec.secret }),
    },
    release.release,
  );
  try {
    return await connect(endpoint);
  } catch (error) {
    throw new UserError(
      `the plan's warm snapshots were not removed: ${error instanceof Error ? error.message : String(error)}`,
      { exitCode: ExitCode.unreachable, hint: keep },
    );
  }
}

async function removeSnapshot(session: VCenterSession, snapshot: MoRef, pollMs: number): Promise<void> {
  const task = await session.removeSnapshot(snapshot);
  const started = Date.now();
  for (;;) {
    const info = await session.taskInfo(task);
    if (info.state === 'success') return;
    if (info.state === 'error') {
      throw new UserError(`RemoveSnapshot_Task of ${snapshot.value} failed: ${info.error ?? info.fault ?? 'error'}`, {
        exitCode: ExitCode.unreachable,
        hint: 'remove it in vCenter, then run clean --yes again',
      });
    }
    if (Date.now() - started > REMOVAL_TIMEOUT_MS) {
      throw new UserError(`RemoveSnapshot_Task of ${snapshot.value} still ${info.state} after 10 min`, {
        exitCode: ExitCode.unreachable,
        hint: 'wait for vCenter to finish it, then run clean --yes again',
      });
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
