/**
 * The simulated conversion controller against Forklift release-2.12 pkg/controller/conversion: the phases, stages
 * and messages it writes, the time a conversion takes (proportional to the PVCs' size), a VM whose virt-v2v fails,
 * and the PVC and Secret checks of ensurer.go.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type ApiServer, startApiServer } from '../../src/api/api-server.js';
import type { KubeObject } from '../../src/cluster-store.js';
import { parseConversionFault } from '../../src/faults.js';
import {
  CONVERSIONS,
  ConversionController,
  goDuration,
  parseQuantity,
  UNBOUND_PVC_REASON,
} from '../../src/forklift/conversion-controller.js';
import { applySeed } from '../../src/seed/apply-seed.js';
import { DEFAULT_SANDBOX_SCENARIO } from '../../src/seed/default-scenario.js';
import { SEED_NAMES } from '../../src/seed/names.js';
import { seedObjects } from '../../src/seed/seed-objects.js';
import { TEST_VCENTER } from '../seed/vcenter-fixture.js';

const Gi = 2 ** 30;
const Mi = 2 ** 20;
const PLAN_NS = SEED_NAMES.forkliftNamespace;
const NS = SEED_NAMES.targetNamespace;
const SECRET = 'plan-a-vddk-12345678';
const RATE = 100 * Mi;
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

let api: ApiServer | undefined;
let controller: ConversionController | undefined;
let now = 0;

async function start(failures: { vm: string; message: string }[] = []): Promise<void> {
  const server = await startApiServer({ port: 0, token: 'conversion-test', mtvRelease: '2.12' });
  api = server;
  applySeed(
    server.store,
    seedObjects(DEFAULT_SANDBOX_SCENARIO, {
      providerUid: 'p-uid',
      inventoryUrl: 'http://127.0.0.1:9',
      vcenter: TEST_VCENTER,
    }),
  );
  server.store.create('secrets', {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: SECRET, namespace: NS },
    data: { accessKeyId: 'dXNlcg==', secretKey: 'cGFzcw==' },
  });
  now = 0;
  controller = new ConversionController({
    store: server.store,
    destination: () => server.store,
    clock: () => now,
    timestamp: (s) => new Date(Date.UTC(2026, 10, 26) + s * 1000).toISOString().replace('.000Z', 'Z'),
    bytesPerSecond: RATE,
    failures,
  });
}

afterEach(async () => {
  controller?.stop();
  await api?.close();
  controller = undefined;
  api = undefined;
});

/** The running API server's store (start() first). */
const store = () => {
  if (!api) throw new Error('start() first');
  return api.store;
};

function claim(name: string, size: string, phase = 'Bound'): void {
  store().create('persistentvolumeclaims', {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: NS },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: size } }, volumeMode: 'Filesystem' },
    status: { phase },
  });
}

function conversion(name: string, vm: string, disks: string[], extra: Record<string, unknown> = {}): KubeObject {
  return store().create(CONVERSIONS, {
    apiVersion: 'forklift.konveyor.io/v1beta1',
    kind: 'Conversion',
    metadata: { name, namespace: PLAN_NS, labels: { 'app.kubernetes.io/managed-by': 'kubectl-mtv' } },
    spec: {
      type: 'InPlace',
      targetNamespace: NS,
      destination: { name: SEED_NAMES.destinationProvider, namespace: PLAN_NS },
      vm: { id: `vm-${vm}`, name: vm },
      disks: disks.map((disk, i) => ({
        name: disk,
        namespace: NS,
        volumeMode: 'Filesystem',
        mountPath: `/mnt/disks/disk${i}`,
      })),
      connection: { secret: { name: SECRET, namespace: NS } },
      settings: { V2V_vmName: vm },
      podSettings: { generateName: `plan-a-vm-${vm}-`, requestKVM: true },
      ...extra,
    },
  });
}

interface Status {
  phase?: string;
  stage?: string;
  message?: string;
  pod?: { name?: string; namespace?: string };
  startTime?: string;
  completionTime?: string;
  conditions?: { type: string; status: string; category: string; message: string }[];
}

const status = (name: string) => (store().get(CONVERSIONS, PLAN_NS, name)?.status ?? {}) as Status;

async function at(seconds: number): Promise<void> {
  now = seconds;
  controller?.advanceTo(seconds);
  await settle();
}

describe("the sandbox's conversion controller (Forklift release-2.12 pkg/controller/conversion)", () => {
  it('runs a Conversion Running/CreatingPod -> PodRunning -> Finished -> Succeeded, in time proportional to its disks', async () => {
    await start();
    claim('web-01-disk-0', String(30 * Gi));
    claim('web-01-disk-1', '10Gi');
    conversion('c-web-01', 'web-01', ['web-01-disk-0', 'web-01-disk-1']);
    await settle();
    // Pending turns Running in the reconcile that first ensures the pod: no Pending is ever written
    expect(status('c-web-01')).toMatchObject({
      phase: 'Running',
      stage: 'PodRunning',
      message: 'Conversion pod is running.',
      pod: { namespace: NS, name: expect.stringMatching(/^plan-a-vm-web-01-[a-z0-9]{5}$/) },
      conditions: [{ type: 'Advisory', status: 'True', category: 'Advisory', message: 'Conversion pod is running.' }],
    });
    const seconds = (40 * Gi) / RATE;
    await at(seconds - 1);
    expect(status('c-web-01').phase).toBe('Running');
    await at(seconds);
    expect(status('c-web-01')).toMatchObject({
      phase: 'Running',
      stage: 'Finished',
      message: 'Finalizing conversion.',
    });
    await at(seconds + 3);
    expect(status('c-web-01')).toMatchObject({
      phase: 'Succeeded',
      stage: 'Finished',
      message: 'The conversion has completed successfully.',
      completionTime: expect.any(String),
      conditions: [{ type: 'Ready', status: 'True', category: 'Required' }],
    });
    expect(controller?.records.get(`${PLAN_NS}/c-web-01`)).toMatchObject({ vm: 'web-01', phase: 'Succeeded' });
    // a finished Conversion is left alone (Reconcile returns at once for Succeeded and Failed)
    const version = store().get(CONVERSIONS, PLAN_NS, 'c-web-01')?.metadata.resourceVersion;
    await at(seconds + 100);
    expect(store().get(CONVERSIONS, PLAN_NS, 'c-web-01')?.metadata.resourceVersion).toBe(version);
  });

  it("fails a faulted VM's conversion half way, as Forklift words a failed pod, with virt-v2v's error on the pod", async () => {
    await start([parseConversionFault('db-01=virt-v2v: error: inspection could not detect the source guest')]);
    claim('db-01-disk-0', '20Gi');
    claim('web-01-disk-0', '20Gi');
    conversion('c-db-01', 'db-01', ['db-01-disk-0']);
    conversion('c-web-01', 'web-01', ['web-01-disk-0']);
    await settle();
    const half = (10 * Gi) / RATE;
    await at(half);
    expect(status('c-db-01')).toMatchObject({ phase: 'Running', stage: 'Finished' });
    await at(half + 3);
    expect(status('c-db-01')).toMatchObject({
      phase: 'Failed',
      message: 'The conversion has failed: conversion pod failed',
      conditions: [{ type: 'ConversionFailed', status: 'True', category: 'Critical' }],
    });
    expect(status('c-web-01').phase).toBe('Running');
    const pod = status('c-db-01').pod?.name ?? '';
    const events = store()
      .list('events', NS)
      .filter((event) => (event.involvedObject as { name: string }).name === pod);
    expect(events.map((event) => [event.type, event.message])).toEqual([
      ['Warning', 'virt-v2v: error: inspection could not detect the source guest'],
    ]);
    await at((20 * Gi) / RATE);
    await at((20 * Gi) / RATE + 3);
    expect(status('c-web-01').phase).toBe('Succeeded');
  });

  it('fails at once on a PVC or a connection Secret that does not exist (ensurer.go)', async () => {
    await start();
    claim('app-01-disk-0', '1Gi');
    conversion('c-missing-pvc', 'app-01', ['app-01-disk-0', 'app-01-disk-2']);
    conversion('c-missing-secret', 'app-01', ['app-01-disk-0'], {
      connection: { secret: { name: 'nope', namespace: NS } },
    });
    await settle();
    expect(status('c-missing-pvc')).toMatchObject({
      phase: 'Failed',
      message: 'The conversion has failed: persistentvolumeclaims "app-01-disk-2" not found',
    });
    expect(status('c-missing-pvc').pod).toBeUndefined();
    expect(status('c-missing-secret').message).toBe('The conversion has failed: secrets "nope" not found');
  });

  it('waits with its pod Pending while a PVC is not Bound, goes on once it is, and fails after 5 minutes', async () => {
    await start();
    claim('late-disk-0', '1Gi', 'Pending');
    claim('never-disk-0', '1Gi', 'Pending');
    conversion('c-late', 'late', ['late-disk-0']);
    conversion('c-never', 'never', ['never-disk-0']);
    await settle();
    expect(status('c-late')).toMatchObject({
      phase: 'Running',
      stage: 'CreatingPod',
      message: 'Creating the conversion pod.',
    });
    await at(120);
    store().updateStatus('persistentvolumeclaims', NS, 'late-disk-0', { phase: 'Bound' });
    await at(121);
    expect(status('c-late').stage).toBe('PodRunning');
    await at(299);
    expect(status('c-never').stage).toBe('CreatingPod');
    await at(301);
    expect(status('c-never')).toMatchObject({
      phase: 'Failed',
      message: `The conversion has failed: conversion pod ${status('c-never').pod?.name} stuck in Pending for 5m1s (reason: ${UNBOUND_PVC_REASON})`,
    });
  });

  it('leaves an invalid Conversion Pending with the blockers of validation.go, and no pod', async () => {
    await start();
    conversion('c-invalid', 'x', [], { targetNamespace: '', connection: { secret: {} } });
    await settle();
    expect(status('c-invalid').phase).toBe('Pending');
    expect(status('c-invalid').conditions?.map((c) => [c.type, c.category])).toEqual([
      ['TargetNamespaceNotSet', 'Critical'],
      ['DisksNotSet', 'Critical'],
      ['ConnectionNotSet', 'Critical'],
    ]);
    expect(status('c-invalid').pod).toBeUndefined();
  });

  it('parses quantities and words durations as Go does', () => {
    expect([parseQuantity('42949672960'), parseQuantity('40Gi'), parseQuantity('1.5G'), parseQuantity('x')]).toEqual([
      40 * Gi,
      40 * Gi,
      1.5e9,
      0,
    ]);
    expect([goDuration(300), goDuration(301.7), goDuration(59), goDuration(3723)]).toEqual([
      '5m0s',
      '5m1s',
      '59s',
      '1h2m3s',
    ]);
    expect(() => parseConversionFault('no-message')).toThrow(/VM=MESSAGE/);
  });
});
