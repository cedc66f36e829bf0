/**
 * The plan's VMs as the inventory has them. A large vCenter has thousands of VMs and a plan names a few of them:
 * the provider's VM list (Forklift renders every VM of it at full detail, web/vsphere/vm.go VMHandler.List) would
 * cost megabytes and the inventory's time for the few we need. Forklift's API has no filter by a set of ids, only
 * one object by id (`vms/:id`) and a list by name (`?name=`); its own Finder.ByRef (web/vsphere/client.go) asks that
 * way for each VM of a plan. So: one request for the provider (its vmCount), then either one request per plan VM,
 * INVENTORY_CONNECTIONS at a time, or, when the plan names a large share of the provider's VMs, the one list.
 *
 * Where the line lies (docs/COMPATIBILITY.md has the figures): per-VM reads take ceil(n / 8) round trips and send n
 * VMs; the list takes one round trip and sends all N. At a 20 ms round trip and 100 Mbit/s, with about 4 KB a VM,
 * ceil(n / 8) round trips cost what N VMs of transfer cost when n is about N / 8: below that, per-VM reads win on
 * time as well as on bytes.
 */
import type { UserError } from '../errors.js';
import { INVENTORY_CONNECTIONS, type InventoryClient, type InventoryVmDetail } from './inventory-client.js';

/** The plan reads its VMs one by one when it names at most 1/PER_VM_SHARE of the provider's VMs. */
export const PER_VM_SHARE = 8;

/** A VM as the Plan names it: by id, by name (the last segment of an inventory path), or both. */
export interface PlanVmRef {
  id?: string;
  name?: string;
}

/** How the VMs were read: one request per plan VM, or the provider's whole list. */
export type VmReadStrategy = 'per-vm' | 'list';

export function vmReadStrategy(planVms: number, providerVms: number): VmReadStrategy {
  return planVms * PER_VM_SHARE <= providerVms ? 'per-vm' : 'list';
}

/** Plan VMs in plan order, each found by id, or by name when the plan gives only a name; refuses any missing. */
export async function readPlanVms(
  inventory: InventoryClient,
  providerUid: string,
  wanted: PlanVmRef[],
  refuse: (message: string, hint?: string) => UserError,
): Promise<InventoryVmDetail[]> {
  const provider = await inventory.vsphereProvider(providerUid);
  const candidates =
    vmReadStrategy(wanted.length, provider.vmCount) === 'per-vm'
      ? await mapLimited(wanted, INVENTORY_CONNECTIONS, async (entry) => {
          if (entry.id) {
            const vm = await inventory.vsphereVm(providerUid, entry.id);
            return vm ? [vm] : [];
          }
          const name = lastSegment(entry.name);
          if (name === undefined) return [];
          return (await inventory.vsphereVmsNamed(providerUid, name)).filter((vm) => vm.name === name);
        })
      : listMatches(wanted, await inventory.vsphereVms(providerUid));
  return matchVms(wanted, candidates, refuse);
}

function lastSegment(name: string | undefined): string | undefined {
  return name?.split('/').pop() || undefined;
}

function listMatches(wanted: PlanVmRef[], inventory: InventoryVmDetail[]): InventoryVmDetail[][] {
  return wanted.map((entry) => {
    const name = lastSegment(entry.name);
    return entry.id
      ? inventory.filter((vm) => vm.id === entry.id)
      : inventory.filter((vm) => name !== undefined && vm.name === name);
  });
}

/** Each plan VM's matches, one expected; none or several are refused together, naming each. */
function matchVms(
  wanted: PlanVmRef[],
  candidates: InventoryVmDetail[][],
  refuse: (message: string, hint?: string) => UserError,
): InventoryVmDetail[] {
  const missing: string[] = [];
  const found: InventoryVmDetail[] = [];
  wanted.forEach((entry, i) => {
    const matches = candidates[i];
    const name = lastSegment(entry.name);
    if (matches.length === 1) found.push(matches[0]);
    // both given: the name is what the user recognises, the id what was looked up
    else if (matches.length === 0)
      missing.push(entry.id && entry.name ? `${name} (${entry.id})` : (entry.id ?? entry.name ?? '(unnamed)'));
    else missing.push(`${entry.name} (${matches.length} VMs have this name; give its id)`);
  });
  if (missing.length > 0) {
    const count = `${missing.length} VM${missing.length === 1 ? '' : 's'}`;
    throw refuse(
      `names ${count} the inventory does not have: ${missing.join(', ')}`,
      'check the plan VMs against the provider (kubectl describe plan), or wait for the inventory to refresh',
    );
  }
  return found;
}

/** `items` mapped by `work`, at most `limit` at once, results in the items' order. */
export async function mapLimited<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
