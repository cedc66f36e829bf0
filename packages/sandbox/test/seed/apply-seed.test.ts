/**
 * applySeed's ordering only. The store here is a stand-in that records writes and refuses an object whose namespace
 * or referenced objects are missing; the real store (and its schema checks) comes with the API server.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ClusterStore, KubeObject } from '../../src/cluster-store.js';
import { applySeed, orderSeed } from '../../src/seed/apply-seed.js';
import { DEFAULT_SANDBOX_SCENARIO } from '../../src/seed/default-scenario.js';
import { seedObjects } from '../../src/seed/seed-objects.js';
import { TEST_VCENTER } from './vcenter-fixture.js';

const UID = '9a8b7c6d-5e4f-4321-8fed-cba987654321';
const IDS = { providerUid: UID, inventoryUrl: 'https://127.0.0.1:41000', vcenter: TEST_VCENTER };

type Ref = { name: string; namespace: string };

/** What an object needs to exist first: its namespace and the objects its spec names. */
function dependencies(resource: string, object: KubeObject): string[] {
  // biome-ignore lint/suspicious/noExplicitAny: reads refs out of any kind
  const spec = (object.spec ?? {}) as any;
  const key = (res: string, ref: Ref) => `${res}/${ref.namespace}/${ref.name}`;
  const needs = object.metadata.namespace ? [`namespaces//${object.metadata.namespace}`] : [];
  if (resource === 'providers.forklift.konveyor.io' && spec.secret?.name) needs.push(key('secrets', spec.secret));
  if (spec.provider?.source) {
    needs.push(key('providers.forklift.konveyor.io', spec.provider.source));
    needs.push(key('providers.forklift.konveyor.io', spec.provider.destination));
  }
  if (resource === 'plans.forklift.konveyor.io') {
    needs.push(key('storagemaps.forklift.konveyor.io', spec.map.storage));
    needs.push(key('networkmaps.forklift.konveyor.io', spec.map.network));
  }
  if (resource === 'routes.route.openshift.io') {
    needs.push(key('services', { name: spec.to.name, namespace: object.metadata.namespace as string }));
  }
  return needs;
}

/** A recording stand-in for the sandbox store: create and updateStatus only. */
function recordingStore(options: { replaceUids?: boolean } = {}) {
  const objects = new Map<string, KubeObject>();
  const writes: string[] = [];
  const keyOf = (resource: string, namespace: string | undefined, name: string) =>
    `${resource}/${namespace ?? ''}/${name}`;
  const store: ClusterStore = {
    get: (resource, namespace, name) => objects.get(keyOf(resource, namespace, name)),
    list: () => [...objects.values()],
    create(resource, object) {
      const key = keyOf(resource, object.metadata.namespace, object.metadata.name as string);
      if (objects.has(key)) throw new Error(`${key} exists`);
      for (const need of dependencies(resource, object)) {
        if (!objects.has(need)) throw new Error(`${key} is created before ${need}`);
      }
      if ('status' in object) throw new Error(`${key} is created with a status`);
      const uid = options.replaceUids || !object.metadata.uid ? randomUUID() : object.metadata.uid;
      const stored = { ...object, metadata: { ...object.metadata, uid, resourceVersion: String(writes.length + 1) } };
      objects.set(key, stored);
      writes.push(`create ${key}`);
      return stored;
    },
    updateStatus(resource, namespace, name, status) {
      const key = keyOf(resource, namespace, name);
      const current = objects.get(key);
      if (current === undefined) throw new Error(`status of ${key}, which does not exist`);
      const stored = { ...current, status };
      objects.set(key, stored);
      writes.push(`status ${key}`);
      return stored;
    },
    patchMetadata: () => {
      throw new Error('not used by applySeed');
    },
    delete: () => {
      throw new Error('not used by applySeed');
    },
    subscribe: () => () => {},
  };
  return { store, writes, objects };
}

describe('applySeed', () => {
  it('creates every object after its namespace and everything it refers to, whatever order it is given', () => {
    const objects = seedObjects(DEFAULT_SANDBOX_SCENARIO, IDS);
    for (const order of [objects, [...objects].reverse()]) {
      const { store, writes } = recordingStore();
      const created = applySeed(store, order);
      expect(created).toHaveLength(objects.length);
      expect(writes.filter((w) => w.startsWith('create'))).toHaveLength(objects.length);
    }
  });

  it('writes each status through the status subresource right after its create', () => {
    const { store, writes, objects } = recordingStore();
    applySeed(store, seedObjects(DEFAULT_SANDBOX_SCENARIO, IDS));
    for (const [i, write] of writes.entries()) {
      if (write.startsWith('status ')) expect(writes[i - 1]).toBe(write.replace('status ', 'create '));
    }
    const plan = objects.get('plans.forklift.konveyor.io/openshift-mtv/plan-a');
    expect(plan?.status).toMatchObject({ conditions: [{ type: 'Ready' }] });
    expect(writes).toContain('status routes.route.openshift.io/openshift-mtv/forklift-inventory');
  });

  it('keeps the seeded provider uid, and fails loudly when the store replaces it', () => {
    const { store, objects } = recordingStore();
    applySeed(store, seedObjects(DEFAULT_SANDBOX_SCENARIO, IDS));
    expect(objects.get('providers.forklift.konveyor.io/openshift-mtv/vsphere-a')?.metadata.uid).toBe(UID);
    const replacing = recordingStore({ replaceUids: true });
    expect(() => applySeed(replacing.store, seedObjects(DEFAULT_SANDBOX_SCENARIO, IDS))).toThrow(
      /providers.forklift.konveyor.io "vsphere-a" was stored with uid ".*", not the seeded "9a8b7c6d-.*" \(ClusterStore.create must keep a uid its caller gives\)/,
    );
  });

  it('orders by resource and keeps the given order within one resource', () => {
    const ordered = orderSeed(seedObjects(DEFAULT_SANDBOX_SCENARIO, IDS)).map(
      (o) => `${o.resource} ${o.object.metadata.name}`,
    );
    expect(ordered).toEqual([
      'namespaces openshift-mtv',
      'namespaces demo',
      'cdis.cdi.kubevirt.io cdi',
      'network-attachment-definitions.k8s.cni.cncf.io transfer-net',
      'network-attachment-definitions.k8s.cni.cncf.io vm-net',
      'secrets vsphere-a-secret',
      'services forklift-inventory',
      'secrets vsphere-a-host-1-secret',
      'secrets vsphere-a-host-2-secret',
      'providers.forklift.konveyor.io vsphere-a',
      'providers.forklift.konveyor.io host',
      'storagemaps.forklift.konveyor.io storage-a',
      'networkmaps.forklift.konveyor.io network-a',
      'forkliftcontrollers.forklift.konveyor.io forklift-controller',
      'hosts.forklift.konveyor.io vsphere-a-host-1',
      'hosts.forklift.konveyor.io vsphere-a-host-2',
      'plans.forklift.konveyor.io plan-a',
      'routes.route.openshift.io forklift-inventory',
    ]);
  });
});
