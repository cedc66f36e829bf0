/**
 * `kubectl mtv clean`: the plan's DataVolumes (all, or those a run marked stuck), listed; with `yes`, deleted so a
 * later run creates them again. Deleting a DataVolume deletes its PVC, and with it the copied disk. A plan a runner
 * holds (a live Lease) is left alone: deleting under a run would make it adopt disks that no longer exist. With `yes`,
 * the VDDK Secrets migrate made for the plan go too, once no DataVolume left needs them.
 */
import { DV_ANNOTATION, DV_LABEL } from '../cluster/datavolume-builder.js';
import { connectPlanDestination, type PlanClusters } from '../cluster/destination.js';
import { connectKube, type KubeClient, type KubeConnectionOptions } from '../cluster/kube-client.js';
import { KubeApiError } from '../cluster/kube-errors.js';
import { isLeaseHeld, type LeaseObject, leaseName } from '../cluster/lease.js';
import { type DataVolumeObject, PlanDataVolumes, STUCK_ANNOTATION } from '../cluster/plan-datavolumes.js';
import { PlanVirtualMachines, type VirtualMachineObject } from '../cluster/plan-virtual-machines.js';
import { inNamespace, RESOURCES } from '../cluster/resource-types.js';
import { SourcePowerRecord } from '../cluster/source-power-record.js';
import { deleteVddkSecret, isVddkSecretName, unusedVddkSecret, vddkSecretName } from '../cluster/vddk-secret.js';
import { ExitCode, type ExitCodeValue, UserError } from '../errors.js';
import { formatJson, formatYaml, kubeList, type ObjectOutput, withoutHeader } from '../ui/object-output.js';
import type { OutputStreams } from '../ui/run-reporters.js';
import { formatColumns } from '../ui/simulate-table.js';
import { formatTemplateOutput, type TemplateOutput } from '../ui/template-output.js';
import { cleanWarmState, type WarmPlanRef } from './clean-warm.js';

export interface CleanOptions {
  /** Kubeconfig, context, namespace (the plan's) and request timeout. */
  connection: KubeConnectionOptions;
  /** How to reach a remote destination, where the DataVolumes are: --destination-context, --use-provider-credentials. */
  destination?: { context?: string; useProviderCredentials?: boolean };
  plan: string;
  /** Only the DataVolumes annotated kubectl-mtv/stuck. */
  stuckOnly: boolean;
  /** Delete them; otherwise only list them. */
  yes: boolean;
  /** Also the VMs migrate made from the plan's disks (and, as their owner, their PVCs); left alone by default. */
  vms?: boolean;
  /**
   * How the DataVolumes are printed (default table; a template reads the v1 List); with `yes`, `name` prints bare
   * names, the rest `... deleted`.
   */
  output?: ObjectOutput | TemplateOutput;
  /** Tables without their header line. */
  noHeaders?: boolean;
  streams?: OutputStreams;
  /** Milliseconds since the epoch (default Date.now), to judge the Lease. */
  now?: () => number;
}

type DataVolume = DataVolumeObject;

/** `-o name` lines, as `kubectl get datavolumes -o name` prints them. */
const DV_KIND = 'datavolume.cdi.kubevirt.io';

interface Plan {
  metadata: { uid?: string };
  spec?: {
    targetNamespace?: string;
    vms?: { id?: string; name?: string }[];
    provider?: {
      source?: { name?: string; namespace?: string };
      destination?: { name?: string; namespace?: string };
    };
  };
}

export async function clean(options: CleanOptions): Promise<ExitCodeValue> {
  const streams = options.streams ?? { stdout: process.stdout, stderr: process.stderr };
  const output = options.output ?? 'table';
  const host = await connectKube(options.connection);
  const namespace = host.namespace;
  const plan = await host.get<Plan>(inNamespace(RESOURCES.plans, namespace), options.plan);
  if (!plan) {
    throw new UserError(`plan "${options.plan}" not found in namespace "${namespace}"`, {
      hint: 'kubectl get plans -A',
    });
  }
  const target = plan.spec?.targetNamespace || namespace;
  // the DataVolumes and the VDDK Secret are on the plan's destination cluster; the Lease on the host
  const { client } = await connectPlanDestination(host, options.plan, namespace, plan.spec?.provider?.destination, {
    ...options.destination,
    connection: options.connection,
  });
  const dataVolumes = new PlanDataVolumes(client, target, plan.metadata.uid ?? '');
  const all = await dataVolumes.list();
  // Stuck disks (annotated by a run) and Failed ones (CDI gave up: a checksum or a lost PVC) are the ones to retry.
  const retryable = (dv: DataVolume) =>
    dv.metadata.annotations?.[STUCK_ANNOTATION] !== undefined || dv.status?.phase === 'Failed';
  const chosen = options.stuckOnly ? all.filter(retryable) : all;
  const which = (n: number) =>
    `${options.stuckOnly ? 'stuck ' : ''}DataVolume${n === 1 ? '' : 's'} of plan "${options.plan}" in namespace "${target}"`;
  const counted = `${chosen.length} ${which(chosen.length)}`;
  // the VMs as migrate names them: the plan's names for its inventory ids (a name may be a path: its last segment)
  const vmNames = new Map(
    (plan.spec?.vms ?? []).flatMap((vm) => (vm.id && vm.name ? [[vm.id, vm.name.split('/').pop() ?? vm.name]] : [])),
  );
  await cleanVms({ host, destination: client }, options, { uid: plan.metadata.uid ?? '', target, namespace }, streams);
  if (chosen.length === 0) {
    streams.stderr.write(`no ${which(0)}\n`);
    if (options.yes) {
      await cleanSecret({ host, destination: client }, options, { plan, namespace, target, all }, all, streams, true);
      if (!options.stuckOnly) {
        await cleanPowerRecord(host, { plan, name: options.plan }, namespace, streams, vmNames);
        // a warm run taking its first snapshots has no DataVolume yet: its snapshots are not clean's while it holds the plan
        await cleanWarmState(host, warmRef(plan, options.plan, namespace, vmNames), streams, () =>
          refuseHeldPlan(host, options, namespace),
        );
      }
    }
    // like kubectl get: an empty List, so `-o json | jq '.items[]'` still reads JSON (and templates run on it)
    const listed = output === 'json' || output === 'yaml' || typeof output === 'object';
    if (!options.yes && listed) streams.stdout.write(formatDataVolumes([], output, vmNames, options.noHeaders));
    return ExitCode.ok;
  }
  if (!options.yes) {
    streams.stdout.write(formatDataVolumes(chosen, output, vmNames, options.noHeaders));
    streams.stderr.write(
      `${counted}; deleting a DataVolume deletes its PVC and the disk copied into it (pass --yes to delete ${chosen.length === 1 ? 'it' : 'them'})\n`,
    );
    return ExitCode.ok;
  }
  await refuseHeldPlan(host, options, namespace);
  for (const dv of chosen) {
    const name = dv.metadata.name ?? '';
    await dataVolumes.delete(name);
    // kubectl delete prints `kind/name deleted`, and the bare name with -o name
    streams.stdout.write(output === 'name' ? `${DV_KIND}/${name}\n` : `${DV_KIND}/${name} deleted\n`);
  }
  const theirs =
    chosen.length === 1 ? 'its PVC and the disk copied into it' : 'their PVCs and the disks copied into them';
  streams.stderr.write(`${counted} deleted, with ${theirs}\n`);
  const deleted = new Set(chosen);
  await cleanSecret(
    { host, destination: client },
    options,
    { plan, namespace, target, all },
    all.filter((dv) => !deleted.has(dv)),
    streams,
  );
  if (!options.stuckOnly) {
    await cleanPowerRecord(host, { plan, name: options.plan }, namespace, streams, vmNames);
    // no DataVolume reads a snapshot any more: the warm run's snapshots go, and its record
    await cleanWarmState(host, warmRef(plan, options.plan, namespace, vmNames), streams);
  }
  return ExitCode.ok;
}

function warmRef(plan: Plan, name: string, namespace: string, vmNames: ReadonlyMap<string, string>): WarmPlanRef {
  return {
    name,
    namespace,
    uid: plan.metadata.uid ?? '',
    ...(plan.spec?.provider?.source && { source: plan.spec.provider.source }),
    vmNames,
  };
}

/**
 * The power states `migrate --power-off-source` recorded before it shut the plan's source VMs down: deleted with the
 * plan's DataVolumes (a new run starts from the sources as they are), naming the VMs that were on, which stay off.
 */
async function cleanPowerRecord(
  host: KubeClient,
  { plan, name: planName }: { plan: Plan; name: string },
  namespace: string,
  streams: OutputStreams,
  vmNames: ReadonlyMap<string, string>,
): Promise<void> {
  const record = new SourcePowerRecord(host, { name: planName, namespace, uid: plan.metadata.uid ?? '' });
  let states: Map<string, string>;
  try {
    states = await record.read();
  } catch (error) {
    // a user who never ran --power-off-source may not read ConfigMaps there: nothing of ours to delete then
    // (and a ConfigMap of that name that is not ours is not clean's to delete)
    if ((error instanceof KubeApiError && error.status === 403) || error instanceof UserError) return;
    throw error;
  }
  if (!(await record.delete())) return;
  const on = [...states]
    .filter(([, state]) => state === 'poweredOn')
    .map(([id]) => vmNames.get(id) ?? id)
    .sort();
  streams.stderr.write(
    `the plan's power-state record ${namespace}/${record.name} deleted${on.length > 0 ? `; the source VMs ${on.join(', ')} were powered on before migrate shut them down, and stay off` : ''}
`,
  );
}

/**
 * The VMs migrate made for the plan: left alone, and said so, unless --vms; with --vms listed, or with --yes deleted
 * (each VM owns its PVCs, so its disks go with it). A plan a runner holds is left alone. --stuck never selects a VM.
 */
async function cleanVms(
  { host, destination: client }: PlanClusters,
  options: CleanOptions,
  where: { uid: string; target: string; namespace: string },
  streams: OutputStreams,
): Promise<void> {
  if (options.stuckOnly) return;
  const ops = new PlanVirtualMachines(client, where.target, where.uid);
  let vms: VirtualMachineObject[];
  try {
    vms = await ops.list();
  } catch (error) {
    // no KubeVirt on the destination (the VM kind is not served), or no right to list VMs: nothing of ours to clean
    if (error instanceof KubeApiError && (error.status === 404 || error.status === 403) && !options.vms) return;
    throw error;
  }
  const names = vms.map((vm) => vm.metadata.name ?? '');
  const counted = `${names.length} VM${names.length === 1 ? '' : 's'} of plan "${options.plan}" in namespace "${where.target}"`;
  if (!options.vms) {
    if (names.length > 0)
      streams.stderr.write(`${counted} left alone: ${names.join(', ')} (pass --vms to include them and their disks)\n`);
    return;
  }
  if (names.length === 0) return;
  if (!options.yes) {
    streams.stderr.write(`${counted}: ${names.join(', ')}; --yes deletes them with the PVCs they own\n`);
    return;
  }
  await refuseHeldPlan(host, options, where.namespace);
  for (const name of names) {
    await ops.delete(name);
    streams.stdout.write(options.output === 'name' ? `${VM_KIND}/${name}\n` : `${VM_KIND}/${name} deleted\n`);
  }
  streams.stderr.write(`${counted} deleted, with the PVCs they own\n`);
}

/** `-o name` lines, as `kubectl get vm -o name` prints them. */
const VM_KIND = 'virtualmachine.kubevirt.io';

/** A live Lease means a run holds the plan: nothing is deleted under it (exit 5). */
async function refuseHeldPlan(client: KubeClient, options: CleanOptions, namespace: string): Promise<void> {
  const lease = await client.get<LeaseObject>(inNamespace(RESOURCES.leases, namespace), leaseName(options.plan));
  if (lease && isLeaseHeld(lease, (options.now ?? Date.now)())) {
    throw new UserError(
      `plan "${options.plan}" is being run by ${lease.spec.holderIdentity} (Lease ${leaseName(options.plan)}); nothing deleted`,
      {
        exitCode: ExitCode.locked,
        hint: 'stop that run first (Ctrl-C), then clean',
      },
    );
  }
}

/**
 * Deletes the plan's VDDK Secrets (migrate made them from the Provider's and the Hosts') once no remaining DataVolume
 * needs them; when `checkLease`, only if no run holds the plan (a run about to create DataVolumes needs them). They
 * are found by name, never listed: the Provider's by the plan, an ESXi host's by the DataVolumes of the plan
 * (`where.all`, before any was deleted) that name it.
 */
async function cleanSecret(
  { host, destination: client }: PlanClusters,
  options: CleanOptions,
  where: { plan: Plan; namespace: string; target: string; all: readonly DataVolume[] },
  remaining: readonly DataVolume[],
  streams: OutputStreams,
  checkLease = false,
): Promise<void> {
  const identity = {
    name: options.plan,
    namespace: where.namespace,
    uid: where.plan.metadata.uid ?? '',
    targetNamespace: where.target,
  };
  const named = where.all.flatMap((dv) => dv.spec?.source?.vddk?.secretRef ?? []);
  const names = [...new Set([vddkSecretName(identity), ...named])].filter((name) => isVddkSecretName(identity, name));
  let leaseChecked = !checkLease;
  for (const candidate of names) {
    const secret = await unusedVddkSecret(client, identity, remaining, candidate);
    if (!secret) continue;
    if (!leaseChecked) await refuseHeldPlan(host, options, where.namespace);
    leaseChecked = true;
    if (!(await deleteVddkSecret(client, identity, secret))) continue;
    const name = secret.metadata.name ?? '';
    streams.stdout.write(options.output === 'name' ? `secret/${name}\n` : `secret/${name} deleted\n`);
    streams.stderr.write(`the plan's VDDK Secret ${where.target}/${name} deleted: no DataVolume needs it\n`);
  }
}

/** The VM a DataVolume copies a disk of, by the plan's name for it (its inventory id when the plan has no name). */
function vmName(dv: DataVolume, vmNames: ReadonlyMap<string, string>): string {
  const id = dv.metadata.labels?.[DV_LABEL.vmId] ?? '';
  return vmNames.get(id) ?? id;
}

/** The DataVolumes in one of kubectl's formats, ending with a newline (nothing for an empty table). */
function formatDataVolumes(
  dataVolumes: readonly DataVolume[],
  output: ObjectOutput | TemplateOutput,
  vmNames: ReadonlyMap<string, string>,
  noHeaders = false,
): string {
  if (typeof output === 'object') return formatTemplateOutput(output, kubeList(dataVolumes), dataVolumes, noHeaders);
  if (output === 'json') return formatJson(kubeList(dataVolumes));
  if (output === 'yaml') return formatYaml(kubeList(dataVolumes));
  if (output === 'name') return dataVolumes.map((dv) => `${DV_KIND}/${dv.metadata.name}\n`).join('');
  const table = withoutHeader(formatDataVolumeTable(dataVolumes, vmNames, output === 'wide'), noHeaders);
  return table === '' ? '' : `${table}\n`;
}

/** NAME, VM, disk index, phase, progress and the stuck reason, kubectl style; wide adds restarts, size, class. */
function formatDataVolumeTable(
  dataVolumes: readonly DataVolume[],
  vmNames: ReadonlyMap<string, string>,
  wide: boolean,
): string {
  const table = formatColumns([
    ['NAME', 'VM', 'DISK', 'PHASE', 'PROGRESS', ...(wide ? ['RESTARTS', 'SIZE', 'STORAGECLASS'] : []), 'STUCK'],
    ...dataVolumes.map((dv) => [
      dv.metadata.name ?? '',
      vmName(dv, vmNames),
      dv.metadata.annotations?.[DV_ANNOTATION.diskIndex] ?? '',
      dv.status?.phase ?? '',
      dv.status?.progress ?? '',
      ...(wide
        ? [
            String(dv.status?.restartCount ?? 0),
            dv.spec?.storage?.resources?.requests?.storage ?? '',
            dv.spec?.storage?.storageClassName ?? '',
          ]
        : []),
      dv.metadata.annotations?.[STUCK_ANNOTATION] ?? '',
    ]),
  ]);
  return table
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');
}
