import type { Scenario } from '@kubectl-mtv/engine';
import { describe, expect, it } from 'vitest';
import { SandboxInputError } from '../../src/input-error.js';
import { inventoryFromScenario, uuidFromName } from '../../src/inventory/from-scenario.js';
import { DEFAULT_SANDBOX_SCENARIO } from '../../src/seed/default-scenario.js';

const Gi = 2 ** 30;
const UID = '0b6ad5a2-3c1e-4bb5-9a53-5f0c6a1e2d11';

const Ti = 2 ** 40;
const MiB = 2 ** 20;

/** Two hosts and the default one, a VM with an id, a datastore the map leaves out (the engine's Scenario as is). */
const SCENARIO: Scenario = {
  migration: 'cold',
  maxInFlight: 20,
  diskRate: 100 * MiB,
  hosts: [{ name: 'esx-01', bandwidth: 280 * MiB }, { name: 'esx-02' }, { name: 'default' }],
  vms: [
    { name: 'app-01', host: 'esx-01', disks: [{ size: 500 * Gi }, { size: 10 * Gi, datastore: 'ds-2' }] },
    { name: 'app-02', host: 'esx-01', disks: [{ size: 500 * Gi }, { size: 10 * Gi, datastore: 'ds-2' }] },
    { name: 'db', host: 'esx-02', disks: [{ size: Ti, datastore: 'ds-2' }], id: 'vm-1001', powerState: 'poweredOn' },
    { name: 'web', host: 'default', disks: [{ size: 40 * Gi }] },
  ],
  unmappedDatastores: ['ds-9'],
};

describe('inventoryFromScenario', () => {
  const inventory = inventoryFromScenario(SCENARIO, UID);

  it('keys the inventory by the provider uid and names the seeded provider', () => {
    expect(inventory.provider).toEqual({ uid: UID, name: 'vsphere-a', namespace: 'openshift-mtv' });
  });

  it('gives hosts ids host-<n> in scenario order, with the scenario names (default included) and thumbprints', () => {
    const thumbprint = expect.stringMatching(/^([0-9A-F]{2}:){19}[0-9A-F]{2}$/);
    expect(inventory.hosts).toEqual([
      { id: 'host-1', name: 'esx-01', thumbprint, timezone: 'UTC' },
      { id: 'host-2', name: 'esx-02', thumbprint, timezone: 'UTC' },
      { id: 'host-3', name: 'default', thumbprint, timezone: 'UTC' },
    ]);
    // each host presents its own certificate
    const thumbprints = new Set(inventory.hosts.map((host) => host.thumbprint));
    expect(thumbprints.size).toBe(3);
    expect(inventoryFromScenario(SCENARIO, 'another-uid').hosts).toEqual(inventory.hosts);
    expect(inventory.vms.map((vm) => vm.host)).toEqual(['host-1', 'host-1', 'host-2', 'host-3']);
  });

  it('takes the VM id from the scenario, else vm-<position>', () => {
    expect(inventory.vms.map((vm) => [vm.id, vm.name])).toEqual([
      ['vm-1', 'app-01'],
      ['vm-2', 'app-02'],
      ['vm-1001', 'db'],
      ['vm-4', 'web'],
    ]);
  });

  it('powers VMs off unless the scenario says otherwise', () => {
    expect(inventory.vms.map((vm) => vm.powerState)).toEqual(['poweredOff', 'poweredOff', 'poweredOn', 'poweredOff']);
  });

  it('lists each datastore once, disks first then unmapped ones, with ids datastore-<n>', () => {
    expect(inventory.datastores.map((ds) => [ds.id, ds.name])).toEqual([
      ['datastore-1', 'ds-1'],
      ['datastore-2', 'ds-2'],
      ['datastore-3', 'ds-9'],
    ]);
    for (const ds of inventory.datastores) expect(ds.free).toBeLessThanOrEqual(ds.capacity);
  });

  it('describes disks as vSphere does: keys from 2000, backing files per datastore, capacity in bytes', () => {
    const [app01] = inventory.vms;
    expect(app01.disks).toEqual([
      {
        key: 2000,
        unitNumber: 0,
        controllerKey: 1000,
        file: '[ds-1] app-01/app-01.vmdk',
        datastore: { kind: 'Datastore', id: 'datastore-1' },
        capacity: 500 * Gi,
        shared: false,
        rdm: false,
        bus: 'scsi',
        mode: 'persistent',
        changeTrackingEnabled: false,
        serial: expect.stringMatching(/^6000c29[0-9a-f]-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
      },
      expect.objectContaining({
        key: 2001,
        file: '[ds-2] app-01/app-01_1.vmdk',
        datastore: { kind: 'Datastore', id: 'datastore-2' },
        capacity: 10 * Gi,
      }),
    ]);
  });

  it('skips SCSI unit 7 and moves to the next controller after 15 disks', () => {
    const big: Scenario = { ...SCENARIO, vms: [{ name: 'big', host: 'default', disks: Array(24).fill({ size: Gi }) }] };
    const units = inventoryFromScenario(big, UID).vms[0].disks.map((disk) => [disk.controllerKey, disk.unitNumber]);
    expect(units.slice(6, 9)).toEqual([
      [1000, 6],
      [1000, 8],
      [1000, 9],
    ]);
    expect(units[15]).toEqual([1001, 0]);
  });

  it('places disks on the bus and controller the scenario names, keys counting up per bus in scenario order', () => {
    const archive = inventoryFromScenario(DEFAULT_SANDBOX_SCENARIO, UID).vms.find((vm) => vm.name === 'archive-01');
    const places = archive?.disks.map((disk) => [disk.bus, disk.controllerKey, disk.unitNumber, disk.key]) ?? [];
    // ten disks on SCSI controller 1 first, then ten on controller 0: the later ones have the higher keys
    expect(places[0]).toEqual(['scsi', 1001, 0, 2000]);
    // unit 7 is the SCSI controller's own
    expect(places[9]).toEqual(['scsi', 1001, 10, 2009]);
    expect(places[10]).toEqual(['scsi', 1000, 0, 2010]);
    expect(places[19]).toEqual(['scsi', 1000, 10, 2019]);
    expect(places.slice(20)).toEqual([
      ['sata', 15000, 0, 16000],
      ['sata', 15000, 1, 16001],
      ['ide', 200, 0, 3000],
      ['ide', 200, 1, 3001],
    ]);
    expect(new Set(archive?.disks.map((disk) => disk.file)).size).toBe(24);
    const web = inventoryFromScenario(DEFAULT_SANDBOX_SCENARIO, UID).vms.filter((vm) => vm.name.startsWith('web-'));
    expect(new Set(web.map((vm) => vm.disks[0].bus))).toEqual(new Set(['scsi', 'sata', 'ide']));
  });

  it('refuses a controller with no free unit, naming the VM and the disk', () => {
    const full: Scenario = {
      ...SCENARIO,
      vms: [{ name: 'ide-vm', host: 'default', disks: Array(3).fill({ size: Gi, bus: 'ide', controller: 1 }) }],
    };
    expect(() => inventoryFromScenario(full, UID)).toThrow(SandboxInputError);
    expect(() => inventoryFromScenario(full, UID)).toThrow('VM "ide-vm" disk 2 finds no free unit on ide controller 1');
  });

  it('gives each VM an instance uuid besides its BIOS uuid', () => {
    for (const vm of inventory.vms) {
      expect(vm.instanceUuid).toBe(uuidFromName(vm.name, 'instance'));
      expect(vm.instanceUuid).not.toBe(vm.uuid);
    }
  });

  it('derives a stable RFC 4122 uuid from the VM name', () => {
    const again = inventoryFromScenario(SCENARIO, 'another-uid');
    expect(again.vms.map((vm) => vm.uuid)).toEqual(inventory.vms.map((vm) => vm.uuid));
    expect(new Set(inventory.vms.map((vm) => vm.uuid)).size).toBe(4);
    for (const vm of inventory.vms) {
      expect(vm.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(vm.uuid).toBe(uuidFromName(vm.name));
    }
  });

  it('turns change tracking on for warm scenarios', () => {
    const warm = inventoryFromScenario({ ...SCENARIO, migration: 'warm' }, UID);
    expect(warm.vms.every((vm) => vm.changeTrackingEnabled && vm.disks.every((d) => d.changeTrackingEnabled))).toBe(
      true,
    );
  });

  it('refuses a generated id that another VM was given (an input error naming both)', () => {
    const clash = { ...SCENARIO, vms: [{ ...SCENARIO.vms[0], id: 'vm-2' }, SCENARIO.vms[1]] };
    expect(() => inventoryFromScenario(clash, UID)).toThrow(
      expect.objectContaining({
        name: SandboxInputError.name,
        message: 'scenario: VMs "app-01" and "app-02" both have the inventory id "vm-2"',
      }),
    );
  });

  it('configures a VM as the scenario says, else 2 CPUs on 2 sockets, 4096 MiB, BIOS and a RHEL 9 guest', () => {
    const [app01] = inventory.vms;
    expect(app01).toMatchObject({
      cpuCount: 2,
      coresPerSocket: 1,
      memoryMB: 4096,
      firmware: 'bios',
      secureBoot: false,
      tpmEnabled: false,
      guestId: 'rhel9_64Guest',
      guestName: 'Red Hat Enterprise Linux 9 (64-bit)',
      diskEnableUuid: false,
      nestedHVEnabled: false,
    });
    const configured: Scenario = {
      ...SCENARIO,
      vms: [
        { name: 'win', host: 'default', disks: [], guestId: 'windows2019srv_64Guest', tpm: true },
        { name: 'sb', host: 'default', disks: [], secureBoot: true, cpuCount: 8, coresPerSocket: 4, memoryMB: 16384 },
        { name: 'efi', host: 'default', disks: [], firmware: 'efi' },
      ],
    };
    const [win, sb, efi] = inventoryFromScenario(configured, UID).vms;
    // vSphere needs EFI for a TPM and for secure boot
    expect(win).toMatchObject({
      firmware: 'efi',
      tpmEnabled: true,
      secureBoot: false,
      guestName: 'Microsoft Windows Server 2019 (64-bit)',
      diskEnableUuid: true,
    });
    expect(sb).toMatchObject({ firmware: 'efi', secureBoot: true, cpuCount: 8, coresPerSocket: 4, memoryMB: 16384 });
    expect(efi).toMatchObject({ firmware: 'efi', secureBoot: false, tpmEnabled: false });
  });

  it('gives each VM one NIC on VM Network unless the scenario lists its NICs, with stable VMware MACs', () => {
    const withNics: Scenario = {
      ...SCENARIO,
      vms: [
        { name: 'a', host: 'default', disks: [] },
        { name: 'b', host: 'default', disks: [], nics: [{ network: 'Back' }, { network: 'VM Network' }] },
      ],
    };
    const data = inventoryFromScenario(withNics, UID);
    expect(data.networks).toEqual([
      { id: 'network-1', name: 'VM Network' },
      { id: 'network-2', name: 'Back' },
    ]);
    const [a, b] = data.vms;
    expect(a.nics).toEqual([
      { network: { kind: 'Network', id: 'network-1' }, mac: expect.any(String), order: 0, deviceKey: 4000 },
    ]);
    expect(b.nics.map((nic) => [nic.network.id, nic.order, nic.deviceKey])).toEqual([
      ['network-2', 0, 4000],
      ['network-1', 1, 4001],
    ]);
    expect(b.networks).toEqual([
      { kind: 'Network', id: 'network-1' },
      { kind: 'Network', id: 'network-2' },
    ]);
    const macs = [...a.nics, ...b.nics].map((nic) => nic.mac);
    for (const mac of macs) expect(mac).toMatch(/^00:50:56:[0-3][0-9a-f]:[0-9a-f]{2}:[0-9a-f]{2}$/);
    expect(new Set(macs).size).toBe(3);
    expect(inventoryFromScenario(withNics, 'another-uid').vms.flatMap((vm) => vm.nics)).toEqual([...a.nics, ...b.nics]);
  });

  it('takes each host time zone from the scenario, UTC unless given', () => {
    const zoned = { ...SCENARIO, hosts: [{ name: 'esx-01', timezone: 'Europe/Berlin' }, { name: 'esx-02' }] };
    expect(inventoryFromScenario(zoned, UID).hosts.map((host) => host.timezone)).toEqual([
      'Europe/Berlin',
      'UTC',
      'UTC',
    ]);
  });

  it('seeds EFI, secure-boot, TPM and BIOS VMs, a Windows guest and NICs on two networks by default', () => {
    const data = inventoryFromScenario(DEFAULT_SANDBOX_SCENARIO, UID);
    const named = (name: string) => data.vms.find((vm) => vm.name === name);
    expect(named('app-01')).toMatchObject({ firmware: 'efi', secureBoot: false, tpmEnabled: false });
    expect(named('app-02')).toMatchObject({ firmware: 'efi', secureBoot: true, tpmEnabled: false });
    expect(named('app-03')).toMatchObject({ firmware: 'efi', secureBoot: true, tpmEnabled: true });
    expect(named('app-04')).toMatchObject({ firmware: 'bios', cpuCount: 4, coresPerSocket: 2, memoryMB: 8192 });
    expect(named('web-01')).toMatchObject({ guestId: 'windows2019srv_64Guest' });
    expect(data.networks.map((network) => network.name)).toEqual(['VM Network', 'App Network']);
    expect(named('web-02')?.nics.map((nic) => nic.network.id)).toEqual(['network-1', 'network-2']);
    const macs = data.vms.flatMap((vm) => vm.nics.map((nic) => nic.mac));
    expect(new Set(macs).size).toBe(macs.length);
  });
});
