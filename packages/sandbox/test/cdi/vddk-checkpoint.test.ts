import type { Scenario } from '@kubectl-mtv/engine';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ApiServer, startApiServer } from '../../src/api/api-server.js';
import { diskSources } from '../../src/cdi/disk-sources.js';
import { DATAVOLUMES, Importer } from '../../src/cdi/importer.js';
import { findSnapshot, isChangeId } from '../../src/cdi/vddk-checkpoint.js';
import type { KubeObject } from '../../src/cluster-store.js';
import { inventoryFromScenario } from '../../src/inventory/from-scenario.js';
import type { InventoryData } from '../../src/inventory/model.js';
import { applySeed } from '../../src/seed/apply-seed.js';
import { SEED_NAMES } from '../../src/seed/names.js';
import { seedObjects } from '../../src/seed/seed-objects.js';
import { type SnapshotNode, VcenterModel } from '../../src/vcenter/vcenter-model.js';
import { TEST_VCENTER } from '../seed/vcenter-fixture.js';

const Gi = 2 ** 30;
const Mi = 2 ** 20;
const TOKEN = 'vddk-checkpoint-test';
const PROVIDER_UID = '6b4c1d2e-0000-4000-8000-000000000003';
const NS = SEED_NAMES.targetNamespace;
const VDDK_SECRET = 'plan-a-vddk';
const RATE = 100 * Mi;
const SNAPSHOT_NAME = 'forklift-migration-precopy';
const CONNECT = 'Unable to connect to vddk data source: ';
const TRANSFER = 'Unable to process data: Unable to transfer source data to target file: ';

/** Uncapped: a full copy of db-01 takes 102.4 s, an hour's delta (6% of it) about 6 s. */
const scenario: Scenario = {
  name: 'vddk-checkpoint-test',
  migration: 'warm',
  maxInFlight: 4,
  diskRate: RATE,
  hosts: [{ name: 'esx-01' }],
  vms: [
    { name: 'db-01', host: 'esx-01', disks: [{ size: 10 * Gi }], changeRate: 6 },
    { name: 'web-01', host: 'esx-01', disks: [{ size: 4 * Gi }] },
  ],
};
const FULL_COPY_SECONDS = (10 * Gi) / RATE;

let api: ApiServer;
let inventory: InventoryData;
let vcenter: VcenterModel;
let importer: Importer;
/** Simulated seconds: the vCenter's and the importer's clock. */
let now = 0;

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Time passes for both: vCenter's tasks end, the importer copies and restarts. */
function wait(seconds: number): void {
  now += seconds;
  vcenter.sync();
  importer.advanceTo(now);
}

const vmRef = (vm: string) => ({ type: 'VirtualMachine', value: inventory.vms.find((v) => v.name === vm)?.id ?? '' });

/** CreateSnapshot_Task as Forklift calls it, waited for: the snapshot's MoRef value. */
function takeSnapshot(vm: string): string {
  const task = vcenter.createSnapshot(vmRef(vm), SNAPSHOT_NAME, 'Forklift Operator warm migration precopy', true);
  wait(task.endAt - now);
  const result = task.outcome?.result?.value;
  if (!result) throw new Error(`snapshot of ${vm} failed`);
  return result;
}

/** RemoveSnapshot_Task (consolidate, as 2.12), waited for. */
function removeSnapshot(moRef: string): void {
  const task = vcenter.removeSnapshot({ type: 'VirtualMachineSnapshot', value: moRef }, false, true);
  wait(task.endAt - now);
  expect(task.outcome?.fault).toBeUndefined();
}

/** Forklift's StoreSnapshotDeltas: the changeId of the snapshot's disk 0. */
const changeIdOf = (moRef: string) =>
  vcenter.snapshot({ type: 'VirtualMachineSnapshot', value: moRef }).disks[0].changeId ?? '';

interface Checkpoint {
  previous: string;
  current: string;
}

/** Disk 0 of `vm` as Forklift's warm migration creates it, checkpoint #1 part of the create. */
async function create(vm: string, first: Checkpoint): Promise<string> {
  const v = inventory.vms.find((candidate) => candidate.name === vm);
  if (!v) throw new Error(vm);
  const dv: KubeObject = {
    apiVersion: 'cdi.kubevirt.io/v1beta1',
    kind: 'DataVolume',
    metadata: { name: `${vm}-disk-0`, namespace: NS },
    spec: {
      storage: { resources: { requests: { storage: String(v.disks[0].capacity) } }, storageClassName: 'standard' },
      source: {
        vddk: {
          url: TEST_VCENTER.url,
          uuid: v.uuid,
          backingFile: v.disks[0].file,
          thumbprint: TEST_VCENTER.thumbprint,
          secretRef: VDDK_SECRET,
          initImageURL: SEED_NAMES.vddkInitImage,
        },
      },
      checkpoints: [first],
      finalCheckpoint: false,
    },
  };
  const response = await send('POST', dvPath(), dv);
  expect(response.status).toBe(201);
  return `${vm}-disk-0`;
}

const dvPath = (name = '') => `/apis/cdi.kubevirt.io/v1beta1/namespaces/${NS}/datavolumes${name ? `/${name}` : ''}`;

async function send(method: string, path: string, body: unknown, contentType = 'application/json') {
  const response = await fetch(`${api.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': contentType },
    body: JSON.stringify(body),
  });
  await response.json();
  await settle();
  return { status: response.status };
}

/** Forklift's AddCheckpoint: the spec's checkpoints so far plus `next`. */
async function addCheckpoint(name: string, next: Checkpoint, final = false): Promise<void> {
  const spec = api.store.get(DATAVOLUMES, NS, name)?.spec as { checkpoints: Checkpoint[] };
  const body = { spec: { checkpoints: [...spec.checkpoints, next], finalCheckpoint: final } };
  expect((await send('PATCH', dvPath(name), body, 'application/merge-patch+json')).status).toBe(200);
}

interface Status {
  phase: string;
  progress: string;
  restartCount: number;
  conditions: { type: string; status: string; reason: string; message: string }[];
}
const statusOf = (name: string) => api.store.get(DATAVOLUMES, NS, name)?.status as Status;
const running = (name: string) => statusOf(name).conditions.find((c) => c.type === 'Running');

/** The stage crash-loops with `message`: no progress, the restarts counted with CDI's back-off (10 s, then 20 s). */
function expectCrashLoop(name: string, message: string): void {
  expect(statusOf(name).phase).toBe('ImportInProgress');
  expect(running(name)).toMatchObject({ status: 'False', reason: 'Error', message });
  const restarts = statusOf(name).restartCount;
  wait(10);
  expect(statusOf(name).restartCount).toBe(restarts + 1);
  wait(20);
  expect(statusOf(name).restartCount).toBe(restarts + 2);
  expect(running(name)?.message).toBe(message);
  wait(FULL_COPY_SECONDS);
  expect(statusOf(name).phase).toBe('ImportInProgress');
}

/** db-01's DataVolume with its first stage copied from a snapshot that is then removed, as Forklift does. */
async function firstRoundDone(): Promise<{ name: string; changeId: string }> {
  const first = takeSnapshot('db-01');
  const name = await create('db-01', { previous: '', current: first });
  wait(FULL_COPY_SECONDS + 1);
  expect(statusOf(name).phase).toBe('Paused');
  const changeId = changeIdOf(first);
  removeSnapshot(first);
  wait(3600);
  return { name, changeId };
}

describe("the sandbox CDI's VDDK importer looks each checkpoint up in the sandbox vCenter", () => {
  beforeEach(async () => {
    now = 0;
    api = await startApiServer({ port: 0, token: TOKEN });
    inventory = inventoryFromScenario(scenario, PROVIDER_UID);
    applySeed(
      api.store,
      seedObjects(scenario, { providerUid: PROVIDER_UID, inventoryUrl: 'http://127.0.0.1:9', vcenter: TEST_VCENTER }),
    );
    api.store.create('secrets', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: VDDK_SECRET, namespace: NS },
      data: { accessKeyId: 'dXNlcg==', secretKey: 'cGFzcw==' },
    });
    vcenter = new VcenterModel(inventory, () => now);
    const sources = diskSources(scenario, inventory, TEST_VCENTER);
    importer = new Importer({
      store: api.store,
      resolve: sources.resolve,
      ...sources.bandwidth,
      endpoints: sources.endpoints,
      vcenter,
      timestamp: (s) => new Date(Date.UTC(2026, 10, 26) + s * 1000).toISOString(),
    });
  });

  afterEach(async () => {
    importer?.stop();
    await api?.close();
  });

  it("copies Forklift's chain: each previous the removed snapshot's changeId, each current the snapshot just taken", async () => {
    const { name, changeId: first } = await firstRoundDone();
    expect(vcenter.snapshotTree(inventory.vms[0]).roots).toEqual([]);
    const second = takeSnapshot('db-01');
    await addCheckpoint(name, { previous: first, current: second });
    expect(running(name)).toMatchObject({ status: 'True', message: 'Pod is running' });
    // an hour's delta, not the disk
    wait(10);
    expect(statusOf(name).phase).toBe('Paused');
    const secondId = changeIdOf(second);
    expect(secondId).not.toBe(first);
    removeSnapshot(second);
    wait(600);
    const final = takeSnapshot('db-01');
    await addCheckpoint(name, { previous: secondId, current: final }, true);
    wait(10);
    expect(statusOf(name)).toMatchObject({ phase: 'Succeeded', restartCount: 0 });
    expect(importer.snapshot()).toMatchObject({ started: 3, succeeded: 1 });
  });

  it('takes a previous that names a snapshot still in the tree, by MoRef or by its path', async () => {
    const first = takeSnapshot('db-01');
    const name = await create('db-01', { previous: '', current: first });
    wait(FULL_COPY_SECONDS + 1);
    const second = takeSnapshot('db-01');
    await addCheckpoint(name, { previous: first, current: second });
    wait(10);
    expect(statusOf(name)).toMatchObject({ phase: 'Paused', restartCount: 0 });
    const third = takeSnapshot('db-01');
    // three snapshots share Forklift's name; the tree path of the second names one of them
    await addCheckpoint(name, { previous: `${SNAPSHOT_NAME}/${SNAPSHOT_NAME}`, current: third });
    wait(10);
    expect(statusOf(name)).toMatchObject({ phase: 'Paused', restartCount: 0 });
  });

  it('fails a first stage whose snapshot was removed before it started: no snapshots left', async () => {
    const first = takeSnapshot('db-01');
    removeSnapshot(first);
    const name = await create('db-01', { previous: '', current: first });
    expectCrashLoop(name, `${CONNECT}no snapshots for this VM`);
    expect(statusOf(name).progress).toBe('0.00%');
  });

  it('fails a later stage whose snapshot was removed before it started, with another snapshot left', async () => {
    const { name, changeId } = await firstRoundDone();
    const second = takeSnapshot('db-01');
    removeSnapshot(second);
    takeSnapshot('db-01');
    await addCheckpoint(name, { previous: changeId, current: second });
    expectCrashLoop(name, `${CONNECT}snapshot "${second}" not found`);
  });

  it("fails a stage whose current is another VM's snapshot", async () => {
    const { name, changeId } = await firstRoundDone();
    takeSnapshot('db-01');
    const web = takeSnapshot('web-01');
    await addCheckpoint(name, { previous: changeId, current: web });
    expectCrashLoop(name, `${CONNECT}snapshot "${web}" not found`);
  });

  it.each([
    {
      what: "another disk's changeId",
      previous: () => changeIdOf(takeSnapshot('web-01')),
      message: `${TRANSFER}Failed to query changed areas: ServerFaultCode: A specified parameter was not correct: changeId`,
    },
    {
      what: 'a changeId of the disk this vCenter never issued',
      previous: (issued: string) => issued.replace(/\/\d+$/, '/9'),
      message: `${TRANSFER}Failed to query changed areas: ServerFaultCode: A specified parameter was not correct: changeId`,
    },
    {
      what: 'a removed snapshot',
      previous: (_: string, removed: string) => removed,
      message: (removed: string) =>
        `${TRANSFER}Could not find previous snapshot ${removed}: snapshot "${removed}" not found`,
    },
    {
      what: 'nothing vCenter knows',
      previous: () => 'bogus',
      message: `${TRANSFER}Could not find previous snapshot bogus: snapshot "bogus" not found`,
    },
  ])('fails a delta whose previous is $what', async ({ previous, message }) => {
    const first = takeSnapshot('db-01');
    const name = await create('db-01', { previous: '', current: first });
    wait(FULL_COPY_SECONDS + 1);
    const issued = changeIdOf(first);
    removeSnapshot(first);
    const wrong = previous(issued, first);
    const current = takeSnapshot('db-01');
    await addCheckpoint(name, { previous: wrong, current });
    expectCrashLoop(name, typeof message === 'string' ? message : message(first));
  });

  it('refuses a previous without a current, as the importer starts', async () => {
    const name = await create('db-01', { previous: 'snapshot-1', current: '' });
    expectCrashLoop(name, `${CONNECT}previous checkpoint set without current`);
  });

  it('looks the checkpoint up again in a restarted container: an ambiguous name resolves once a snapshot goes', async () => {
    const first = takeSnapshot('db-01');
    takeSnapshot('db-01');
    const name = await create('db-01', { previous: '', current: SNAPSHOT_NAME });
    expect(running(name)?.message).toBe(`${CONNECT}"${SNAPSHOT_NAME}" resolves to 2 snapshots`);
    removeSnapshot(first);
    // the restart at 10 s finds one snapshot of that name and copies the disk
    wait(10);
    expect(statusOf(name)).toMatchObject({ phase: 'ImportInProgress', restartCount: 1 });
    expect(running(name)).toMatchObject({ status: 'True', message: 'Pod is running' });
    wait(FULL_COPY_SECONDS);
    expect(statusOf(name).phase).toBe('Paused');
  });
});

describe("CDI's reading of a checkpoint (vddk-datasource_amd64.go, govmomi FindSnapshot)", () => {
  it.each([
    { previous: '52 de c0 d9 b9 43 9d 10-61 d5 4c 1b e9 7b 65 63/81', changeId: true },
    { previous: '52dec0d9b9439d10-61d54c1be97b6563/7', changeId: true },
    // unanchored: any text with a dash, hex pairs, a slash
    { previous: 'x-/1', changeId: true },
    { previous: 'snapshot-12', changeId: false },
    { previous: 'forklift-migration-precopy', changeId: false },
    { previous: 'root/child', changeId: false },
  ])('takes "$previous" for a changeId: $changeId', ({ previous, changeId }) => {
    expect(isChangeId(previous)).toBe(changeId);
  });

  const node = (moRef: string, name: string, children: SnapshotNode[] = []): SnapshotNode => ({
    moRef,
    vmId: 'vm-1',
    name,
    description: '',
    createdAt: 0,
    state: 'poweredOn',
    quiesced: true,
    id: 1,
    children,
    disks: [],
  });

  it('finds a snapshot by MoRef value, name or path, and words each miss as govmomi does', () => {
    const tree = [node('snapshot-1', 'base', [node('snapshot-2', 'precopy'), node('snapshot-3', 'precopy')])];
    expect(findSnapshot(tree, 'snapshot-2')).toEqual({ moRef: 'snapshot-2' });
    expect(findSnapshot(tree, 'base')).toEqual({ moRef: 'snapshot-1' });
    expect(findSnapshot(tree, 'precopy')).toEqual({ error: '"precopy" resolves to 2 snapshots' });
    expect(findSnapshot(tree, 'snapshot-9')).toEqual({ error: 'snapshot "snapshot-9" not found' });
    expect(findSnapshot([], 'snapshot-1')).toEqual({ error: 'no snapshots for this VM' });
    // a snapshot named as its own MoRef value answers twice to it
    expect(findSnapshot([node('snapshot-5', 'snapshot-5')], 'snapshot-5')).toEqual({
      error: '"snapshot-5" resolves to 2 snapshots',
    });
  });
});
