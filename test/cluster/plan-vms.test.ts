import type { Scenario } from '@kubectl-mtv/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PER_VM_SHARE, readPlanVms, vmReadStrategy } from '../../src/cluster/plan-vms.js';
import { UserError } from '../../src/errors.js';
import { type ClusterFixture, startCluster, userError } from './cluster-fixture.js';

const Gi = 2 ** 30;
const VMS = 64;

/** A provider of 64 VMs (vm-1 .. vm-64, named app-01 .. app-64), of two disks each. */
const SCENARIO: Scenario = {
  name: 'large-provider',
  migration: 'cold',
  maxInFlight: 10,
  diskRate: 100 * 2 ** 20,
  hosts: [{ name: 'esx-01' }, { name: 'esx-02' }],
  vms: Array.from({ length: VMS }, (_, i) => ({
    name: `app-${String(i + 1).padStart(2, '0')}`,
    host: i % 2 === 0 ? 'esx-01' : 'esx-02',
    disks: [{ size: 20 * Gi }, { size: 2 * Gi }],
  })),
};

const refuse = (message: string, hint?: string) => new UserError(`plan "p" ${message}`, { hint });

describe('vmReadStrategy', () => {
  it(`reads per VM up to 1/${PER_VM_SHARE} of the provider's VMs, the list above`, () => {
    expect(vmReadStrategy(8, 64)).toBe('per-vm');
    expect(vmReadStrategy(9, 64)).toBe('list');
    expect(vmReadStrategy(1, 8)).toBe('per-vm');
    expect(vmReadStrategy(1, 7)).toBe('list');
    expect(vmReadStrategy(250, 10_000)).toBe('per-vm');
    expect(vmReadStrategy(2_000, 2_000)).toBe('list');
  });
});

describe('readPlanVms against a provider of 64 VMs', () => {
  let cluster: ClusterFixture;

  beforeAll(async () => {
    cluster = await startCluster(SCENARIO);
  });

  afterAll(async () => {
    await cluster?.close();
  });

  /** What one read cost the inventory: its requests by route and the bytes it sent. */
  const measured = async (wanted: { id?: string; name?: string }[]) => {
    const before = cluster.sandbox.inventoryCounts();
    const inventory = cluster.newInventory();
    const vms = await readPlanVms(inventory, cluster.sandbox.providerUid, wanted, refuse);
    const after = cluster.sandbox.inventoryCounts();
    const byRoute = Object.fromEntries(
      Object.entries(after.byRoute)
        .map(([route, n]) => [route, n - (before.byRoute[route] ?? 0)])
        .filter(([, n]) => n !== 0),
    );
    return { vms, byRoute, bytes: after.bytes - before.bytes, requests: inventory.requestCount() };
  };

  it("reads a small plan's VMs one by one, by id or by name, never the provider's list", async () => {
    const small = await measured([{ id: 'vm-40' }, { name: 'Datacenter/vm/app-03' }, { id: 'vm-7', name: 'app-07' }]);
    expect(small.vms.map((vm) => [vm.id, vm.name, vm.disks.length])).toEqual([
      ['vm-40', 'app-40', 2],
      ['vm-3', 'app-03', 2],
      ['vm-7', 'app-07', 2],
    ]);
    // the provider, two VMs by id, one by ?name=
    expect(small.byRoute).toEqual({ provider: 1, 'vms/:id': 2, vms: 1 });
    expect(small.requests).toBe(4);

    const list = await measured(Array.from({ length: 9 }, (_, i) => ({ id: `vm-${i + 1}` })));
    expect(list.vms).toHaveLength(9);
    expect(list.byRoute).toEqual({ provider: 1, vms: 1 });
    // the list sent every VM of the provider: many times what the small plan cost
    expect(list.bytes).toBeGreaterThan(small.bytes * 5);
  });

  it('reads a plan at the line per VM, in plan order, INVENTORY_CONNECTIONS at a time', async () => {
    const wanted = [64, 1, 33, 2, 17, 50, 8, 9].map((n) => ({ id: `vm-${n}` }));
    const read = await measured(wanted);
    expect(read.vms.map((vm) => vm.id)).toEqual(wanted.map((entry) => entry.id));
    expect(read.byRoute).toEqual({ provider: 1, 'vms/:id': 8 });
  });

  it('refuses the VMs it cannot find either way, naming each', async () => {
    const wanted = [{ id: 'vm-1' }, { id: 'vm-404' }, { name: 'ghost' }];
    for (const entries of [wanted, [...wanted, ...Array.from({ length: 20 }, (_, i) => ({ id: `vm-${i + 2}` }))]]) {
      const error = await userError(readPlanVms(cluster.newInventory(), cluster.sandbox.providerUid, entries, refuse));
      expect(error.message).toBe('plan "p" names 2 VMs the inventory does not have: vm-404, ghost');
    }
  });
});
