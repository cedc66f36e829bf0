import { describe, expect, it } from 'vitest';
import { readVirtualMachine, type VirtualMachineObject } from '../../src/cluster/plan-virtual-machines.js';

const vm = (status: VirtualMachineObject['status']): VirtualMachineObject => ({ metadata: { name: 'web-01' }, status });

describe('readVirtualMachine', () => {
  it('waits for Running and Ready when the runStrategy is Always', () => {
    expect(readVirtualMachine(vm({ printableStatus: 'Starting' }), 'Always')).toEqual({
      kind: 'waiting',
      status: 'Starting',
    });
    // Running but the VMI not Ready yet: still waiting
    expect(readVirtualMachine(vm({ printableStatus: 'Running', ready: false }), 'Always').kind).toBe('waiting');
    expect(readVirtualMachine(vm({ printableStatus: 'Running', ready: true }), 'Always')).toEqual({
      kind: 'ready',
      status: 'Running',
    });
  });

  it('is ready Stopped when the runStrategy is Halted, and KubeVirt defaults a status-less VM to Stopped', () => {
    expect(readVirtualMachine(vm({ printableStatus: 'Stopped' }), 'Halted').kind).toBe('ready');
    expect(readVirtualMachine(vm(undefined), 'Halted').kind).toBe('ready');
    expect(readVirtualMachine(vm(undefined), 'Always').kind).toBe('waiting');
  });

  it('waits while a PVC is unbound', () => {
    expect(readVirtualMachine(vm({ printableStatus: 'WaitingForVolumeBinding' }), 'Always').kind).toBe('waiting');
  });

  it('fails on the error statuses and on a Failure condition, with the reason KubeVirt gives', () => {
    const missing = readVirtualMachine(
      vm({
        printableStatus: 'ErrorPvcNotFound',
        conditions: [{ type: 'Ready', status: 'False', reason: 'FailedPvcNotFound', message: 'PVC demo/x not found' }],
      }),
      'Always',
    );
    expect(missing).toEqual({
      kind: 'failed',
      status: 'ErrorPvcNotFound',
      reason: 'ErrorPvcNotFound: PVC demo/x not found',
    });
    expect(readVirtualMachine(vm({ printableStatus: 'CrashLoopBackOff' }), 'Always')).toEqual({
      kind: 'failed',
      status: 'CrashLoopBackOff',
      reason: 'CrashLoopBackOff',
    });
    const failure = readVirtualMachine(
      vm({ printableStatus: 'Starting', conditions: [{ type: 'Failure', status: 'True', reason: 'FailedCreate' }] }),
      'Always',
    );
    expect(failure).toEqual({ kind: 'failed', status: 'Starting', reason: 'Starting: FailedCreate' });
  });
});
