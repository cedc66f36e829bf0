/**
 * Where the plan's VMs land in the target namespace, and what they must not collide with there. Forklift names a VM by
 * spec.vms[].targetName (2.9+), else the newName it recorded, else its source name cleaned up (vm-name.ts), and then
 * refuses (plan validation.go, vsphere/validator.go MacConflicts 2.10+, builder.go macConflicts 2.8-2.9):
 * - a targetName that is not a DNS-1123 subdomain (TargetNameNotValid) or that two plan VMs share (DuplicateVM);
 * - a target name a VirtualMachine already has in the target namespace (VMAlreadyExists);
 * - a source MAC a VirtualMachine of the destination cluster already uses: Forklift lists every VM of the cluster
 *   through the destination inventory. Here the user lists them where allowed; a user who may not list
 *   VirtualMachines cluster-wide gets the target namespace checked only, and a warning that says so.
 * VMs labelled with this plan's uid (made by an earlier run of it) collide with nothing: the run finds and keeps them.
 */
import type { UserError } from '../errors.js';
import { DV_LABEL } from './datavolume-builder.js';
import type { KubeClient } from './kube-client.js';
import { KubeApiError } from './kube-errors.js';
import type { MtvRelease } from './mtv-release.js';
import type { ResolvedNic } from './resolved-plan.js';
import { inNamespace, RESOURCES } from './resource-types.js';
import { defaultTargetName, isDns1123Subdomain } from './vm-name.js';

type Refuse = (message: string, hint?: string) => UserError;

/** A plan VM as far as naming goes. */
export interface NamingVm {
  id: string;
  name: string;
  /** spec.vms[].targetName (2.9+), when set. */
  targetName?: string;
  /** status.migration.vms[].newName, when Forklift recorded one. */
  newName?: string;
}

/** Each VM's target name (in the VMs' order); refuses an invalid targetName and two VMs with one target name. */
export function targetNames(vms: readonly NamingVm[], release: MtvRelease, refuse: Refuse): string[] {
  const invalid = vms.filter((vm) => vm.targetName !== undefined && !isDns1123Subdomain(vm.targetName));
  if (invalid.length > 0) {
    const listed = invalid.map((vm) => `${vm.name} ("${vm.targetName}")`).join(', ');
    throw refuse(
      `has VMs whose targetName is not a valid Kubernetes name (a DNS-1123 subdomain: lowercase letters, digits, '-' and '.', at most 253): ${listed}`,
      'fix spec.vms[].targetName, or remove it to let MTV derive the name',
    );
  }
  const names = vms.map((vm) => vm.targetName ?? vm.newName ?? defaultTargetName(vm.name, release, vm.id));
  const byName = new Map<string, string[]>();
  names.forEach((name, i) => {
    byName.set(name, [...(byName.get(name) ?? []), vms[i].name]);
  });
  const shared = [...byName].filter(([, sources]) => sources.length > 1);
  if (shared.length > 0) {
    const listed = shared.map(([name, sources]) => `"${name}" (${sources.join(', ')})`).join(', ');
    throw refuse(
      `has VMs that would get the same name in the target namespace: ${listed}`,
      release === '2.8'
        ? 'remove all but one of them from the plan (MTV 2.9+ has spec.vms[].targetName)'
        : 'give them distinct names with spec.vms[].targetName',
    );
  }
  return names;
}

interface VirtualMachine {
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: { template?: { spec?: { domain?: { devices?: { interfaces?: { macAddress?: string }[] } } } } };
}

/** A VM of the plan with its target name and NICs, for the collision checks. */
export interface TargetVm {
  name: string;
  targetName: string;
  nics: readonly ResolvedNic[];
}

/**
 * Refuses target names taken by VMs that are not the plan's, and MACs such VMs use; returns the warning when MACs
 * could be checked in the target namespace only. `target` is the destination cluster.
 */
export async function checkTargetCollisions(
  target: KubeClient,
  plan: { uid: string; targetNamespace: string },
  vms: readonly TargetVm[],
  refuse: Refuse,
): Promise<string[]> {
  const { existing, clusterWide } = await listVirtualMachines(target, plan.targetNamespace, refuse);
  const foreign = existing.filter((vm) => vm.metadata.labels?.[DV_LABEL.planUid] !== plan.uid);
  const taken = vms.filter((vm) =>
    foreign.some((other) => other.metadata.namespace === plan.targetNamespace && other.metadata.name === vm.targetName),
  );
  if (taken.length > 0) {
    const listed = taken.map((vm) => (vm.targetName === vm.name ? vm.name : `${vm.name} ("${vm.targetName}")`));
    throw refuse(
      `has VMs whose name a VirtualMachine this plan did not make already has in namespace "${plan.targetNamespace}": ${listed.join(', ')}`,
      `rename or delete those VirtualMachines (kubectl get vm -n ${plan.targetNamespace}), or set spec.vms[].targetName`,
    );
  }
  const users = new Map<string, string>();
  for (const vm of foreign) {
    for (const iface of vm.spec?.template?.spec?.domain?.devices?.interfaces ?? []) {
      if (iface.macAddress) users.set(iface.macAddress.toLowerCase(), `${vm.metadata.namespace}/${vm.metadata.name}`);
    }
  }
  const conflicts = vms.flatMap((vm) =>
    vm.nics.flatMap((nic) => {
      const user = users.get(nic.mac);
      return user ? [`${vm.name} ${nic.mac} (${user})`] : [];
    }),
  );
  if (conflicts.length > 0) {
    throw refuse(
      `has VMs whose MAC addresses VirtualMachines of the destination cluster already use: ${conflicts.join(', ')}`,
      'two VMs with one MAC break each other on the network: change or remove those VirtualMachines, or remove those VMs from the plan',
    );
  }
  return clusterWide
    ? []
    : [
        `MAC addresses were checked against the VirtualMachines of namespace "${plan.targetNamespace}" only: context "${target.context}" may not list VirtualMachines in all namespaces (MTV checks the whole cluster)`,
      ];
}

/** Every VirtualMachine of the cluster where the user may list them, else those of the target namespace. */
async function listVirtualMachines(
  target: KubeClient,
  targetNamespace: string,
  refuse: Refuse,
): Promise<{ existing: VirtualMachine[]; clusterWide: boolean }> {
  const notInstalled = () =>
    refuse(
      'cannot have its VMs made: the destination cluster serves no VirtualMachines (kubevirt.io/v1), so KubeVirt is not installed there',
      'install OpenShift Virtualization (KubeVirt) on it, or pass --disks-only to copy the disks without making VMs',
    );
  try {
    return {
      existing: await target.list<VirtualMachine>(inNamespace(RESOURCES.virtualMachines, undefined)),
      clusterWide: true,
    };
  } catch (error) {
    if (!(error instanceof KubeApiError)) throw error;
    if (error.status === 404) throw notInstalled();
    if (error.status !== 403) throw error;
  }
  try {
    const ref = inNamespace(RESOURCES.virtualMachines, targetNamespace);
    return { existing: await target.list<VirtualMachine>(ref), clusterWide: false };
  } catch (error) {
    if (error instanceof KubeApiError && error.status === 404) throw notInstalled();
    throw error;
  }
}
