/**
 * The properties the sandbox's vCenter serves through the PropertyCollector, in the element order of the vim25 WSDL
 * (VirtualMachineSnapshotTree, TaskInfo, VirtualDiskFlatVer2BackingInfo) and with the xsi:type values govmomi's
 * simulator writes (measured: VirtualMachinePowerState, xsd:string, VirtualMachineSnapshotInfo, ArrayOfVirtualDevice,
 * VirtualDisk, VirtualDiskFlatVer2BackingInfo, TaskInfo, ManagedObjectReference). What a path does not name is
 * absent; an unset property (`snapshot` of a VM without one) is left out, as vCenter and vcsim leave it out.
 */
import type { InventoryVm } from '../inventory/model.js';
import { moRefNode, typed, type XmlNode } from './soap.js';
import type { DiskState, SnapshotNode, VcenterModel, VcenterTask } from './vcenter-model.js';

/** A property's value, or undefined when unset; `null` when the path is not a property of the type. */
export type PropertyValue = XmlNode | undefined | null;

/** Wall-clock xsd:dateTime of a simulated instant. */
export type Timestamp = (seconds: number) => string;

export function vmProperty(model: VcenterModel, vm: InventoryVm, path: string, time: Timestamp): PropertyValue {
  switch (path) {
    case 'name':
      return typed('xsd:string', vm.name);
    case 'summary.runtime.powerState':
    case 'runtime.powerState':
      return typed('VirtualMachinePowerState', vm.powerState);
    case 'guest.toolsRunningStatus':
      return typed('xsd:string', model.toolsRunning(vm) ? 'guestToolsRunning' : 'guestToolsNotRunning');
    case 'config.uuid':
      return typed('xsd:string', vm.uuid);
    case 'config.instanceUuid':
      return typed('xsd:string', vm.instanceUuid);
    case 'config.changeTrackingEnabled':
      return typed('xsd:boolean', vm.changeTrackingEnabled);
    case 'config.hardware.device':
      return devices(model.liveDisks(vm));
    case 'snapshot':
      return snapshotInfo(model, vm, time);
    // vcsim resolves a path into a property (mo.VirtualMachine's fields); Forklift and kubectl-mtv read these two, and
    // like vcsim they are left out while the VM has no snapshot
    case 'snapshot.rootSnapshotList':
      return snapshotTrees(model, vm, time);
    case 'snapshot.currentSnapshot': {
      const { current } = model.snapshotTree(vm);
      return (
        current && typed('ManagedObjectReference', moRefNode({ type: 'VirtualMachineSnapshot', value: current.moRef }))
      );
    }
    case 'recentTask':
      return typed('ArrayOfManagedObjectReference', {
        ManagedObjectReference: model
          .recentTasks(vm)
          .map((id) => ({ '@_type': 'Task', '@_xsi:type': 'ManagedObjectReference', '#text': id })),
      });
    default:
      return null;
  }
}

export function snapshotProperty(node: SnapshotNode, path: string): PropertyValue {
  switch (path) {
    case 'config.hardware.device':
      return devices(node.disks);
    case 'vm':
      return typed('ManagedObjectReference', moRefNode({ type: 'VirtualMachine', value: node.vmId }));
    default:
      return null;
  }
}

/** Task.info, or one of its fields (`info.state`, `info.result`, …). */
export function taskProperty(model: VcenterModel, task: VcenterTask, path: string, time: Timestamp): PropertyValue {
  const info = taskInfo(model, task, time);
  if (path === 'info') return typed('TaskInfo', info);
  const field = /^info\.(\w+)$/.exec(path)?.[1];
  if (field === undefined) return null;
  const value = info[field];
  if (value === undefined || Array.isArray(value)) return undefined;
  if (typeof value === 'object') return value;
  const kind = field === 'state' ? 'TaskInfoState' : field === 'progress' ? 'xsd:int' : 'xsd:string';
  return typed(kind, value);
}

/** vim.TaskInfo (vcsim task.go NewTask / Run; a real vCenter's name is the method, e.g. CreateSnapshot_Task). */
function taskInfo(model: VcenterModel, task: VcenterTask, time: Timestamp): Record<string, XmlNode> {
  const { state, progress } = model.taskState(task);
  const { outcome } = task;
  const started = state !== 'queued';
  return {
    key: task.moRef,
    task: moRefNode({ type: 'Task', value: task.moRef }),
    name: task.name,
    descriptionId: task.descriptionId,
    entity: moRefNode(task.entity),
    entityName: task.entityName,
    state,
    cancelled: false,
    cancelable: false,
    ...(outcome?.fault && {
      error: {
        fault: typed(outcome.fault.type, outcome.fault.detail),
        localizedMessage: outcome.fault.message,
      },
    }),
    ...(outcome?.result && { result: typed('ManagedObjectReference', moRefNode(outcome.result)) }),
    ...(progress !== undefined && { progress }),
    reason: typed('TaskReasonUser', { userName: 'sandbox' }),
    queueTime: time(task.queuedAt),
    ...(started && { startTime: time(task.startAt) }),
    ...(outcome && { completeTime: time(task.endAt) }),
    eventChainId: 0,
  };
}

/** VirtualMachineSnapshotTree of `node` and its children (the WSDL's element order, as vcsim writes it). */
function snapshotTree(node: SnapshotNode, time: Timestamp): XmlNode {
  return {
    snapshot: moRefNode({ type: 'VirtualMachineSnapshot', value: node.moRef }),
    vm: moRefNode({ type: 'VirtualMachine', value: node.vmId }),
    name: node.name,
    description: node.description,
    id: node.id,
    createTime: time(node.createdAt),
    state: node.state,
    quiesced: node.quiesced,
    ...(node.children.length > 0 && { childSnapshotList: node.children.map((child) => snapshotTree(child, time)) }),
    replaySupported: false,
  };
}

function snapshotInfo(model: VcenterModel, vm: InventoryVm, time: Timestamp): XmlNode | undefined {
  const { roots, current } = model.snapshotTree(vm);
  if (roots.length === 0) return undefined;
  return typed('VirtualMachineSnapshotInfo', {
    ...(current && { currentSnapshot: moRefNode({ type: 'VirtualMachineSnapshot', value: current.moRef }) }),
    rootSnapshotList: roots.map((root) => snapshotTree(root, time)),
  });
}

/** snapshot.rootSnapshotList: `<val xsi:type="ArrayOfVirtualMachineSnapshotTree"><VirtualMachineSnapshotTree>…`. */
function snapshotTrees(model: VcenterModel, vm: InventoryVm, time: Timestamp): XmlNode | undefined {
  const { roots } = model.snapshotTree(vm);
  if (roots.length === 0) return undefined;
  return typed('ArrayOfVirtualMachineSnapshotTree', {
    VirtualMachineSnapshotTree: roots.map((root) => snapshotTree(root, time)),
  });
}

/**
 * config.hardware.device: the virtual disks only (a sandbox liberty: a real VM lists its controllers, NICs and the
 * rest too; every reader here filters VirtualDisk). changeId is set where CBT is on, which vcsim never does.
 */
function devices(disks: DiskState[]): XmlNode {
  return typed('ArrayOfVirtualDevice', {
    VirtualDevice: disks.map((disk, i) =>
      typed('VirtualDisk', {
        key: disk.key,
        deviceInfo: typed('Description', { label: `Hard disk ${i + 1}`, summary: `${kb(disk.capacity)} KB` }),
        backing: typed('VirtualDiskFlatVer2BackingInfo', {
          fileName: disk.file,
          datastore: moRefNode({ type: 'Datastore', value: disk.datastoreId }),
          diskMode: 'persistent',
          split: false,
          writeThrough: false,
          thinProvisioned: true,
          eagerlyScrub: false,
          ...(disk.changeId !== undefined && { changeId: disk.changeId }),
          digestEnabled: false,
        }),
        controllerKey: disk.controllerKey,
        unitNumber: disk.unitNumber,
        capacityInKB: kb(disk.capacity),
        capacityInBytes: disk.capacity,
      }),
    ),
  });
}

function kb(bytes: number): number {
  return Math.floor(bytes / 1024);
}
