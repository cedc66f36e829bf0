import type { Scenario } from '@kubectl-mtv/engine';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type StartedSandboxVcenter, startSandboxVcenter } from '../../src/vcenter/sandbox-vcenter.js';
import { VCENTER_SECONDS } from '../../src/vcenter/vcenter-model.js';
import { faultType, ref, retrieveBody, type SoapReply, soap, type Xml } from './soap-call.js';

const GiB = 2 ** 30;
const scenario: Scenario = {
  migration: 'warm',
  maxInFlight: 10,
  diskRate: 100 * 2 ** 20,
  hosts: [{ name: 'esx-01' }],
  vms: [
    { name: 'db-01', host: 'esx-01', powerState: 'poweredOn', disks: [{ size: 10 * GiB }, { size: 20 * GiB }] },
    { name: 'no-tools', host: 'esx-01', powerState: 'poweredOn', tools: false, disks: [{ size: GiB }] },
    { name: 'stubborn', host: 'esx-01', powerState: 'poweredOn', ignoresShutdown: true, disks: [{ size: GiB }] },
    { name: 'off-01', host: 'esx-01', powerState: 'poweredOff', disks: [{ size: GiB }] },
    { name: 'fragile', host: 'esx-01', powerState: 'poweredOn', disks: [{ size: GiB }] },
  ],
};

let now = 0;
let vc: StartedSandboxVcenter;
let cookie: string;

// '' sends no cookie
const call = (body: string, session = cookie) => soap(vc.url, vc.ca, body, session);
const loginBody = (user: string, password: string) =>
  `<Login xmlns="urn:vim25">${ref('SessionManager', 'SessionManager')}<userName>${user}</userName><password>${password}</password></Login>`;
const vmId = async (name: string, instanceUuid = false) => {
  const vm = vc.vms.find((candidate) => candidate.name === name);
  const uuid = instanceUuid ? vm?.instanceUuid : vm?.uuid;
  const reply = await call(
    `<FindByUuid xmlns="urn:vim25">${ref('SearchIndex', 'SearchIndex')}<uuid>${uuid}</uuid><vmSearch>true</vmSearch><instanceUuid>${instanceUuid}</instanceUuid></FindByUuid>`,
  );
  return reply.body.FindByUuidResponse.returnval['#text'] as string;
};
/** The propSet values of one object, by path. */
const props = async (type: string, value: string, paths: string[]) => {
  const reply = await call(retrieveBody(type, value, paths));
  expect(reply.status).toBe(200);
  const sets = reply.body.RetrievePropertiesExResponse.returnval.objects.propSet ?? [];
  const list = Array.isArray(sets) ? sets : [sets];
  return Object.fromEntries(list.map((set: { name: string; val: unknown }) => [set.name, set.val])) as Record<
    string,
    Xml
  >;
};
const taskInfo = async (task: string) => (await props('Task', task, ['info'])).info;
const returned = (reply: SoapReply, method: string) => reply.body[`${method}Response`].returnval['#text'] as string;
const createSnapshot = async (vm: string) =>
  returned(
    await call(
      `<CreateSnapshot_Task xmlns="urn:vim25">${ref('VirtualMachine', vm)}<name>forklift-migration-precopy</name><description>Forklift Operator warm migration precopy</description><memory>false</memory><quiesce>true</quiesce></CreateSnapshot_Task>`,
    ),
    'CreateSnapshot_Task',
  );
const disks = (val: { VirtualDevice: unknown }) => {
  const list = Array.isArray(val.VirtualDevice) ? val.VirtualDevice : [val.VirtualDevice];
  return list as { key: string; capacityInBytes: string; backing: { fileName: string; changeId?: string } }[];
};

beforeEach(async () => {
  now = 0;
  vc = await startSandboxVcenter({ scenario, clock: () => now, failSnapshots: ['fragile'] });
  const reply = await call(loginBody(vc.user, vc.password), '');
  expect(reply.status).toBe(200);
  cookie = reply.setCookie ?? '';
});
afterEach(() => vc.stop());

describe('the sandbox vCenter: sessions', () => {
  it('logs in with the Provider credentials and sets a vmware_soap_session cookie', async () => {
    expect(cookie).toMatch(/^vmware_soap_session=/);
    const content = await call(
      `<RetrieveServiceContent xmlns="urn:vim25">${ref('ServiceInstance', 'ServiceInstance')}</RetrieveServiceContent>`,
      undefined,
    );
    expect(content.body.RetrieveServiceContentResponse.returnval.about.apiType).toBe('VirtualCenter');
    expect(content.body.RetrieveServiceContentResponse.returnval.searchIndex['#text']).toBe('SearchIndex');
  });

  it('refuses other credentials with an InvalidLogin fault and no cookie', async () => {
    const reply = await call(loginBody(vc.user, `${vc.password}x`), '');
    expect(reply.status).toBe(500);
    expect(reply.body.Fault.faultcode).toBe('ServerFaultCode');
    expect(faultType(reply)).toBe('InvalidLogin');
    expect(reply.setCookie).toBeUndefined();
  });

  it('answers NotAuthenticated without a session, and after Logout', async () => {
    const find = `<FindByUuid xmlns="urn:vim25">${ref('SearchIndex', 'SearchIndex')}<uuid>${vc.vms[0].uuid}</uuid><vmSearch>true</vmSearch></FindByUuid>`;
    expect(faultType(await call(find, ''))).toBe('NotAuthenticated');
    expect(faultType(await call(find, 'vmware_soap_session=forged'))).toBe('NotAuthenticated');
    expect((await call(find)).status).toBe(200);
    await call(`<Logout xmlns="urn:vim25">${ref('SessionManager', 'SessionManager')}</Logout>`);
    expect(faultType(await call(find))).toBe('NotAuthenticated');
  });

  it('answers a property read without a session as vcsim does: each path in missingSet with NotAuthenticated', async () => {
    const reply = await call(retrieveBody('VirtualMachine', 'vm-1', ['summary.runtime.powerState', 'name']), '');
    expect(reply.status).toBe(200);
    const object = reply.body.RetrievePropertiesExResponse.returnval.objects;
    expect(object.obj['#text']).toBe('vm-1');
    expect(object.propSet).toBeUndefined();
    expect(object.missingSet.map((missing: Xml) => missing.path)).toEqual(['summary.runtime.powerState', 'name']);
    expect(object.missingSet[0].fault.fault['@_type']).toBe('NotAuthenticated');
    expect(object.missingSet[0].fault.fault.privilegeId).toBe('System.Read');
    // a collector of its own is a session's: creating one is the fault, as every other call
    const create = `<CreatePropertyCollector xmlns="urn:vim25">${ref('PropertyCollector', 'propertyCollector')}</CreatePropertyCollector>`;
    expect(faultType(await call(create, ''))).toBe('NotAuthenticated');
  });

  it('answers a method it does not serve with MethodNotFound', async () => {
    const reply = await call(
      `<QueryChangedDiskAreas xmlns="urn:vim25">${ref('VirtualMachine', 'vm-1')}</QueryChangedDiskAreas>`,
    );
    expect(faultType(reply)).toBe('MethodNotFound');
    expect(reply.body.Fault.faultstring).toBe('VirtualMachine:vm-1 does not implement: QueryChangedDiskAreas');
  });
});

describe('the sandbox vCenter: VMs', () => {
  it('finds a VM by BIOS uuid and by instance uuid, and nothing for an unknown uuid', async () => {
    expect(await vmId('db-01')).toBe('vm-1');
    expect(await vmId('off-01', true)).toBe('vm-4');
    const none = await call(
      `<FindByUuid xmlns="urn:vim25">${ref('SearchIndex', 'SearchIndex')}<uuid>${vc.vms[0].instanceUuid}</uuid><vmSearch>true</vmSearch><instanceUuid>false</instanceUuid></FindByUuid>`,
    );
    expect(none.body.FindByUuidResponse.returnval).toBeUndefined();
    const found = await props('VirtualMachine', 'vm-1', ['name', 'config.uuid', 'config.instanceUuid']);
    expect(found.name['#text']).toBe('db-01');
    expect(found['config.uuid']['#text']).toBe(vc.vms[0].uuid);
    expect(found['config.instanceUuid']['#text']).toBe(vc.vms[0].instanceUuid);
  });

  it('shuts a guest down over simulated time, and the shared model (the inventory VM) sees it', async () => {
    const before = await props('VirtualMachine', 'vm-1', ['summary.runtime.powerState', 'guest.toolsRunningStatus']);
    expect(before['summary.runtime.powerState']['#text']).toBe('poweredOn');
    expect(before['summary.runtime.powerState']['@_type']).toBe('VirtualMachinePowerState');
    expect(before['guest.toolsRunningStatus']['#text']).toBe('guestToolsRunning');
    expect(
      (await call(`<ShutdownGuest xmlns="urn:vim25">${ref('VirtualMachine', 'vm-1')}</ShutdownGuest>`)).status,
    ).toBe(200);
    now = VCENTER_SECONDS.guestShutdown - 1;
    expect((await props('VirtualMachine', 'vm-1', ['runtime.powerState']))['runtime.powerState']['#text']).toBe(
      'poweredOn',
    );
    now = VCENTER_SECONDS.guestShutdown;
    expect((await props('VirtualMachine', 'vm-1', ['runtime.powerState']))['runtime.powerState']['#text']).toBe(
      'poweredOff',
    );
    expect(vc.vms[0].powerState).toBe('poweredOff');
    const again = await call(`<ShutdownGuest xmlns="urn:vim25">${ref('VirtualMachine', 'vm-1')}</ShutdownGuest>`);
    expect(faultType(again)).toBe('InvalidPowerState');
    expect(again.body.Fault.detail.InvalidPowerStateFault.existingState).toBe('poweredOff');
  });

  it('refuses ShutdownGuest without VMware Tools (ToolsUnavailable), leaving the VM on', async () => {
    const reply = await call(`<ShutdownGuest xmlns="urn:vim25">${ref('VirtualMachine', 'vm-2')}</ShutdownGuest>`);
    expect(faultType(reply)).toBe('ToolsUnavailable');
    now = 600;
    expect(vc.vms[1].powerState).toBe('poweredOn');
  });

  it('lets a guest ignore ShutdownGuest: accepted, still on long after', async () => {
    expect(
      (await call(`<ShutdownGuest xmlns="urn:vim25">${ref('VirtualMachine', 'vm-3')}</ShutdownGuest>`)).status,
    ).toBe(200);
    now = 3600;
    expect((await props('VirtualMachine', 'vm-3', ['runtime.powerState']))['runtime.powerState']['#text']).toBe(
      'poweredOn',
    );
  });

  it('powers a VM off by a task that runs on the clock, and errors a second power-off with InvalidPowerState', async () => {
    const task = returned(
      await call(`<PowerOffVM_Task xmlns="urn:vim25">${ref('VirtualMachine', 'vm-3')}</PowerOffVM_Task>`),
      'PowerOffVM_Task',
    );
    expect((await taskInfo(task)).state).toBe('queued');
    now = VCENTER_SECONDS.queue + 1;
    expect((await taskInfo(task)).state).toBe('running');
    expect(vc.vms[2].powerState).toBe('poweredOn');
    now = VCENTER_SECONDS.queue + VCENTER_SECONDS.powerOff;
    expect((await taskInfo(task)).state).toBe('success');
    expect(vc.vms[2].powerState).toBe('poweredOff');
    const second = returned(
      await call(`<PowerOffVM_Task xmlns="urn:vim25">${ref('VirtualMachine', 'vm-3')}</PowerOffVM_Task>`),
      'PowerOffVM_Task',
    );
    now += 60;
    const info = await taskInfo(second);
    expect(info.state).toBe('error');
    expect(info.error.fault['@_type']).toBe('InvalidPowerState');
  });
});

describe('the sandbox vCenter: snapshots', () => {
  it('creates a snapshot by a task queued, then running, then success with the snapshot as result', async () => {
    const task = await createSnapshot('vm-1');
    expect(task).toMatch(/^task-\d+$/);
    const queued = await taskInfo(task);
    expect(queued['@_type']).toBe('TaskInfo');
    expect(queued.state).toBe('queued');
    expect(queued.name).toBe('CreateSnapshot_Task');
    expect(queued.descriptionId).toBe('VirtualMachine.createSnapshot');
    expect(queued.entity['#text']).toBe('vm-1');
    const seconds = VCENTER_SECONDS.snapshotBase + 2 * VCENTER_SECONDS.snapshotPerDisk;
    expect(seconds).toBeGreaterThanOrEqual(10);
    now = VCENTER_SECONDS.queue + seconds / 2;
    const running = await taskInfo(task);
    expect(running.state).toBe('running');
    expect(Number(running.progress)).toBeGreaterThan(0);
    expect(running.result).toBeUndefined();
    expect((await props('VirtualMachine', 'vm-1', ['snapshot'])).snapshot).toBeUndefined();
    now = VCENTER_SECONDS.queue + seconds;
    const done = await taskInfo(task);
    expect(done.state).toBe('success');
    expect(done.result['@_type']).toBe('VirtualMachineSnapshot');
    expect(done.result['#text']).toMatch(/^snapshot-\d+$/);
    const tree = (await props('VirtualMachine', 'vm-1', ['snapshot'])).snapshot;
    expect(tree.currentSnapshot['#text']).toBe(done.result['#text']);
    expect(tree.rootSnapshotList.snapshot['#text']).toBe(done.result['#text']);
    expect(tree.rootSnapshotList.name).toBe('forklift-migration-precopy');
    expect(tree.rootSnapshotList.quiesced).toBe('true');
  });

  it('nests a second snapshot under the first, with delta files and changeIds that differ per snapshot', async () => {
    const first = await createSnapshot('vm-1');
    const second = await createSnapshot('vm-1');
    now = 120;
    const a = (await taskInfo(first)).result['#text'];
    const b = (await taskInfo(second)).result['#text'];
    const tree = (await props('VirtualMachine', 'vm-1', ['snapshot'])).snapshot;
    expect(tree.rootSnapshotList.snapshot['#text']).toBe(a);
    expect(tree.rootSnapshotList.childSnapshotList.snapshot['#text']).toBe(b);
    expect(tree.currentSnapshot['#text']).toBe(b);
    // the paths into `snapshot` Forklift and kubectl-mtv read, as vcsim serves them (nested paths of the property)
    const nested = await props('VirtualMachine', 'vm-1', ['snapshot.rootSnapshotList', 'snapshot.currentSnapshot']);
    expect(nested['snapshot.rootSnapshotList']['@_type']).toBe('ArrayOfVirtualMachineSnapshotTree');
    expect(nested['snapshot.rootSnapshotList'].VirtualMachineSnapshotTree.snapshot['#text']).toBe(a);
    expect(nested['snapshot.rootSnapshotList'].VirtualMachineSnapshotTree.childSnapshotList.snapshot['#text']).toBe(b);
    expect(nested['snapshot.currentSnapshot']['#text']).toBe(b);
    const disksA = disks(
      (await props('VirtualMachineSnapshot', a, ['config.hardware.device']))['config.hardware.device'],
    );
    const disksB = disks(
      (await props('VirtualMachineSnapshot', b, ['config.hardware.device']))['config.hardware.device'],
    );
    expect(disksA.map((disk) => disk.key)).toEqual(['2000', '2001']);
    expect(disksA[0].capacityInBytes).toBe(String(10 * GiB));
    expect(disksA[0].backing.fileName).toBe('[ds-1] db-01/db-01-000001.vmdk');
    expect(disksB[1].backing.fileName).toBe('[ds-1] db-01/db-01_1-000002.vmdk');
    const vSphereChangeId = /^([0-9a-f]{2} ){7}[0-9a-f]{2}-([0-9a-f]{2} ){7}[0-9a-f]{2}\/\d+$/;
    for (const disk of [...disksA, ...disksB]) expect(disk.backing.changeId).toMatch(vSphereChangeId);
    expect(disksB[0].backing.changeId).not.toBe(disksA[0].backing.changeId);
    expect(disksB[1].backing.changeId).not.toBe(disksA[1].backing.changeId);
    // the same disk keeps its change-tracking uuid; only the sequence moves on
    expect(disksB[0].backing.changeId?.split('/')[0]).toBe(disksA[0].backing.changeId?.split('/')[0]);
    const live = disks((await props('VirtualMachine', 'vm-1', ['config.hardware.device']))['config.hardware.device']);
    expect(live[0].backing.fileName).toBe('[ds-1] db-01/db-01-000002.vmdk');
  });

  it('removes a snapshot by a task: its child moves up and the VM writes to the base disk again when none is left', async () => {
    const first = await createSnapshot('vm-1');
    const second = await createSnapshot('vm-1');
    now = 120;
    const a = (await taskInfo(first)).result['#text'];
    const b = (await taskInfo(second)).result['#text'];
    const remove = (snapshot: string) =>
      call(
        `<RemoveSnapshot_Task xmlns="urn:vim25">${ref('VirtualMachineSnapshot', snapshot)}<removeChildren>false</removeChildren><consolidate>true</consolidate></RemoveSnapshot_Task>`,
      );
    const removal = returned(await remove(a), 'RemoveSnapshot_Task');
    expect((await taskInfo(removal)).state).toBe('queued');
    now = 240;
    const info = await taskInfo(removal);
    expect(info.state).toBe('success');
    expect(info.entity['#text']).toBe('vm-1');
    const tree = (await props('VirtualMachine', 'vm-1', ['snapshot'])).snapshot;
    expect(tree.rootSnapshotList.snapshot['#text']).toBe(b);
    expect(tree.rootSnapshotList.childSnapshotList).toBeUndefined();
    expect(faultType(await call(retrieveBody('VirtualMachineSnapshot', a, ['config.hardware.device'])))).toBe(
      'ManagedObjectNotFound',
    );
    returned(await remove(b), 'RemoveSnapshot_Task');
    now = 360;
    expect(
      await props('VirtualMachine', 'vm-1', ['snapshot', 'snapshot.rootSnapshotList', 'snapshot.currentSnapshot']),
    ).toEqual({});
    const live = disks((await props('VirtualMachine', 'vm-1', ['config.hardware.device']))['config.hardware.device']);
    expect(live[0].backing.fileName).toBe('[ds-1] db-01/db-01.vmdk');
  });

  it('ends a snapshot task of a VM with --fail-snapshot in error, with a LocalizedMethodFault and no snapshot', async () => {
    const task = await createSnapshot('vm-5');
    now = 120;
    const info = await taskInfo(task);
    expect(info.state).toBe('error');
    expect(info.error.fault['@_type']).toBe('ApplicationQuiesceFault');
    expect(info.error.localizedMessage).toMatch(/quiescing/);
    expect(info.result).toBeUndefined();
    expect((await props('VirtualMachine', 'vm-5', ['snapshot'])).snapshot).toBeUndefined();
  });

  it('runs a VM tasks in turn: the second waits queued behind the first', async () => {
    const first = await createSnapshot('vm-1');
    const second = await createSnapshot('vm-1');
    now = VCENTER_SECONDS.queue + 1;
    expect((await taskInfo(first)).state).toBe('running');
    expect((await taskInfo(second)).state).toBe('queued');
  });
});
