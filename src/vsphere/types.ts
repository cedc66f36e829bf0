/**
 * What the rest of kubectl-mtv knows of vCenter: a session on one vCenter (or ESXi host) SDK endpoint and the few
 * vim25 calls Forklift's vSphere adapter makes (kubev2v/forklift pkg/controller/plan/adapter/vsphere/client.go):
 * FindByUuid, power state, CreateSnapshot_Task / RemoveSnapshot_Task, ShutdownGuest, PowerOffVM_Task, task polling
 * and a snapshot's disks with their changeIds. Only src/vsphere speaks SOAP; this file is its contract. Credentials
 * come in as an endpoint (read from the Provider Secret by src/cluster) and are never printed, logged or written.
 */

/** A managed object reference: `{ type: 'VirtualMachine', value: 'vm-42' }`. */
export interface MoRef {
  type: string;
  value: string;
}

/** `summary.runtime.powerState` (vim.VirtualMachine.PowerState). */
export type PowerState = 'poweredOn' | 'poweredOff' | 'suspended';

/** How to reach and log in to a vCenter SDK endpoint, as Forklift does (client.go connect). */
export interface VCenterEndpoint {
  /** The source Provider's spec.url, e.g. `https://vcenter.example.com/sdk`. */
  url: string;
  /** The Provider Secret's `user`. */
  user: string;
  /** The Provider Secret's `password`. */
  password: string;
  /** A PEM CA bundle trusted besides the system roots (the Provider Secret's `cacert`; 2.12 `ca.crt` first). */
  ca?: string;
  /**
   * The server certificate's SHA-1 fingerprint (`AA:BB:…`, the Provider's status.fingerprint): a certificate whose
   * chain does not verify is still accepted when it has this fingerprint (govmomi soap.Client SetThumbprint).
   */
  thumbprint?: string;
  /** The Provider Secret's `insecureSkipVerify: "true"`: no TLS verification at all (the user said so). */
  insecureSkipVerify?: boolean;
}

/** vim.TaskInfo.State. */
export type TaskState = 'queued' | 'running' | 'success' | 'error';

/** What a task's `info` says (RetrievePropertiesEx of Task.info). */
export interface TaskInfo {
  task: MoRef;
  state: TaskState;
  /** info.name, e.g. `CreateSnapshot_Task` (vcsim: `CreateSnapshot`). */
  name?: string;
  /** info.descriptionId, e.g. `VirtualMachine.createSnapshot`. */
  descriptionId?: string;
  /** 0..100 while running, when the server says. */
  progress?: number;
  /** info.result when it is a managed object reference (CreateSnapshot_Task: the snapshot). */
  result?: MoRef;
  /** info.error's localizedMessage (or its fault type) when state is error. */
  error?: string;
  /** The fault's type when state is error, e.g. `InvalidPowerState`. */
  fault?: string;
}

/** The guest's state as far as a clean shutdown goes. */
export interface VmPower {
  powerState: PowerState;
  /** guest.toolsRunningStatus === 'guestToolsRunning': ShutdownGuest can work. */
  toolsRunning: boolean;
}

/** One virtual disk of a snapshot (VirtualMachineSnapshot.config.hardware.device). */
export interface SnapshotDisk {
  /** The device key (2000, 2001, …). */
  key: number;
  /**
   * The backing file with Forklift's trimBackingFileName applied: the `-000001` delta suffix removed, giving the base
   * vmdk (`[datastore1] vm/vm.vmdk`), which is what a DataVolume's vddk.backingFile names.
   */
  file: string;
  /** The backing's changeId (CBT); absent where the server sets none (govmomi's simulator). */
  changeId?: string;
}

/** A snapshot in a VM's snapshot tree. */
export interface SnapshotRef {
  snapshot: MoRef;
  name: string;
}

/** A fault the server answered with (a SOAP Fault): its type and message, never the request. */
export class VSphereFault extends Error {
  /** The fault's type, e.g. `InvalidPowerState`, `ToolsUnavailable`, `NotAuthenticated`, `InvalidLogin`. */
  readonly fault: string;

  constructor(fault: string, message: string) {
    super(message);
    this.name = 'VSphereFault';
    this.fault = fault;
  }
}

/** The endpoint could not be reached, or its TLS certificate was refused: what and why, with the URL (no credentials). */
export class VCenterUnreachable extends Error {
  readonly url: string;

  constructor(url: string, why: string) {
    super(`vCenter ${url} cannot be reached: ${why}`);
    this.name = 'VCenterUnreachable';
    this.url = url;
  }
}

/** A logged-in session. Every call may throw VSphereFault or VCenterUnreachable. */
export interface VCenterSession {
  /** The endpoint's URL (no credentials in it). */
  readonly url: string;
  /** SearchIndex.FindByUuid(vmSearch true): the VM, or undefined when none has that uuid. */
  findVm(uuid: string, options?: { instanceUuid?: boolean }): Promise<MoRef | undefined>;
  /** summary.runtime.powerState and guest.toolsRunningStatus of a VM. */
  vmPower(vm: MoRef): Promise<VmPower>;
  /** The VM's snapshots (snapshot.rootSnapshotList, flattened); [] when it has none. */
  snapshots(vm: MoRef): Promise<SnapshotRef[]>;
  /** CreateSnapshot_Task(name, description, memory false, quiesce true): the task, not waited for. */
  createSnapshot(vm: MoRef, name: string, description: string): Promise<MoRef>;
  /** RemoveSnapshot_Task(removeChildren false, consolidate when given): the task, not waited for. */
  removeSnapshot(snapshot: MoRef, options?: { consolidate?: boolean }): Promise<MoRef>;
  /** ShutdownGuest: asks VMware Tools to shut the guest down; returns once asked (poll vmPower to see it happen). */
  shutdownGuest(vm: MoRef): Promise<void>;
  /** PowerOffVM_Task: a hard power-off; the task, not waited for. */
  powerOff(vm: MoRef): Promise<MoRef>;
  /** A task's info, read once (CreatePropertyCollector, RetrievePropertiesEx, DestroyPropertyCollector as Forklift). */
  taskInfo(task: MoRef): Promise<TaskInfo>;
  /** The disks of a snapshot, with their changeIds. */
  snapshotDisks(snapshot: MoRef): Promise<SnapshotDisk[]>;
  /** SessionManager.Logout; never throws. */
  logout(): Promise<void>;
}
