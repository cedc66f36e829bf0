/**
 * RBAC checked before anything is created: one SelfSubjectAccessReview per verb and resource, sent together, and
 * every gap reported in one line, so the user fixes them all at once instead of meeting a 403 halfway through a plan.
 */
import { ExitCode, UserError } from '../errors.js';
import type { KubeClient, ResourceAttributes } from './kube-client.js';

/** One permission the command needs: kube's resource attributes. */
export type AccessCheck = ResourceAttributes;

const CDI = 'cdi.kubevirt.io';
const FORKLIFT = 'forklift.konveyor.io';
const COORDINATION = 'coordination.k8s.io';
const CNI = 'k8s.cni.cncf.io';
const KUBEVIRT = 'kubevirt.io';

/**
 * What `migrate` needs: DataVolumes in the target namespace (create, and get/list/watch to follow them; patch to mark
 * a stuck one), the plan (get/list), the plan namespace's Migrations (list/watch: a controller taking over stops the
 * run), and the run's Lease there (get to read the holder, create/update to take and renew it and publish the run's
 * status, list/watch to hear `top --control` requests, delete to release it). Unless the user brings a VDDK Secret
 * (`--vddk-secret`), the one made from the Provider's: create, get/update to bring it up to date, delete when no
 * DataVolume needs it (its read of the Provider Secret is checked by name in vddk-secret.ts checkVddkSecret). Unless
 * --disks-only, VirtualMachines (list: the names and MACs the plan's VMs must not take, vm-target.ts).
 */
export function migrateAccessChecks(
  planNamespace: string,
  targetNamespace: string,
  vddkSecret: 'given' | 'provider',
  vms = true,
): AccessCheck[] {
  return [...migrateTargetChecks(targetNamespace, vddkSecret, vms), ...migrateHostChecks(planNamespace)];
}

/**
 * What `migrate` needs in the target namespace, on the destination cluster (the host's for a local plan); `vms`
 * false with --disks-only, where no VM is made.
 */
export function migrateTargetChecks(
  targetNamespace: string,
  vddkSecret: 'given' | 'provider',
  vms = true,
): AccessCheck[] {
  return [
    // the VMs made from the copied disks (vm-finisher.ts): found by labels, created, followed until ready
    ...(vms ? at(targetNamespace, KUBEVIRT, 'virtualmachines', ['create', 'get', 'list', 'watch']) : []),
    // delete: a VM's DataVolumes once its PVCs are its own (propagationPolicy Orphan)
    ...at(targetNamespace, CDI, 'datavolumes', ['create', 'get', 'list', 'watch', 'patch', ...(vms ? ['delete'] : [])]),
    // leftover-claims.ts: PVCs that already have a DataVolume's name; get/patch: their owner moves to the VM
    ...at(targetNamespace, '', 'persistentvolumeclaims', vms ? ['list', 'get', 'patch'] : ['list']),
    ...(vddkSecret === 'provider' ? at(targetNamespace, '', 'secrets', ['create', 'get', 'update', 'delete']) : []),
  ];
}

/** What `migrate` needs in the plan's namespace, on the host cluster. */
export function migrateHostChecks(planNamespace: string): AccessCheck[] {
  return [
    ...at(planNamespace, FORKLIFT, 'plans', ['get', 'list']),
    ...at(planNamespace, FORKLIFT, 'migrations', ['list', 'watch']),
    ...at(planNamespace, COORDINATION, 'leases', ['get', 'create', 'update', 'delete', 'list', 'watch']),
  ];
}

/**
 * What --power-off-source needs besides, on the host cluster, in the plan's namespace: the ConfigMap the source VMs'
 * power states are recorded in before they are shut down (source-power-record.ts): get to read it, create once,
 * patch to add a VM. Its read of the Provider Secret is checked by name in vcenter-endpoint.ts.
 */
export function sourcePowerAccessChecks(planNamespace: string): AccessCheck[] {
  return at(planNamespace, '', 'configmaps', ['get', 'create', 'patch']);
}

/**
 * What adaptive admission needs besides, on the host cluster, in the source Provider's namespace: the ConfigMap the learned
 * host throughput is kept in (throughput-record.ts): get to read it before the run, create once, update (a PUT with the
 * resourceVersion read) as hosts settle.
 */
export function throughputAccessChecks(providerNamespace: string): AccessCheck[] {
  return at(providerNamespace, '', 'configmaps', ['get', 'create', 'update']);
}

/**
 * What a plan converted through Conversion CRs (MTV 2.12+, conversion.ts) needs besides, on the host cluster, in the
 * plan's namespace where the Conversions go: create one per VM, get/list/watch to follow it and find it again on a
 * re-run, delete once its VM exists. The virt-v2v pod is Forklift's conversion controller's to create, under its own
 * service account.
 */
export function conversionAccessChecks(planNamespace: string): AccessCheck[] {
  return at(planNamespace, FORKLIFT, 'conversions', ['create', 'get', 'list', 'watch', 'delete']);
}

const at = (namespace: string, group: string, resource: string, verbs: string[]): AccessCheck[] =>
  verbs.map((verb) => ({ verb, group, resource, namespace }));

/**
 * What a plan with a transfer network needs besides: `get` on its NetworkAttachmentDefinition, by name, in the NAD's
 * namespace (the resolver asks it before reading the NAD, transfer-network.ts; a plan without one needs nothing).
 */
export function transferNetworkAccessChecks(network: { namespace: string; name: string }): AccessCheck[] {
  return [{ verb: 'get', group: CNI, resource: 'network-attachment-definitions', ...network }];
}

/**
 * What a plan whose NetworkMap sends NICs to a Multus network needs besides: `get` on each such
 * NetworkAttachmentDefinition, by name, on the destination cluster (network-map.ts checks they exist).
 */
export function vmNetworkAccessChecks(network: { namespace: string; name: string }): AccessCheck[] {
  return [{ verb: 'get', group: CNI, resource: 'network-attachment-definitions', ...network }];
}

/**
 * What `top` needs: list/watch the run Leases of a namespace (`undefined`: of all namespaces), and with `--control`
 * patch them to carry a request.
 */
export function topAccessChecks(namespace: string | undefined, control: boolean): AccessCheck[] {
  const verbs = control ? ['list', 'watch', 'patch'] : ['list', 'watch'];
  return verbs.map((verb) => ({ verb, group: COORDINATION, resource: 'leases', namespace: namespace ?? '' }));
}

/** The checks the API server denies (asked together). */
export async function deniedAccess(client: KubeClient, checks: readonly AccessCheck[]): Promise<AccessCheck[]> {
  const allowed = await Promise.all(checks.map((check) => client.mayDo(check)));
  return checks.filter((_, i) => !allowed[i]);
}

/** `verb resource[.group] in "namespace"`, as the lines about missing permissions say a check. */
export function describeCheck(check: AccessCheck): string {
  return `${check.verb} ${check.group ? `${check.resource}.${check.group}` : check.resource} in "${check.namespace}"`;
}

/** Asks the API server about every check; any denied -> one UserError (exit 3) listing what is missing. */
export async function checkAccess(client: KubeClient, checks: readonly AccessCheck[]): Promise<void> {
  const missing = await deniedAccess(client, checks);
  if (missing.length === 0) return;
  const described = missing.map(describeCheck);
  throw new UserError(`context "${client.context}" lacks permissions: ${described.join(', ')}`, {
    exitCode: ExitCode.unreachable,
    hint: `ask a cluster admin for these verbs (kubectl auth can-i --list -n ${missing[0].namespace})`,
  });
}
