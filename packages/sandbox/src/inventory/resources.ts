/**
 * Inventory objects as Forklift's REST layer renders them (pkg/controller/provider/web/vsphere): a base Resource at
 * detail 0, the fields a plan needs (host, powerState, disks) at detail 1, everything at detail 2 or more. A GET of
 * one object always renders in full, and so does every VM of a VM list (server.ts). Fields the sandbox has no model
 * for carry Forklift's zero values.
 */
import { MTV_RELEASES, type MtvRelease } from '../api/crd-loader.js';
import type {
  InventoryData,
  InventoryDatastore,
  InventoryDisk,
  InventoryHost,
  InventoryNetwork,
  InventoryNic,
  InventoryVm,
} from './model.js';
import { NO_SNAPSHOT } from './vm-snapshot.js';

const atLeast = (release: MtvRelease, than: MtvRelease) => MTV_RELEASES.indexOf(release) >= MTV_RELEASES.indexOf(than);

/** `?detail=all` and single-object GETs. */
export const MAX_DETAIL = Number.POSITIVE_INFINITY;
const DATACENTER = 'Datacenter';
const CLUSTER = { kind: 'Cluster', id: 'domain-c1' };
const VM_FOLDER = { kind: 'Folder', id: 'group-v1' };
const DATASTORE_FOLDER = { kind: 'Folder', id: 'group-s1' };
const NETWORK_FOLDER = { kind: 'Folder', id: 'group-n1' };
const PRODUCT_VERSION = '8.0.2';

type Json = Record<string, unknown>;

/** Forklift's `Resource`: what every vSphere object shows at detail 0. */
function base(
  data: InventoryData,
  collection: string,
  object: { id: string; name: string },
  parent: unknown,
  path: string,
): Json {
  return {
    id: object.id,
    parent,
    path,
    revision: 1,
    name: object.name,
    selfLink: `providers/vsphere/${data.provider.uid}/${collection}/${object.id}`,
  };
}

/** The provider, as `/providers/vsphere` lists it (Forklift's ocp.Resource plus counts from detail 1). */
export function providerResource(data: InventoryData, detail: number): Json {
  const { uid, name, namespace } = data.provider;
  const resource: Json = { uid, version: '1', namespace, name, selfLink: `providers/vsphere/${uid}`, id: uid };
  if (detail < 1) return resource;
  return {
    ...resource,
    type: 'vsphere',
    apiVersion: PRODUCT_VERSION,
    product: 'VMware vCenter Server',
    datacenterCount: 1,
    clusterCount: 1,
    hostCount: data.hosts.length,
    vmCount: data.vms.length,
    networkCount: data.networks.length,
    datastoreCount: data.datastores.length,
  };
}

export function vmResource(data: InventoryData, vm: InventoryVm, detail: number): Json {
  const resource = base(data, 'vms', vm, VM_FOLDER, `/${DATACENTER}/vm/${vm.name}`);
  if (detail < 1) return resource;
  const detailed: Json = {
    ...resource,
    revisionValidated: 1,
    isTemplate: false,
    powerState: vm.powerState,
    host: vm.host,
    networks: vm.networks,
    disks: vm.disks.map((disk) => diskResource(data, disk)),
    concerns: [],
  };
  if (detail < 2) return detailed;
  const poweredOn = vm.powerState === 'poweredOn';
  const release = data.release;
  const guestName = vm.guestName;
  // web/vsphere/vm.go VM of each release: the fields it adds are rendered from that release on
  return {
    ...detailed,
    policyVersion: 1,
    uuid: vm.uuid,
    ...(atLeast(release, '2.11') && { instanceUuid: vm.instanceUuid }),
    firmware: vm.firmware,
    connectionState: 'connected',
    snapshot: vm.snapshot ?? NO_SNAPSHOT,
    changeTrackingEnabled: vm.changeTrackingEnabled,
    ...(atLeast(release, '2.12') && { consolidationNeeded: false }),
    cpuAffinity: [],
    cpuHotAddEnabled: false,
    cpuHotRemoveEnabled: false,
    memoryHotAddEnabled: false,
    faultToleranceEnabled: false,
    cpuCount: vm.cpuCount,
    coresPerSocket: vm.coresPerSocket,
    memoryMB: vm.memoryMB,
    guestName,
    ...(atLeast(release, '2.9') && {
      guestNameFromVmwareTools: poweredOn ? guestName : '',
      hostName: poweredOn ? vm.name : '',
    }),
    guestId: vm.guestId,
    balloonedMemory: 0,
    ipAddress: '',
    storageUsed: vm.disks.reduce((sum, disk) => sum + disk.capacity, 0),
    tpmEnabled: vm.tpmEnabled,
    numaNodeAffinity: [],
    devices: [],
    nics: vm.nics.map((nic) => nicResource(data, nic)),
    guestNetworks: [],
    ...(atLeast(release, '2.9') && { guestDisks: [] }),
    guestIpStacks: [],
    secureBoot: vm.secureBoot,
    ...(atLeast(release, '2.11') && {
      toolsStatus: poweredOn ? 'toolsOk' : 'toolsNotRunning',
      toolsRunningStatus: poweredOn ? 'guestToolsRunning' : 'guestToolsNotRunning',
      toolsVersionStatus2: 'guestToolsCurrent',
    }),
    ...(atLeast(release, '2.9') && { diskEnableUuid: vm.diskEnableUuid, nestedHVEnabled: vm.nestedHVEnabled }),
    ...(atLeast(release, '2.12') && { customDef: [], customValues: [], tags: [] }),
  };
}

/** A NIC as the release's model/vsphere/model.go NIC renders it: `order` from 2.9, `deviceKey` from 2.10, `pciAddress` from 2.12. */
function nicResource(data: InventoryData, nic: InventoryNic): Json {
  return {
    network: nic.network,
    mac: nic.mac,
    ...(atLeast(data.release, '2.9') && { order: nic.order }),
    ...(atLeast(data.release, '2.10') && { deviceKey: nic.deviceKey }),
    // the collector's computePciAddress; the sandbox models no PCI slots, which Forklift renders as ""
    ...(atLeast(data.release, '2.12') && { pciAddress: '' }),
  };
}

/**
 * A disk as the release's model/vsphere/model.go Disk renders it: `unitNumber`, `controllerKey`, `serial` and
 * `changeTrackingEnabled` from MTV 2.9, `parent` (the snapshot chain's base) from 2.10.
 */
function diskResource(data: InventoryData, disk: InventoryDisk): Json {
  const { unitNumber, controllerKey, serial, changeTrackingEnabled, ...rest } = disk;
  return {
    ...rest,
    ...(atLeast(data.release, '2.9') && { unitNumber, controllerKey, serial, changeTrackingEnabled }),
    ...(atLeast(data.release, '2.10') && { parent: '' }),
  };
}

/**
 * A host as the release's web/vsphere/host.go Host renders it: `hostScsiDisks` and `advancedOptions` from MTV 2.9
 * (nil slices without data: null), `memoryBytes` from 2.10; `thumbprint` in every release (what a vddk source names
 * when it reads from the host, builder.go applyHostsConfig).
 */
export function hostResource(data: InventoryData, host: InventoryHost, detail: number): Json {
  const resource = base(data, 'hosts', host, CLUSTER, `/${DATACENTER}/host/Cluster/${host.name}`);
  if (detail < 1) return resource;
  return {
    ...resource,
    cluster: CLUSTER.id,
    status: 'green',
    inMaintenance: false,
    managementServerIp: '',
    thumbprint: host.thumbprint,
    timezone: host.timezone,
    cpuSockets: 2,
    cpuCores: 32,
    ...(atLeast(data.release, '2.10') && { memoryBytes: 512 * 2 ** 30 }),
    productName: 'VMware ESXi',
    productVersion: PRODUCT_VERSION,
    networking: { pNICs: [], vNICs: [], portGroups: [], switches: [] },
    networks: data.networks.map((network) => ({ kind: 'Network', id: network.id })),
    datastores: data.datastores.map((datastore) => ({ kind: 'Datastore', id: datastore.id })),
    vms: null,
    networkAdapters: [],
    ...(atLeast(data.release, '2.9') && { hostScsiDisks: null, advancedOptions: null }),
  };
}

export function datastoreResource(data: InventoryData, datastore: InventoryDatastore, detail: number): Json {
  const resource = base(data, 'datastores', datastore, DATASTORE_FOLDER, `/${DATACENTER}/datastore/${datastore.name}`);
  if (detail < 1) return resource;
  return { ...resource, type: 'VMFS', capacity: datastore.capacity, free: datastore.free, maintenance: 'normal' };
}

export function networkResource(data: InventoryData, network: InventoryNetwork, detail: number): Json {
  const resource = base(data, 'networks', network, NETWORK_FOLDER, `/${DATACENTER}/network/${network.name}`);
  if (detail < 1) return resource;
  return { ...resource, variant: 'Standard', dvSwitch: { kind: '', id: '' }, key: '', host: null, vlanId: '' };
}
