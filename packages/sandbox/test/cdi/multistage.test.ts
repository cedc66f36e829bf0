import {
  DEFAULT_CHANGE_RATE_PERCENT_PER_HOUR,
  DELTA_FLOOR_BYTES,
  deltaBytes,
  type Scenario,
} from '@kubectl-mtv/engine';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ApiServer, startApiServer } from '../../src/api/api-server.js';
import { diskSources } from '../../src/cdi/disk-sources.js';
import { DATAVOLUMES, Importer, PVCS } from '../../src/cdi/importer.js';
import type { KubeObject } from '../../src/cluster-store.js';
import { inventoryFromScenario } from '../../src/inventory/from-scenario.js';
import type { InventoryData } from '../../src/inventory/model.js';
import { applySeed } from '../../src/seed/apply-seed.js';
import { SEED_NAMES } from '../../src/seed/names.js';
import { seedObjects } from '../../src/seed/seed-objects.js';
import { TEST_VCENTER } from '../seed/vcenter-fixture.js';

const Gi = 2 ** 30;
const Mi = 2 ** 20;
const TOKEN = 'multistage-test';
const PROVIDER_UID = '6b4c1d2e-0000-4000-8000-000000000002';
const NS = SEED_NAMES.targetNamespace;
const VDDK_SECRET = 'plan-a-vddk';
const ANN = 'cdi.kubevirt.io/storage.checkpoint';
const IMPORT_POD = 'cdi.kubevirt.io/storage.import.importPodName';
const RATE = 100 * Mi;

/**
 * db-01 changes 6% of its disk an hour (614.4 MiB of 10 GiB); web-01 gives no rate (the default). Uncapped hosts: a
 * stage takes exactly its bytes / 100 MiB/s, so timing checks the delta's size.
 */
const scenario: Scenario = {
  name: 'multistage-test',
  migration: 'warm',
  maxInFlight: 4,
  diskRate: RATE,
  hosts: [{ name: 'esx-01' }],
  vms: [
    { name: 'db-01', host: 'esx-01', disks: [{ size: 10 * Gi }], changeRate: 6 },
    { name: 'web-01', host: 'esx-01', disks: [{ size: 4 * Gi }] },
  ],
};

let api: ApiServer;
let inventory: InventoryData;
let importer: Importer;

beforeEach(async () => {
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
  const sources = diskSources(scenario, inventory, TEST_VCENTER);
  importer = new Importer({
    store: api.store,
    resolve: sources.resolve,
    ...sources.bandwidth,
    endpoints: sources.endpoints,
    timestamp: (s) => new Date(Date.UTC(2026, 10, 26) + s * 1000).toISOString(),
  });
});

afterEach(async () => {
  importer?.stop();
  await api?.close();
});

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

interface Checkpoint {
  previous: string;
  current: string;
}

/** Disk 0 of VM `vm` as Forklift's warm migration creates it: checkpoint #1 part of the create. */
function dataVolume(vm: number, checkpoints: Checkpoint[] | undefined): KubeObject {
  const v = inventory.vms[vm];
  return {
    apiVersion: 'cdi.kubevirt.io/v1beta1',
    kind: 'DataVolume',
    metadata: { name: `${v.name}-disk-0`, namespace: NS },
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
      ...(checkpoints && { checkpoints, finalCheckpoint: false }),
    },
  };
}

const dvPath = (name = '') => `/apis/cdi.kubevirt.io/v1beta1/namespaces/${NS}/datavolumes${name ? `/${name}` : ''}`;

/** One request to the sandbox's API server, as a client sends it. */
async function send(method: string, path: string, body: unknown, contentType = 'application/json') {
  const response = await fetch(`${api.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': contentType },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as { message?: string };
  await settle();
  return { status: response.status, json };
}

/** `kubectl patch dv NAME --type merge -p BODY`. */
const patch = (name: string, body: unknown) => send('PATCH', dvPath(name), body, 'application/merge-patch+json');

async function create(dv: KubeObject): Promise<void> {
  const created = await send('POST', dvPath(), dv);
  expect(created.status, created.json.message).toBe(201);
}

/** The spec's checkpoints so far plus `next`, and finalCheckpoint: what Forklift's AddCheckpoint writes. */
function appended(name: string, next: Checkpoint, final = false) {
  const spec = api.store.get(DATAVOLUMES, NS, name)?.spec as { checkpoints: Checkpoint[] };
  return { spec: { checkpoints: [...spec.checkpoints, next], finalCheckpoint: final } };
}

const phaseOf = (name: string) =>
  (api.store.get(DATAVOLUMES, NS, name)?.status as { phase?: string } | undefined)?.phase;
const annotationsOf = (name: string) => api.store.get(PVCS, NS, name)?.metadata.annotations ?? {};

/** The PVC's `storage.checkpoint.*` annotations: what CDI keeps of a multi-stage import. */
function checkpointAnnotations(name: string): Record<string, string> {
  return Object.fromEntries(Object.entries(annotationsOf(name)).filter(([key]) => key.startsWith(`${ANN}.`)));
}

/** Every phase the DataVolume is written with from now on, consecutive repeats folded. */
function recordPhases(name: string): string[] {
  const phases: string[] = [];
  api.store.subscribe((event) => {
    if (event.resource !== DATAVOLUMES || event.object.metadata.name !== name) return;
    const phase = (event.object.status as { phase?: string } | undefined)?.phase;
    if (phase && phases.at(-1) !== phase) phases.push(phase);
  });
  return phases;
}

/** The PVC's checkpoint annotations at each of its writes from now on. */
function recordClaim(name: string): Record<string, string>[] {
  const writes: Record<string, string>[] = [];
  api.store.subscribe((event) => {
    if (event.resource === PVCS && event.object.metadata.name === name) writes.push(checkpointAnnotations(name));
  });
  return writes;
}

/** Runs the importer `seconds` on and returns its clock. */
function wait(seconds: number): number {
  importer.advanceTo(importer.seconds + seconds);
  return importer.seconds;
}

describe("the sandbox CDI's multi-stage (warm) import", () => {
  it('copies the disk, then one delta per checkpoint after the change rate, Paused between, Succeeded after the final', async () => {
    const name = 'db-01-disk-0';
    const full = 10 * Gi;
    await create(dataVolume(0, [{ previous: '', current: 'snapshot-1' }]));
    const pod1 = annotationsOf(name)[`${ANN}.pod.id`];
    expect(phaseOf(name)).toBe('ImportInProgress');
    expect(checkpointAnnotations(name)).toEqual({
      [`${ANN}.current`]: 'snapshot-1',
      [`${ANN}.previous`]: '',
      [`${ANN}.final`]: 'false',
      [`${ANN}.pod.id`]: pod1,
    });
    expect(pod1).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(annotationsOf(name)[IMPORT_POD]).toBe(`importer-${name}-checkpoint-snapshot-1`);

    // stage 1: the whole disk, 102.4 s at 100 MiB/s
    wait(full / RATE - 0.5);
    expect(phaseOf(name)).toBe('ImportInProgress');
    const end1 = wait(1);
    expect(phaseOf(name)).toBe('Paused');
    expect(checkpointAnnotations(name)).toEqual({
      [`${ANN}.current`]: 'snapshot-1',
      [`${ANN}.previous`]: '',
      [`${ANN}.final`]: 'false',
      [`${ANN}.pod.id`]: pod1,
      [`${ANN}.copied.snapshot-1`]: pod1,
    });
    const events = api.store.list('events', NS).filter((e) => (e as { reason?: string }).reason === 'ImportPaused');
    expect(events.map((e) => (e as { message?: string }).message)).toEqual([
      `Multistage import into PVC ${name} is paused`,
    ]);

    // the precopy interval passes Paused; then checkpoint #2 (an hour of guest writes)
    wait(3600 - 0.5);
    expect(phaseOf(name)).toBe('Paused');
    const phases = recordPhases(name);
    expect((await patch(name, appended(name, { previous: 'snapshot-1', current: 'snapshot-2' }))).status).toBe(200);
    // the first write is the patch itself, on a Paused DataVolume
    expect(phases).toEqual(['Paused', 'ImportScheduled', 'ImportInProgress']);
    const pod2 = annotationsOf(name)[`${ANN}.pod.id`];
    expect(pod2).not.toBe(pod1);
    expect(checkpointAnnotations(name)).toEqual({
      [`${ANN}.current`]: 'snapshot-2',
      [`${ANN}.previous`]: 'snapshot-1',
      [`${ANN}.final`]: 'false',
      [`${ANN}.pod.id`]: pod2,
      [`${ANN}.copied.snapshot-1`]: pod1,
    });
    expect(annotationsOf(name)[IMPORT_POD]).toBe(`importer-${name}-checkpoint-snapshot-2`);
    const delta1 = deltaBytes(full, 6, 3600);
    expect(delta1).toBe(Math.round(0.06 * full));
    const stage2 = stageSeconds(name);
    expect(stage2 * RATE).toBeGreaterThan(0.9 * delta1);
    expect(stage2 * RATE).toBeLessThan(1.1 * delta1);
    expect(stage2 * RATE).toBeLessThan(full / 10);
    const end2 = importer.seconds;
    expect(checkpointAnnotations(name)[`${ANN}.copied.snapshot-2`]).toBe(pod2);
    expect(end2 - end1).toBeGreaterThan(3600);

    // two hours of writes: a delta twice as big
    wait(7200);
    await patch(name, appended(name, { previous: 'snapshot-2', current: 'snapshot-3' }));
    const pod3 = annotationsOf(name)[`${ANN}.pod.id`];
    expect(checkpointAnnotations(name)).toEqual({
      [`${ANN}.current`]: 'snapshot-3',
      [`${ANN}.previous`]: 'snapshot-2',
      [`${ANN}.final`]: 'false',
      [`${ANN}.pod.id`]: pod3,
      [`${ANN}.copied.snapshot-1`]: pod1,
      [`${ANN}.copied.snapshot-2`]: pod2,
    });
    const stage3 = stageSeconds(name);
    expect(stage3 / stage2).toBeGreaterThan(1.9);
    expect(stage3 / stage2).toBeLessThan(2.1);

    // cutover: the final checkpoint, ten minutes after
    wait(600);
    const last = recordPhases(name);
    await patch(name, appended(name, { previous: 'snapshot-3', current: 'snapshot-4' }, true));
    expect(phaseOf(name)).toBe('ImportInProgress');
    const pod4 = annotationsOf(name)[`${ANN}.pod.id`];
    expect(checkpointAnnotations(name)).toEqual({
      [`${ANN}.current`]: 'snapshot-4',
      [`${ANN}.previous`]: 'snapshot-3',
      [`${ANN}.final`]: 'true',
      [`${ANN}.pod.id`]: pod4,
      [`${ANN}.copied.snapshot-1`]: pod1,
      [`${ANN}.copied.snapshot-2`]: pod2,
      [`${ANN}.copied.snapshot-3`]: pod3,
    });
    const claimWrites = recordClaim(name);
    const stage4 = stageSeconds(name, 'Succeeded');
    // UpdatesMultistageImportSucceeded: first the final checkpoint is marked copied, then everything is cleaned up
    expect(claimWrites).toEqual([
      {
        [`${ANN}.current`]: 'snapshot-4',
        [`${ANN}.previous`]: 'snapshot-3',
        [`${ANN}.final`]: 'true',
        [`${ANN}.pod.id`]: pod4,
        [`${ANN}.copied.snapshot-1`]: pod1,
        [`${ANN}.copied.snapshot-2`]: pod2,
        [`${ANN}.copied.snapshot-3`]: pod3,
        [`${ANN}.copied.snapshot-4`]: pod4,
      },
      { [`${ANN}.done`]: 'true' },
    ]);
    expect(stage4 * RATE).toBeCloseTo(deltaBytes(full, 6, 600), -7);
    // CDI marks the final copied (Paused), cleans up (Paused), then finds no import in progress
    expect(last).toEqual(['Paused', 'ImportScheduled', 'ImportInProgress', 'Paused', 'Succeeded']);
    expect(checkpointAnnotations(name)).toEqual({ [`${ANN}.done`]: 'true' });
    expect(annotationsOf(name)[IMPORT_POD]).toBe(`importer-${name}-checkpoint-snapshot-4`);
    const status = api.store.get(DATAVOLUMES, NS, name)?.status as { progress: string; restartCount: number };
    expect(status.progress).toBe('100.0%');
    expect(new Set([pod1, pod2, pod3, pod4]).size).toBe(4);
    expect(importer.snapshot()).toMatchObject({ started: 4, succeeded: 1, current: 0 });
  });

  it('picks a checkpoint appended mid-copy only after the running stage succeeds, through a stale Paused', async () => {
    const name = 'web-01-disk-0';
    await create(dataVolume(1, [{ previous: '', current: 'snapshot-1' }]));
    const pod1 = annotationsOf(name)[`${ANN}.pod.id`];
    wait(10);
    const phases = recordPhases(name);
    await patch(name, appended(name, { previous: 'snapshot-1', current: 'snapshot-2' }));
    // the stage goes on with what it was given
    expect(phaseOf(name)).toBe('ImportInProgress');
    expect(checkpointAnnotations(name)).toEqual({
      [`${ANN}.current`]: 'snapshot-1',
      [`${ANN}.previous`]: '',
      [`${ANN}.final`]: 'false',
      [`${ANN}.pod.id`]: pod1,
    });
    wait((4 * Gi) / RATE - 10 + 0.01);
    expect(phases).toEqual(['ImportInProgress', 'Paused', 'ImportScheduled', 'ImportInProgress']);
    const pod2 = annotationsOf(name)[`${ANN}.pod.id`];
    expect(checkpointAnnotations(name)).toEqual({
      [`${ANN}.current`]: 'snapshot-2',
      [`${ANN}.previous`]: 'snapshot-1',
      [`${ANN}.final`]: 'false',
      [`${ANN}.pod.id`]: pod2,
      [`${ANN}.copied.snapshot-1`]: pod1,
    });
    // no time passed since stage 1 ended: the floor, at the default change rate
    expect(deltaBytes(4 * Gi, DEFAULT_CHANGE_RATE_PERCENT_PER_HOUR, 0)).toBe(DELTA_FLOOR_BYTES);
    expect(stageSeconds(name) * RATE).toBeCloseTo(DELTA_FLOOR_BYTES, -7);
    expect(checkpointAnnotations(name)[`${ANN}.copied.snapshot-2`]).toBe(pod2);
  });

  it('a finalCheckpoint set without a new checkpoint leaves the import Paused, as CDI does', async () => {
    const name = 'web-01-disk-0';
    await create(dataVolume(1, [{ previous: '', current: 'snapshot-1' }]));
    wait((4 * Gi) / RATE + 1);
    expect(phaseOf(name)).toBe('Paused');
    expect((await patch(name, { spec: { finalCheckpoint: true } })).status).toBe(200);
    wait(60);
    // the PVC's final annotation is the one set with the checkpoint: still false, nothing more to copy
    expect(phaseOf(name)).toBe('Paused');
    expect(checkpointAnnotations(name)[`${ANN}.final`]).toBe('false');
  });

  it("holds a later stage's pod whose container cannot start, as the first stage's, and goes on once it can", async () => {
    const name = 'web-01-disk-0';
    await create(dataVolume(1, [{ previous: '', current: 'snapshot-1' }]));
    wait((4 * Gi) / RATE + 1);
    // the Secret goes: the next stage's pod cannot start its container
    api.store.delete('secrets', NS, VDDK_SECRET);
    await patch(name, appended(name, { previous: 'snapshot-1', current: 'snapshot-2' }));
    wait(30);
    const status = api.store.get(DATAVOLUMES, NS, name)?.status as {
      phase: string;
      conditions: { type: string; reason: string; message: string }[];
    };
    expect(status.phase).toBe('ImportScheduled');
    expect(status.conditions.find((c) => c.type === 'Running')).toMatchObject({
      reason: 'CreateContainerConfigError',
      message: `secret "${VDDK_SECRET}" not found`,
    });
    api.store.create('secrets', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: VDDK_SECRET, namespace: NS },
      data: { accessKeyId: 'dXNlcg==', secretKey: 'cGFzcw==' },
    });
    // the kubelet tries again every 10 s: the next try starts the container, and the delta copies
    wait(9.95);
    expect(phaseOf(name)).toBe('ImportScheduled');
    wait(0.1);
    expect(phaseOf(name)).toBe('ImportInProgress');
    wait(1);
    expect(phaseOf(name)).toBe('Paused');
    expect(Object.keys(checkpointAnnotations(name))).toContain(`${ANN}.copied.snapshot-2`);
  });

  it('keeps a DataVolume without checkpoints single-stage: no checkpoint annotations, Succeeded', async () => {
    const name = 'web-01-disk-0';
    await create(dataVolume(1, undefined));
    wait((4 * Gi) / RATE + 1);
    expect(phaseOf(name)).toBe('Succeeded');
    expect(Object.keys(annotationsOf(name)).filter((k) => k.includes('checkpoint') || k === IMPORT_POD)).toEqual([]);
  });
});

describe("CDI's DataVolume webhook on updates (datavolume-validate.go Admit)", () => {
  const refused = (response: { status: number; json: { message?: string } }) => {
    expect(response.status).toBe(422);
    expect(response.json.message).toBe(
      'admission webhook "datavolume-validate.cdi.kubevirt.io" denied the request:  Cannot update DataVolume Spec',
    );
  };

  it('lets a vddk DataVolume with checkpoints change only checkpoints and finalCheckpoint', async () => {
    const name = 'db-01-disk-0';
    await create(dataVolume(0, [{ previous: '', current: 'snapshot-1' }]));
    refused(await patch(name, { spec: { source: { vddk: { thumbprint: 'AA:BB' } } } }));
    refused(
      await patch(name, {
        spec: {
          ...appended(name, { previous: 'snapshot-1', current: 'snapshot-2' }).spec,
          storage: { storageClassName: 'x' },
        },
      }),
    );
    // emptying the list is no multi-stage update: refused
    refused(await patch(name, { spec: { checkpoints: [] } }));
    expect((await patch(name, appended(name, { previous: 'snapshot-1', current: 'snapshot-2' }, true))).status).toBe(
      200,
    );
    const spec = api.store.get(DATAVOLUMES, NS, name)?.spec as { checkpoints: Checkpoint[]; finalCheckpoint: boolean };
    expect(spec.checkpoints.map((c) => c.current)).toEqual(['snapshot-1', 'snapshot-2']);
    expect(spec.finalCheckpoint).toBe(true);
  });

  it('refuses checkpoints on a DataVolume of another source, and on one that had none only if they are new', async () => {
    const http: KubeObject = {
      apiVersion: 'cdi.kubevirt.io/v1beta1',
      kind: 'DataVolume',
      metadata: { name: 'from-http', namespace: NS },
      spec: {
        storage: { resources: { requests: { storage: '1Gi' } } },
        source: { http: { url: 'https://images.example.com/disk.qcow2' } },
      },
    };
    await create(http);
    refused(await patch('from-http', { spec: { checkpoints: [{ previous: '', current: 'snapshot-1' }] } }));
    // a vddk DataVolume created without checkpoints may get them: the new spec is multi-stage
    await create(dataVolume(1, undefined));
    expect((await patch('web-01-disk-0', { spec: { finalCheckpoint: false } })).status).toBe(200);
    expect(
      (await patch('web-01-disk-0', { spec: { checkpoints: [{ previous: '', current: 'snapshot-1' }] } })).status,
    ).toBe(200);
  });
});

/** Runs the running stage to its end (Paused, or `until`) in 0.01 s steps; returns how long it took. */
function stageSeconds(name: string, until = 'Paused'): number {
  const start = importer.seconds;
  expect(phaseOf(name)).toBe('ImportInProgress');
  for (let i = 0; i < 100_000 && phaseOf(name) !== until; i++) importer.advanceTo(importer.seconds + 0.01);
  expect(phaseOf(name)).toBe(until);
  return importer.seconds - start;
}
