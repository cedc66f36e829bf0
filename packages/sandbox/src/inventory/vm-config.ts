/**
 * A scenario VM's configuration as vCenter would report it: CPU, memory, firmware, guest and NICs, with the defaults
 * the scenario format documents (docs/scenario-file.md). Pure and deterministic: MACs and disk serials come from
 * names, never from a random source, so a VM keeps them from one sandbox run to the next.
 */
import { createHash } from 'node:crypto';
import type { VmSpec } from '@kubectl-mtv/engine';
import type { InventoryNetwork, InventoryNic, InventoryVm } from './model.js';

/** The network a NIC is on when the scenario names none, and the first network of every inventory. */
export const DEFAULT_NETWORK = 'VM Network';
const DEFAULT_GUEST_ID = 'rhel9_64Guest';

/** vSphere's `guestFullName` for the guest ids the sandbox's scenarios use; others show the id itself. */
const GUEST_NAMES: Record<string, string> = {
  rhel8_64Guest: 'Red Hat Enterprise Linux 8 (64-bit)',
  rhel9_64Guest: 'Red Hat Enterprise Linux 9 (64-bit)',
  windows2019srv_64Guest: 'Microsoft Windows Server 2019 (64-bit)',
  windows2019srvNext_64Guest: 'Microsoft Windows Server 2022 (64-bit)',
  windows9_64Guest: 'Microsoft Windows 10 (64-bit)',
  windows11_64Guest: 'Microsoft Windows 11 (64-bit)',
};

/** The configuration fields of an inventory VM that come from the scenario (nics without their network ids). */
export type VmConfiguration = Pick<
  InventoryVm,
  | 'cpuCount'
  | 'coresPerSocket'
  | 'memoryMB'
  | 'firmware'
  | 'secureBoot'
  | 'tpmEnabled'
  | 'guestId'
  | 'guestName'
  | 'diskEnableUuid'
  | 'nestedHVEnabled'
>;

export function vmConfiguration(vm: VmSpec): VmConfiguration {
  const secureBoot = vm.secureBoot ?? false;
  const tpmEnabled = vm.tpm ?? false;
  const guestId = vm.guestId ?? DEFAULT_GUEST_ID;
  return {
    cpuCount: vm.cpuCount ?? 2,
    coresPerSocket: vm.coresPerSocket ?? 1,
    memoryMB: vm.memoryMB ?? 4096,
    // vSphere needs EFI for secure boot and for a virtual TPM
    firmware: vm.firmware ?? (secureBoot || tpmEnabled ? 'efi' : 'bios'),
    secureBoot,
    tpmEnabled,
    guestId,
    guestName: GUEST_NAMES[guestId] ?? guestId,
    // vSphere sets disk.EnableUUID on the VMs its Windows templates make; the sandbox follows the guest
    diskEnableUuid: /^win/i.test(guestId),
    nestedHVEnabled: false,
  };
}

/** Every network the scenario's NICs name, in order of first use, `VM Network` first: `network-1`, `network-2`, ... */
export function scenarioNetworks(vms: readonly VmSpec[]): InventoryNetwork[] {
  const names = [DEFAULT_NETWORK];
  for (const vm of vms) for (const nic of vm.nics ?? []) if (!names.includes(nic.network)) names.push(nic.network);
  return names.map((name, i) => ({ id: `network-${i + 1}`, name }));
}

/**
 * The VM's NICs on `networks`: device keys from 4000 as vSphere numbers them, MACs in VMware's static range
 * (00:50:56:00:00:00-00:50:56:3f:ff:ff) from the VM's name and the NIC's position, unique among `taken`.
 */
export function vmNics(vm: VmSpec, networks: readonly InventoryNetwork[], taken: Set<string>): InventoryNic[] {
  const specs = vm.nics ?? [{ network: DEFAULT_NETWORK }];
  return specs.map((spec, i) => {
    const network = networks.find((candidate) => candidate.name === spec.network) as InventoryNetwork;
    let mac = vmwareMac(`${vm.name}/${i}`);
    for (let n = 1; taken.has(mac); n++) mac = vmwareMac(`${vm.name}/${i}/${n}`);
    taken.add(mac);
    return { network: { kind: 'Network', id: network.id }, mac, order: i, deviceKey: 4000 + i };
  });
}

function vmwareMac(seed: string): string {
  const hash = createHash('sha1').update(`kubectl-mtv-sandbox/mac/${seed}`).digest();
  const bytes = [0x00, 0x50, 0x56, hash[0] & 0x3f, hash[1], hash[2]];
  return bytes.map((byte) => byte.toString(16).padStart(2, '0')).join(':');
}

/** A VMDK uuid as vSphere writes it (`6000C29...`), from the disk's backing file. */
export function diskSerial(file: string): string {
  const hex = createHash('sha1').update(`kubectl-mtv-sandbox/disk/${file}`).digest('hex');
  const id = `6000c29${hex.slice(0, 25)}`;
  return `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20, 32)}`;
}
