/**
 * What each plan VM's KubeVirt VirtualMachine is built from (vm-creation.md §1-2), resolved with the plan: the plan's
 * settings per release, each VM's CPU, memory, firmware, guest, clock and NICs from the inventory, its target name and
 * power state, and every refusal that would otherwise surface only when the VM is made (network-map.ts,
 * vm-target.ts). Reads the NetworkMap (host cluster), the inventory's networks (one request) and the ESXi hosts of the
 * plan's VMs (one request each: the time zone Forklift's builder gives the clock, mapClock), then the destination's
 * NADs and VirtualMachines. Fields arrive with their release: the plan's vms[].targetName, targetPowerState,
 * skipGuestConversion and useCompatibilityMode with 2.9; enableNestedVirtualization, targetLabels,
 * targetNodeSelector and targetAffinity with 2.10 (the CRDs of earlier releases have none of them).
 */
import type { UserError } from '../errors.js';
import { INVENTORY_CONNECTIONS, type InventoryClient, type InventoryVmDetail } from './inventory-client.js';
import type { KubeClient } from './kube-client.js';
import { atLeastRelease, type MtvRelease } from './mtv-release.js';
import { checkVmNetworks, mapVmNics, readNetworkMap } from './network-map.js';
import { mapLimited } from './plan-vms.js';
import type { ResolvedVmConfig, ResolvedVmSettings } from './resolved-plan.js';
import { checkTargetCollisions, targetNames } from './vm-target.js';

type Refuse = (message: string, hint?: string) => UserError;
type PowerState = 'on' | 'off' | 'auto';

/** A plan's spec.vms[] entry, as far as the VM is concerned. */
export interface PlanVmEntry {
  id?: string;
  name?: string;
  targetName?: string;
  rootDisk?: string;
  targetPowerState?: PowerState;
  enableNestedVirtualization?: boolean;
}

/** The Plan's spec fields that shape its VMs. */
export interface PlanVmSpec {
  skipGuestConversion?: boolean;
  useCompatibilityMode?: boolean;
  targetPowerState?: PowerState;
  enableNestedVirtualization?: boolean;
  targetLabels?: Record<string, string>;
  targetNodeSelector?: Record<string, string>;
  targetAffinity?: unknown;
  map?: { network?: { name?: string; namespace?: string } };
  vms?: PlanVmEntry[];
}

export interface VmConfigsInput {
  /** The host cluster (the NetworkMap) and the destination cluster (NADs, VirtualMachines). */
  host: KubeClient;
  target: KubeClient;
  inventory: InventoryClient;
  providerUid: string;
  plan: { uid: string; namespace: string; targetNamespace: string };
  spec: PlanVmSpec;
  release: MtvRelease;
  /** The plan's VMs as the inventory has them, in plan order, each with the newName Forklift recorded. */
  vms: readonly { vm: InventoryVmDetail; newName?: string }[];
  refuse: Refuse;
}

export interface VmConfigs {
  settings: ResolvedVmSettings;
  /** By inventory VM id. */
  configs: Map<string, ResolvedVmConfig>;
  warnings: string[];
}

export async function resolveVmConfigs(input: VmConfigsInput): Promise<VmConfigs> {
  const { spec, release, refuse, plan } = input;
  const map = await readNetworkMap(input.host, spec.map?.network, plan.namespace, refuse);
  const networks = await input.inventory.vsphereNetworks(input.providerUid);
  const mapped = input.vms.map(({ vm }) => ({
    name: vm.name,
    mapped: mapVmNics(vm, map.spec?.map ?? [], networks, release),
  }));
  await checkVmNetworks(input.target, mapped, { map, targetNamespace: plan.targetNamespace, release, refuse });

  const entries = input.vms.map(({ vm }) => planEntry(vm, spec.vms ?? []));
  const since29 = atLeastRelease(release, '2.9');
  const since210 = atLeastRelease(release, '2.10');
  const names = targetNames(
    input.vms.map(({ vm, newName }, i) => ({
      id: vm.id,
      name: vm.name,
      ...(since29 && entries[i]?.targetName && { targetName: entries[i]?.targetName }),
      ...(newName && { newName }),
    })),
    release,
    refuse,
  );
  const warnings = await checkTargetCollisions(
    input.target,
    plan,
    input.vms.map(({ vm }, i) => ({ name: vm.name, targetName: names[i], nics: mapped[i].mapped.nics })),
    refuse,
  );
  const timezones = await hostTimezones(input.inventory, input.providerUid, input.vms);

  const configs = new Map<string, ResolvedVmConfig>();
  input.vms.forEach(({ vm }, i) => {
    const entry = entries[i];
    const powerState = since29 ? (entry?.targetPowerState ?? spec.targetPowerState) : undefined;
    const nested = since210 ? (entry?.enableNestedVirtualization ?? spec.enableNestedVirtualization) : undefined;
    const timezone = timezones.get(vm.host);
    configs.set(vm.id, {
      targetName: names[i],
      renamed: names[i] !== vm.name,
      cpuCount: positive(vm.cpuCount),
      // sockets = cpuCount / coresPerSocket: never 0 (vSphere reports at least one)
      coresPerSocket: positive(vm.coresPerSocket),
      memoryMB: vm.memoryMB ?? 0,
      firmware: vm.firmware === 'efi' ? 'efi' : 'bios',
      secureBoot: vm.secureBoot ?? false,
      tpmEnabled: vm.tpmEnabled ?? false,
      nestedHVEnabled: vm.nestedHVEnabled ?? false,
      guestId: vm.guestId ?? '',
      guestName: vm.guestName ?? '',
      ...(timezone && { timezone }),
      diskEnableUuid: vm.diskEnableUuid ?? false,
      nics: mapped[i].mapped.nics,
      ...(entry?.rootDisk && { rootDisk: entry.rootDisk }),
      ...(powerState && { targetPowerState: powerState }),
      ...(nested !== undefined && { enableNestedVirtualization: nested }),
    });
  });
  const settings: ResolvedVmSettings = {
    skipGuestConversion: since29 && spec.skipGuestConversion === true,
    // the CRD defaults it to true (2.9+); 2.8 has no Raw Copy, so no compatibility buses
    useCompatibilityMode: since29 && spec.useCompatibilityMode !== false,
    ...(since210 && spec.targetLabels && { targetLabels: spec.targetLabels }),
    ...(since210 && spec.targetNodeSelector && { targetNodeSelector: spec.targetNodeSelector }),
    ...(since210 && spec.targetAffinity !== undefined && { targetAffinity: spec.targetAffinity }),
    networkMap: `${map.metadata.namespace ?? plan.namespace}/${map.metadata.name}`,
  };
  return { settings, configs, warnings };
}

/** The plan's entry for `vm`: by id, else by the last segment of its name (builder.go getPlanVM). */
function planEntry(vm: InventoryVmDetail, entries: readonly PlanVmEntry[]): PlanVmEntry | undefined {
  return entries.find((entry) => (entry.id ? entry.id === vm.id : entry.name?.split('/').pop() === vm.name));
}

function positive(value: number | undefined): number {
  return value !== undefined && value > 0 ? value : 1;
}

/** Each host's time zone name, by inventory host id; hosts the inventory lacks or without one are left out. */
async function hostTimezones(
  inventory: InventoryClient,
  providerUid: string,
  vms: readonly { vm: InventoryVmDetail }[],
): Promise<Map<string, string>> {
  const ids = [...new Set(vms.map(({ vm }) => vm.host).filter((id) => id !== ''))];
  const hosts = await mapLimited(ids, INVENTORY_CONNECTIONS, (id) => inventory.vsphereHost(providerUid, id));
  const zones = new Map<string, string>();
  hosts.forEach((host, i) => {
    if (host?.timezone) zones.set(ids[i], host.timezone);
  });
  return zones;
}
