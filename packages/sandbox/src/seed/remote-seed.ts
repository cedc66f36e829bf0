/**
 * The remote destination cluster the sandbox serves besides the host one, as a user who set up MTV for it would see
 * both: on the host, an `openshift` Provider with the remote API server's URL and a Secret holding a token for it and
 * its CA (the keys Forklift's pkg/lib/client/openshift RestCfg reads: `token`, `cacert`, `insecureSkipVerify`), maps
 * whose destination it is, and `plan-remote` (Raw Copy) of the same VMs as plan-a; on the remote cluster, the target
 * namespace and its CDI installation. Pure builders, no store.
 */
import type { Scenario } from '@kubectl-mtv/engine';
import { inventoryFromScenario } from '../inventory/from-scenario.js';
import { SEED_NAMES as N } from './names.js';
import {
  cdiInstallation,
  condition,
  forklift,
  planMaps,
  providerReadyConditions,
  type SeedObject,
  secret,
  vmNetwork,
} from './seed-objects.js';

export interface RemoteSeedIds {
  /** metadata.uid of the source Provider (the inventory's key). */
  providerUid: string;
  /** The remote API server's URL, the Provider's spec.url. */
  apiUrl: string;
  /** The bearer token the remote API server accepts. */
  token: string;
  /** Its CA (PEM); absent over plain HTTP. */
  caCert?: string;
  now?: string;
}

/** What the host cluster holds about the remote destination. */
export function remoteHostSeed(scenario: Scenario, ids: RemoteSeedIds): SeedObject[] {
  const now = ids.now ?? new Date(0).toISOString();
  const inventory = inventoryFromScenario(scenario, ids.providerUid);
  const ns = N.forkliftNamespace;
  const ref = (name: string) => ({ name, namespace: ns });
  const ready = (message: string) => ({ conditions: [condition('Ready', message, now)], observedGeneration: 1 });
  const providers = { source: ref(N.sourceProvider), destination: ref(N.remoteProvider) };
  return [
    secret(
      N.remoteProviderSecret,
      ns,
      {
        token: ids.token,
        ...(ids.caCert === undefined ? { insecureSkipVerify: 'true' } : { cacert: ids.caCert }),
      },
      { createdForProviderType: 'openshift', createdForResourceType: 'providers' },
    ),
    forklift('providers', 'Provider', N.remoteProvider, {
      spec: { type: 'openshift', url: ids.apiUrl, secret: ref(N.remoteProviderSecret) },
      status: {
        phase: 'Ready',
        observedGeneration: 1,
        conditions: providerReadyConditions(now),
      },
    }),
    ...planMaps(
      scenario,
      inventory,
      N.remoteProvider,
      { storage: N.remoteStorageMap, network: N.remoteNetworkMap },
      now,
    ),
    forklift('plans', 'Plan', N.remotePlan, {
      spec: {
        description: 'Seeded by kubectl mtv sandbox: the same VMs to the remote cluster',
        provider: providers,
        map: { storage: ref(N.remoteStorageMap), network: ref(N.remoteNetworkMap) },
        targetNamespace: N.targetNamespace,
        type: scenario.migration,
        skipGuestConversion: true,
        vms: inventory.vms.map((vm) => ({ id: vm.id, name: vm.name })),
      },
      status: ready('The migration plan is ready.'),
    }),
  ];
}

/** What the remote cluster holds before any run: the target namespace, its Multus network for VM NICs, and CDI. */
export function remoteClusterSeed(cdiVersion: string, now = new Date(0).toISOString()): SeedObject[] {
  return [
    { resource: 'namespaces', object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: N.targetNamespace } } },
    vmNetwork(),
    cdiInstallation(cdiVersion, now),
  ];
}
