/**
 * A scenario as a vSphere inventory. Pure and deterministic: the same scenario and provider uid always give the same
 * ids, uuids and files, so a DataVolume written against one sandbox run still names the right disk in the next.
 */
import { createHash } from 'node:crypto';
import type { Scenario } from '@kubectl-mtv/engine';
import { type MtvRelease, NEWEST_MTV_RELEASE } from '../api/crd-loader.js';
import { SandboxInputError } from '../input-error.js';
import { SEED_NAMES } from '../seed/names.js';
import { diskPlaces } from './disk-layout.js';
import type { InventoryData, InventoryDatastore, InventoryDisk, InventoryHost, InventoryVm } from './model.js';
import { esxiThumbprint } from './thumbprints.js';
import { diskSerial, scenarioNetworks, vmConfiguration, vmNics } from './vm-config.js';

/** A disk without a datastore lives here. */
export const DEFAULT_DATASTORE = 'ds-1';
const DEFAULT_POWER_STATE = 'poweredOff';
const DEFAULT_TIMEZONE = 'UTC';
const TiB = 2 ** 40;

/**
 * The inventory the sandbox serves for `scenario`, keyed by the source Provider's metadata.uid, as the inventory of
 * MTV `release` renders it (default the newest).
 */
export function inventoryFromScenario(
  scenario: Scenario,
  providerUid: string,
  release: MtvRelease = NEWEST_MTV_RELEASE,
): InventoryData {
  const hosts: InventoryHost[] = scenario.hosts.map((host, i) => ({
    id: `host-${i + 1}`,
    name: host.name,
    thumbprint: esxiThumbprint(host.name),
    timezone: host.timezone ?? DEFAULT_TIMEZONE,
  }));
  const hostId = (name: string): string => {
    let host = hosts.find((h) => h.name === name);
    if (host === undefined) {
      // a Scenario built in code may leave a VM's host unlisted; the inventory still needs it
      host = { id: `host-${hosts.length + 1}`, name, thumbprint: esxiThumbprint(name), timezone: DEFAULT_TIMEZONE };
      hosts.push(host);
    }
    return host.id;
  };

  const datastoreNames: string[] = [];
  const used = new Map<string, number>();
  for (const vm of scenario.vms) {
    for (const disk of vm.disks) {
      const name = disk.datastore ?? DEFAULT_DATASTORE;
      if (!datastoreNames.includes(name)) datastoreNames.push(name);
      used.set(name, (used.get(name) ?? 0) + bytes(disk.size));
    }
  }
  for (const name of scenario.unmappedDatastores ?? []) if (!datastoreNames.includes(name)) datastoreNames.push(name);
  const datastores: InventoryDatastore[] = datastoreNames.map((name, i) => {
    const taken = used.get(name) ?? 0;
    const capacity = Math.max(TiB, Math.ceil((taken * 1.5) / TiB) * TiB);
    return { id: `datastore-${i + 1}`, name, capacity, free: capacity - taken };
  });
  const datastoreId = (name: string) => datastores.find((d) => d.name === name)?.id as string;

  const networks = scenarioNetworks(scenario.vms);
  const macs = new Set<string>();
  const changeTrackingEnabled = scenario.migration === 'warm';
  const vms = scenario.vms.map((vm, i): InventoryVm => {
    const places = diskPlaces(vm);
    const nics = vmNics(vm, networks, macs);
    const disks = vm.disks.map((disk, d): InventoryDisk => {
      const datastore = disk.datastore ?? DEFAULT_DATASTORE;
      const { bus, ...place } = places[d];
      // vSphere names the first disk vm.vmdk and the next ones vm_1.vmdk, vm_2.vmdk, ...
      const file = `[${datastore}] ${vm.name}/${vm.name}${d === 0 ? '' : `_${d}`}.vmdk`;
      return {
        ...place,
        file,
        datastore: { kind: 'Datastore', id: datastoreId(datastore) },
        capacity: bytes(disk.size),
        shared: false,
        rdm: false,
        bus,
        mode: 'persistent',
        changeTrackingEnabled,
        serial: diskSerial(file),
      };
    });
    return {
      id: vm.id ?? `vm-${i + 1}`,
      name: vm.name,
      host: hostId(vm.host),
      powerState: vm.powerState ?? DEFAULT_POWER_STATE,
      uuid: uuidFromName(vm.name),
      instanceUuid: uuidFromName(vm.name, 'instance'),
      ...vmConfiguration(vm),
      ...(vm.targetPowerState !== undefined && { targetPowerState: vm.targetPowerState }),
      changeTrackingEnabled,
      networks: networks
        .filter((network) => nics.some((nic) => nic.network.id === network.id))
        .map((network) => ({ kind: 'Network', id: network.id })),
      nics,
      disks,
    };
  });
  rejectDuplicateIds(vms);

  return {
    release,
    provider: { uid: providerUid, name: SEED_NAMES.sourceProvider, namespace: SEED_NAMES.forkliftNamespace },
    hosts,
    datastores,
    networks,
    vms,
  };
}

/** A generated id (`vm-3`) may meet an id the scenario gave another VM; the inventory needs them unique. */
function rejectDuplicateIds(vms: InventoryVm[]) {
  const seen = new Map<string, string>();
  for (const vm of vms) {
    const other = seen.get(vm.id);
    if (other !== undefined) {
      throw new SandboxInputError(
        `scenario: VMs "${other}" and "${vm.name}" both have the inventory id "${vm.id}"`,
        'give each VM a unique id (VMs without one get vm-<position>)',
      );
    }
    seen.set(vm.id, vm.name);
  }
}

/** Inventory capacities are whole bytes. */
function bytes(size: number): number {
  return Math.ceil(size);
}

/**
 * A stable RFC 4122 version-5-style uuid derived from the VM name: its BIOS uuid (`config.uuid`), or with `instance`
 * its vCenter instance uuid (`config.instanceUuid`), which differs.
 */
export function uuidFromName(name: string, which: 'bios' | 'instance' = 'bios'): string {
  const space = which === 'bios' ? 'vm' : 'vm-instance';
  const hash = createHash('sha1').update(`kubectl-mtv-sandbox/${space}/${name}`).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
