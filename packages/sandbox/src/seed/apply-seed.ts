/**
 * Writes seed objects into the sandbox's store, each after what it refers to: namespaces, then Secrets, Services and
 * the transfer network, then Providers, then the maps, Host CRs and the controller settings, then the Plan, then the Route. A status is written
 * through the status subresource after the create, as a controller would (a create drops status for resources
 * that have the subresource).
 */
import type { ClusterStore, KubeObject } from '../cluster-store.js';
import type { SeedObject } from './seed-objects.js';

/** Rank of each resource in creation order; unknown resources go last, in the order given. */
const CREATION_ORDER: Record<string, number> = {
  namespaces: 0,
  secrets: 1,
  services: 1,
  configmaps: 1,
  'cdis.cdi.kubevirt.io': 1,
  'network-attachment-definitions.k8s.cni.cncf.io': 1,
  'providers.forklift.konveyor.io': 2,
  'storagemaps.forklift.konveyor.io': 3,
  'hosts.forklift.konveyor.io': 3,
  'networkmaps.forklift.konveyor.io': 3,
  'forkliftcontrollers.forklift.konveyor.io': 3,
  'plans.forklift.konveyor.io': 4,
  'routes.route.openshift.io': 5,
};
const LAST = 6;

/** The seed objects in creation order (a stable sort: equal ranks keep their order). */
export function orderSeed(objects: SeedObject[]): SeedObject[] {
  const rank = (entry: SeedObject) => CREATION_ORDER[entry.resource] ?? LAST;
  return [...objects].sort((a, b) => rank(a) - rank(b));
}

/** Creates every object in dependency order and returns them as stored. Throws on the first failing write. */
export function applySeed(store: ClusterStore, objects: SeedObject[]): KubeObject[] {
  const created: KubeObject[] = [];
  for (const { resource, object } of orderSeed(objects)) {
    const { status, ...withoutStatus } = object;
    // what users write (Providers, maps, Plans) is pruned to the served release's schema, as the API server prunes a
    // Plan written for a newer MTV (skipGuestConversion on 2.8)
    let stored = store.create(resource, withoutStatus as KubeObject, {
      prune: resource.endsWith('.forklift.konveyor.io'),
    });
    const wantedUid = object.metadata.uid;
    if (wantedUid !== undefined && stored.metadata.uid !== wantedUid) {
      // the inventory's URLs are keyed by this uid; a store that replaces it would make every inventory lookup 404
      throw new Error(
        `applySeed: ${resource} "${stored.metadata.name}" was stored with uid "${stored.metadata.uid}", not the seeded ` +
          `"${wantedUid}" (ClusterStore.create must keep a uid its caller gives)`,
      );
    }
    if (status !== undefined)
      stored = store.updateStatus(resource, stored.metadata.namespace, stored.metadata.name as string, status);
    created.push(stored);
  }
  return created;
}
