/**
 * What the sandbox's Forklift inventory knows about one vSphere provider: its hosts, datastores, networks and VMs,
 * in the inventory's own vocabulary (managed-object ids such as `host-1`, `datastore-1`, `vm-1`).
 */
import type { MtvRelease } from '../api/crd-loader.js';

/** A reference to another inventory object, as Forklift writes it (`model.Ref`). */
export interface InventoryRef {
  kind: string;
  id: string;
}

/** The Provider CR the inventory serves (its metadata.uid is the key in every URL). */
export interface InventoryProvider {
  uid: string;
  name: string;
  namespace: string;
}

/** An ESXi host. */
export interface InventoryHost {
  id: string;
  name: string;
  /** Its certificate's SHA-1 thumbprint (`AA:BB:...`), which a vddk source names when it reads from the host. */
  thumbprint: string;
  /** Its time zone name (`config.dateTimeInfo.timeZone.name`), which Forklift gives its VMs' clocks (mapClock). */
  timezone: string;
}

export interface InventoryDatastore {
  id: string;
  name: string;
  /** Bytes. */
  capacity: number;
  /** Bytes. */
  free: number;
}

export interface InventoryNetwork {
  id: string;
  name: string;
}

/** A virtual disk, with the fields of Forklift's `model.Disk`. */
export interface InventoryDisk {
  /** Device key (2000, 2001, ... for SCSI disks; see disk-layout.ts). */
  key: number;
  unitNumber: number;
  controllerKey: number;
  /** Backing file, `[datastore name] vm/vm.vmdk`: what a DataVolume's vddk.backingFile names. */
  file: string;
  datastore: InventoryRef;
  /** Bytes. */
  capacity: number;
  shared: boolean;
  rdm: boolean;
  /** `scsi`, `sata`, `ide` or `nvme`. */
  bus: string;
  mode: string;
  changeTrackingEnabled: boolean;
  /** The VMDK's uuid (`backing.uuid`), which Forklift serves as the disk's serial from MTV 2.9. */
  serial: string;
}

/** A virtual NIC (Forklift's `model.NIC`). */
export interface InventoryNic {
  /** The network it is connected to (for a standard network its id; a distributed portgroup's key). */
  network: InventoryRef;
  /** Lowercase, as Forklift's collector stores it. */
  mac: string;
  /** Its position among the VM's connected NICs. */
  order: number;
  deviceKey: number;
}

export interface InventoryVm {
  id: string;
  name: string;
  /** Id of the ESXi host the VM runs on. */
  host: string;
  /** `poweredOn`, `poweredOff` or `suspended`. */
  powerState: string;
  /** BIOS uuid (`config.uuid`): what a DataVolume's vddk.uuid names, up to MTV 2.11. */
  uuid: string;
  /** vCenter's instance uuid (`config.instanceUuid`): vddk.uuid from MTV 2.12 where CDI allows it. */
  instanceUuid: string;
  cpuCount: number;
  coresPerSocket: number;
  memoryMB: number;
  /** `bios` or `efi` (`config.firmware`). */
  firmware: string;
  /** `config.bootOptions.efiSecureBootEnabled`. */
  secureBoot: boolean;
  /** `summary.config.tpmPresent`. */
  tpmEnabled: boolean;
  /** `summary.guest.guestId`, e.g. `rhel9_64Guest`. */
  guestId: string;
  /** `summary.config.guestFullName`. */
  guestName: string;
  /** The `disk.EnableUUID` extra config (MTV 2.9+ serves it). */
  diskEnableUuid: boolean;
  /** `config.nestedHVEnabled` (MTV 2.9+ serves it). */
  nestedHVEnabled: boolean;
  changeTrackingEnabled: boolean;
  /** The networks the VM's NICs are on, each once. */
  networks: InventoryRef[];
  nics: InventoryNic[];
  /**
   * The current snapshot as Forklift's collector last saw it (VM.Snapshot, vm-snapshot.ts): the sandbox's vCenter
   * sets it when a snapshot task ends; absent: none.
   */
  snapshot?: InventoryRef;
  /** What the seeded plan asks for the VM (spec.vms[].targetPowerState, 2.9+); never served by the inventory. */
  targetPowerState?: 'on' | 'off' | 'auto';
  disks: InventoryDisk[];
}

/** Everything the inventory server serves. */
export interface InventoryData {
  /** The MTV release whose inventory this is: the fields a VM and its disks show depend on it. */
  release: MtvRelease;
  provider: InventoryProvider;
  hosts: InventoryHost[];
  datastores: InventoryDatastore[];
  networks: InventoryNetwork[];
  vms: InventoryVm[];
}
