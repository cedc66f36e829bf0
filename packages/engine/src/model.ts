/**
 * The engine's vocabulary: what a workload of disk transfers (a migration plan's disks, flattened) is made of and
 * what the engine decides about it.
 * Units: sizes in bytes, rates and bandwidths in bytes/s, times in seconds.
 */

/** A source host (an ESXi host) the disks are read from. */
export interface HostSpec {
  name: string;
  /** Bytes/s all transfers from this host can reach together; undefined = uncapped. */
  bandwidth?: number;
  /** The host's IP address, which a Forklift Host CR names (used by the sandbox; ignored by the engine). */
  ipAddress?: string;
  /**
   * A Forklift Host CR the sandbox seeds for this host (needs `ipAddress`): `ready` as Forklift's host controller
   * leaves one whose connection test passed, `not-ready` as it leaves one whose test failed. Ignored by the engine.
   */
  hostCr?: HostCrState;
  /** The ESXi host's time zone name (`config.dateTimeInfo.timeZone.name`), `UTC` unless given (sandbox only). */
  timezone?: string;
}

/** The states of a Forklift Host CR a scenario can ask the sandbox to seed. */
export const HOST_CR_STATES = ['ready', 'not-ready'] as const;
export type HostCrState = (typeof HOST_CR_STATES)[number];

/** One disk of a VM, as it will be copied. */
export interface DiskSpec {
  /** Bytes to copy. */
  size: number;
  /** Bytes/s one importer reaches for this disk; undefined = the scenario's diskRate. */
  rate?: number;
  /** Datastore name (used by the sandbox; ignored by the engine). */
  datastore?: string;
  /** The controller type the disk hangs on, `scsi` unless given (used by the sandbox; ignored by the engine). */
  bus?: DiskBus;
  /** Which controller of that bus (0-3); the first with a free unit unless given (sandbox only). */
  controller?: number;
}

/** The vSphere disk controller types the Forklift inventory reports (model.Disk.Bus). */
export const DISK_BUSES = ['scsi', 'sata', 'ide', 'nvme'] as const;
export type DiskBus = (typeof DISK_BUSES)[number];

/** A VM of the plan, in plan order. */
export interface VmSpec {
  name: string;
  /** Host name; VMs without one share the uncapped host `default`. */
  host: string;
  disks: DiskSpec[];
  /** Inventory id (used by the sandbox; ignored by the engine). */
  id?: string;
  /** Power state (used by the sandbox; ignored by the engine). */
  powerState?: string;
  /** Virtual CPUs, 2 unless given (sandbox only). */
  cpuCount?: number;
  /** Cores per virtual socket, 1 unless given (sandbox only). */
  coresPerSocket?: number;
  /** Memory in MiB, 4096 unless given (sandbox only). */
  memoryMB?: number;
  /** `bios` or `efi`; `efi` unless given when the VM has secure boot or a TPM, else `bios` (sandbox only). */
  firmware?: VmFirmware;
  /** UEFI secure boot (sandbox only). */
  secureBoot?: boolean;
  /** A virtual TPM (sandbox only). */
  tpm?: boolean;
  /** vSphere guest id, `rhel9_64Guest` unless given, e.g. `windows2019srv_64Guest` (sandbox only). */
  guestId?: string;
  /** The plan's `spec.vms[].targetPowerState` for it: on, off or auto (the sandbox's seeded plan, MTV 2.9+). */
  targetPowerState?: 'on' | 'off' | 'auto';
  /** The VM's NICs in device order, one on `VM Network` unless given (sandbox only). */
  nics?: NicSpec[];
  /** VMware Tools installed, so ShutdownGuest works while the VM runs; true unless given (the sandbox's vCenter). */
  tools?: boolean;
  /** The guest ignores a ShutdownGuest and stays on (the sandbox's vCenter); false unless given. */
  ignoresShutdown?: boolean;
  /** Percent of each disk the guest changes per hour: the size of warm deltas in the sandbox's CDI (sandbox only). */
  changeRate?: number;
}

export const VM_FIRMWARES = ['bios', 'efi'] as const;
export type VmFirmware = (typeof VM_FIRMWARES)[number];

/** A virtual NIC (sandbox only): the vSphere network it is connected to, by name. */
export interface NicSpec {
  network: string;
}

export type MigrationType = 'cold' | 'warm';

/** A validated scenario: everything the engine needs to plan, with quantities in numbers. */
export interface Scenario {
  name?: string;
  migration: MigrationType;
  /** The cap when no flag is given. */
  maxInFlight: number;
  /** Bytes/s one importer reaches when a disk names no rate. */
  diskRate: number;
  /** Bytes/s all transfers together can reach; undefined = uncapped. */
  networkBandwidth?: number;
  hosts: HostSpec[];
  vms: VmSpec[];
  /** Datastores the sandbox leaves out of the storage map (ignored by the engine). */
  unmappedDatastores?: string[];
}

export const POLICY_NAMES = ['legacy', 'forklift', 'gang', 'disk'] as const;
export type PolicyName = (typeof POLICY_NAMES)[number];

export const ORDER_NAMES = ['largest', 'smallest', 'plan'] as const;
/** The order in which gang and disk take queued work: by size (largest or smallest first) or plan order. */
export type OrderName = (typeof ORDER_NAMES)[number];

export const OBJECTIVE_NAMES = ['makespan', 'downtime'] as const;
/**
 * What the cold `disk` planner optimises: `makespan`, the shortest plan, even when a VM's disks spread out;
 * `downtime`, only schedules that keep each VM's transfer window within the controller's (mean over the VMs), then the
 * shortest of those. Other policies and warm plans ignore it.
 */
export type ObjectiveName = (typeof OBJECTIVE_NAMES)[number];
/** The objective when none is given (docs/scheduling.md says why). */
export const DEFAULT_OBJECTIVE: ObjectiveName = 'makespan';

/** The caps and ordering a schedule runs under. */
export interface SchedulerOptions {
  policy: PolicyName;
  /** Most disks in flight over the whole run (legacy and forklift: per host unless maxInFlightPerHost is set). */
  maxInFlight: number;
  /** Most disks in flight per host; undefined = no per-host cap. */
  maxInFlightPerHost?: number;
  order: OrderName;
  /** What the cold `disk` planner optimises; DEFAULT_OBJECTIVE when absent. */
  objective?: ObjectiveName;
}

/** One disk transfer as the engine sees it. `id` is its position in the workload (VM order, then disk order). */
export interface DiskTransfer {
  id: number;
  /** Index of the VM in plan order. */
  vm: number;
  /** 0-based index of the disk within its VM. */
  index: number;
  /** Index of the host in the workload's host list. */
  host: number;
  /** Bytes to copy. */
  bytes: number;
  /** Bytes/s one importer reaches for this disk. */
  rate: number;
}

/** A host as the engine sees it. */
export interface TransferHost {
  name: string;
  /** Bytes/s; Infinity when uncapped. */
  bandwidth: number;
}

/** A VM as the engine sees it: its disks are `disks` ids, in disk order. */
export interface TransferVm {
  name: string;
  host: number;
  disks: number[];
}

/** The workload every policy works on: a plan's disk transfers, flattened (hosts, VMs, disks by index). */
export interface Workload {
  migration: MigrationType;
  hosts: TransferHost[];
  vms: TransferVm[];
  disks: DiskTransfer[];
  /** Bytes/s shared by all transfers; Infinity when uncapped. */
  networkBandwidth: number;
}

/** Why a queued disk has not started. */
export type DiskStatus = { kind: 'start' } | { kind: 'wait'; reason: string } | { kind: 'never'; reason: string };
