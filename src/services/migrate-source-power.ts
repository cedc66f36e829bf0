/**
 * `migrate --power-off-source`, before anything is created: the recorded power states are read (a re-run finds the
 * VMs an earlier run shut down), vCenter is logged in to with the source Provider's credentials (unreachable or
 * refused: exit 3 naming the URL), every plan VM is found by uuid as Forklift finds it (adapter/vsphere/client.go
 * getVM: the instance uuid when the inventory has one, else the BIOS uuid), and a powered-on VM without VMware Tools
 * running is refused (exit 2) unless --force-power-off: ShutdownGuest could not shut it down. A dry run stops here.
 */

import type { KubeClient } from '../cluster/kube-client.js';
import type { ResolvedPlan, ResolvedVm } from '../cluster/resolved-plan.js';
import { SourcePowerRecord } from '../cluster/source-power-record.js';
import { readVCenterEndpoint } from '../cluster/vcenter-endpoint.js';
import { warmSnapshotPrefix } from '../cluster/warm-record.js';
import { ExitCode, UserError } from '../errors.js';
import type { RunOptions } from '../runner/run-options.js';
import { connectVCenter, type MoRef, type VCenterSession, VCenterUnreachable, VSphereFault } from '../vsphere/index.js';

/** VMs looked up in vCenter at once before the run. */
const LOOKUPS_AT_ONCE = 8;

export interface SourcePowerSettings {
  /** --force-power-off. */
  force: boolean;
  /** --shutdown-timeout. */
  shutdownTimeoutMs: number;
}

export interface PreparedSourcePower {
  /** The plan with each VM's recorded power state, and marked as powered off by the run. */
  resolved: ResolvedPlan;
  /** What the run needs (RunOptions.sourcePower). */
  run: NonNullable<RunOptions['sourcePower']>;
  /** The logged-in session (a warm run's snapshots). */
  session: VCenterSession;
  /** Logs out of vCenter (after the run, or at once for a dry run). */
  close(): Promise<void>;
  /** What a run would do, for a dry run: one line. */
  describe(): string;
}

/** Reads the record, reaches vCenter, finds and checks the VMs; refusals before anything is created. */
export async function prepareSourcePower(
  client: KubeClient,
  resolved: ResolvedPlan,
  settings: SourcePowerSettings,
  connect: typeof connectVCenter = connectVCenter,
): Promise<PreparedSourcePower> {
  const record = new SourcePowerRecord(client, resolved.plan);
  const recorded = await record.read();
  const endpoint = await readVCenterEndpoint(client, resolved.provider, resolved.mtvRelease.release);
  let session: VCenterSession;
  try {
    session = await connect(endpoint);
  } catch (error) {
    throw vcenterError(endpoint.url, resolved.provider.name, error, resolved.warm !== undefined);
  }
  try {
    const refs = new Map<string, MoRef>();
    const missing: string[] = [];
    const noTools: string[] = [];
    const poweredOn: string[] = [];
    // a few calls at a time (the keep-alive agent holds 4 connections): a plan of hundreds of VMs is checked in
    // seconds; the results are kept in plan order
    const looked = new Array<{ ref?: MoRef; on: boolean; tools: boolean; snapshots: string[] }>(resolved.vms.length);
    // a warm plan's VMs must have no snapshot but ours (Forklift's validation.go): a run's own, a re-run finds again
    const ours = warmSnapshotPrefix(resolved.plan.uid);
    for (let start = 0; start < resolved.vms.length; start += LOOKUPS_AT_ONCE) {
      const batch = resolved.vms.slice(start, start + LOOKUPS_AT_ONCE);
      await Promise.all(
        batch.map(async (vm, i) => {
          const ref = await findVm(session, vm);
          const power = ref && (await session.vmPower(ref));
          const snapshots =
            ref && resolved.warm ? (await session.snapshots(ref)).filter((s) => !s.name.startsWith(ours)) : [];
          looked[start + i] = {
            ref,
            on: power?.powerState === 'poweredOn',
            tools: power?.toolsRunning ?? false,
            snapshots: snapshots.map((s) => s.name),
          };
        }),
      );
    }
    const snapshotted: string[] = [];
    resolved.vms.forEach((vm, i) => {
      const { ref, on, tools, snapshots } = looked[i];
      if (snapshots.length > 0) snapshotted.push(`${vm.name} (${snapshots.join(', ')})`);
      if (!ref)
        missing.push(`${vm.name} (${vm.instanceUuid ? `instance uuid ${vm.instanceUuid}` : `uuid ${vm.uuid}`})`);
      else refs.set(vm.id, ref);
      if (on) poweredOn.push(vm.name);
      if (on && !tools) noTools.push(vm.name);
    });
    if (missing.length > 0) {
      throw new UserError(
        `plan "${resolved.plan.name}": vCenter ${endpoint.url} has no VM with the uuid the inventory gives for ${missing.join(', ')}`,
        { hint: 'wait for the inventory to catch up with vCenter (the VM was re-created or moved), then run again' },
      );
    }
    if (snapshotted.length > 0) {
      throw new UserError(
        `plan "${resolved.plan.name}" is warm and ${snapshotted.length === 1 ? 'this VM has' : 'these VMs have'} snapshots already: ${snapshotted.join(', ')}`,
        {
          hint: 'a warm migration needs VMs without snapshots (as MTV requires): delete them in vCenter, then run again',
        },
      );
    }
    if (noTools.length > 0 && !settings.force) {
      throw new UserError(
        `plan "${resolved.plan.name}": ${noTools.join(', ')} ${noTools.length === 1 ? 'is' : 'are'} powered on without VMware Tools running, so ShutdownGuest cannot shut ${noTools.length === 1 ? 'it' : 'them'} down`,
        {
          hint: 'start VMware Tools in the guest, shut the VM down yourself, or pass --force-power-off (a hard power-off)',
        },
      );
    }
    const vms = resolved.vms.map(
      (vm): ResolvedVm => ({
        ...vm,
        ...(recorded.has(vm.id) && { restorePowerState: recorded.get(vm.id) }),
        poweredOffByRun: true,
      }),
    );
    return {
      resolved: { ...resolved, vms },
      run: { session, record, refs, force: settings.force, shutdownTimeoutMs: settings.shutdownTimeoutMs },
      session,
      close: () => session.logout(),
      describe: () =>
        resolved.warm
          ? `vCenter ${endpoint.url} knows every source VM; a run takes one snapshot per VM and round, and at the cutover shuts down ${poweredOn.length === 0 ? 'no VM (every source is off)' : poweredOn.join(', ')} (${settings.force ? 'PowerOffVM_Task' : 'ShutdownGuest'})`
          : poweredOn.length === 0
            ? `vCenter ${endpoint.url} reports every source VM off: a run shuts none down`
            : `a run shuts down the source VM${poweredOn.length === 1 ? '' : 's'} ${poweredOn.join(', ')} through vCenter ${endpoint.url} (${settings.force ? 'PowerOffVM_Task' : 'ShutdownGuest'}, at most ${Math.round(settings.shutdownTimeoutMs / 1000)} s each), each just before its disks copy, its power state recorded first in ConfigMap ${resolved.plan.namespace}/${record.name}`,
    };
  } catch (error) {
    await session.logout();
    throw error instanceof UserError
      ? error
      : vcenterError(endpoint.url, resolved.provider.name, error, resolved.warm !== undefined);
  }
}

function findVm(session: VCenterSession, vm: ResolvedVm): Promise<MoRef | undefined> {
  return vm.instanceUuid
    ? session.findVm(vm.instanceUuid, { instanceUuid: true })
    : session.findVm(vm.uuid, { instanceUuid: false });
}

/** What went wrong with vCenter, as one line with exit 3; never the credentials. */
function vcenterError(url: string, provider: string, error: unknown, warm: boolean): unknown {
  const how = warm
    ? `a warm plan's snapshots and cutover are made through the source Provider's vCenter from this workstation; check the network to ${url}`
    : `--power-off-source talks to the source Provider's vCenter from this workstation; check the network to ${url}, or shut the VMs down yourself and leave the flag out`;
  if (error instanceof VCenterUnreachable) {
    return new UserError(error.message, {
      exitCode: ExitCode.unreachable,
      hint: how,
    });
  }
  if (error instanceof VSphereFault) {
    const login = error.fault === 'InvalidLogin' || error.fault === 'NotAuthenticated';
    return new UserError(
      login
        ? `vCenter ${url} refused the credentials in provider "${provider}"'s Secret (${error.fault})`
        : `vCenter ${url} answered ${error.fault}: ${error.message}`,
      {
        exitCode: ExitCode.unreachable,
        ...(login && { hint: "fix the provider's vCenter credentials in the MTV console" }),
      },
    );
  }
  return error;
}
