import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../src/sandbox.js';
import { DEFAULT_SANDBOX_SCENARIO } from '../../src/seed/default-scenario.js';
import { SEED_NAMES } from '../../src/seed/names.js';
import { getJson } from '../inventory/get-json.js';
import { faultType, ref, retrieveBody, soap } from './soap-call.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ scenario: DEFAULT_SANDBOX_SCENARIO, speed: 200, tickMs: 20 });
});
afterAll(() => sandbox?.close());

/** The SHA-1 of the certificate the server presents, as node:tls reports it (`AA:BB:…`). */
function presented(url: string, ca: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port), ca, servername: 'localhost' }, () => {
      resolve(socket.getPeerCertificate().fingerprint);
      socket.end();
    });
    socket.on('error', reject);
  });
}

describe('the sandbox vCenter inside startSandbox', () => {
  it('is what the source Provider and its Secret name: URL, CA, certificate fingerprint', async () => {
    const provider = sandbox.store.get('providers.forklift.konveyor.io', SEED_NAMES.forkliftNamespace, 'vsphere-a');
    expect((provider?.spec as { url?: string } | undefined)?.url).toBe(sandbox.vcenter.url);
    expect((provider?.status as { fingerprint?: string } | undefined)?.fingerprint).toBe(sandbox.vcenter.thumbprint);
    const secret = sandbox.store.get('secrets', SEED_NAMES.forkliftNamespace, SEED_NAMES.sourceProviderSecret);
    const data = secret?.data as Record<string, string>;
    expect(Buffer.from(data.cacert, 'base64').toString()).toBe(sandbox.vcenter.caCert);
    expect(Buffer.from(data.thumbprint, 'base64').toString()).toBe(sandbox.vcenter.thumbprint);
    expect(await presented(sandbox.vcenter.url, sandbox.vcenter.caCert)).toBe(sandbox.vcenter.thumbprint);
  });

  it('shuts a guest down and the inventory serves the VM poweredOff', async () => {
    const { url, caCert, user, password } = sandbox.vcenter;
    const login = await soap(
      url,
      caCert,
      `<Login xmlns="urn:vim25">${ref('SessionManager', 'SessionManager')}<userName>${user}</userName><password>${password}</password></Login>`,
    );
    const cookie = login.setCookie ?? '';
    const vmUrl = `${sandbox.inventoryUrl}/providers/vsphere/${sandbox.providerUid}/vms/vm-7`;
    const read = async () =>
      ((await getJson(vmUrl, { token: sandbox.token, ca: sandbox.ingressCaCert })).body as { powerState: string })
        .powerState;
    expect(await read()).toBe('poweredOn');
    const shutdown = await soap(
      url,
      caCert,
      `<ShutdownGuest xmlns="urn:vim25">${ref('VirtualMachine', 'vm-7')}</ShutdownGuest>`,
      cookie,
    );
    expect(shutdown.status).toBe(200);
    let state = await read();
    for (let i = 0; i < 100 && state === 'poweredOn'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      state = await read();
    }
    expect(state).toBe('poweredOff');
    const off = await soap(
      url,
      caCert,
      `<ShutdownGuest xmlns="urn:vim25">${ref('VirtualMachine', 'vm-7')}</ShutdownGuest>`,
      cookie,
    );
    expect(faultType(off)).toBe('InvalidPowerState');
  });

  it("serves the VM's current snapshot in the inventory once CreateSnapshot_Task ends, and none once it is removed", async () => {
    const { url, caCert, user, password } = sandbox.vcenter;
    const call = async (body: string) => {
      const reply = await soap(url, caCert, body, cookie);
      expect(reply.status).toBe(200);
      return reply.body;
    };
    const login = await soap(
      url,
      caCert,
      `<Login xmlns="urn:vim25">${ref('SessionManager', 'SessionManager')}<userName>${user}</userName><password>${password}</password></Login>`,
    );
    const cookie = login.setCookie ?? '';
    const vmUrl = `${sandbox.inventoryUrl}/providers/vsphere/${sandbox.providerUid}/vms/vm-3`;
    const served = async () =>
      ((await getJson(vmUrl, { token: sandbox.token, ca: sandbox.ingressCaCert })).body as { snapshot: unknown })
        .snapshot;
    /** Polls the inventory until its `snapshot` changes from `from`. */
    const next = async (from: unknown) => {
      let now = await served();
      for (let i = 0; i < 200 && JSON.stringify(now) === JSON.stringify(from); i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        now = await served();
      }
      return now;
    };
    expect(await served()).toEqual({ kind: '', id: '' });
    await call(
      `<CreateSnapshot_Task xmlns="urn:vim25">${ref('VirtualMachine', 'vm-3')}<name>forklift-migration-precopy</name><description>Forklift Operator warm migration precopy</description><memory>false</memory><quiesce>true</quiesce></CreateSnapshot_Task>`,
    );
    const taken = await next({ kind: '', id: '' });
    // the same snapshot vCenter names current
    const current = (await call(retrieveBody('VirtualMachine', 'vm-3', ['snapshot.currentSnapshot'])))
      .RetrievePropertiesExResponse.returnval.objects.propSet.val['#text'];
    expect(current).toMatch(/^snapshot-\d+$/);
    expect(taken).toEqual({ kind: 'VirtualMachineSnapshot', id: current });
    await call(
      `<RemoveSnapshot_Task xmlns="urn:vim25">${ref('VirtualMachineSnapshot', current)}<removeChildren>false</removeChildren><consolidate>true</consolidate></RemoveSnapshot_Task>`,
    );
    expect(await next(taken)).toEqual({ kind: '', id: '' });
  });

  it("has the sandbox's CDI importer look each checkpoint up in this vCenter", async () => {
    const vm = sandbox.vcenter.model.allVms().find((candidate) => candidate.id === 'vm-4');
    if (!vm) throw new Error('vm-4 is not in the default scenario');
    const name = 'vm-4-checkpoint';
    sandbox.store.create('datavolumes.cdi.kubevirt.io', {
      apiVersion: 'cdi.kubevirt.io/v1beta1',
      kind: 'DataVolume',
      metadata: { name, namespace: SEED_NAMES.targetNamespace },
      spec: {
        storage: { resources: { requests: { storage: String(vm.disks[0].capacity) } } },
        source: {
          vddk: {
            url: sandbox.vcenter.url,
            uuid: vm.uuid,
            backingFile: vm.disks[0].file,
            thumbprint: sandbox.vcenter.thumbprint,
          },
        },
        checkpoints: [{ previous: '', current: 'snapshot-404' }],
        finalCheckpoint: false,
      },
    });
    const runningMessage = () => {
      const status = sandbox.store.get('datavolumes.cdi.kubevirt.io', SEED_NAMES.targetNamespace, name)?.status as
        | { conditions?: { type: string; message: string }[] }
        | undefined;
      return status?.conditions?.find((c) => c.type === 'Running')?.message;
    };
    for (let i = 0; i < 100 && !runningMessage(); i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(runningMessage()).toBe('Unable to connect to vddk data source: no snapshots for this VM');
  });
});
