/**
 * Forklift Host CRs for the scenario hosts that ask for one (`hostCr`), with their Secrets, as a user who gave an ESXi
 * host's address and credentials in the MTV console and Forklift's host controller leave them (Forklift release-2.8 ..
 * release-2.12 pkg/controller/host: validation.go validate and testConnection, controller.go Reconcile). `ready`: the
 * connection test passed, so Validated, ConnectionTestSucceeded and Ready hold; `not-ready`: it failed, so Validated
 * and ConnectionTestFailed (Critical, a blocker: no Ready). A plan's VM on a host with a Ready Host CR has its disks
 * read from that host (builder.go loadHosts, applyHostsConfig); the sandbox's importer knows the address
 * (cdi/vddk-endpoints.ts).
 */
import type { HostSpec, Scenario } from '@kubectl-mtv/engine';
import type { KubeObject } from '../cluster-store.js';
import type { InventoryData } from '../inventory/model.js';
import { SEED_NAMES as N } from './names.js';

/** The Host CR of inventory host `hostId` (`vsphere-a-host-1`: the provider, then the host's id). */
export function hostCrName(hostId: string): string {
  return `${N.sourceProvider}-${hostId}`;
}

/** The Secret with the ESXi credentials the Host CR names. */
export function hostSecretName(hostId: string): string {
  return `${hostCrName(hostId)}-secret`;
}

/** What the host controller reports when the ESXi host refuses the credentials (testConnection, govmomi's login). */
export const HOST_CONNECTION_FAILED =
  'Could not connect to the ESXi host, please check credentials. Error: ServerFaultCode: Cannot complete login due to an incorrect user name or password.';

/** The scenario hosts that ask for a Host CR, with their inventory ids. */
export function hostsWithCr(scenario: Scenario, inventory: InventoryData): { spec: HostSpec; id: string }[] {
  return scenario.hosts.flatMap((spec) => {
    const id = inventory.hosts.find((host) => host.name === spec.name)?.id;
    return spec.hostCr !== undefined && spec.ipAddress !== undefined && id !== undefined ? [{ spec, id }] : [];
  });
}

/** The Host CRs and their Secrets, in the provider's namespace, as seed objects (seed-objects.ts SeedObject). */
export function hostCrObjects(
  scenario: Scenario,
  inventory: InventoryData,
  now: string,
): { resource: string; object: KubeObject }[] {
  const ns = N.forkliftNamespace;
  return hostsWithCr(scenario, inventory).flatMap(({ spec, id }) => {
    const condition = (type: string, category: string, message: string, reason?: string) => ({
      type,
      status: 'True',
      category,
      message,
      lastTransitionTime: now,
      ...(reason && { reason }),
    });
    const validated = condition(
      'Validated',
      'Advisory',
      'The host inventory reference, IP address, and credentials have been validated.',
      'Completed',
    );
    const conditions =
      spec.hostCr === 'ready'
        ? [
            validated,
            condition('ConnectionTestSucceeded', 'Required', 'Connection test, succeeded.', 'Tested'),
            condition('Ready', 'Required', 'The host is ready.'),
          ]
        : [validated, condition('ConnectionTestFailed', 'Critical', HOST_CONNECTION_FAILED, 'Tested')];
    const data = {
      user: 'fake-esxi-root',
      password: spec.hostCr === 'ready' ? `fake-esxi-password-${id}` : 'fake-wrong-password',
    };
    return [
      {
        resource: 'secrets',
        object: {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: hostSecretName(id), namespace: ns },
          type: 'Opaque',
          data: Object.fromEntries(
            Object.entries(data).map(([key, value]) => [key, Buffer.from(value).toString('base64')]),
          ),
        },
      },
      {
        resource: 'hosts.forklift.konveyor.io',
        object: {
          apiVersion: 'forklift.konveyor.io/v1beta1',
          kind: 'Host',
          metadata: { name: hostCrName(id), namespace: ns },
          spec: {
            id,
            ipAddress: spec.ipAddress,
            provider: { name: N.sourceProvider, namespace: ns },
            secret: { name: hostSecretName(id), namespace: ns },
          },
          status: { conditions, observedGeneration: 1 },
        },
      },
    ];
  });
}
