import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MtvRelease } from '../../src/api/crd-loader.js';
import { inventoryFromScenario } from '../../src/inventory/from-scenario.js';
import { hostResource, MAX_DETAIL, vmResource } from '../../src/inventory/resources.js';
import { type InventoryServer, startInventoryServer } from '../../src/inventory/server.js';
import { DEFAULT_SANDBOX_SCENARIO } from '../../src/seed/default-scenario.js';
import { createSandboxTls } from '../../src/tls.js';
import { getJson } from './get-json.js';

const TOKEN = 'inventory-token';
const UID = '7d0c1a5e-2f4b-4c8e-9d3a-1b2c3d4e5f60';
const scenario = DEFAULT_SANDBOX_SCENARIO;
const inventory = inventoryFromScenario(scenario, UID);
const tls = createSandboxTls();

type Json = Record<string, unknown>;

describe.each([
  { mode: 'https', tls: { cert: tls.serverCert, key: tls.serverKey }, ca: tls.caCert },
  { mode: 'http', tls: undefined, ca: undefined },
])('the inventory server over $mode', ({ mode, tls: serverTls, ca }) => {
  let server: InventoryServer;
  /** `token` null sends no Authorization header. */
  const get = (path: string, token: string | null = TOKEN) =>
    getJson(`${server.url}${path}`, { token: token ?? undefined, ca });

  beforeAll(async () => {
    server = await startInventoryServer({ token: TOKEN, tls: serverTls, inventory });
  });

  afterAll(async () => {
    await server.close();
  });

  it(`listens on 127.0.0.1 with an ${mode} URL`, () => {
    expect(server.url).toBe(`${mode}://127.0.0.1:${server.port}`);
  });

  it('answers 401 with a JSON body without a bearer token or with a wrong one', async () => {
    for (const path of ['/providers/vsphere', `/providers/vsphere/${UID}/vms/vm-1`, '/nothing']) {
      const missing = await get(path, null);
      expect(missing).toMatchObject({
        status: 401,
        body: { error: 'Unauthorized', message: 'a bearer token is required' },
      });
      expect(missing.headers['www-authenticate']).toBe('Bearer');
      const wrong = await get(path, 'not-the-token');
      expect(wrong).toMatchObject({
        status: 401,
        body: { error: 'Unauthorized', message: 'the bearer token is not valid' },
      });
    }
  });

  it('lists the vsphere provider by uid, name and namespace', async () => {
    const reply = await get('/providers/vsphere');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(reply.body).toEqual([
      {
        uid: UID,
        id: UID,
        name: 'vsphere-a',
        namespace: 'openshift-mtv',
        version: '1',
        selfLink: `providers/vsphere/${UID}`,
      },
    ]);
    const all = await get('/providers?detail=1');
    expect(all.body).toMatchObject({ vsphere: [{ uid: UID, type: 'vsphere', vmCount: inventory.vms.length }] });
    expect((await get(`/providers/vsphere/${UID}`)).body).toMatchObject({ uid: UID, hostCount: 2 });
  });

  it('lists VMs in plan order, each in full whatever ?detail says, as Forklift VMHandler.List does', async () => {
    const bare = (await get(`/providers/vsphere/${UID}/vms`)).body as Json[];
    expect(bare.map((vm) => vm.name)).toEqual(scenario.vms.map((vm) => vm.name));
    expect(bare[0]).toMatchObject({ id: 'vm-1', host: 'host-1', powerState: 'poweredOff', disks: expect.any(Array) });
    expect(bare[0]).toMatchObject({ uuid: inventory.vms[0].uuid, cpuCount: 4, coresPerSocket: 2, memoryMB: 8192 });
    const full = (await get(`/providers/vsphere/${UID}/vms/?detail=all`)).body as Json[];
    expect(bare).toEqual(full);
    expect((await get(`/providers/vsphere/${UID}/vms?detail=1`)).body).toEqual(full);
    // other collections still render by detail
    const hosts = (await get(`/providers/vsphere/${UID}/hosts`)).body as Json[];
    expect(Object.keys(hosts[0]).sort()).toEqual(['id', 'name', 'parent', 'path', 'revision', 'selfLink']);
  });

  it('filters a list by name, as Forklift does with ?name=', async () => {
    const reply = await get(`/providers/vsphere/${UID}/vms?name=Datacenter/vm/web-03&detail=1`);
    expect((reply.body as Json[]).map((vm) => vm.name)).toEqual(['web-03']);
  });

  it('answers every scenario VM by id with host, power state, uuid, sizes and disks', async () => {
    for (const [i, vm] of scenario.vms.entries()) {
      const expected = inventory.vms[i];
      const reply = await get(`/providers/vsphere/${UID}/vms/${expected.id}`);
      expect(reply.status).toBe(200);
      const body = reply.body as Json & { disks: Json[] };
      expect(body).toMatchObject({
        id: expected.id,
        name: vm.name,
        host: inventory.hosts.find((host) => host.name === vm.host)?.id,
        powerState: vm.powerState ?? 'poweredOff',
        uuid: expected.uuid,
        cpuCount: expect.any(Number),
        memoryMB: expect.any(Number),
        selfLink: `providers/vsphere/${UID}/vms/${expected.id}`,
      });
      expect(body.disks).toHaveLength(vm.disks.length);
      for (const [d, disk] of vm.disks.entries()) {
        const datastore = disk.datastore ?? 'ds-1';
        expect(body.disks[d]).toMatchObject({
          key: expected.disks[d].key,
          bus: disk.bus ?? 'scsi',
          controllerKey: expected.disks[d].controllerKey,
          unitNumber: expected.disks[d].unitNumber,
          file: `[${datastore}] ${vm.name}/${vm.name}${d === 0 ? '' : `_${d}`}.vmdk`,
          datastore: { kind: 'Datastore', id: inventory.datastores.find((ds) => ds.name === datastore)?.id },
          capacity: disk.size,
          shared: false,
          rdm: false,
          changeTrackingEnabled: false,
        });
      }
    }
  });

  it('serves hosts and datastores with ids and names', async () => {
    const hosts = (await get(`/providers/vsphere/${UID}/hosts?detail=1`)).body as Json[];
    expect(hosts.map((host) => [host.id, host.name])).toEqual([
      ['host-1', 'esx-01'],
      ['host-2', 'esx-02'],
    ]);
    expect(hosts[0]).toMatchObject({
      productName: 'VMware ESXi',
      inMaintenance: false,
      status: 'green',
      thumbprint: inventory.hosts[0].thumbprint,
    });
    const datastores = (await get(`/providers/vsphere/${UID}/datastores?detail=1`)).body as Json[];
    expect(datastores.map((ds) => [ds.id, ds.name])).toEqual([
      ['datastore-1', 'ds-1'],
      ['datastore-2', 'ds-2'],
    ]);
    expect(datastores[0]).toMatchObject({ type: 'VMFS', capacity: expect.any(Number), free: expect.any(Number) });
    expect((await get(`/providers/vsphere/${UID}/hosts/host-2`)).body).toMatchObject({ id: 'host-2', name: 'esx-02' });
    expect((await get(`/providers/vsphere/${UID}/datastores/datastore-2`)).body).toMatchObject({ name: 'ds-2' });
    expect((await get(`/providers/vsphere/${UID}/networks?detail=1`)).body).toMatchObject([
      { id: 'network-1', name: 'VM Network', variant: 'Standard' },
      { id: 'network-2', name: 'App Network', variant: 'Standard' },
    ]);
  });

  it('answers 404 for unknown ids, collections and providers', async () => {
    for (const path of [
      `/providers/vsphere/${UID}/vms/vm-999`,
      `/providers/vsphere/${UID}/hosts/host-9`,
      `/providers/vsphere/${UID}/datastores/ds-1`,
      `/providers/vsphere/${UID}/clusters`,
      `/providers/vsphere/${UID}/vms/vm-1/disks`,
      '/providers/ovirt',
      '/version',
    ]) {
      const reply = await get(path);
      expect(reply.status, path).toBe(404);
      expect(reply.body, path).toMatchObject({ error: 'NotFound' });
    }
    const unknownProvider = await get('/providers/vsphere/no-such-uid/vms/vm-1');
    expect(unknownProvider.status).toBe(404);
    expect(unknownProvider.headers['x-reason']).toBe('ProviderNotFound');
  });

  it('answers 400 for a detail that is neither a number nor all', async () => {
    expect((await get(`/providers/vsphere/${UID}/vms?detail=lots`)).status).toBe(400);
  });
});

describe('a provider still syncing', () => {
  it("answers its first N requests 206 with no body after Forklift's parity wait, then 200", async () => {
    const server = await startInventoryServer({ token: TOKEN, inventory, sync: { requests: 2, parityWaitMs: 50 } });
    try {
      // requests that name no provider never wait
      expect((await getJson(`${server.url}/providers/vsphere`, { token: TOKEN })).status).toBe(200);
      const started = performance.now();
      const first = await getJson(`${server.url}/providers/vsphere/${UID}/vms`, { token: TOKEN });
      expect(performance.now() - started).toBeGreaterThanOrEqual(45);
      expect(first).toMatchObject({ status: 206, body: '' });
      expect((await getJson(`${server.url}/providers/vsphere/${UID}`, { token: TOKEN })).status).toBe(206);
      expect((await getJson(`${server.url}/providers/vsphere/${UID}`, { token: TOKEN })).status).toBe(200);
      expect(server.counts().partialContent).toBe(2);
    } finally {
      await server.close();
    }
  });

  it('answers 206 while it syncs for some seconds, and 200 to a request whose wait outlasts the sync', async () => {
    const server = await startInventoryServer({ token: TOKEN, inventory, sync: { seconds: 1, parityWaitMs: 100 } });
    // the sync's second began while the server started: counted from here, what is left at 950 ms is at most 50 ms
    // (counted from before the start, a slow start on a loaded machine left more than the 100 ms parity wait)
    const started = performance.now();
    try {
      expect((await getJson(`${server.url}/providers/vsphere/${UID}`, { token: TOKEN })).status).toBe(206);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, 950 - (performance.now() - started))));
      // at most 50 ms of sync left: this request waits for it, as EnsureParity polls, and is answered 200
      expect((await getJson(`${server.url}/providers/vsphere/${UID}`, { token: TOKEN })).status).toBe(200);
      expect(server.counts().partialContent).toBe(1);
    } finally {
      await server.close();
    }
  });
});

describe('the inventory server over https', () => {
  it('is refused by a client that does not trust the sandbox CA', async () => {
    const server = await startInventoryServer({
      token: TOKEN,
      tls: { cert: tls.serverCert, key: tls.serverKey },
      inventory,
    });
    try {
      await expect(getJson(`${server.url}/providers/vsphere`, { token: TOKEN })).rejects.toMatchObject({
        code: expect.stringMatching(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN/),
      });
    } finally {
      await server.close();
    }
  });

  it('counts requests, bytes and routes', async () => {
    const server = await startInventoryServer({ token: TOKEN, inventory });
    try {
      await getJson(`${server.url}/providers/vsphere/${UID}`, { token: TOKEN });
      await getJson(`${server.url}/providers/vsphere/${UID}/vms/vm-1`, { token: TOKEN });
      const list = await getJson(`${server.url}/providers/vsphere/${UID}/vms`, { token: TOKEN });
      await getJson(`${server.url}/providers/vsphere/${UID}/vms`);
      const counts = server.counts();
      expect(counts).toMatchObject({ requests: 4, partialContent: 0 });
      // the unauthenticated request has no route
      expect(counts.byRoute).toEqual({ provider: 1, 'vms/:id': 1, vms: 1 });
      expect(counts.bytes).toBeGreaterThan(JSON.stringify(list.body).length);
    } finally {
      await server.close();
    }
  });

  it('refuses an empty token at start', async () => {
    await expect(startInventoryServer({ token: '', inventory })).rejects.toThrow(/token must not be empty/);
  });
});

describe('a VM as each MTV release renders it (model/vsphere/model.go Disk, web/vsphere/vm.go VM)', () => {
  const vm = inventory.vms.find((candidate) => candidate.name === 'archive-01');
  if (!vm) throw new Error('the default scenario has archive-01');
  const render = (release: MtvRelease) =>
    vmResource(inventoryFromScenario(scenario, UID, release), vm, MAX_DETAIL) as Json & { disks: Json[] };

  it('2.8 shows each disk bus and key, without controller or unit, and no instance uuid', () => {
    const vm28 = render('2.8');
    expect(Object.keys(vm28.disks[0]).sort()).not.toContain('controllerKey');
    expect(vm28.disks[0]).not.toHaveProperty('unitNumber');
    expect(vm28.disks[20]).toMatchObject({ bus: 'sata', key: 16000 });
    expect(vm28).not.toHaveProperty('instanceUuid');
  });

  it('2.9 and 2.10 add controllerKey and unitNumber; 2.11 and 2.12 the instance uuid', () => {
    expect(render('2.9').disks[10]).toMatchObject({ bus: 'scsi', key: 2010, controllerKey: 1000, unitNumber: 0 });
    expect(render('2.10')).not.toHaveProperty('instanceUuid');
    for (const release of ['2.11', '2.12'] as const) {
      expect(render(release)).toMatchObject({ uuid: vm.uuid, instanceUuid: vm.instanceUuid });
    }
  });

  it('serves CPU, memory, firmware, secure boot, TPM and the guest in every release', () => {
    const efi = inventory.vms.find((candidate) => candidate.name === 'app-03');
    if (!efi) throw new Error('the default scenario has app-03');
    for (const release of ['2.8', '2.9', '2.10', '2.11', '2.12'] as const) {
      expect(vmResource(inventoryFromScenario(scenario, UID, release), efi, MAX_DETAIL)).toMatchObject({
        cpuCount: 4,
        coresPerSocket: 2,
        memoryMB: 8192,
        firmware: 'efi',
        secureBoot: true,
        tpmEnabled: true,
        guestId: 'rhel9_64Guest',
        guestName: 'Red Hat Enterprise Linux 9 (64-bit)',
      });
    }
  });

  it('adds diskEnableUuid, nestedHVEnabled and disk serials from 2.9, tools status from 2.11, tags from 2.12', () => {
    const vm28 = render('2.8');
    for (const field of ['diskEnableUuid', 'nestedHVEnabled', 'guestNameFromVmwareTools', 'toolsStatus', 'tags']) {
      expect(vm28).not.toHaveProperty(field);
    }
    expect(vm28.disks[0]).not.toHaveProperty('serial');
    expect(vm28.disks[0]).not.toHaveProperty('changeTrackingEnabled');
    const vm29 = render('2.9');
    expect(vm29).toMatchObject({ diskEnableUuid: false, nestedHVEnabled: false });
    expect(vm29.disks[0]).toMatchObject({ serial: vm.disks[0].serial, changeTrackingEnabled: false });
    expect(render('2.10')).not.toHaveProperty('toolsStatus');
    expect(render('2.11')).toMatchObject({ toolsStatus: 'toolsNotRunning' });
    expect(render('2.11')).not.toHaveProperty('tags');
    expect(render('2.12')).toMatchObject({ consolidationNeeded: false, customDef: [], customValues: [], tags: [] });
  });

  it('shows each NIC network and lowercase MAC in every release, order from 2.9, deviceKey 2.10, pciAddress 2.12', () => {
    const nic = vm.nics[0];
    const nicOf = (release: MtvRelease) => (render(release).nics as Json[])[0];
    expect(nicOf('2.8')).toEqual({ network: { kind: 'Network', id: 'network-2' }, mac: nic.mac });
    expect(nicOf('2.9')).toEqual({ network: nic.network, mac: nic.mac, order: 0 });
    expect(nicOf('2.10')).toEqual({ network: nic.network, mac: nic.mac, order: 0, deviceKey: 4000 });
    expect(nicOf('2.11')).toEqual(nicOf('2.10'));
    expect(nicOf('2.12')).toEqual({ ...nicOf('2.10'), pciAddress: '' });
    expect(nic.mac).toBe(nic.mac.toLowerCase());
  });
});

describe('a host as each MTV release renders it (web/vsphere/host.go Host)', () => {
  const render = (release: MtvRelease, detail = MAX_DETAIL) => {
    const data = inventoryFromScenario(scenario, UID, release);
    return hostResource(data, data.hosts[0], detail);
  };

  it('shows the thumbprint in every release, memoryBytes from 2.10, hostScsiDisks and advancedOptions from 2.9', () => {
    const common = ['cluster', 'status', 'inMaintenance', 'managementServerIp', 'thumbprint', 'timezone', 'cpuSockets'];
    for (const release of ['2.8', '2.9', '2.10', '2.11', '2.12'] as const) {
      expect(Object.keys(render(release))).toEqual(expect.arrayContaining(common));
      expect(render(release).thumbprint).toBe(inventory.hosts[0].thumbprint);
    }
    expect(render('2.8')).not.toHaveProperty('hostScsiDisks');
    expect(render('2.8')).not.toHaveProperty('memoryBytes');
    expect(render('2.9')).toMatchObject({ hostScsiDisks: null, advancedOptions: null });
    expect(render('2.9')).not.toHaveProperty('memoryBytes');
    expect(render('2.10')).toMatchObject({ memoryBytes: 512 * 2 ** 30 });
  });

  it('serves the host time zone in every release', () => {
    const zoned = inventoryFromScenario(
      { ...scenario, hosts: [{ name: 'esx-01', timezone: 'Asia/Tokyo' }] },
      UID,
      '2.8',
    );
    expect(hostResource(zoned, zoned.hosts[0], MAX_DETAIL)).toMatchObject({ timezone: 'Asia/Tokyo' });
    expect(render('2.12')).toMatchObject({ timezone: 'UTC' });
  });

  it('shows the base resource only at detail 0 (Host.Content)', () => {
    expect(Object.keys(render('2.12', 0)).sort()).toEqual(['id', 'name', 'parent', 'path', 'revision', 'selfLink']);
  });
});
