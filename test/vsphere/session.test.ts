/**
 * The vSphere adapter against real vim25 servers: login, TLS trust and the calls Forklift makes. Where govmomi's
 * simulator is a known gap (docs/COMPATIBILITY.md "vSphere adapter"; tasks that finish inside the call, no changeIds),
 * the assertion is written so that a server that does better passes too: tasks are polled to success, a changeId may
 * be absent or a string.
 */
import { needs, type TestVCenter, type TestVCenterVm } from '@kubectl-mtv/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectVCenter,
  type MoRef,
  type VCenterEndpoint,
  type VCenterSession,
  VCenterUnreachable,
  VSphereFault,
  waitForTask,
} from '../../src/vsphere/index.js';
import { VCENTER_SERVERS } from './servers.js';

/** The error a promise rejects with (fails the test when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection, got an answer');
}

describe.each(VCENTER_SERVERS)('the vSphere adapter against $name', (entry) => {
  let server: TestVCenter;
  let session: VCenterSession;
  const sessions: VCenterSession[] = [];
  const endpoint = (more: Partial<VCenterEndpoint> = {}): VCenterEndpoint => ({
    url: server.url,
    user: server.user,
    password: server.password,
    ca: server.ca,
    ...more,
  });
  const connect = async (more: Partial<VCenterEndpoint> = {}) => {
    const opened = await connectVCenter(endpoint(more), { timeoutMs: 10_000 });
    sessions.push(opened);
    return opened;
  };
  /** A VM nobody else in this file touches, by position in the server's sorted list. */
  const vm = (index: number): TestVCenterVm & { ref: MoRef } => {
    const found = server.vms[index];
    if (found === undefined) throw new Error(`the server has no VM #${index} (it has ${server.vms.length})`);
    return { ...found, ref: found.moref };
  };
  /** Polls `read` until it gives `want` (a server may apply a power change after the call returns). */
  const eventually = async <T>(read: () => Promise<T>, want: T, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    let seen = await read();
    while (seen !== want && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      seen = await read();
    }
    return seen;
  };

  describe('on a running server', needs(...entry.requirements), () => {
    beforeAll(async () => {
      server = await entry.start();
      session = await connect();
    }, 180_000);

    afterAll(async () => {
      for (const opened of sessions) await opened.logout();
      await server?.stop();
    });

    it('has at least four powered-on VMs to work on', () => {
      expect(server.vms.length).toBeGreaterThanOrEqual(4);
      expect(server.vms.slice(0, 4).map((v) => v.powerState)).toEqual(Array(4).fill('poweredOn'));
    });

    describe('logging in', () => {
      it('logs in with the pinned credentials and names the URL without them', () => {
        expect(session.url).toBe(server.url);
      });

      it('refuses a wrong password with InvalidLogin, and the message names neither user nor password', async () => {
        const wrong = `${server.password}-wrong`;
        const error = await rejection(connectVCenter(endpoint({ password: wrong })));
        expect(error).toBeInstanceOf(VSphereFault);
        expect((error as VSphereFault).fault).toBe('InvalidLogin');
        expect(error.message).not.toContain(wrong);
        expect(error.message).not.toContain(server.password);
        expect(error.message).not.toContain(server.user);
      });

      it('says a call after logout is NotAuthenticated', async () => {
        const own = await connectVCenter(endpoint());
        await own.logout();
        const error = await rejection(own.vmPower(vm(0).ref));
        expect(error).toBeInstanceOf(VSphereFault);
        expect((error as VSphereFault).fault).toBe('NotAuthenticated');
      });
    });

    describe('TLS', () => {
      it('verifies the server certificate against the Provider CA', async () => {
        const own = await connect({ ca: server.ca });
        expect(await own.findVm(vm(0).uuid)).toEqual(vm(0).ref);
      });

      it('accepts an untrusted certificate whose SHA-1 thumbprint is the Provider fingerprint, in any case', async () => {
        const own = await connect({ ca: undefined, thumbprint: server.thumbprint.toLowerCase() });
        expect(await own.findVm(vm(0).uuid)).toEqual(vm(0).ref);
      });

      it('refuses an untrusted certificate with another thumbprint, naming the URL and the certificate', async () => {
        const other = server.thumbprint.replace(/^../, server.thumbprint.startsWith('00') ? '11' : '00');
        const error = await rejection(connectVCenter(endpoint({ ca: undefined, thumbprint: other })));
        expect(error).toBeInstanceOf(VCenterUnreachable);
        expect(error.message).toContain(server.url);
        expect(error.message).toMatch(/certificate/);
        expect(error.message).toContain(other);
      });

      it('refuses an untrusted certificate without CA or thumbprint, naming the URL and why', async () => {
        const error = await rejection(connectVCenter(endpoint({ ca: undefined })));
        expect(error).toBeInstanceOf(VCenterUnreachable);
        expect((error as VCenterUnreachable).url).toBe(server.url);
        expect(error.message).toMatch(
          /certificate is not trusted \((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)\)/,
        );
        expect(error.message).not.toContain(server.password);
      });

      it('skips verification when the Provider says insecureSkipVerify', async () => {
        const own = await connect({ ca: undefined, insecureSkipVerify: true });
        expect(await own.findVm(vm(0).uuid)).toEqual(vm(0).ref);
      });

      it('names the URL and the refused connection when nothing listens', async () => {
        const closed = new URL(server.url);
        closed.port = '1';
        const error = await rejection(connectVCenter(endpoint({ url: closed.toString() })));
        expect(error).toBeInstanceOf(VCenterUnreachable);
        expect(error.message).toContain(closed.toString());
        expect(error.message).toContain('connection refused (ECONNREFUSED)');
      });
    });

    describe('finding VMs and their power', () => {
      it('finds a VM by its BIOS uuid and by its instance uuid', async () => {
        for (const v of server.vms) {
          expect(await session.findVm(v.uuid)).toEqual(v.moref);
          expect(await session.findVm(v.instanceUuid, { instanceUuid: true })).toEqual(v.moref);
        }
      });

      it('finds nothing for an unknown uuid, or for a BIOS uuid searched as an instance uuid', async () => {
        expect(await session.findVm('00000000-0000-0000-0000-000000000000')).toBeUndefined();
        expect(await session.findVm(vm(0).uuid, { instanceUuid: true })).toBeUndefined();
      });

      it('reads the power state and whether VMware Tools run', async () => {
        const power = await session.vmPower(vm(0).ref);
        expect(power.powerState).toBe('poweredOn');
        expect(typeof power.toolsRunning).toBe('boolean');
      });

      it('answers ManagedObjectNotFound for a VM that does not exist', async () => {
        const error = await rejection(session.vmPower({ type: 'VirtualMachine', value: 'vm-404404' }));
        expect(error).toBeInstanceOf(VSphereFault);
        expect((error as VSphereFault).fault).toBe('ManagedObjectNotFound');
      });
    });

    describe('snapshots, as a warm migration takes them', () => {
      it('creates a snapshot: the task ends in success with the snapshot as its result', async () => {
        const target = vm(1).ref;
        expect(await session.snapshots(target)).toEqual([]);
        const task = await session.createSnapshot(
          target,
          'forklift-migration-precopy',
          'Forklift Operator warm migration precopy',
        );
        expect(task.type).toBe('Task');
        const info = await waitForTask(session, task, { intervalMs: 200, timeoutMs: 30_000 });
        expect(info).toMatchObject({ task, state: 'success', result: { type: 'VirtualMachineSnapshot' } });
        expect(info.descriptionId).toBe('VirtualMachine.createSnapshot');
        expect(await session.snapshots(target)).toEqual([
          { snapshot: info.result, name: 'forklift-migration-precopy' },
        ]);

        const disks = await session.snapshotDisks(info.result as MoRef);
        expect(disks.length).toBeGreaterThan(0);
        for (const disk of disks) {
          expect(disk.key).toEqual(expect.any(Number));
          expect(disk.file).toMatch(/^\[[^\]]+\] \S.*\.vmdk$/);
          expect(disk.file).not.toMatch(/-\d{6}\.vmdk$/);
          expect(disk.changeId === undefined || typeof disk.changeId === 'string').toBe(true);
        }
      });

      it('keeps snapshots in order, a second one under the first, and removes one without its children', async () => {
        const target = vm(2).ref;
        const first = await waitForTask(session, await session.createSnapshot(target, 'one', 'first'), {
          intervalMs: 200,
        });
        const second = await waitForTask(session, await session.createSnapshot(target, 'two', 'second'), {
          intervalMs: 200,
        });
        expect((await session.snapshots(target)).map((s) => s.name)).toEqual(['one', 'two']);

        const removal = await session.removeSnapshot(first.result as MoRef, { consolidate: true });
        expect(await waitForTask(session, removal, { intervalMs: 200 })).toMatchObject({
          task: removal,
          state: 'success',
        });
        expect(await session.snapshots(target)).toEqual([{ snapshot: second.result, name: 'two' }]);

        await waitForTask(session, await session.removeSnapshot(second.result as MoRef), { intervalMs: 200 });
        expect(await session.snapshots(target)).toEqual([]);
      });

      it('says ManagedObjectNotFound for the disks of a snapshot that is gone', async () => {
        const error = await rejection(
          session.snapshotDisks({ type: 'VirtualMachineSnapshot', value: 'snapshot-404404' }),
        );
        expect((error as VSphereFault).fault).toBe('ManagedObjectNotFound');
      });

      it('says ManagedObjectNotFound for a task that does not exist', async () => {
        const error = await rejection(session.taskInfo({ type: 'Task', value: 'task-404404' }));
        expect(error).toBeInstanceOf(VSphereFault);
        expect((error as VSphereFault).fault).toBe('ManagedObjectNotFound');
      });
    });

    describe('powering off', () => {
      it('shuts the guest down, and a second shutdown is InvalidPowerState', async () => {
        const target = vm(3).ref;
        await session.shutdownGuest(target);
        expect(await eventually(async () => (await session.vmPower(target)).powerState, 'poweredOff')).toBe(
          'poweredOff',
        );
        const error = await rejection(session.shutdownGuest(target));
        expect(error).toBeInstanceOf(VSphereFault);
        expect((error as VSphereFault).fault).toBe('InvalidPowerState');
        expect(error.message).toMatch(/^ShutdownGuest: /);
      });

      it('powers a VM off with a task', async () => {
        const target = vm(0).ref;
        const task = await session.powerOff(target);
        expect(await waitForTask(session, task, { intervalMs: 200 })).toMatchObject({ state: 'success' });
        expect((await session.vmPower(target)).powerState).toBe('poweredOff');
        const again = await waitForTask(session, await session.powerOff(target), { intervalMs: 200 });
        expect(again).toMatchObject({ state: 'error', fault: 'InvalidPowerState' });
      });
    });
  });
});
