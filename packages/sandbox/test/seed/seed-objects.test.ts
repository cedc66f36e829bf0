import { join } from 'node:path';
import type { Scenario } from '@kubectl-mtv/engine';
import { needs, PROJECT_CRDS, SHARED_CRDS } from '@kubectl-mtv/test-support';
import { beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/cluster-store.js';
import { inventoryFromScenario } from '../../src/inventory/from-scenario.js';
import { DEFAULT_SANDBOX_SCENARIO } from '../../src/seed/default-scenario.js';
import { SEED_NAMES, TRANSFER_NETWORK_GATEWAY } from '../../src/seed/names.js';
import { type SeedObject, seedObjects } from '../../src/seed/seed-objects.js';
import { describeErrors, loadCrdValidators, newAjv, toJsonSchema } from './crd-validator.js';
import { TEST_VCENTER } from './vcenter-fixture.js';

const UID = '5f1e2d3c-4b5a-4968-8776-655443322110';
const HTTPS = {
  providerUid: UID,
  inventoryUrl: 'https://127.0.0.1:40123',
  now: '2026-05-01T10:00:00.000Z',
  vcenter: TEST_VCENTER,
};
const HTTP = { providerUid: UID, inventoryUrl: 'http://127.0.0.1:40124', vcenter: TEST_VCENTER };

const Gi = 2 ** 30;

/** VMs with ids, a datastore the map leaves out, the default host (the engine's Scenario as is). */
const MIXED: Scenario = {
  name: 'mixed',
  migration: 'cold',
  maxInFlight: 7,
  diskRate: 100 * 2 ** 20,
  hosts: [{ name: 'esx-01' }, { name: 'default' }],
  vms: [
    { name: 'zeta', host: 'esx-01', disks: [{ size: 10 * Gi, datastore: 'ds-3' }] },
    {
      name: 'alpha-01',
      host: 'esx-01',
      disks: [{ size: 20 * Gi }, { size: 5 * Gi, datastore: 'ds-2' }],
      id: 'vm-77-01',
    },
    {
      name: 'alpha-02',
      host: 'esx-01',
      disks: [{ size: 20 * Gi }, { size: 5 * Gi, datastore: 'ds-2' }],
      id: 'vm-77-02',
    },
    { name: 'mid', host: 'default', disks: [{ size: Gi }] },
  ],
  unmappedDatastores: ['ds-2'],
};

/** The one seeded object of `kind` (named `name` when given). */
function find(objects: SeedObject[], kind: string, name?: string): KubeObject {
  const found = objects.filter(
    (o) => o.object.kind === kind && (name === undefined || o.object.metadata.name === name),
  );
  expect(found, `${kind} ${name ?? ''}`).toHaveLength(1);
  return found[0].object;
}

// biome-ignore lint/suspicious/noExplicitAny: tests read deep into seeded objects
const spec = (object: KubeObject) => object.spec as any;
// biome-ignore lint/suspicious/noExplicitAny: tests read deep into seeded objects
const status = (object: KubeObject) => object.status as any;
const decode = (object: KubeObject, key: string) =>
  Buffer.from((object.data as Record<string, string>)[key], 'base64').toString();

const CASES: [string, Scenario, typeof HTTPS | typeof HTTP][] = [
  ['the default scenario over https', DEFAULT_SANDBOX_SCENARIO, HTTPS],
  ['the default scenario over http', DEFAULT_SANDBOX_SCENARIO, HTTP],
  ['a scenario with ids, unmapped datastores and the default host', MIXED, HTTPS],
];

describe('seeded Forklift objects against the real CRDs', needs(SHARED_CRDS), () => {
  let validators: ReturnType<typeof loadCrdValidators>;

  beforeAll(() => {
    validators = loadCrdValidators();
  });

  it('the oracle itself rejects unknown and missing fields and honours int-or-string and preserve-unknown-fields', () => {
    const plans = validators.get('plans.forklift.konveyor.io')?.get('forklift.konveyor.io/v1beta1');
    expect(plans).toBeDefined();
    const plan = find(seedObjects(MIXED, HTTPS), 'Plan');
    expect(plans?.(plan)).toBe(true);
    expect(plans?.({ ...plan, spec: { ...spec(plan), bogus: 1 } })).toBe(false);
    expect(plans?.({ ...plan, spec: { ...spec(plan), targetNamespace: undefined } })).toBe(false);
    expect(plans?.({ ...plan, spec: { ...spec(plan), type: 'hot' } })).toBe(false);
    const synthetic = newAjv().compile(
      toJsonSchema({
        type: 'object',
        properties: {
          n: { 'x-kubernetes-int-or-string': true },
          free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { a: { type: 'string' } } },
        },
      }),
    );
    expect([5, '5', true].map((n) => synthetic({ n }))).toEqual([true, true, false]);
    expect(synthetic({ free: { a: 'x', anything: [1] } })).toBe(true);
    expect(synthetic({ other: 1 })).toBe(false);
  });

  it.each(CASES)('every Forklift object of %s validates against its CRD', (_, scenario, ids) => {
    const validated = new Set<string>();
    const missing = new Set<string>();
    for (const { resource, object } of seedObjects(scenario, ids)) {
      if (!resource.endsWith('.forklift.konveyor.io')) continue;
      const validate = validators.get(resource)?.get(object.apiVersion);
      if (validate === undefined) {
        missing.add(resource);
        continue;
      }
      expect(validate(object), `${object.kind} ${object.metadata.name}: ${describeErrors(validate).join('; ')}`).toBe(
        true,
      );
      validated.add(resource);
    }
    expect([...validated].sort()).toEqual(
      expect.arrayContaining([
        'networkmaps.forklift.konveyor.io',
        'plans.forklift.konveyor.io',
        'providers.forklift.konveyor.io',
        'storagemaps.forklift.konveyor.io',
      ]),
    );
    // ../shared/crds carries no ForkliftController CRD (as of commit d42511bb), and no Host CRD outside its
    // forklift-releases (checked below against each release's)
    for (const resource of missing) {
      expect(['forkliftcontrollers.forklift.konveyor.io', 'hosts.forklift.konveyor.io']).toContain(resource);
    }
  });
});

describe("the seeded Host CRs (Forklift's host controller, pkg/controller/host)", () => {
  const hosts = (scenario: Scenario) => seedObjects(scenario, HTTPS).filter((o) => o.object.kind === 'Host');

  it.each(['2.8', '2.9', '2.10', '2.11', '2.12'])("validate against release %s's Host CRD", (release) => {
    const validators = loadCrdValidators(join(PROJECT_CRDS, 'forklift', `release-${release}`));
    const validate = validators.get('hosts.forklift.konveyor.io')?.get('forklift.konveyor.io/v1beta1');
    if (validate === undefined) throw new Error(`release ${release} serves no Host CRD`);
    const seeded = hosts(DEFAULT_SANDBOX_SCENARIO);
    expect(seeded).toHaveLength(2);
    for (const { object } of seeded) {
      expect(validate(object), `${object.metadata.name}: ${describeErrors(validate).join('; ')}`).toBe(true);
    }
    // the oracle refuses a Host without the address the controller requires (spec.ipAddress is required)
    const { ipAddress: _, ...withoutAddress } = spec(seeded[0].object);
    expect(validate({ ...seeded[0].object, spec: withoutAddress })).toBe(false);
  });

  it("gives the default scenario's esx-01 a Ready Host and esx-02 one whose connection test failed", () => {
    const objects = seedObjects(DEFAULT_SANDBOX_SCENARIO, HTTPS);
    const ready = find(objects, 'Host', 'vsphere-a-host-1');
    expect(ready.metadata.namespace).toBe('openshift-mtv');
    expect(spec(ready)).toEqual({
      id: 'host-1',
      ipAddress: '192.0.2.11',
      provider: { name: 'vsphere-a', namespace: 'openshift-mtv' },
      secret: { name: 'vsphere-a-host-1-secret', namespace: 'openshift-mtv' },
    });
    const types = (host: KubeObject) =>
      status(host).conditions.map((c: { type: string; category: string }) => `${c.type}/${c.category}`);
    expect(types(ready)).toEqual(['Validated/Advisory', 'ConnectionTestSucceeded/Required', 'Ready/Required']);
    const failed = find(objects, 'Host', 'vsphere-a-host-2');
    expect(spec(failed)).toMatchObject({ id: 'host-2', ipAddress: '192.0.2.12' });
    expect(types(failed)).toEqual(['Validated/Advisory', 'ConnectionTestFailed/Critical']);
    expect(status(failed).conditions[1]).toMatchObject({
      status: 'True',
      reason: 'Tested',
      message: expect.stringMatching(/^Could not connect to the ESXi host, please check credentials\. Error: /),
      lastTransitionTime: HTTPS.now,
    });
    // each Host names a Secret with the ESXi credentials the controller requires (user, password)
    for (const host of [ready, failed]) {
      const secret = find(objects, 'Secret', spec(host).secret.name);
      expect(Object.keys(secret.data as object).sort()).toEqual(['password', 'user']);
      expect(decode(secret, 'user')).toMatch(/fake/);
    }
    expect(decode(find(objects, 'Secret', 'vsphere-a-host-1-secret'), 'password')).not.toBe(
      decode(find(objects, 'Secret', 'vsphere-a-secret'), 'password'),
    );
  });

  it('seeds none for hosts that ask for none', () => {
    expect(hosts(MIXED)).toEqual([]);
  });
});

describe("the seeded CDI installation (Forklift 2.12's canUseInstanceUUID reads it)", () => {
  it.each([
    [undefined, 'v1.66.0'],
    ['v4.20.16', 'v4.20.16'],
  ])("validates against CDI's CRD and reports version %s as observedVersion", (cdiVersion, observed) => {
    const validators = loadCrdValidators(join(PROJECT_CRDS, 'cdi'));
    const cdis = seedObjects(DEFAULT_SANDBOX_SCENARIO, { ...HTTPS, ...(cdiVersion && { cdiVersion }) }).filter(
      (entry) => entry.resource === 'cdis.cdi.kubevirt.io',
    );
    expect(cdis).toHaveLength(1);
    const [{ object }] = cdis;
    const validate = validators.get('cdis.cdi.kubevirt.io')?.get(object.apiVersion);
    if (validate === undefined) throw new Error(`no schema for ${object.apiVersion}`);
    expect(validate(object), describeErrors(validate).join('; ')).toBe(true);
    expect(object.metadata).toEqual({ name: 'cdi' });
    expect(object.status).toMatchObject({ phase: 'Deployed', observedVersion: observed });
  });
});

describe('the seeded transfer network (a plan names it in spec.transferNetwork)', () => {
  it("validates against Multus' CRD, and its route annotation and IPAM default route name one gateway", () => {
    const validators = loadCrdValidators(join(PROJECT_CRDS, 'multus'));
    const objects = seedObjects(DEFAULT_SANDBOX_SCENARIO, HTTPS);
    const nad = find(objects, 'NetworkAttachmentDefinition', SEED_NAMES.transferNetwork);
    const validate = validators.get('network-attachment-definitions.k8s.cni.cncf.io')?.get(nad.apiVersion);
    if (validate === undefined) throw new Error(`no schema for ${nad.apiVersion}`);
    expect(validate(nad), describeErrors(validate).join('; ')).toBe(true);
    expect(validate({ ...nad, spec: {} })).toBe(false);
    expect(nad.metadata).toEqual({
      name: 'transfer-net',
      namespace: 'demo',
      annotations: { 'forklift.konveyor.io/route': TRANSFER_NETWORK_GATEWAY },
    });
    const config = JSON.parse(spec(nad).config);
    expect(config).toMatchObject({ type: 'bridge', ipam: { routes: [{ dst: '0.0.0.0/0', gw: '192.168.100.1' }] } });
    // the seeded plan keeps the pod network: a test or user names the NAD
    expect(spec(find(objects, 'Plan', 'plan-a')).transferNetwork).toBeUndefined();
  });
});

describe('seedObjects', () => {
  it.each(CASES)(
    'names every object as Kubernetes requires and refers only to seeded objects (%s)',
    (_, scenario, ids) => {
      const objects = seedObjects(scenario, ids);
      const namespaces = objects.filter((o) => o.resource === 'namespaces').map((o) => o.object.metadata.name);
      expect(namespaces).toEqual(['openshift-mtv', 'demo']);
      const keys = objects.map((o) => `${o.resource}/${o.object.metadata.namespace ?? ''}/${o.object.metadata.name}`);
      expect(new Set(keys).size).toBe(keys.length);
      for (const { resource, object } of objects) {
        expect(object.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
        // namespaces and CDI's own resource are cluster-scoped
        if (resource !== 'namespaces' && resource !== 'cdis.cdi.kubevirt.io')
          expect(namespaces).toContain(object.metadata.namespace);
      }
      const exists = (resource: string, ref: { name: string; namespace: string }) =>
        objects.some(
          (o) =>
            o.resource === resource &&
            o.object.metadata.name === ref.name &&
            o.object.metadata.namespace === ref.namespace,
        );
      const plan = find(objects, 'Plan', 'plan-a');
      for (const ref of [spec(plan).provider.source, spec(plan).provider.destination]) {
        expect(exists('providers.forklift.konveyor.io', ref)).toBe(true);
      }
      expect(exists('storagemaps.forklift.konveyor.io', spec(plan).map.storage)).toBe(true);
      expect(exists('networkmaps.forklift.konveyor.io', spec(plan).map.network)).toBe(true);
      expect(exists('secrets', spec(find(objects, 'Provider', 'vsphere-a')).secret)).toBe(true);
      for (const host of objects.filter((o) => o.object.kind === 'Host')) {
        expect(exists('providers.forklift.konveyor.io', spec(host.object).provider)).toBe(true);
        expect(exists('secrets', spec(host.object).secret)).toBe(true);
      }
    },
  );

  it('seeds the vsphere provider with its uid, URL, VDDK image, fingerprint and Ready condition', () => {
    const objects = seedObjects(MIXED, HTTPS);
    const provider = find(objects, 'Provider', 'vsphere-a');
    expect(provider.metadata).toMatchObject({ name: 'vsphere-a', namespace: 'openshift-mtv', uid: UID });
    expect(spec(provider)).toMatchObject({
      type: 'vsphere',
      url: TEST_VCENTER.url,
      secret: { name: 'vsphere-a-secret', namespace: 'openshift-mtv' },
      settings: { vddkInitImage: expect.stringMatching(/vddk/) },
    });
    expect(status(provider).fingerprint).toBe(TEST_VCENTER.thumbprint);
    expect(status(provider).conditions).toContainEqual(
      expect.objectContaining({ type: 'Ready', status: 'True', lastTransitionTime: HTTPS.now }),
    );
    const secret = find(objects, 'Secret', 'vsphere-a-secret');
    expect(decode(secret, 'thumbprint')).toBe(status(provider).fingerprint);
    expect(decode(secret, 'user')).toBe(TEST_VCENTER.user);
    expect(decode(secret, 'password')).toBe(TEST_VCENTER.password);
    expect(decode(secret, 'cacert')).toBe(TEST_VCENTER.caCert);
    expect(spec(find(objects, 'Provider', 'host'))).toMatchObject({ type: 'openshift' });
  });

  it('gives the provider Secret a CA as cacert, and seeds no VDDK Secret: MTV makes none, migrate makes it', () => {
    const objects = seedObjects(MIXED, HTTPS);
    expect(decode(find(objects, 'Secret', 'vsphere-a-secret'), 'cacert')).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
    expect(objects.filter((o) => o.object.kind === 'Secret').map((o) => o.object.metadata.name)).toEqual([
      'vsphere-a-secret',
    ]);
  });

  it('maps every datastore to the standard storage class except the unmapped ones', () => {
    const map = find(seedObjects(MIXED, HTTPS), 'StorageMap', 'storage-a');
    const inventory = inventoryFromScenario(MIXED, UID);
    expect(inventory.datastores.map((ds) => ds.name)).toEqual(['ds-3', 'ds-1', 'ds-2']);
    expect(spec(map).map).toEqual([
      { source: { id: 'datastore-1', name: 'ds-3' }, destination: { storageClass: 'standard' } },
      { source: { id: 'datastore-2', name: 'ds-1' }, destination: { storageClass: 'standard' } },
    ]);
    const all = find(seedObjects(DEFAULT_SANDBOX_SCENARIO, HTTPS), 'StorageMap');
    expect(spec(all).map.map((entry: { source: { name: string } }) => entry.source.name)).toEqual(['ds-1', 'ds-2']);
  });

  it('maps the inventory network to the pod network', () => {
    const map = find(seedObjects(MIXED, HTTPS), 'NetworkMap', 'network-a');
    expect(spec(map).map).toEqual([{ source: { id: 'network-1', name: 'VM Network' }, destination: { type: 'pod' } }]);
  });

  it('makes a ready cold raw-copy plan of the scenario VMs, in scenario order, targeting demo', () => {
    const plan = find(seedObjects(MIXED, HTTPS), 'Plan', 'plan-a');
    expect(spec(plan)).toMatchObject({
      type: 'cold',
      skipGuestConversion: true,
      targetNamespace: 'demo',
      provider: { source: { name: 'vsphere-a' }, destination: { name: 'host' } },
      map: { storage: { name: 'storage-a' }, network: { name: 'network-a' } },
    });
    expect(spec(plan).vms).toEqual([
      { id: 'vm-1', name: 'zeta' },
      { id: 'vm-77-01', name: 'alpha-01' },
      { id: 'vm-77-02', name: 'alpha-02' },
      { id: 'vm-4', name: 'mid' },
    ]);
    expect(status(plan).conditions).toEqual([
      expect.objectContaining({ type: 'Ready', status: 'True', category: 'Required' }),
    ]);
    const defaults = find(seedObjects(DEFAULT_SANDBOX_SCENARIO, HTTPS), 'Plan');
    expect(spec(defaults).vms.map((vm: { name: string }) => vm.name)).toEqual(
      DEFAULT_SANDBOX_SCENARIO.vms.map((vm) => vm.name),
    );
  });

  it("sets the ForkliftController's controller_max_vm_inflight to the scenario's maxInFlight", () => {
    expect(spec(find(seedObjects(MIXED, HTTPS), 'ForkliftController', 'forklift-controller'))).toEqual({
      controller_max_vm_inflight: 7,
      feature_use_conversion_cr: 'true',
    });
    expect(spec(find(seedObjects(DEFAULT_SANDBOX_SCENARIO, HTTP), 'ForkliftController'))).toEqual({
      controller_max_vm_inflight: 20,
      feature_use_conversion_cr: 'true',
    });
  });

  it('turns feature_use_conversion_cr on for MTV 2.12 only, whose ForkliftController CRD has it', () => {
    const controller = (mtvRelease: '2.11' | '2.12') =>
      spec(find(seedObjects(MIXED, { ...HTTPS, mtvRelease }), 'ForkliftController'));
    expect(controller('2.12')).toHaveProperty('feature_use_conversion_cr', 'true');
    expect(controller('2.11')).not.toHaveProperty('feature_use_conversion_cr');
  });

  it('routes forklift-inventory to 127.0.0.1:<port>, with TLS only when the inventory serves https', () => {
    const secure = find(seedObjects(MIXED, HTTPS), 'Route', 'forklift-inventory');
    expect(secure.apiVersion).toBe('route.openshift.io/v1');
    expect(secure.metadata).toMatchObject({
      namespace: 'openshift-mtv',
      labels: { app: 'forklift', service: 'forklift-inventory' },
    });
    expect(spec(secure)).toMatchObject({
      host: '127.0.0.1:40123',
      to: { kind: 'Service', name: 'forklift-inventory' },
    });
    expect(spec(secure).tls).toMatchObject({ termination: 'reencrypt' });
    const plain = find(seedObjects(MIXED, HTTP), 'Route');
    expect(spec(plain).host).toBe('127.0.0.1:40124');
    expect(spec(plain)).not.toHaveProperty('tls');
    const service = find(seedObjects(MIXED, HTTPS), 'Service', 'forklift-inventory');
    expect(service.metadata.labels).toEqual({ app: 'forklift', service: 'forklift-inventory' });
    expect(spec(service).ports).toEqual([expect.objectContaining({ name: 'api-https', port: 8443 })]);
  });

  it('is pure: the same input gives the same objects', () => {
    expect(seedObjects(MIXED, HTTPS)).toEqual(seedObjects(MIXED, HTTPS));
  });
});

describe('DEFAULT_SANDBOX_SCENARIO', () => {
  const { vms, hosts, maxInFlight } = DEFAULT_SANDBOX_SCENARIO;
  const Gi = 2 ** 30;
  const Mi = 2 ** 20;

  it('has two hosts capped near 280Mi and 250Mi, a Ready Host CR for the first, and a cap of 20', () => {
    expect(maxInFlight).toBe(20);
    expect(hosts.map((h) => [h.name, h.bandwidth, h.hostCr])).toEqual([
      ['esx-01', 280 * Mi, 'ready'],
      ['esx-02', 250 * Mi, 'not-ready'],
    ]);
  });

  it('shows the seed problem: VMs of one large and nine small disks, single-disk VMs, one VM over the cap', () => {
    const oneLargeNineSmall = vms.filter(
      (vm) =>
        vm.disks.length === 10 && vm.disks[0].size >= 100 * Gi && vm.disks.slice(1).every((d) => d.size <= 10 * Gi),
    );
    expect(oneLargeNineSmall.length).toBeGreaterThanOrEqual(3);
    expect(new Set(oneLargeNineSmall.map((vm) => vm.host))).toEqual(new Set(['esx-01', 'esx-02']));
    expect(vms.filter((vm) => vm.disks.length === 1).length).toBeGreaterThanOrEqual(2);
    expect(vms.some((vm) => vm.disks.length > maxInFlight)).toBe(true);
    expect(new Set(vms.map((vm) => vm.name)).size).toBe(vms.length);
  });
});
