/**
 * connectVCenter: a VCenterSession over vim25 SOAP, making the calls Forklift's vSphere adapter makes
 * (Forklift release-2.12 pkg/controller/plan/adapter/vsphere/client.go) the way govmomi makes them: the session is
 * RetrieveServiceContent then SessionManager.Login (client.go connect: vim25.NewClient, session.Manager Login).
 */
import { trimBackingFileName } from './backing-file.js';
import { child, children, childText, moRef, text, type XmlNode, xsiType } from './soap-envelope.js';
import { soapTransport } from './soap-transport.js';
import { parseTaskInfo } from './task-info.js';
import {
  type MoRef,
  type PowerState,
  type SnapshotDisk,
  type SnapshotRef,
  type TaskInfo,
  type VCenterEndpoint,
  type VCenterSession,
  type VmPower,
  VSphereFault,
} from './types.js';

/** How long one call may take, from connecting to the answer's last byte (ms). */
const DEFAULT_TIMEOUT_MS = 30_000;

const SERVICE_INSTANCE: MoRef = { type: 'ServiceInstance', value: 'ServiceInstance' };

/** Forklift GetSnapshotDeltas: the disk backings it reads, and the element naming each one's file. */
const DISK_BACKING_FILE: Record<string, string> = {
  VirtualDiskFlatVer2BackingInfo: 'fileName',
  VirtualDiskSparseVer2BackingInfo: 'fileName',
  VirtualDiskRawDiskMappingVer1BackingInfo: 'fileName',
  VirtualDiskRawDiskVer2BackingInfo: 'descriptorFileName',
};

function required(ref: MoRef | undefined, what: string): MoRef {
  if (ref === undefined) throw new VSphereFault('SystemError', `the server's ServiceContent has no ${what}`);
  return ref;
}

/** snapshot.rootSnapshotList's trees, depth first (govmomi object.VirtualMachine FindSnapshot walks them so too). */
function flattenSnapshots(trees: XmlNode[]): SnapshotRef[] {
  return trees.flatMap((tree) => {
    const snapshot = moRef(child(tree, 'snapshot'));
    const own = snapshot === undefined ? [] : [{ snapshot, name: childText(tree, 'name') ?? '' }];
    return [...own, ...flattenSnapshots(children(tree, 'childSnapshotList'))];
  });
}

/** Logs in to `endpoint` (RetrieveServiceContent, SessionManager.Login) and returns the session. */
export async function connectVCenter(
  endpoint: VCenterEndpoint,
  options: { timeoutMs?: number } = {},
): Promise<VCenterSession> {
  const transport = soapTransport(endpoint, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const url = new URL(endpoint.url);
  url.username = '';
  url.password = '';
  try {
    const content = child(await transport.call('RetrieveServiceContent', SERVICE_INSTANCE), 'returnval');
    const propertyCollector = required(moRef(child(content, 'propertyCollector')), 'propertyCollector');
    const searchIndex = required(moRef(child(content, 'searchIndex')), 'searchIndex');
    const sessionManager = required(moRef(child(content, 'sessionManager')), 'sessionManager');
    const login = await transport.call('Login', sessionManager, {
      userName: endpoint.user,
      password: endpoint.password,
    });
    // session-scoped MoRefs (a created PropertyCollector: `session[<key>]…`) carry the session's key
    transport.conceal(childText(child(login, 'returnval'), 'key') ?? '');

    /** RetrievePropertiesEx of `paths` on one object through `collector`: each path's `<val>` (absent when unset). */
    const retrieve = async (obj: MoRef, paths: string[], collector = propertyCollector) => {
      const answer = await transport.call('RetrievePropertiesEx', collector, {
        specSet: {
          propSet: { type: obj.type, all: false, pathSet: paths },
          objectSet: { obj, skip: false },
        },
        options: {},
      });
      const object = child(child(answer, 'returnval'), 'objects');
      // govmomi vim25/mo/retrieve.go ObjectContentToType: the first missingSet fault is the call's error (a session
      // that is gone reads every property as missing with NotAuthenticated; vcsim answers so after Logout)
      const missing = child(object, 'missingSet');
      if (missing !== undefined) {
        const fault = child(missing, 'fault');
        const type = xsiType(child(fault, 'fault')) ?? 'SystemError';
        const words = childText(fault, 'localizedMessage') || type;
        throw new VSphereFault(type, `RetrievePropertiesEx ${childText(missing, 'path')} of ${obj.value}: ${words}`);
      }
      const values = new Map<string, XmlNode>();
      for (const prop of children(object, 'propSet')) {
        const val = child(prop, 'val');
        if (val !== undefined) values.set(childText(prop, 'name') ?? '', val);
      }
      return { found: object !== undefined, values };
    };

    const taskReturned = (answer: XmlNode, method: string) => {
      const task = moRef(child(answer, 'returnval'));
      if (task === undefined) throw new VSphereFault('SystemError', `${method} returned no task`);
      return task;
    };

    return {
      url: url.toString(),

      async findVm(uuid, findOptions = {}) {
        // Forklift client.go getVM: SearchIndex.FindByUuid(ctx, nil, uuid, true, &instanceUuid)
        const answer = await transport.call('FindByUuid', searchIndex, {
          uuid,
          vmSearch: true,
          instanceUuid: findOptions.instanceUuid === true ? true : undefined,
        });
        return moRef(child(answer, 'returnval'));
      },

      async vmPower(vm): Promise<VmPower> {
        // Forklift client.go PowerState reads summary.runtime.powerState
        const { values } = await retrieve(vm, ['summary.runtime.powerState', 'guest.toolsRunningStatus']);
        return {
          powerState: text(values.get('summary.runtime.powerState')) as PowerState,
          toolsRunning: text(values.get('guest.toolsRunningStatus')) === 'guestToolsRunning',
        };
      },

      async snapshots(vm) {
        const { values } = await retrieve(vm, ['snapshot.rootSnapshotList']);
        return flattenSnapshots(children(values.get('snapshot.rootSnapshotList'), 'VirtualMachineSnapshotTree'));
      },

      async createSnapshot(vm, name, description) {
        // Forklift client.go CreateSnapshot: vm.CreateSnapshot(ctx, name, description, false, true)
        const args = { name, description, memory: false, quiesce: true };
        return taskReturned(await transport.call('CreateSnapshot_Task', vm, args), 'CreateSnapshot_Task');
      },

      async removeSnapshot(snapshot, removeOptions = {}) {
        // Forklift client.go RemoveSnapshot: vm.RemoveSnapshot(ctx, id, false, consolidate) (consolidate nil before 2.12)
        const args = { removeChildren: false, consolidate: removeOptions.consolidate };
        return taskReturned(await transport.call('RemoveSnapshot_Task', snapshot, args), 'RemoveSnapshot_Task');
      },

      async shutdownGuest(vm) {
        await transport.call('ShutdownGuest', vm);
      },

      async powerOff(vm) {
        return taskReturned(await transport.call('PowerOffVM_Task', vm), 'PowerOffVM_Task');
      },

      async taskInfo(task): Promise<TaskInfo> {
        // Forklift client.go getTaskById: a collector of its own, RetrieveOne(task, "info"), Destroy when done
        const created = moRef(child(await transport.call('CreatePropertyCollector', propertyCollector), 'returnval'));
        const collector = required(created, 'created PropertyCollector');
        try {
          const { found, values } = await retrieve(task, ['info'], collector);
          const info = values.get('info');
          if (!found || info === undefined) {
            throw new VSphereFault(
              'ManagedObjectNotFound',
              `task ${task.value} has no info (Forklift: task not found)`,
            );
          }
          return parseTaskInfo(task, info);
        } finally {
          await transport.call('DestroyPropertyCollector', collector).catch(() => undefined);
        }
      },

      async snapshotDisks(snapshot): Promise<SnapshotDisk[]> {
        // Forklift client.go GetSnapshotDeltas: VirtualMachineSnapshot{id}.config.hardware.device
        const { values } = await retrieve(snapshot, ['config.hardware.device']);
        const disks: SnapshotDisk[] = [];
        for (const device of children(values.get('config.hardware.device'), 'VirtualDevice')) {
          const backing = child(device, 'backing');
          const fileElement = DISK_BACKING_FILE[xsiType(backing) ?? ''];
          if (fileElement === undefined) continue;
          const changeId = childText(backing, 'changeId');
          disks.push({
            key: Number(childText(device, 'key')),
            file: trimBackingFileName(childText(backing, fileElement) ?? ''),
            ...(changeId === undefined || changeId === '' ? {} : { changeId }),
          });
        }
        return disks;
      },

      async logout() {
        // Forklift client.go Close: client.Logout, errors ignored
        await transport.call('Logout', sessionManager).catch(() => undefined);
        transport.close();
      },
    };
  } catch (error) {
    transport.close();
    throw error;
  }
}
