/**
 * The sandbox's failVms option: which VMs fail and how, refused when it names no VM of the scenario; and the whole
 * sandbox running its simulated virt-controller on both clusters, on the simulated clock, with the fault applied by
 * Forklift's vmID label.
 */
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/cluster-store.js';
import { SandboxInputError } from '../../src/input-error.js';
import { VIRTUALMACHINES } from '../../src/kubevirt/virt-controller.js';
import { vmFailures } from '../../src/kubevirt/vm-faults.js';
import { startSandbox } from '../../src/sandbox.js';
import { DEFAULT_SANDBOX_SCENARIO } from '../../src/seed/default-scenario.js';
import { virtualMachine } from './vm-fixture.js';

const VMS = [
  { name: 'app-01', id: 'vm-101' },
  { name: 'web-01', id: 'vm-102' },
];

function vm(name: string, vmID?: string): KubeObject {
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachine',
    metadata: { name, ...(vmID && { labels: { vmID } }) },
  };
}

describe('failVms', () => {
  it('fails a VM by its name or by the vmID label Forklift gives it, CrashLoopBackOff unless told', () => {
    const failure = vmFailures(['app-01', 'web-01:ErrorUnschedulable'], VMS);
    expect(failure(vm('app-01'))).toBe('CrashLoopBackOff');
    expect(failure(vm('renamed', 'vm-101'))).toBe('CrashLoopBackOff');
    expect(failure(vm('web-01'))).toBe('ErrorUnschedulable');
    expect(failure(vm('db-01', 'vm-999'))).toBeUndefined();
  });

  it('refuses a VM the scenario lacks and a failure the sandbox does not make, naming the value', () => {
    expect(() => vmFailures(['db-09'], VMS)).toThrow(SandboxInputError);
    expect(() => vmFailures(['db-09'], VMS)).toThrow('--fail-vm: "db-09" names no VM of the scenario');
    expect(() => vmFailures(['app-01:Paused'], VMS)).toThrow(
      '--fail-vm: "app-01:Paused" asks for "Paused", which is not a way the sandbox fails a VM',
    );
  });
});

describe('the sandbox runs KubeVirt on both clusters', () => {
  it('starts VMs after vmStartSeconds of simulated time, and fails the one failVms names', async () => {
    const second = DEFAULT_SANDBOX_SCENARIO.vms[1];
    const sandbox = await startSandbox({
      scenario: DEFAULT_SANDBOX_SCENARIO,
      insecureHttp: true,
      speed: 100,
      tickMs: 10,
      vmStartSeconds: 20,
      failVms: [`${second.name}:ErrorUnschedulable`],
    });
    try {
      const inventoryId = (await (
        await fetch(`${sandbox.inventoryUrl}/providers/vsphere/${sandbox.providerUid}/vms`, {
          headers: { Authorization: `Bearer ${sandbox.token}` },
        })
      ).json()) as { id: string; name: string }[];
      const secondId = inventoryId.find((entry) => entry.name === second.name)?.id;
      expect(secondId).toBeDefined();
      for (const store of [sandbox.store, sandbox.remote.store]) {
        if (!store.get('namespaces', undefined, 'demo')) {
          store.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' } });
        }
        for (const name of ['ok-disk-0', 'failing-disk-0']) {
          store.create('persistentvolumeclaims', {
            apiVersion: 'v1',
            kind: 'PersistentVolumeClaim',
            metadata: { name, namespace: 'demo' },
            spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
            status: { phase: 'Bound' },
          });
        }
        store.create(VIRTUALMACHINES, virtualMachine('ok', { runStrategy: 'Always' }));
        const failing = virtualMachine('failing', { runStrategy: 'Always' });
        failing.metadata.labels = { vmID: secondId as string };
        store.create(VIRTUALMACHINES, failing);
      }
      const printable = (store: typeof sandbox.store, name: string) =>
        (store.get(VIRTUALMACHINES, 'demo', name)?.status as { printableStatus?: string } | undefined)?.printableStatus;
      await new Promise((resolve) => setImmediate(resolve));
      expect(printable(sandbox.store, 'ok')).toBe('Starting');
      // 20 simulated seconds at 100x: 200 ms of real time
      const deadline = Date.now() + 5000;
      while (printable(sandbox.remote.store, 'ok') !== 'Running' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      for (const store of [sandbox.store, sandbox.remote.store]) {
        expect(printable(store, 'ok')).toBe('Running');
        expect(printable(store, 'failing')).toBe('ErrorUnschedulable');
      }
    } finally {
      await sandbox.close();
    }
  });
});
