/**
 * The simulated virt-controller against VMs created over HTTP (through KubeVirt's admission) and PVCs in the store:
 * the printableStatus, created/ready, runStrategy and conditions KubeVirt's VM controller writes for Halted and
 * Always, waiting for volumes, a missing PVC, the two failures a test can inject, and its finalizer on deletion.
 * Time is the controller's simulated clock, moved by hand.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/cluster-store.js';
import { VIRTUALMACHINES, VirtController, VM_CONTROLLER_FINALIZER } from '../../src/kubevirt/virt-controller.js';
import type { VmFailure } from '../../src/kubevirt/vm-status.js';
import { type Sandbox, startSandbox } from '../api/sandbox-fixture.js';
import { virtualMachine } from './vm-fixture.js';

const NS = 'demo';
const PATH = `/apis/kubevirt.io/v1/namespaces/${NS}/virtualmachines`;
const START_SECONDS = 10;
const EPOCH = Date.UTC(2026, 0, 1);

let sandbox: Sandbox;
let controller: VirtController;
const failures = new Map<string, VmFailure>();

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

interface Status {
  printableStatus: string;
  created: boolean;
  ready: boolean;
  runStrategy?: string;
  conditions: { type: string; status: string; reason?: string; message?: string }[];
  startFailure?: { consecutiveFailCount: number; retryAfterTimestamp: string };
}

function statusOf(name: string): Status {
  const vm = sandbox.server.store.get(VIRTUALMACHINES, NS, name);
  if (!vm) throw new Error(`VirtualMachine ${name} is gone`);
  return vm.status as Status;
}

const condition = (name: string, type: string) => statusOf(name).conditions.find((c) => c.type === type);

/** Moves the controller's clock on by `seconds` and lets it write. */
async function wait(seconds: number): Promise<void> {
  controller.advanceTo(controller.seconds + seconds);
  await settle();
}

function pvc(name: string, phase: 'Bound' | 'Pending' = 'Bound'): void {
  sandbox.server.store.create('persistentvolumeclaims', {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: NS },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    status: { phase },
  });
}

async function create(vm: KubeObject): Promise<void> {
  const response = await sandbox.request('POST', PATH, { body: JSON.stringify(vm) });
  expect(response.status, response.text).toBe(201);
  await settle();
}

beforeAll(async () => {
  sandbox = await startSandbox();
  sandbox.server.store.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  controller = new VirtController({
    store: sandbox.server.store,
    timestamp: (seconds) => new Date(EPOCH + Math.floor(seconds) * 1000).toISOString().replace('.000Z', 'Z'),
    startSeconds: START_SECONDS,
    failure: (vm) => failures.get(vm.metadata.name ?? ''),
  });
});

afterAll(async () => {
  controller?.stop();
  await sandbox?.stop();
});

describe('the simulated virt-controller', () => {
  it('holds a Halted VM Stopped: no VMI, Ready False VMINotExists, no status.runStrategy yet, its finalizer on', async () => {
    pvc('halted-disk-0');
    await create(virtualMachine('halted', { runStrategy: 'Halted' }));
    await wait(60);
    const vm = sandbox.server.store.get(VIRTUALMACHINES, NS, 'halted');
    expect(vm?.metadata.finalizers).toEqual([VM_CONTROLLER_FINALIZER]);
    expect(statusOf('halted')).toMatchObject({ printableStatus: 'Stopped', created: false, ready: false });
    expect(statusOf('halted').runStrategy).toBeUndefined();
    expect(condition('halted', 'Ready')).toMatchObject({
      status: 'False',
      reason: 'VMINotExists',
      message: 'VMI does not exist',
    });
  });

  it('starts an Always VM: Starting with a VMI, then Running and Ready after the start delay', async () => {
    pvc('always-disk-0');
    await create(virtualMachine('always', { runStrategy: 'Always' }));
    expect(statusOf('always')).toMatchObject({
      printableStatus: 'Starting',
      created: true,
      ready: false,
      runStrategy: 'Always',
    });
    expect(condition('always', 'Ready')).toMatchObject({ status: 'False', reason: 'GuestNotRunning' });
    await wait(START_SECONDS - 1);
    expect(statusOf('always').printableStatus).toBe('Starting');
    await wait(1);
    expect(statusOf('always')).toMatchObject({ printableStatus: 'Running', created: true, ready: true });
    expect(condition('always', 'Ready')).toMatchObject({ status: 'True' });
    expect(condition('always', 'Ready')?.reason).toBeUndefined();
  });

  it('starts a Halted VM switched to Always, and stops it again (the runStrategy stays recorded)', async () => {
    const patch = (runStrategy: string) =>
      sandbox.request('PATCH', `${PATH}/halted`, {
        body: JSON.stringify({ spec: { runStrategy } }),
        contentType: 'application/merge-patch+json',
      });
    expect((await patch('Always')).status).toBe(200);
    await settle();
    expect(statusOf('halted').printableStatus).toBe('Starting');
    await wait(START_SECONDS);
    expect(statusOf('halted').printableStatus).toBe('Running');
    expect((await patch('Halted')).status).toBe(200);
    await settle();
    expect(statusOf('halted')).toMatchObject({ printableStatus: 'Stopped', created: false, runStrategy: 'Halted' });
  });

  it('waits for an unbound PVC (WaitingForVolumeBinding), then starts once it is Bound', async () => {
    pvc('unbound-disk-0', 'Pending');
    await create(virtualMachine('unbound', { runStrategy: 'Always' }));
    await wait(START_SECONDS * 3);
    expect(statusOf('unbound')).toMatchObject({ printableStatus: 'WaitingForVolumeBinding', created: true });
    expect(condition('unbound', 'Ready')).toMatchObject({ status: 'False', reason: 'PodNotExists' });
    sandbox.server.store.updateStatus('persistentvolumeclaims', NS, 'unbound-disk-0', { phase: 'Bound' });
    await settle();
    expect(statusOf('unbound').printableStatus).toBe('Starting');
    await wait(START_SECONDS);
    expect(statusOf('unbound').printableStatus).toBe('Running');
  });

  it('does not report WaitingForVolumeBinding for a Halted VM: KubeVirt checks binding only for a VM set to start', async () => {
    pvc('halted-unbound-disk-0', 'Pending');
    await create(virtualMachine('halted-unbound', { runStrategy: 'Halted' }));
    expect(statusOf('halted-unbound').printableStatus).toBe('Stopped');
  });

  it('reports ErrorPvcNotFound for a missing PVC, with the VMI conditions KubeVirt copies, until it appears', async () => {
    await create(virtualMachine('orphaned', { runStrategy: 'Always' }));
    await wait(START_SECONDS * 3);
    expect(statusOf('orphaned')).toMatchObject({ printableStatus: 'ErrorPvcNotFound', created: true, ready: false });
    const message = `PVC ${NS}/orphaned-disk-0 does not exist, waiting for it to appear`;
    expect(condition('orphaned', 'Synchronized')).toMatchObject({
      status: 'False',
      reason: 'FailedPvcNotFound',
      message,
    });
    expect(condition('orphaned', 'PodScheduled')).toMatchObject({ status: 'False', reason: 'Unschedulable', message });
    pvc('orphaned-disk-0');
    await settle();
    expect(statusOf('orphaned').printableStatus).toBe('Starting');
    expect(condition('orphaned', 'Synchronized')).toBeUndefined();
    await wait(START_SECONDS);
    expect(statusOf('orphaned')).toMatchObject({ printableStatus: 'Running', ready: true });
  });

  it('holds a VM whose pod no node takes in ErrorUnschedulable, Ready False, for good', async () => {
    failures.set('unschedulable', 'ErrorUnschedulable');
    pvc('unschedulable-disk-0');
    await create(virtualMachine('unschedulable', { runStrategy: 'Always' }));
    await wait(600);
    expect(statusOf('unschedulable')).toMatchObject({
      printableStatus: 'ErrorUnschedulable',
      created: true,
      ready: false,
    });
    expect(condition('unschedulable', 'PodScheduled')).toMatchObject({
      status: 'False',
      reason: 'Unschedulable',
      message: expect.stringContaining('0/1 nodes are available: 1 Insufficient memory.'),
    });
    expect(condition('unschedulable', 'Ready')?.status).toBe('False');
  });

  it('crash-loops a VM whose launcher dies: CrashLoopBackOff with a start failure count, retried after back-off', async () => {
    failures.set('crashing', 'CrashLoopBackOff');
    pvc('crashing-disk-0');
    await create(virtualMachine('crashing', { runStrategy: 'Always' }));
    expect(statusOf('crashing').printableStatus).toBe('Starting');
    await wait(START_SECONDS);
    expect(statusOf('crashing')).toMatchObject({
      printableStatus: 'CrashLoopBackOff',
      created: false,
      ready: false,
      startFailure: { consecutiveFailCount: 1 },
    });
    expect(condition('crashing', 'Ready')).toMatchObject({ status: 'False', reason: 'VMINotExists' });
    // KubeVirt's back-off after the first failure: 10 s; then the VMI is made again and fails again
    await wait(10);
    expect(statusOf('crashing').printableStatus).toBe('Starting');
    await wait(START_SECONDS);
    expect(statusOf('crashing')).toMatchObject({
      printableStatus: 'CrashLoopBackOff',
      startFailure: { consecutiveFailCount: 2 },
    });
    await wait(600);
    expect(statusOf('crashing').printableStatus).not.toBe('Running');
    expect(statusOf('crashing').startFailure?.consecutiveFailCount).toBeGreaterThan(3);
  });

  it('lets a deleted VM go once its finalizer is dropped, Terminating on the way', async () => {
    const seen: string[] = [];
    const unsubscribe = sandbox.server.store.subscribe((event) => {
      if (event.resource === VIRTUALMACHINES && event.object.metadata.name === 'always') {
        seen.push(`${event.type} ${(event.object.status as Status | undefined)?.printableStatus}`);
      }
    });
    const deleted = await sandbox.request('DELETE', `${PATH}/always`);
    // 202 Accepted: the finalizer keeps it for now, as kube-apiserver answers
    expect(deleted.status).toBe(202);
    expect(deleted.json.metadata.deletionTimestamp).toBeDefined();
    await settle();
    unsubscribe();
    expect(seen).toEqual(['MODIFIED Running', 'MODIFIED Terminating', 'DELETED Terminating']);
    expect(sandbox.server.store.get(VIRTUALMACHINES, NS, 'always')).toBeUndefined();
  });
});
