import type { Scenario } from '@kubectl-mtv/engine';
import { simulateScenario } from '@kubectl-mtv/engine';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ApiServer, startApiServer } from '../../src/api/api-server.js';
import { diskSources } from '../../src/cdi/disk-sources.js';
import { DATAVOLUMES, Importer, PVCS, STUCK_ANNOTATION } from '../../src/cdi/importer.js';
import { NETWORK_ATTACHMENT_DEFINITIONS } from '../../src/cdi/pod-networks.js';
import type { KubeObject } from '../../src/cluster-store.js';
import { inventoryFromScenario } from '../../src/inventory/from-scenario.js';
import type { InventoryData } from '../../src/inventory/model.js';
import { applySeed } from '../../src/seed/apply-seed.js';
import { SEED_NAMES } from '../../src/seed/names.js';
import { seedObjects } from '../../src/seed/seed-objects.js';
import { TEST_VCENTER } from '../seed/vcenter-fixture.js';

const VCENTER_URL = TEST_VCENTER.url;
const VCENTER_THUMBPRINT = TEST_VCENTER.thumbprint;

const Gi = 2 ** 30;
const Mi = 2 ** 20;
const PROVIDER_UID = '6b4c1d2e-0000-4000-8000-000000000001';
const NS = SEED_NAMES.targetNamespace;
/** The VDDK Secret the test DataVolumes name, as migrate makes it in the target namespace. */
const VDDK_SECRET = 'plan-a-vddk';
const NETWORKS = 'k8s.v1.cni.cncf.io/networks';

/** Two capped hosts and a shared network: rates really are shared, so timing is a real check of the model. */
const scenario: Scenario = {
  name: 'importer-test',
  migration: 'cold',
  maxInFlight: 4,
  diskRate: 100 * Mi,
  networkBandwidth: 450 * Mi,
  hosts: [
    { name: 'esx-01', bandwidth: 280 * Mi },
    { name: 'esx-02', bandwidth: 250 * Mi },
  ],
  vms: [
    { name: 'db-01', host: 'esx-01', disks: [{ size: 40 * Gi }, { size: 8 * Gi }, { size: 2 * Gi }] },
    { name: 'web-01', host: 'esx-01', disks: [{ size: 12 * Gi }] },
    { name: 'web-02', host: 'esx-02', disks: [{ size: 20 * Gi, rate: 60 * Mi }] },
    { name: 'app-01', host: 'esx-02', disks: [{ size: 30 * Gi }, { size: 0 }, { size: 5 * Gi }] },
  ],
};

/** A DataVolume as kubectl-mtv will create it for disk `index` of `vm`. */
function dataVolume(inventory: InventoryData, vm: number, index: number, secretRef: string = VDDK_SECRET): KubeObject {
  const v = inventory.vms[vm];
  const disk = v.disks[index];
  return {
    apiVersion: 'cdi.kubevirt.io/v1beta1',
    kind: 'DataVolume',
    metadata: { name: `${v.name}-disk-${index}`, namespace: NS },
    spec: {
      storage: {
        resources: { requests: { storage: String(Math.max(disk.capacity, 1)) } },
        storageClassName: 'standard',
      },
      source: {
        vddk: {
          url: VCENTER_URL,
          uuid: v.uuid,
          backingFile: disk.file,
          thumbprint: VCENTER_THUMBPRINT,
          secretRef,
          initImageURL: SEED_NAMES.vddkInitImage,
        },
      },
    },
  };
}

/** A DataVolume's status in the store (throws when the DataVolume is absent). */
function statusOf(name: string): {
  phase: string;
  restartCount: number;
  conditions: { type: string; lastTransitionTime: string }[];
} {
  const dv = api.store.get(DATAVOLUMES, NS, name);
  if (!dv) throw new Error(`DataVolume ${name} is gone`);
  return dv.status as ReturnType<typeof statusOf>;
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

let api: ApiServer;
let inventory: InventoryData;
let importer: Importer;

async function start(failDisks: string[] = [], findsInstanceUuid = false, sc: Scenario = scenario): Promise<void> {
  api = await startApiServer({ port: 0, token: 'importer-test' });
  inventory = inventoryFromScenario(sc, PROVIDER_UID);
  applySeed(
    api.store,
    seedObjects(sc, { providerUid: PROVIDER_UID, inventoryUrl: 'http://127.0.0.1:9', vcenter: TEST_VCENTER }),
  );
  api.store.create('secrets', {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: VDDK_SECRET, namespace: NS },
    data: { accessKeyId: 'dXNlcg==', secretKey: 'cGFzcw==' },
  });
  const sources = diskSources(sc, inventory, TEST_VCENTER);
  importer = new Importer({
    store: api.store,
    resolve: sources.resolve,
    ...sources.bandwidth,
    endpoints: sources.endpoints,
    failDisks: new Set(failDisks),
    findsInstanceUuid,
    timestamp: (s) => new Date(Date.UTC(2026, 10, 26) + s * 1000).toISOString(),
  });
}

afterEach(async () => {
  importer?.stop();
  await api?.close();
});

describe("the simulated CDI importer's VM lookup (CDI FindVM)", () => {
  /** A DataVolume for web-01's disk naming its VM by `uuid`, run for an hour: its phase, restarts and error. */
  async function runWith(uuid: (vm: InventoryData['vms'][number]) => string) {
    const dv = dataVolume(inventory, 1, 0);
    (dv.spec as { source: { vddk: { uuid: string } } }).source.vddk.uuid = uuid(inventory.vms[1]);
    api.store.create(DATAVOLUMES, dv);
    await settle();
    importer.advanceTo(3600);
    const status = api.store.get(DATAVOLUMES, NS, 'web-01-disk-0')?.status as {
      phase: string;
      restartCount: number;
      conditions: { type: string; message?: string }[];
    };
    return {
      phase: status.phase,
      restarted: status.restartCount > 0,
      error: status.conditions.find((c) => c.type === 'Running')?.message ?? '',
    };
  }

  it.each([
    ['BIOS uuids only', 'before v1.66.0', false, 'bios', 'Succeeded'],
    ['BIOS uuids only', 'before v1.66.0', false, 'instance', 'ImportInProgress'],
    ['instance uuids, then BIOS uuids', 'v1.66.0 on', true, 'instance', 'Succeeded'],
    ['instance uuids, then BIOS uuids', 'v1.66.0 on', true, 'bios', 'Succeeded'],
    ['instance uuids, then BIOS uuids', 'v1.66.0 on', true, 'neither', 'ImportInProgress'],
  ] as const)('a CDI that searches %s (%s), given the %s uuid: %s', async (_, _since, finds, which, phase) => {
    await start([], finds);
    const result = await runWith((vm) =>
      which === 'bios' ? vm.uuid : which === 'instance' ? vm.instanceUuid : '00000000-0000-4000-8000-000000000000',
    );
    expect(result.phase).toBe(phase);
    expect(result.restarted).toBe(phase !== 'Succeeded');
    expect(result.error).toBe(
      phase === 'Succeeded'
        ? 'Import Complete'
        : 'Unable to connect to vddk data source: unable to locate VM in any datacenter',
    );
  });
});

/** Hosts with Host CRs: esx-01 Ready (IPv4), esx-02 Ready (IPv6), esx-03 not Ready; one VM on each. */
const ESXI: Scenario = {
  name: 'importer-esxi',
  migration: 'cold',
  maxInFlight: 4,
  diskRate: 100 * Mi,
  hosts: [
    { name: 'esx-01', ipAddress: '192.0.2.11', hostCr: 'ready' },
    { name: 'esx-02', ipAddress: '2001:DB8::12', hostCr: 'ready' },
    { name: 'esx-03', ipAddress: '192.0.2.13', hostCr: 'not-ready' },
    { name: 'esx-04' },
  ],
  vms: ['esx-01', 'esx-02', 'esx-03', 'esx-04'].map((host, i) => ({
    name: `web-0${i + 1}`,
    host,
    disks: [{ size: 4 * Gi }],
  })),
};

describe("the simulated CDI importer's vddk endpoint: vCenter, or the disk's own ESXi host (vddk-endpoints.ts)", () => {
  const thumbprintOf = (host: number) => inventory.hosts[host].thumbprint;
  const post = (host: string) => `Unable to connect to vddk data source: Post "https://${host}/sdk": `;

  it.each<[string, number, string, (() => string) | 'vcenter', string]>([
    ['vCenter with its fingerprint', 0, VCENTER_URL, 'vcenter', ''],
    ['vCenter for a host without a Host CR', 3, VCENTER_URL, 'vcenter', ''],
    ['its ESXi host with its thumbprint', 0, 'https://192.0.2.11/sdk', () => thumbprintOf(0), ''],
    ['its ESXi host by IPv6 in brackets (any case)', 1, 'https://[2001:db8::12]/sdk', () => thumbprintOf(1), ''],
    [
      'its ESXi host by IPv6 without brackets (Go reads :12 as the port)',
      1,
      'https://2001:db8::12/sdk',
      () => thumbprintOf(1),
      `${post('2001:db8::12')}dial tcp: address 2001:db8::12: too many colons in address`,
    ],
    [
      'an IPv6 address without brackets that Go cannot parse',
      1,
      'https://2001:db8::a/sdk',
      () => thumbprintOf(1),
      'Unable to connect to vddk data source: parse "https://2001:db8::a/sdk": invalid port ":a" after host',
    ],
    [
      "its ESXi host with vCenter's fingerprint",
      0,
      'https://192.0.2.11/sdk',
      'vcenter',
      `${post('192.0.2.11')}host "192.0.2.11:443" thumbprint does not match "${'VCENTER'}"`,
    ],
    [
      "vCenter with the ESXi host's thumbprint",
      0,
      VCENTER_URL,
      () => thumbprintOf(0),
      `${post('127.0.0.1:8989')}host "127.0.0.1:8989" thumbprint does not match "${'HOST0'}"`,
    ],
    [
      'another ESXi host, which has not this VM',
      1,
      'https://192.0.2.11/sdk',
      () => thumbprintOf(0),
      'Unable to connect to vddk data source: unable to locate VM in any datacenter',
    ],
    [
      'its ESXi host whose Host CR is not Ready (its connection test failed)',
      2,
      'https://192.0.2.13/sdk',
      () => thumbprintOf(2),
      'Unable to connect to vddk data source: ServerFaultCode: Cannot complete login due to an incorrect user name or password.',
    ],
    [
      'an address no server has',
      3,
      'https://192.0.2.99/sdk',
      'vcenter',
      `${post('192.0.2.99')}dial tcp 192.0.2.99:443: connect: no route to host`,
    ],
    [
      'a name no DNS knows',
      3,
      'https://esx-04.sandbox.local/sdk',
      'vcenter',
      `${post('esx-04.sandbox.local')}dial tcp: lookup esx-04.sandbox.local: no such host`,
    ],
  ])('reads a disk through %s', async (_, vm, url, thumbprint, error) => {
    await start([], false, ESXI);
    const dv = dataVolume(inventory, vm, 0);
    const given = thumbprint === 'vcenter' ? VCENTER_THUMBPRINT : thumbprint();
    Object.assign((dv.spec as { source: { vddk: object } }).source.vddk, { url, thumbprint: given });
    api.store.create(DATAVOLUMES, dv);
    await settle();
    importer.advanceTo(3600);
    const status = statusOf(dv.metadata.name ?? '');
    const conditions = status.conditions as { type: string; message?: string }[];
    const running = conditions.find((c) => c.type === 'Running')?.message;
    const expected = error.replace('"VCENTER"', `"${VCENTER_THUMBPRINT}"`).replace('"HOST0"', `"${thumbprintOf(0)}"`);
    expect(status.phase).toBe(error === '' ? 'Succeeded' : 'ImportInProgress');
    expect(running).toBe(error === '' ? 'Import Complete' : expected);
    expect(status.restartCount > 0).toBe(error !== '');
  });

  it('leaves a DataVolume of a disk it does not know alone, whatever its url and thumbprint', async () => {
    await start([], false, ESXI);
    const dv = dataVolume(inventory, 0, 0);
    Object.assign((dv.spec as { source: { vddk: object } }).source.vddk, {
      backingFile: '[ds-9] other/other.vmdk',
      url: 'https://192.0.2.99/sdk',
      thumbprint: 'AA:BB:CC',
    });
    api.store.create(DATAVOLUMES, dv);
    await settle();
    importer.advanceTo(3600);
    expect(statusOf(dv.metadata.name ?? '').phase).toBe('Succeeded');
  });
});

describe('the simulated CDI importer', () => {
  beforeEach(() => start(['app-01/2']));

  it('walks a DataVolume through CDI phases, progress strings and conditions to Succeeded, with its PVC', async () => {
    const seen: { phase: string; progress: string }[] = [];
    api.store.subscribe((e) => {
      if (e.resource === DATAVOLUMES && e.object.metadata.name === 'web-01-disk-0' && e.object.status) {
        const s = e.object.status as { phase: string; progress: string };
        seen.push({ phase: s.phase, progress: s.progress });
      }
    });
    api.store.create(DATAVOLUMES, dataVolume(inventory, 1, 0));
    await settle();
    const pvc = api.store.get(PVCS, NS, 'web-01-disk-0');
    expect(pvc?.metadata.ownerReferences?.[0]).toMatchObject({
      kind: 'DataVolume',
      name: 'web-01-disk-0',
      controller: true,
    });
    // The sandbox advances its clock in small real-time steps; here, half a simulated second at a time.
    const stepTo = (t: number) => {
      for (let now = importer.seconds + 0.5; now < t; now += 0.5) importer.advanceTo(now);
      importer.advanceTo(t);
    };
    stepTo(60);
    const middle = api.store.get(DATAVOLUMES, NS, 'web-01-disk-0')?.status as Record<string, unknown>;
    expect(middle.phase).toBe('ImportInProgress');
    expect(middle.progress).toMatch(/^\d{1,2}\.00%$/);
    stepTo(200);
    const done = api.store.get(DATAVOLUMES, NS, 'web-01-disk-0')?.status as {
      phase: string;
      progress: string;
      conditions: { type: string; status: string; reason: string }[];
    };
    expect(seen.slice(0, 4).map((s) => s.phase)).toEqual([
      'Pending',
      'PVCBound',
      'ImportScheduled',
      'ImportInProgress',
    ]);
    expect(seen.slice(0, 4).map((s) => s.progress)).toEqual(['', 'N/A', 'N/A', '0.00%']);
    // Progress is published about every 2 simulated seconds, never backwards, and 100.0% only at Succeeded.
    const percents = seen.filter((s) => s.phase === 'ImportInProgress').map((s) => Number.parseFloat(s.progress));
    for (let i = 1; i < percents.length; i++) expect(percents[i]).toBeGreaterThanOrEqual(percents[i - 1]);
    // 12Gi at 100Mi/s alone on its host: 122.88 s, so about 61 updates two seconds apart.
    expect(percents.length).toBeGreaterThanOrEqual(59);
    expect(percents.length).toBeLessThanOrEqual(63);
    expect(done.phase).toBe('Succeeded');
    expect(done.progress).toBe('100.0%');
    expect(done.conditions.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['Bound', 'True', 'Bound'],
      ['Running', 'False', 'Completed'],
      ['Ready', 'True', ''],
    ]);
  });

  it.each([
    ['is missing', undefined, 'secret "no-such-secret" not found'],
    ['lacks secretKey', { accessKeyId: 'dXNlcg==' }, "couldn't find key secretKey in Secret demo/no-such-secret"],
  ])(
    'never starts an importer whose VDDK Secret %s: ImportScheduled, CreateContainerConfigError, no restart',
    async (_, data, message) => {
      if (data)
        api.store.create('secrets', {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'no-such-secret', namespace: NS },
          data,
        });
      api.store.create(DATAVOLUMES, dataVolume(inventory, 0, 0, 'no-such-secret'));
      await settle();
      importer.advanceTo(3600);
      const s = api.store.get(DATAVOLUMES, NS, 'db-01-disk-0')?.status as {
        phase: string;
        progress: string;
        restartCount: number;
        conditions: { type: string; status: string; reason: string; message: string }[];
      };
      expect(s).toMatchObject({ phase: 'ImportScheduled', progress: 'N/A', restartCount: 0 });
      expect(s.conditions.find((c) => c.type === 'Running')).toMatchObject({
        status: 'False',
        reason: 'CreateContainerConfigError',
        message,
      });
      // the DataVolume is in flight for CDI, but no importer ever ran
      expect(importer.snapshot()).toMatchObject({ started: 0, current: 1 });
    },
  );

  it('crash-loops the disk named by --fail-disk and counts it in flight until it is marked stuck', async () => {
    api.store.create(DATAVOLUMES, dataVolume(inventory, 3, 2));
    await settle();
    importer.advanceTo(500);
    expect(importer.snapshot()).toMatchObject({ started: 1, succeeded: 0, current: 1 });
    api.store.patchMetadata(DATAVOLUMES, NS, 'app-01-disk-2', { annotations: { [STUCK_ANNOTATION]: 'no progress' } });
    await settle();
    expect(importer.snapshot().current).toBe(0);
  });

  it('keeps copying a DataVolume marked stuck (CDI ignores the annotation), but no longer counts it in flight', async () => {
    api.store.create(DATAVOLUMES, dataVolume(inventory, 1, 0));
    await settle();
    importer.advanceTo(10);
    api.store.patchMetadata(DATAVOLUMES, NS, 'web-01-disk-0', { annotations: { [STUCK_ANNOTATION]: 'slow' } });
    await settle();
    expect(importer.snapshot().current).toBe(0);
    importer.advanceTo(1000);
    expect(statusOf('web-01-disk-0').phase).toBe('Succeeded');
  });

  it('starts an importer at the next try after its Secret appears, with no restart counted', async () => {
    api.store.create(DATAVOLUMES, dataVolume(inventory, 1, 0, 'late-secret'));
    await settle();
    importer.advanceTo(15);
    api.store.create('secrets', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'late-secret', namespace: NS },
      data: { accessKeyId: 'dXNlcg==', secretKey: 'cGFzcw==' },
    });
    importer.advanceTo(19);
    expect(statusOf('web-01-disk-0').phase).toBe('ImportScheduled');
    // tries at 10 and 20 s; the one at 20 s finds the Secret and the copy runs
    importer.advanceTo(20);
    expect(statusOf('web-01-disk-0').phase).toBe('ImportInProgress');
    importer.advanceTo(2000);
    expect(statusOf('web-01-disk-0')).toMatchObject({ phase: 'Succeeded', restartCount: 0 });
  });

  it('never starts an importer whose transfer network does not exist (Multus), until the NAD appears', async () => {
    const annotated = (name: string, annotations: Record<string, string>) => {
      const dv = dataVolume(inventory, name === 'late' ? 1 : 0, name === 'late' ? 0 : 1);
      dv.metadata.annotations = annotations;
      api.store.create(DATAVOLUMES, dv);
    };
    annotated('late', { [NETWORKS]: '[{"name":"late-net","namespace":"demo","default-route":["192.168.100.1"]}]' });
    // the seeded NAD, by the legacy annotation Forklift writes without a route: starts at once
    annotated('seeded', { 'v1.multus-cni.io/default-network': `${NS}/${SEED_NAMES.transferNetwork}` });
    await settle();
    importer.advanceTo(35);
    const running = (name: string) => statusOf(name).conditions.find((c) => c.type === 'Running');
    expect(statusOf('db-01-disk-1').phase).toBe('ImportInProgress');
    expect(statusOf('web-01-disk-0')).toMatchObject({ phase: 'ImportScheduled', restartCount: 0 });
    expect(running('web-01-disk-0')).toMatchObject({ status: 'False', reason: 'PodInitializing', message: '' });
    api.store.create(NETWORK_ATTACHMENT_DEFINITIONS, {
      apiVersion: 'k8s.cni.cncf.io/v1',
      kind: 'NetworkAttachmentDefinition',
      metadata: { name: 'late-net', namespace: NS },
      spec: { config: '{"type":"bridge"}' },
    });
    // tries every 10 s: at 40 s the kubelet makes the pod, Multus attaches it, the copy runs
    importer.advanceTo(39);
    expect(statusOf('web-01-disk-0').phase).toBe('ImportScheduled');
    importer.advanceTo(40);
    expect(statusOf('web-01-disk-0').phase).toBe('ImportInProgress');
    importer.advanceTo(2000);
    expect(statusOf('web-01-disk-0')).toMatchObject({ phase: 'Succeeded', restartCount: 0 });
  });

  it.each([
    ['a name alone: the NAD of its own namespace, absent', 'late-net', false],
    ['a NAD of another namespace (namespace isolation is not modelled)', 'openshift-mtv/late-net', true],
    ['a list with one missing', `${NS}/${SEED_NAMES.transferNetwork}, other/late-net@net1`, false],
    ['a JSON list without namespaces, in its own', `[{"name":"${SEED_NAMES.transferNetwork}"}]`, true],
    ['text Multus cannot parse', '[{"name":', false],
  ])('%s: the pod starts only where Multus finds every NAD named', async (_, networks, starts) => {
    api.store.create(NETWORK_ATTACHMENT_DEFINITIONS, {
      apiVersion: 'k8s.cni.cncf.io/v1',
      kind: 'NetworkAttachmentDefinition',
      metadata: { name: 'late-net', namespace: 'openshift-mtv' },
      spec: { config: '{"type":"bridge"}' },
    });
    const dv = dataVolume(inventory, 1, 0);
    dv.metadata.annotations = { [NETWORKS]: networks };
    api.store.create(DATAVOLUMES, dv);
    await settle();
    importer.advanceTo(1);
    expect(statusOf('web-01-disk-0').phase).toBe(starts ? 'ImportInProgress' : 'ImportScheduled');
  });

  it('writes a status only when it changes, keeping condition times where CDI keeps them', async () => {
    api.store.create(DATAVOLUMES, dataVolume(inventory, 3, 2));
    await settle();
    importer.advanceTo(11);
    const before = statusOf('app-01-disk-2');
    let writes = 0;
    api.store.subscribe((e) => {
      if (e.resource === DATAVOLUMES) writes++;
    });
    for (let t = 11.5; t < 29.9; t += 0.5) importer.advanceTo(t);
    expect(writes).toBe(0);
    importer.advanceTo(30);
    const after = statusOf('app-01-disk-2');
    expect(writes).toBe(1);
    const bound = (s: typeof after) => s.conditions.find((c) => c.type === 'Bound')?.lastTransitionTime;
    expect(bound(after)).toBe(bound(before));
  });

  it('survives a DataVolume whose PVC name is taken, and goes on with the others', async () => {
    api.store.create(PVCS, {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'web-01-disk-0', namespace: NS },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    });
    api.store.create(DATAVOLUMES, dataVolume(inventory, 1, 0));
    api.store.create(DATAVOLUMES, dataVolume(inventory, 0, 1));
    await settle();
    importer.advanceTo(2000);
    expect(statusOf('db-01-disk-1').phase).toBe('Succeeded');
  });

  it('forgets a deleted DataVolume, and the API server removes its PVC', async () => {
    api.store.create(DATAVOLUMES, dataVolume(inventory, 1, 0));
    await settle();
    importer.advanceTo(5);
    api.store.delete(DATAVOLUMES, NS, 'web-01-disk-0');
    await settle();
    expect(api.store.get(PVCS, NS, 'web-01-disk-0')).toBeUndefined();
    importer.advanceTo(1000);
    expect(importer.snapshot()).toMatchObject({ started: 1, succeeded: 0, current: 0 });
  });
});

describe('the sandbox and simulate', () => {
  beforeEach(() => start());

  it.each(['disk', 'forklift', 'gang'] as const)(
    'finish every disk when %s says, given the same start times',
    async (policy) => {
      const result = simulateScenario(scenario, { policy, maxInFlight: 4, order: 'largest' });
      const ended = new Map<string, number>();
      api.store.subscribe((e) => {
        const status = e.object.status as { phase?: string } | undefined;
        if (e.resource === DATAVOLUMES && status?.phase === 'Succeeded' && !ended.has(e.object.metadata.name ?? '')) {
          ended.set(e.object.metadata.name ?? '', importer.seconds);
        }
      });
      const starts = [...result.disks].sort((a, b) => a.startSeconds - b.startSeconds);
      for (const run of starts) {
        importer.advanceTo(run.startSeconds);
        const vm = inventory.vms.findIndex((v) => v.name === run.vm);
        api.store.create(DATAVOLUMES, dataVolume(inventory, vm, run.disk));
        await settle();
      }
      importer.advanceTo(result.makespanSeconds + 10);
      for (const run of result.disks) {
        const end = ended.get(`${run.vm}-disk-${run.disk}`);
        expect(end, `${run.vm}/${run.disk}`).toBeCloseTo(run.endSeconds, 3);
      }
      expect(importer.snapshot()).toMatchObject({
        started: result.disks.length,
        succeeded: result.disks.length,
        current: 0,
        peak: Math.max(result.peakInFlight, 1),
      });
    },
  );
});
