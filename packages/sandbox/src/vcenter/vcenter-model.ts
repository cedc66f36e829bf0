/**
 * What the sandbox's vCenter knows beyond the inventory: VMware Tools, snapshot trees with per-disk changeIds, and
 * tasks that take simulated time. The VMs themselves are the inventory's own objects (InventoryVm): a power state the
 * vCenter changes is the `powerState` the inventory serves, and a snapshot tree that changes is the `snapshot` it
 * serves (as Forklift's collector reads it, inventory/vm-snapshot.ts), so both always describe the same VMs. Time is
 * the sandbox's simulated clock; `sync()` applies every task and guest shutdown due by now, in the order they end.
 */
import { createHash } from 'node:crypto';
import type { InventoryData, InventoryVm } from '../inventory/model.js';
import { collectSnapshot } from '../inventory/vm-snapshot.js';
import { type MoRef, SoapFault } from './soap.js';

export type { MoRef };

/** Simulated seconds each kind of work takes (vcsim finishes every task inside the call: simulator/task.go Run). */
export const VCENTER_SECONDS = {
  /** A task waits this long queued, then behind any earlier task on the same VM (vCenter runs a VM's tasks in turn). */
  queue: 1,
  /** CreateSnapshot_Task: a base, plus per disk (a quiesced snapshot of a few disks takes 10-30 s on real hosts). */
  snapshotBase: 8,
  snapshotPerDisk: 4,
  /** RemoveSnapshot_Task without consolidation; with it, per disk besides (the delta is merged into its parent). */
  removeBase: 3,
  consolidatePerDisk: 5,
  powerOff: 2,
  powerOn: 3,
  /** From ShutdownGuest to the guest powered off. */
  guestShutdown: 15,
  /** No task takes longer than this. */
  max: 30,
} as const;

/** What the sandbox's vCenter does with one VM besides the inventory's description of it. */
export interface VcenterVmBehaviour {
  /** VMware Tools installed: running whenever the VM is powered on (ShutdownGuest needs it). Default true. */
  tools?: boolean;
  /** The guest ignores ShutdownGuest: the call succeeds and the VM stays on (a caller's timeout is exercised). */
  ignoresShutdown?: boolean;
  /** Every CreateSnapshot_Task on the VM ends in error. */
  failSnapshot?: boolean;
}

/** One disk as a snapshot (or the VM now) has it. */
export interface DiskState {
  key: number;
  controllerKey: number;
  unitNumber: number;
  /** Bytes. */
  capacity: number;
  /** `[ds] vm/vm.vmdk`, or the delta `[ds] vm/vm-000001.vmdk` the VM writes to over a snapshot. */
  file: string;
  /** CBT changeId in vSphere's form (`52 3c … 07 18/N`); absent without change tracking. */
  changeId?: string;
  datastoreId: string;
}

export interface SnapshotNode {
  moRef: string;
  vmId: string;
  name: string;
  description: string;
  /** Simulated seconds. */
  createdAt: number;
  /** The VM's power state when it was taken. */
  state: string;
  quiesced: boolean;
  /** The VM's own snapshot counter (VirtualMachineSnapshotTree.id). */
  id: number;
  children: SnapshotNode[];
  parent?: SnapshotNode;
  disks: DiskState[];
}

/** The outcome of a finished task. */
export interface TaskOutcome {
  result?: MoRef;
  fault?: SoapFault;
}

export interface VcenterTask {
  moRef: string;
  /** info.name: the method, as a real vCenter names it (`CreateSnapshot_Task`; vcsim `CreateSnapshot`). */
  name: string;
  descriptionId: string;
  entity: MoRef;
  entityName: string;
  /** Simulated seconds. */
  queuedAt: number;
  startAt: number;
  endAt: number;
  outcome?: TaskOutcome;
  run: () => TaskOutcome;
}

export type TaskState = 'queued' | 'running' | 'success' | 'error';

export interface VmRecord {
  vm: InventoryVm;
  behaviour: Required<VcenterVmBehaviour>;
  roots: SnapshotNode[];
  current?: SnapshotNode;
  nextSnapshotId: number;
  /** Per disk key: the CBT sequence its next changeId carries. */
  changeSequence: Map<number, number>;
  /** When the last task queued on the VM ends (simulated seconds). */
  busyUntil: number;
  shutdownAt?: number;
  recentTasks: string[];
}

export class VcenterModel {
  private readonly vms = new Map<string, VmRecord>();
  private readonly snapshots = new Map<string, SnapshotNode>();
  private readonly tasks = new Map<string, VcenterTask>();
  /** One counter for every managed object the vCenter creates, as vpxd numbers them (vcsim: task-N, snapshot-N). */
  private counter = 0;

  constructor(
    readonly inventory: InventoryData,
    private readonly clock: () => number,
    behaviour: (vm: InventoryVm) => VcenterVmBehaviour = () => ({}),
  ) {
    for (const vm of inventory.vms) {
      const wanted = behaviour(vm);
      this.vms.set(vm.id, {
        vm,
        behaviour: {
          tools: wanted.tools ?? true,
          ignoresShutdown: wanted.ignoresShutdown ?? false,
          failSnapshot: wanted.failSnapshot ?? false,
        },
        roots: [],
        nextSnapshotId: 1,
        changeSequence: new Map(),
        busyUntil: 0,
        recentTasks: [],
      });
    }
  }

  now(): number {
    return this.clock();
  }

  /** Applies every task end and guest shutdown due by now, oldest first. */
  sync(): void {
    const now = this.clock();
    const due = [...this.tasks.values()].filter((task) => !task.outcome && task.endAt <= now);
    due.sort((a, b) => a.endAt - b.endAt);
    for (const task of due) task.outcome = task.run();
    for (const record of this.vms.values()) {
      if (record.shutdownAt !== undefined && record.shutdownAt <= now) {
        record.shutdownAt = undefined;
        record.vm.powerState = 'poweredOff';
      }
    }
  }

  allVms(): InventoryVm[] {
    return [...this.vms.values()].map((record) => record.vm);
  }

  /** SearchIndex.FindByUuid: by BIOS uuid (`config.uuid`) or, with `instanceUuid`, vCenter's instance uuid. */
  findByUuid(uuid: string, instanceUuid: boolean): InventoryVm | undefined {
    const wanted = uuid.toLowerCase();
    return this.allVms().find((vm) => (instanceUuid ? vm.instanceUuid : vm.uuid).toLowerCase() === wanted);
  }

  vm(ref: MoRef): VmRecord {
    const record = ref.type === 'VirtualMachine' ? this.vms.get(ref.value) : undefined;
    if (!record) throw objectNotFound(ref);
    return record;
  }

  snapshot(ref: MoRef): SnapshotNode {
    const node = ref.type === 'VirtualMachineSnapshot' ? this.snapshots.get(ref.value) : undefined;
    if (!node) throw objectNotFound(ref);
    return node;
  }

  task(ref: MoRef): VcenterTask {
    const task = ref.type === 'Task' ? this.tasks.get(ref.value) : undefined;
    if (!task) throw objectNotFound(ref);
    return task;
  }

  /** guest.toolsRunningStatus: Tools run while a VM that has them is powered on. */
  toolsRunning(vm: InventoryVm): boolean {
    return (this.vms.get(vm.id)?.behaviour.tools ?? false) && vm.powerState === 'poweredOn';
  }

  /** The VM's snapshot roots and current snapshot. */
  snapshotTree(vm: InventoryVm): { roots: SnapshotNode[]; current?: SnapshotNode } {
    const record = this.vm({ type: 'VirtualMachine', value: vm.id });
    return { roots: record.roots, current: record.current };
  }

  /** The VM's recentTask: its tasks queued or running, or finished in the last 10 minutes (as vCenter keeps them). */
  recentTasks(vm: InventoryVm): string[] {
    const now = this.clock();
    const record = this.vm({ type: 'VirtualMachine', value: vm.id });
    return record.recentTasks.filter((id) => {
      const task = this.tasks.get(id);
      return task !== undefined && (task.outcome === undefined || now - task.endAt < 600);
    });
  }

  /** The VM's disks now: over a snapshot, each writes to the delta of the current snapshot's depth. */
  liveDisks(vm: InventoryVm): DiskState[] {
    const record = this.vm({ type: 'VirtualMachine', value: vm.id });
    return this.disksAt(record, depth(record.current), false);
  }

  taskState(task: VcenterTask): { state: TaskState; progress?: number } {
    const now = this.clock();
    if (task.outcome) return { state: task.outcome.fault ? 'error' : 'success' };
    if (now < task.startAt) return { state: 'queued' };
    const progress = Math.min(99, Math.floor(((now - task.startAt) / (task.endAt - task.startAt)) * 100));
    return { state: 'running', progress };
  }

  /** CreateSnapshot_Task (vSphere API VirtualMachine.CreateSnapshot_Task; govmomi simulator CreateSnapshotTask). */
  createSnapshot(ref: MoRef, name: string, description: string, quiesce: boolean): VcenterTask {
    const record = this.vm(ref);
    const seconds = VCENTER_SECONDS.snapshotBase + VCENTER_SECONDS.snapshotPerDisk * record.vm.disks.length;
    return this.queue(record, 'CreateSnapshot_Task', 'VirtualMachine.createSnapshot', ref, seconds, () => {
      if (record.behaviour.failSnapshot) return { fault: snapshotFault(quiesce) };
      const parent = record.current;
      const node: SnapshotNode = {
        moRef: this.nextId('snapshot'),
        vmId: record.vm.id,
        name,
        description,
        createdAt: this.clock(),
        state: record.vm.powerState,
        quiesced: quiesce,
        id: record.nextSnapshotId++,
        children: [],
        ...(parent && { parent }),
        disks: this.disksAt(record, depth(parent) + 1, true),
      };
      if (parent) parent.children.push(node);
      else record.roots.push(node);
      record.current = node;
      this.snapshots.set(node.moRef, node);
      this.collect(record);
      return { result: { type: 'VirtualMachineSnapshot', value: node.moRef } };
    });
  }

  /**
   * RemoveSnapshot_Task on a snapshot (vSphere API VirtualMachineSnapshot.RemoveSnapshot_Task; govmomi simulator
   * snapshot.go RemoveSnapshotTask): its children move to its parent unless removed with it; the VM's current
   * snapshot becomes the parent when it was the one removed. The task's entity is the VM (a snapshot is no
   * ManagedEntity; vcsim names the snapshot).
   */
  removeSnapshot(ref: MoRef, removeChildren: boolean, consolidate: boolean): VcenterTask {
    const node = this.snapshot(ref);
    const record = this.vm({ type: 'VirtualMachine', value: node.vmId });
    const seconds =
      VCENTER_SECONDS.removeBase + (consolidate ? VCENTER_SECONDS.consolidatePerDisk * node.disks.length : 0);
    const vmRef = { type: 'VirtualMachine', value: record.vm.id };
    return this.queue(record, 'RemoveSnapshot_Task', 'VirtualMachineSnapshot.remove', vmRef, seconds, () => {
      if (!this.snapshots.has(node.moRef)) return { fault: objectNotFound(ref) };
      const siblings = node.parent ? node.parent.children : record.roots;
      const removed = removeChildren ? subtree(node) : [node];
      const kept = removeChildren ? [] : node.children;
      for (const child of kept) child.parent = node.parent;
      siblings.splice(siblings.indexOf(node), 1, ...kept);
      for (const gone of removed) this.snapshots.delete(gone.moRef);
      if (record.current && removed.includes(record.current)) record.current = node.parent;
      this.collect(record);
      return {};
    });
  }

  /**
   * QueryChangedDiskAreas (vSphere API VirtualMachine.QueryChangedDiskAreas) with a changeId, as CDI's VDDK importer
   * calls it for a checkpoint whose `previous` is one (pkg/importer/vddk-datasource_amd64.go TransferFile): the areas
   * of disk `deviceKey` changed between the changeId `since` and `snapshot`. A changeId is good for the disk it was issued for,
   * after its snapshot is removed too (CDI doc/datavolumes.md "Change IDs"): in the sandbox one this vCenter has shown
   * for that disk (`52 …/N`, N up to the disk's CBT sequence now); any other is the InvalidArgument a real vCenter
   * answers ("A specified parameter was not correct: changeId", as backup tools report it; vcsim has no such method).
   * The areas themselves are not modelled (the importer sizes a delta with the engine's warm/change-rate.ts), and the SOAP server
   * does not serve the method (MethodNotFound, as vcsim): the sandbox's importer asks the model.
   */
  queryChangedDiskAreas(ref: MoRef, snapshot: MoRef, deviceKey: number, since: string): void {
    const record = this.vm(ref);
    const node = this.snapshot(snapshot);
    if (node.vmId !== record.vm.id) throw invalidArgument('snapshot');
    const disk = record.vm.disks.find((candidate) => candidate.key === deviceKey);
    if (!disk) throw invalidArgument('deviceKey');
    const sequence = record.changeSequence.get(disk.key) ?? 0;
    const issued = Array.from({ length: sequence + 1 }, (_, n) => changeId(disk.file, n));
    if (!disk.changeTrackingEnabled || !issued.includes(since)) throw invalidArgument('changeId');
  }

  /** PowerOffVM_Task / PowerOnVM_Task: InvalidPowerState as the task's error when the VM already is so (as vcsim). */
  setPower(ref: MoRef, on: boolean): VcenterTask {
    const record = this.vm(ref);
    const wanted = on ? 'poweredOn' : 'poweredOff';
    const [name, descriptionId, seconds] = on
      ? ['PowerOnVM_Task', 'VirtualMachine.powerOn', VCENTER_SECONDS.powerOn]
      : ['PowerOffVM_Task', 'VirtualMachine.powerOff', VCENTER_SECONDS.powerOff];
    return this.queue(record, name, descriptionId, ref, seconds, () => {
      if (record.vm.powerState === wanted) return { fault: invalidPowerState(wanted, record.vm.powerState) };
      record.vm.powerState = wanted;
      record.shutdownAt = undefined;
      return {};
    });
  }

  /**
   * ShutdownGuest (vSphere API VirtualMachine.ShutdownGuest): asks Tools and returns; the guest is off
   * VCENTER_SECONDS.guestShutdown later, or never when it ignores the request. A powered-off VM is InvalidPowerState
   * (as vcsim, virtual_machine.go ShutdownGuest); a VM without running Tools is ToolsUnavailable, which vcsim never
   * checks and a real vCenter does.
   */
  shutdownGuest(ref: MoRef): void {
    const record = this.vm(ref);
    if (record.vm.powerState !== 'poweredOn') throw invalidPowerState('poweredOn', record.vm.powerState);
    if (!this.toolsRunning(record.vm)) {
      throw new SoapFault(
        'ToolsUnavailable',
        'Cannot complete operation because VMware Tools is not running in this virtual machine.',
      );
    }
    if (record.behaviour.ignoresShutdown || record.shutdownAt !== undefined) return;
    record.shutdownAt = this.clock() + VCENTER_SECONDS.guestShutdown;
  }

  private queue(
    record: VmRecord,
    name: string,
    descriptionId: string,
    entity: MoRef,
    seconds: number,
    run: () => TaskOutcome,
  ): VcenterTask {
    const now = this.clock();
    const startAt = Math.max(now + VCENTER_SECONDS.queue, record.busyUntil);
    const endAt = startAt + Math.min(seconds, VCENTER_SECONDS.max);
    record.busyUntil = endAt;
    const entityName = entity.type === 'VirtualMachine' ? record.vm.name : entity.value;
    const task: VcenterTask = {
      moRef: this.nextId('task'),
      name,
      descriptionId,
      entity,
      entityName,
      queuedAt: now,
      startAt,
      endAt,
      run,
    };
    this.tasks.set(task.moRef, task);
    record.recentTasks.push(task.moRef);
    return task;
  }

  /** Forklift's collector sees the VM's `snapshot` property change (WaitForUpdatesEx) and updates its inventory. */
  private collect(record: VmRecord): void {
    const property = record.roots.length === 0 ? undefined : { currentSnapshot: record.current?.moRef };
    collectSnapshot(record.vm, property, this.inventory.release);
  }

  private nextId(prefix: string): string {
    this.counter++;
    return `${prefix}-${this.counter}`;
  }

  /**
   * The VM's disks at delta depth `level` (0 = the base vmdks). With `advance`, each disk with change tracking gets
   * the next changeId: the same disk's changeId differs between two snapshots, as CBT's sequence moves on.
   */
  private disksAt(record: VmRecord, level: number, advance: boolean): DiskState[] {
    return record.vm.disks.map((disk) => {
      const sequence = record.changeSequence.get(disk.key) ?? 0;
      if (advance) record.changeSequence.set(disk.key, sequence + 1);
      const shown = advance ? sequence + 1 : sequence;
      return {
        key: disk.key,
        controllerKey: disk.controllerKey,
        unitNumber: disk.unitNumber,
        capacity: disk.capacity,
        file: level === 0 ? disk.file : disk.file.replace(/\.vmdk$/, `-${String(level).padStart(6, '0')}.vmdk`),
        ...(disk.changeTrackingEnabled && { changeId: changeId(disk.file, shown) }),
        datastoreId: disk.datastore.id,
      };
    });
  }
}

function depth(node: SnapshotNode | undefined): number {
  let level = 0;
  for (let at = node; at; at = at.parent) level++;
  return level;
}

function subtree(node: SnapshotNode): SnapshotNode[] {
  return [node, ...node.children.flatMap(subtree)];
}

/**
 * A CBT changeId as vSphere writes it (VirtualDiskFlatVer2BackingInfo.changeId; VDDK's QueryChangedDiskAreas takes
 * it back): the disk's change-tracking uuid as 16 hex bytes (`52 3c … 4f 60-a1 b2 … 07 18`) and `/sequence`.
 */
export function changeId(file: string, sequence: number): string {
  const bytes = createHash('sha1').update(`kubectl-mtv sandbox ctk ${file}`).digest().subarray(0, 16);
  bytes[0] = 0x52;
  const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, '0'));
  return `${hex.slice(0, 8).join(' ')}-${hex.slice(8).join(' ')}/${sequence}`;
}

/** vSphere's message for a managed object that is gone (vcsim's exact words for an unknown object). */
export function objectNotFound(ref: MoRef): SoapFault {
  return new SoapFault(
    'ManagedObjectNotFound',
    'The object has already been deleted or has not been completely created',
    {
      obj: { '@_type': ref.type, '#text': ref.value },
    },
  );
}

/** vmodl.fault.InvalidArgument, as vCenter words it: "A specified parameter was not correct: <property>". */
function invalidArgument(property: string): SoapFault {
  return new SoapFault('InvalidArgument', `A specified parameter was not correct: ${property}`, {
    invalidProperty: property,
  });
}

function invalidPowerState(requested: string, existing: string): SoapFault {
  const label = existing === 'poweredOff' ? 'Powered off' : existing === 'poweredOn' ? 'Powered on' : 'Suspended';
  return new SoapFault(
    'InvalidPowerState',
    `The attempted operation cannot be performed in the current state (${label}).`,
    { requestedState: requested, existingState: existing },
  );
}

/** A snapshot that fails: quiescing (ApplicationQuiesceFault, a SnapshotFault) or otherwise a plain SnapshotFault. */
function snapshotFault(quiesce: boolean): SoapFault {
  return quiesce
    ? new SoapFault(
        'ApplicationQuiesceFault',
        "An error occurred while quiescing the virtual machine. See the virtual machine's event log for details.",
      )
    : new SoapFault('SnapshotFault', 'An error occurred while saving the snapshot: fault injected by the sandbox.');
}
