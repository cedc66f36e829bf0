/**
 * The vSphere adapter against real vim25 servers: login, TLS trust and the calls Forklift makes, the same tests on
 * each server of servers.ts. Where govmomi's simulator is a known gap (docs/COMPATIBILITY.md "vSphere adapter": tasks
 * that finish inside the call, no changeIds, ShutdownGuest without a Tools check), the server's capabilities say
 * what it does instead: the shared tests assert the stronger behaviour where a capability is on (changeIds present,
 * Tools running before a guest shutdown) and the weaker one where it is off; the tests of the last block need the
 * capability and are skipped on a server without it.
 */
import { needs, type TestVCenter, type TestVCenterVm } from '@kubectl-mtv/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectVCenter,
  type MoRef,
  type TaskInfo,
  trimBackingFileName,
  type VCenterEndpoint,
  type VCenterSession,
  VCenterUnreachable,
  VSphereFault,
  waitForTask,
} from '../../src/vsphere/index.js';
import { VCENTER_SERVERS } from './servers.js';

/** A CBT changeId as vSphere writes it: the disk's change-tracking uuid (16 hex bytes) and `/sequence`. */
const VSPHERE_CHANGE_ID = /^([0-9a-f]{2} ){7}[0-9a-f]{2}-([0-9a-f]{2} ){7}[0-9a-f]{2}\/\d+$/;

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
  const { capabilities } = entry;
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
  /** A VM a capability names (only asked for where the capability is on). */
  const named = (name: string): MoRef => {
    const found = server.vms.find((v) => v.name === name);
    if (found === undefined) throw new Error(`the server has no VM ${name}`);
    return found.moref;
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
        // self-signed (vcsim), or signed by a CA the client does not know (a vCenter's VMCA; the sandbox's own CA)
        expect(error.message).toMatch(
          /certificate is not trusted \((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\)/,
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
        // a server that checks Tools has them running on the four VMs the suite shuts down (vcsim: never running)
        if (capabilities.checksTools) expect(power.toolsRunning).toBe(true);
        else expect(typeof power.toolsRunning).toBe('boolean');
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
          if (capabilities.servesChangeIds) expect(disk.changeId).toMatch(VSPHERE_CHANGE_ID);
          else expect(disk.changeId).toBeUndefined();
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
        if (capabilities.checksTools) expect((await session.vmPower(target)).toolsRunning).toBe(true);
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

    // defined only for a server that does more than vcsim: an empty suite fails the run
    const beyond = Object.values(capabilities).some((capability) => capability !== false);
    (beyond ? describe : () => undefined)("what a real vCenter does beyond govmomi's simulator", () => {
      /** The capability's settings (its test runs only where it is on). */
      const enabled = <T>(capability: T | false): T => {
        if (capability === false) throw new Error(`${entry.name} lacks the capability this test needs`);
        return capability;
      };
      /**
       * `it` where the server has the capability; where it lacks it (vcsim) the test is not defined at all, so a run
       * counts no skipped test for what that server cannot do.
       */
      const where = (capability: unknown): typeof it =>
        capability === false ? ((() => undefined) as unknown as typeof it) : it;
      const tasksTakeTime = capabilities.tasksTakeTime;
      where(tasksTakeTime)('runs a snapshot task after the call: queued or running, then success', async () => {
        const target = named(enabled(tasksTakeTime).vm);
        const task = await session.createSnapshot(target, 'forklift-migration-precopy', 'precopy');
        const seen: TaskInfo[] = [];
        const deadline = Date.now() + 30_000;
        do {
          seen.push(await session.taskInfo(task));
          await new Promise((resolve) => setTimeout(resolve, 10));
        } while (!['success', 'error'].includes(seen[seen.length - 1].state) && Date.now() < deadline);
        const states = seen.map((info) => info.state);
        expect(['queued', 'running']).toContain(states[0]);
        expect(states[states.length - 1]).toBe('success');
        // never back: queued, then running, then success
        const order = ['queued', 'running', 'success'];
        const ranks = states.map((state) => order.indexOf(state));
        expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
        expect(states).toContain('running');
        for (const info of seen.filter((i) => i.state !== 'success')) expect(info.result).toBeUndefined();
        for (const info of seen.filter((i) => i.state === 'running')) {
          expect(info.progress).toBeGreaterThanOrEqual(0);
          expect(info.progress).toBeLessThan(100);
        }
        const done = seen[seen.length - 1];
        expect(done.result).toMatchObject({ type: 'VirtualMachineSnapshot' });
        expect(await session.snapshots(target)).toEqual([
          { snapshot: done.result, name: 'forklift-migration-precopy' },
        ]);
      });

      const changeIds = capabilities.servesChangeIds;
      where(changeIds)(
        'gives each snapshot of a disk its own changeId, and names the base vmdk for the delta the disk is at',
        async () => {
          const target = named(enabled(changeIds).vm);
          const take = async (name: string) => {
            const info = await waitForTask(session, await session.createSnapshot(target, name, name), {
              intervalMs: 50,
            });
            expect(info.state).toBe('success');
            return session.snapshotDisks(info.result as MoRef);
          };
          const first = await take('one');
          const second = await take('two');
          expect(first.length).toBeGreaterThan(1);
          expect(second.map((disk) => disk.key)).toEqual(first.map((disk) => disk.key));
          const files = new Set<string>();
          for (const [i, disk] of first.entries()) {
            const later = second[i];
            // Forklift keys its deltas by the trimmed file: both snapshots (deltas -000001 and -000002) name the base
            expect(later.file).toBe(disk.file);
            expect(disk.file).toMatch(/^\[[^\]]+\] \S.*\.vmdk$/);
            expect(disk.file).not.toMatch(/-\d{6}\.vmdk$/);
            expect(disk.file).toBe(trimBackingFileName(disk.file));
            files.add(disk.file);
            expect(disk.changeId).toMatch(VSPHERE_CHANGE_ID);
            expect(later.changeId).toMatch(VSPHERE_CHANGE_ID);
            expect(later.changeId).not.toBe(disk.changeId);
            // the disk's change-tracking uuid stays; its sequence moves on
            expect(later.changeId?.split('/')[0]).toBe(disk.changeId?.split('/')[0]);
          }
          expect(files.size).toBe(first.length);
        },
      );

      const checksTools = capabilities.checksTools;
      where(checksTools)(
        'refuses ShutdownGuest without VMware Tools with ToolsUnavailable, leaving the VM on',
        async () => {
          const target = named(enabled(checksTools).vmWithoutTools);
          expect(await session.vmPower(target)).toEqual({ powerState: 'poweredOn', toolsRunning: false });
          const error = await rejection(session.shutdownGuest(target));
          expect(error).toBeInstanceOf(VSphereFault);
          expect((error as VSphereFault).fault).toBe('ToolsUnavailable');
          expect(error.message).toMatch(/^ShutdownGuest: \S/);
          expect((await session.vmPower(target)).powerState).toBe('poweredOn');
        },
      );

      const failsSnapshots = capabilities.failsSnapshots;
      where(failsSnapshots)(
        'ends a failing snapshot task in error, naming the fault, and leaves no snapshot',
        async () => {
          const { vm: name, fault } = enabled(failsSnapshots);
          const target = named(name);
          const task = await session.createSnapshot(target, 'forklift-migration-precopy', 'precopy');
          const info = await waitForTask(session, task, { intervalMs: 50 });
          expect(info).toMatchObject({ task, state: 'error', fault });
          expect(info.error).toEqual(expect.stringMatching(/\S/));
          expect(info.error).not.toBe(fault);
          expect(info.result).toBeUndefined();
          expect(await session.snapshots(target)).toEqual([]);
        },
      );
    });
  });
});
