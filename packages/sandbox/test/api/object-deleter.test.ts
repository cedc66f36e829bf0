/**
 * Garbage collection as a migration meets it, over HTTP: CDI's PVC is owned by its DataVolume, so deleting the
 * DataVolume (Background, the default) takes the PVC, and Orphan leaves it without the reference; once the PVC's
 * owner is moved to the VirtualMachine (as Forklift's EnsureVM does), deleting the DataVolume with Orphan keeps it and
 * deleting the VM takes it, after KubeVirt's controller drops its finalizer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATAVOLUMES, Importer, PVCS } from '../../src/cdi/importer.js';
import { VIRTUALMACHINES, VirtController } from '../../src/kubevirt/virt-controller.js';
import { virtualMachine } from '../kubevirt/vm-fixture.js';
import { dataVolume, type Sandbox, startSandbox } from './sandbox-fixture.js';

const NS = 'demo';
const DV_PATH = `/apis/cdi.kubevirt.io/v1beta1/namespaces/${NS}/datavolumes`;
const VM_PATH = `/apis/kubevirt.io/v1/namespaces/${NS}/virtualmachines`;
const PVC_PATH = `/api/v1/namespaces/${NS}/persistentvolumeclaims`;

let sandbox: Sandbox;
let importer: Importer;
let controller: VirtController;
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
const timestamp = (seconds: number) => new Date(Date.UTC(2026, 0, 1) + seconds * 1000).toISOString();

interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

const claim = (name: string) => sandbox.server.store.get(PVCS, NS, name);
const owners = (name: string) => claim(name)?.metadata.ownerReferences as OwnerReference[] | undefined;

/** A DataVolume created over HTTP, with the PVC the simulated CDI makes for it. */
async function createDataVolume(name: string): Promise<string> {
  const response = await sandbox.request('POST', DV_PATH, { body: dataVolume(name) });
  expect(response.status, response.text).toBe(201);
  await settle();
  return response.json.metadata.uid;
}

beforeAll(async () => {
  sandbox = await startSandbox();
  sandbox.server.store.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  importer = new Importer({
    store: sandbox.server.store,
    // every DataVolume copies one small disk, at once
    resolve: () => ({ host: 0, hostName: 'esx-01', bytes: 1, rate: 1e9, label: 'vm/0' }),
    hostBandwidth: [Number.POSITIVE_INFINITY],
    networkBandwidth: Number.POSITIVE_INFINITY,
    timestamp,
  });
  controller = new VirtController({ store: sandbox.server.store, timestamp });
});

afterAll(async () => {
  importer?.stop();
  controller?.stop();
  await sandbox?.stop();
});

describe('garbage collection of DataVolumes, PVCs and VirtualMachines', () => {
  it("gives CDI's PVC its DataVolume as controller owner (CDI newPersistentVolumeClaim)", async () => {
    const uid = await createDataVolume('disk-owned');
    expect(owners('disk-owned')).toEqual([
      {
        apiVersion: 'cdi.kubevirt.io/v1beta1',
        kind: 'DataVolume',
        name: 'disk-owned',
        uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
  });

  it('deletes the PVC with its DataVolume by default and with Background propagation', async () => {
    expect((await sandbox.request('DELETE', `${DV_PATH}/disk-owned`)).status).toBe(200);
    expect(claim('disk-owned')).toBeUndefined();
    await createDataVolume('disk-background');
    const deleted = await sandbox.request('DELETE', `${DV_PATH}/disk-background?propagationPolicy=Background`);
    expect(deleted.status).toBe(200);
    expect(claim('disk-background')).toBeUndefined();
  });

  it('keeps the PVC of a DataVolume deleted with Orphan (DeleteOptions body), without the reference', async () => {
    await createDataVolume('disk-orphan');
    const body = JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Orphan' });
    const deleted = await sandbox.request('DELETE', `${DV_PATH}/disk-orphan`, { body });
    expect(deleted.status, deleted.text).toBe(200);
    expect(sandbox.server.store.get(DATAVOLUMES, NS, 'disk-orphan')).toBeUndefined();
    expect(claim('disk-orphan')).toBeDefined();
    expect(owners('disk-orphan')).toBeUndefined();
  });

  it("moves the PVC to its VM as Forklift does, orphans the DataVolume's PVC, and deletes the PVC with the VM", async () => {
    await createDataVolume('vm-a-disk-0');
    const created = await sandbox.request('POST', VM_PATH, { body: JSON.stringify(virtualMachine('vm-a')) });
    expect(created.status).toBe(201);
    await settle();
    const vmRef = {
      apiVersion: 'kubevirt.io/v1',
      kind: 'VirtualMachine',
      name: 'vm-a',
      uid: created.json.metadata.uid,
      blockOwnerDeletion: true,
      controller: false,
    };
    // kubevirt.go EnsureVM: a merge patch that replaces the PVC's ownerReferences
    const patched = await sandbox.request('PATCH', `${PVC_PATH}/vm-a-disk-0`, {
      body: JSON.stringify({ metadata: { ownerReferences: [vmRef] } }),
      contentType: 'application/merge-patch+json',
    });
    expect(patched.status).toBe(200);
    expect(patched.json.metadata.ownerReferences).toEqual([vmRef]);
    const orphaned = await sandbox.request('DELETE', `${DV_PATH}/vm-a-disk-0?propagationPolicy=Orphan`);
    expect(orphaned.status).toBe(200);
    expect(owners('vm-a-disk-0')).toEqual([vmRef]);
    // the VM's finalizer holds it (202) until the simulated virt-controller lets it go; then the PVC goes too
    const deleted = await sandbox.request('DELETE', `${VM_PATH}/vm-a`);
    expect(deleted.status).toBe(202);
    await settle();
    expect(sandbox.server.store.get(VIRTUALMACHINES, NS, 'vm-a')).toBeUndefined();
    expect(claim('vm-a-disk-0')).toBeUndefined();
  });

  it('keeps a Background-deleted DataVolume from taking a PVC that the VM owns alone', async () => {
    await createDataVolume('vm-b-disk-0');
    const created = await sandbox.request('POST', VM_PATH, { body: JSON.stringify(virtualMachine('vm-b')) });
    const vmRef = {
      apiVersion: 'kubevirt.io/v1',
      kind: 'VirtualMachine',
      name: 'vm-b',
      uid: created.json.metadata.uid,
    };
    await sandbox.request('PATCH', `${PVC_PATH}/vm-b-disk-0`, {
      body: JSON.stringify({ metadata: { ownerReferences: [vmRef] } }),
      contentType: 'application/merge-patch+json',
    });
    expect((await sandbox.request('DELETE', `${DV_PATH}/vm-b-disk-0`)).status).toBe(200);
    expect(owners('vm-b-disk-0')).toEqual([vmRef]);
  });

  it('keeps the PVCs of a VM deleted with Orphan, through its finalizer, without the reference', async () => {
    const body = JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Orphan' });
    const deleted = await sandbox.request('DELETE', `${VM_PATH}/vm-b`, { body });
    expect(deleted.status).toBe(202);
    expect(deleted.json.metadata.finalizers).toContain('orphan');
    await settle();
    expect(sandbox.server.store.get(VIRTUALMACHINES, NS, 'vm-b')).toBeUndefined();
    expect(claim('vm-b-disk-0')).toBeDefined();
    expect(owners('vm-b-disk-0')).toBeUndefined();
  });
});
