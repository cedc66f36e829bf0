import type { Scenario } from '@kubectl-mtv/engine';
import {
  DEFAULT_SANDBOX_SCENARIO,
  inventoryFromScenario,
  SEED_NAMES,
  startInventoryServer,
  uuidFromName,
} from '@kubectl-mtv/sandbox';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DetectedRelease, MtvRelease } from '../../src/cluster/mtv-release.js';
import { resolvePlan } from '../../src/cluster/plan-resolver.js';
import { inNamespace, RESOURCES } from '../../src/cluster/resource-types.js';
import { ExitCode, type UserError } from '../../src/errors.js';
import { type ClusterFixture, startCluster, userError } from './cluster-fixture.js';

const Gi = 2 ** 30;
const NS = SEED_NAMES.forkliftNamespace;
/** What the sandbox serves by default, as detectMtvRelease reads it (test/cluster/mtv-release.test.ts). */
const NEWEST = { release: '2.12', source: 'schema' } as const;
const PLAN_PATH = `/apis/forklift.konveyor.io/v1beta1/namespaces/${NS}/plans/plan-a`;
const PLAN_REF = inNamespace(RESOURCES.plans, NS);
const PROVIDER_PATH = `/apis/forklift.konveyor.io/v1beta1/namespaces/${NS}/providers/vsphere-a`;

/** Two hosts, two datastores (ds-2 is met first, so it is datastore-1), VMs out of host order, an odd capacity. */
const SCENARIO: Scenario = {
  name: 'resolver',
  migration: 'cold',
  maxInFlight: 7,
  diskRate: 100 * 2 ** 20,
  hosts: [{ name: 'esx-01' }, { name: 'esx-02' }],
  vms: [
    {
      name: 'db-01',
      host: 'esx-02',
      disks: [
        { size: 100 * Gi + 1, datastore: 'ds-2' },
        { size: 5 * Gi, datastore: 'ds-1' },
      ],
    },
    { name: 'web-01', host: 'esx-01', disks: [{ size: 40 * Gi, datastore: 'ds-1' }] },
  ],
};

describe('resolvePlan', () => {
  let cluster: ClusterFixture;

  beforeEach(async () => {
    cluster = await startCluster(SCENARIO);
  });

  afterEach(async () => {
    await cluster?.close();
  });

  const resolve = (
    extra: {
      plan?: string;
      vddkSecret?: string;
      allowPoweredOn?: boolean;
      disksOnly?: boolean;
      mtvRelease?: DetectedRelease;
    } = {},
  ) => resolvePlan(cluster.kube, cluster.inventory, { plan: 'plan-a', namespace: NS, mtvRelease: NEWEST, ...extra });

  /** The refusal, after checking that resolving wrote nothing to the cluster. */
  async function refusal(run: () => Promise<unknown> = () => resolve()): Promise<UserError> {
    const before = await cluster.revision();
    const error = await userError(run());
    expect(await cluster.revision()).toBe(before);
    expect(error.exitCode).toBe(ExitCode.usage);
    return error;
  }

  it('resolves the seeded plan: VMs in plan order with hosts, uuids, disks, storage classes, VDDK image and Secret', async () => {
    const before = await cluster.revision();
    const resolved = await resolve();
    expect(await cluster.revision()).toBe(before);
    const plan = cluster.sandbox.store.get('plans.forklift.konveyor.io', NS, 'plan-a');
    const disk = (index: number, key: number, file: string, datastoreId: string, capacity: number) => ({
      index,
      key,
      file,
      datastoreId,
      capacity,
      shared: false,
      storageClass: 'standard',
      bus: 'scsi',
      serial: expect.stringMatching(/^6000c29/),
    });
    const inventory = inventoryFromScenario(SCENARIO, cluster.sandbox.providerUid);
    /** The seeded inventory's defaults: 2 CPUs on 2 sockets, 4096 MiB, BIOS, RHEL 9, one NIC on the pod network. */
    const config = (name: string) => ({
      targetName: name,
      renamed: false,
      cpuCount: 2,
      coresPerSocket: 1,
      memoryMB: 4096,
      firmware: 'bios',
      secureBoot: false,
      tpmEnabled: false,
      nestedHVEnabled: false,
      guestId: 'rhel9_64Guest',
      guestName: 'Red Hat Enterprise Linux 9 (64-bit)',
      timezone: 'UTC',
      diskEnableUuid: false,
      nics: [
        {
          mac: inventory.vms.find((vm) => vm.name === name)?.nics[0].mac,
          networkId: 'network-1',
          networkName: 'VM Network',
          destination: { type: 'pod' },
        },
      ],
    });
    expect(resolved).toEqual({
      plan: {
        name: 'plan-a',
        namespace: NS,
        uid: plan?.metadata.uid,
        targetNamespace: 'demo',
        migrateSharedDisks: true,
        pvcNameTemplateUseGenerateName: true,
      },
      provider: {
        name: 'vsphere-a',
        namespace: NS,
        uid: cluster.sandbox.providerUid,
        url: cluster.sandbox.vcenter.url,
        fingerprint: cluster.sandbox.vcenter.thumbprint,
        secret: { name: SEED_NAMES.sourceProviderSecret, namespace: NS },
      },
      vddkImage: SEED_NAMES.vddkInitImage,
      vddkSecret: `plan-a-vddk-${plan?.metadata.uid?.replace(/-/g, '').slice(0, 8)}`,
      vddkSecretSource: { kind: 'provider', name: SEED_NAMES.sourceProviderSecret, namespace: NS },
      vms: [
        {
          id: 'vm-1',
          name: 'db-01',
          uuid: uuidFromName('db-01'),
          instanceUuid: uuidFromName('db-01', 'instance'),
          host: 'host-2',
          powerState: 'poweredOff',
          disks: [
            disk(0, 2000, '[ds-2] db-01/db-01.vmdk', 'datastore-1', 100 * Gi + 1),
            disk(1, 2001, '[ds-1] db-01/db-01_1.vmdk', 'datastore-2', 5 * Gi),
          ],
          config: config('db-01'),
        },
        {
          id: 'vm-2',
          name: 'web-01',
          uuid: uuidFromName('web-01'),
          instanceUuid: uuidFromName('web-01', 'instance'),
          host: 'host-1',
          powerState: 'poweredOff',
          disks: [disk(0, 2000, '[ds-1] web-01/web-01.vmdk', 'datastore-2', 40 * Gi)],
          config: config('web-01'),
        },
      ],
      controllerMaxInFlight: 7,
      // the sandbox's CDI (v1.66.0) finds VMs by instance uuid: MTV 2.12 gives it that one
      vddkUuid: { kind: 'instance', cdiVersion: 'v1.66.0' },
      destination: { kind: 'host' },
      mtvRelease: NEWEST,
      vmSettings: {
        skipGuestConversion: true,
        useCompatibilityMode: true,
        networkMap: `${NS}/${SEED_NAMES.networkMap}`,
      },
    });
    // the provider (its vmCount), then, as the plan names every VM of it, the one VM list (plan-vms.ts); the networks
    // and the VMs' two hosts (their time zones)
    expect(cluster.inventory.requestCount()).toBe(5);
  });

  it("reads the plan VMs' own pvcNameTemplate, pvcNameTemplateUseGenerateName and Forklift's newName", async () => {
    await cluster.patch(PLAN_PATH, {
      spec: {
        pvcNameTemplate: '{{.PlanName}}-{{.DiskIndex}}',
        pvcNameTemplateUseGenerateName: false,
        vms: [{ id: 'vm-1', pvcNameTemplate: 'db-{{.DiskIndex}}' }, { name: 'web-01' }],
      },
    });
    cluster.sandbox.store.updateStatus('plans.forklift.konveyor.io', NS, 'plan-a', {
      ...(await cluster.kube.get<{ status: object }>(PLAN_REF, 'plan-a'))?.status,
      migration: { vms: [{ id: 'vm-2', newName: 'web-01-renamed', phase: 'Completed', pipeline: [] }] },
    });
    const resolved = await resolve();
    expect(resolved.plan).toMatchObject({ pvcNameTemplate: '{{.PlanName}}-{{.DiskIndex}}' });
    expect(resolved.plan.pvcNameTemplateUseGenerateName).toBe(false);
    expect(resolved.vms.map((vm) => [vm.pvcNameTemplate, vm.newName])).toEqual([
      ['db-{{.DiskIndex}}', undefined],
      [undefined, 'web-01-renamed'],
    ]);
  });

  it('resolves plan VMs given by name only, by name', async () => {
    await cluster.patch(PLAN_PATH, { spec: { vms: [{ name: 'web-01' }, { name: 'Datacenter/vm/db-01' }] } });
    const resolved = await resolve();
    expect(resolved.vms.map((vm) => [vm.id, vm.name])).toEqual([
      ['vm-2', 'web-01'],
      ['vm-1', 'db-01'],
    ]);
  });

  it('refuses a plan that does not exist', async () => {
    const error = await refusal(() => resolve({ plan: 'nope' }));
    expect(error.line).toBe('plan "nope" not found in namespace "openshift-mtv" (try: kubectl get plans -A)');
  });

  it('refuses an archived plan', async () => {
    await cluster.patch(PLAN_PATH, { spec: { archived: true } });
    expect((await refusal()).line).toBe(
      'plan "plan-a" is archived (try: an archived plan never runs again: create a new plan)',
    );
  });

  it('refuses a plan that is not Ready, quoting its blocking condition', async () => {
    cluster.sandbox.store.updateStatus('plans.forklift.konveyor.io', NS, 'plan-a', {
      conditions: [
        {
          type: 'VMNotFound',
          status: 'True',
          category: 'Critical',
          message: 'VM not found.',
          lastTransitionTime: new Date().toISOString(),
        },
      ],
    });
    expect((await refusal()).line).toBe(
      'plan "plan-a" is not Ready: "VM not found." (try: kubectl describe plan plan-a -n openshift-mtv)',
    );
  });

  it('refuses a plan the controller is running, and not one whose Migration completed', async () => {
    const migration = (name: string) => ({
      apiVersion: 'forklift.konveyor.io/v1beta1',
      kind: 'Migration',
      metadata: { name, namespace: NS },
      spec: { plan: { name: 'plan-a', namespace: NS } },
    });
    cluster.sandbox.store.create('migrations.forklift.konveyor.io', {
      ...migration('done'),
      status: { completed: new Date().toISOString() },
    });
    await expect(resolve()).resolves.toBeDefined();
    cluster.sandbox.store.create('migrations.forklift.konveyor.io', migration('plan-a-run'));
    expect((await refusal()).line).toBe(
      'plan "plan-a" is being run by the MTV controller (Migration "plan-a-run" has not completed) ' +
        '(try: wait for it, or cancel it: kubectl delete migration plan-a-run -n openshift-mtv)',
    );
  });

  it.each([
    [{ type: 'live' }, 'is a live migration (type: live); kubectl mtv migrate runs cold and warm plans'],
    [
      { type: 'conversion' },
      'is a conversion-only plan (type: conversion): it copies nothing, the MTV controller converts disks already in place',
    ],
  ])('refuses a plan with %j, reading nothing from the inventory', async (spec, why) => {
    await cluster.patch(PLAN_PATH, { spec });
    expect((await refusal()).line).toBe(`plan "plan-a" ${why} (try: run it with the MTV controller)`);
    expect(cluster.inventory.requestCount()).toBe(0);
  });

  it('refuses a source provider that is not vSphere', async () => {
    await cluster.patch(PROVIDER_PATH, { spec: { type: 'ovirt' } });
    expect((await refusal()).line).toBe(
      'plan "plan-a" has a ovirt source provider "vsphere-a"; only vSphere sources are supported',
    );
  });

  it('refuses a cold plan that needs a guest conversion on MTV 2.11 unless --disks-only; 2.12 converts it', async () => {
    await cluster.patch(PLAN_PATH, { spec: { skipGuestConversion: false } });
    const on211 = { release: '2.11', source: 'flag' } as const;
    expect((await refusal(() => resolve({ mtvRelease: on211 }))).line).toBe(
      'plan "plan-a" needs a guest conversion after the copy (a cold plan to the local cluster without ' +
        'skipGuestConversion, MTV 2.11), and MTV 2.11 has no Conversion CR (it arrives in MTV 2.12) (try: set ' +
        'spec.skipGuestConversion: true (Raw Copy), or --disks-only to copy the disks without the conversion)',
    );
    const copied = await resolve({ disksOnly: true, mtvRelease: on211 });
    expect(copied.disksOnly).toBe(
      'needs a guest conversion after the copy (a cold plan to the local cluster without skipGuestConversion, MTV 2.11)',
    );
    expect(copied.conversion).toBeUndefined();
    // MTV 2.12 (feature_use_conversion_cr on): converted in place through Conversion CRs (conversion.test.ts)
    const converted = await resolve();
    expect(converted.disksOnly).toBeUndefined();
    expect(converted.conversion?.namespace).toBe(NS);
    // --disks-only still copies without any conversion
    expect((await resolve({ disksOnly: true })).conversion).toBeUndefined();
  });

  it("takes the VDDK image from CDI's v2v-vmware ConfigMap, and refuses a plan with none", async () => {
    await cluster.patch(PROVIDER_PATH, { spec: { settings: { vddkInitImage: null } } });
    expect((await refusal()).line).toBe(
      'plan "plan-a" has no VDDK image: provider "vsphere-a" sets no settings.vddkInitImage, the ForkliftController ' +
        'no vddk_image, and no v2v-vmware ConfigMap in openshift-cnv or cdi names one (try: kubectl patch provider ' +
        'vsphere-a -n openshift-mtv ' +
        `--type merge -p '{"spec":{"settings":{"vddkInitImage":"IMAGE"}}}')`,
    );
    const { store } = cluster.sandbox;
    store.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'cdi' } });
    store.create('configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'v2v-vmware', namespace: 'cdi' },
      data: { 'vddk-init-image': 'quay.io/example/vddk:8' },
    });
    expect((await resolve()).vddkImage).toBe('quay.io/example/vddk:8');
  });

  it("takes the VDDK image from the ForkliftController's vddk_image from 2.9, before CDI's ConfigMap", async () => {
    await cluster.patch(PROVIDER_PATH, { spec: { settings: { vddkInitImage: null } } });
    await cluster.patch(`/apis/forklift.konveyor.io/v1beta1/namespaces/${NS}/forkliftcontrollers/forklift-controller`, {
      spec: { vddk_image: 'quay.io/example/vddk:controller' },
    });
    expect((await resolve()).vddkImage).toBe('quay.io/example/vddk:controller');
    // 2.8 reads only the Provider's setting (builder.go DataVolumes: Settings[api.VDDK]), then CDI's ConfigMap
    const on28 = () => resolve({ disksOnly: true, mtvRelease: { release: '2.8', source: 'flag' } });
    expect((await refusal(on28)).line).toMatch(
      /^plan "plan-a" has no VDDK image: provider "vsphere-a" sets no settings.vddkInitImage and no v2v-vmware/,
    );
  });

  it("checks the user's own VDDK Secret (--vddk-secret) for CDI's keys, before any inventory read", async () => {
    expect((await refusal(() => resolve({ vddkSecret: 'my-vddk' }))).line).toBe(
      'plan "plan-a": the VDDK Secret "my-vddk" (--vddk-secret) does not exist in namespace "demo" ' +
        '(try: create it with the keys accessKeyId and secretKey (and cacert), or leave --vddk-secret out)',
    );
    const secret = (data: Record<string, string>) => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'my-vddk', namespace: 'demo' },
      data,
    });
    cluster.sandbox.store.create('secrets', secret({ accessKeyId: Buffer.from('u').toString('base64') }));
    expect((await refusal(() => resolve({ vddkSecret: 'my-vddk' }))).line).toBe(
      'plan "plan-a": the VDDK Secret "my-vddk" (--vddk-secret) in namespace "demo" lacks the key secretKey, so ' +
        "CDI's importer would never start (try: add secretKey to it (the vCenter user and password), or leave --vddk-secret out)",
    );
    expect(cluster.inventory.requestCount()).toBe(0);
    cluster.sandbox.store.delete('secrets', 'demo', 'my-vddk');
    cluster.sandbox.store.create('secrets', secret({ accessKeyId: 'dQ==', secretKey: 'cA==' }));
    expect(await resolve({ vddkSecret: 'my-vddk' })).toMatchObject({
      vddkSecret: 'my-vddk',
      vddkSecretSource: { kind: 'given' },
    });
  });

  it('refuses a Provider Secret that is missing or lacks the vCenter user or password', async () => {
    const stored = cluster.sandbox.store.get('secrets', NS, SEED_NAMES.sourceProviderSecret) as unknown as {
      apiVersion: string;
      kind: string;
      data: Record<string, string>;
    };
    cluster.sandbox.store.delete('secrets', NS, SEED_NAMES.sourceProviderSecret);
    expect((await refusal()).line).toBe(
      `plan "plan-a": provider "vsphere-a" names Secret "${SEED_NAMES.sourceProviderSecret}" in namespace "${NS}", ` +
        `which does not exist (try: kubectl get secrets -n ${NS}, or pass --vddk-secret NAME)`,
    );
    const { password: _password, ...withoutPassword } = stored.data;
    cluster.sandbox.store.create('secrets', {
      ...stored,
      metadata: { name: SEED_NAMES.sourceProviderSecret, namespace: NS },
      data: withoutPassword,
    });
    expect((await refusal()).line).toBe(
      `plan "plan-a": provider "vsphere-a"'s Secret "${SEED_NAMES.sourceProviderSecret}" lacks the key password ` +
        '(try: fix the provider in the MTV console (its vCenter credentials), or pass --vddk-secret NAME)',
    );
    expect(cluster.inventory.requestCount()).toBe(0);
  });

  it('refuses with exit 3 when the Provider Secret may not be read, suggesting --vddk-secret', async () => {
    const denied = await startCluster(SCENARIO, { deny: [`get:secrets@${NS}`] });
    try {
      const before = await denied.revision();
      const error = await userError(
        resolvePlan(denied.kube, denied.inventory, { plan: 'plan-a', namespace: NS, mtvRelease: NEWEST }),
      );
      expect(error.exitCode).toBe(ExitCode.unreachable);
      expect(error.line).toMatch(
        new RegExp(
          `^context "[^"]+" may not get Secret "${SEED_NAMES.sourceProviderSecret}" in namespace "${NS}" \\(provider "vsphere-a"\\), which the VDDK Secret is made from \\(try: ask for get on secrets/${SEED_NAMES.sourceProviderSecret} in "${NS}", or pass --vddk-secret NAME`,
        ),
      );
      expect(await denied.revision()).toBe(before);
      // a Secret of the user's own in the target namespace needs no access to the provider's
      denied.sandbox.store.create('secrets', {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'my-vddk', namespace: 'demo' },
        data: { accessKeyId: 'dQ==', secretKey: 'cA==' },
      });
      const resolved = await resolvePlan(denied.kube, denied.inventory, {
        plan: 'plan-a',
        namespace: NS,
        mtvRelease: NEWEST,
        vddkSecret: 'my-vddk',
      });
      expect(resolved.vddkSecret).toBe('my-vddk');
    } finally {
      await denied.close();
    }
  });

  it('refuses plan VMs the inventory does not have, listing them all', async () => {
    await cluster.patch(PLAN_PATH, { spec: { vms: [{ id: 'vm-1' }, { name: 'ghost-01' }, { id: 'vm-404' }] } });
    expect((await refusal()).line).toBe(
      'plan "plan-a" names 2 VMs the inventory does not have: ghost-01, vm-404 (try: check the plan VMs against ' +
        'the provider (kubectl describe plan), or wait for the inventory to refresh)',
    );
  });

  it('refuses an RDM disk', async () => {
    const inventory = inventoryFromScenario(SCENARIO, cluster.sandbox.providerUid);
    inventory.vms[0].disks[1].rdm = true;
    const server = await startInventoryServer({ token: cluster.sandbox.token, inventory });
    try {
      const run = () =>
        resolvePlan(cluster.kube, cluster.newInventory({ url: server.url }), {
          plan: 'plan-a',
          namespace: NS,
          mtvRelease: NEWEST,
        });
      expect((await refusal(run)).line).toBe(
        'plan "plan-a" has RDM disks, which CDI cannot copy: db-01 disk 1 (try: remove those VMs from the plan)',
      );
    } finally {
      await server.close();
    }
  });
});

describe('resolvePlan on scenarios the seed makes refusable', () => {
  it('refuses powered-on VMs unless allowed', async () => {
    const cluster = await startCluster(DEFAULT_SANDBOX_SCENARIO);
    try {
      const run = (allowPoweredOn: boolean) =>
        resolvePlan(cluster.kube, cluster.inventory, {
          plan: 'plan-a',
          namespace: NS,
          allowPoweredOn,
          mtvRelease: NEWEST,
        });
      const before = await cluster.revision();
      const error = await userError(run(false));
      expect(error.exitCode).toBe(ExitCode.usage);
      expect(error.line).toBe(
        'plan "plan-a" has 8 VMs powered on: web-01, web-02, web-03, web-04, web-05, web-06, web-07, web-08 ' +
          '(try: pass --power-off-source to shut them down through vCenter before their disks copy (as MTV does), power them off, or pass --allow-powered-on to copy them crash-consistently)',
      );
      const resolved = await run(true);
      expect(await cluster.revision()).toBe(before);
      expect(resolved.vms).toHaveLength(DEFAULT_SANDBOX_SCENARIO.vms.length);
      expect(resolved.vms.flatMap((vm) => vm.disks)).toHaveLength(6 * 10 + 8 + 24);
      // two resolutions, each the provider and its VM list; the second also esx-01, whose Host CR is Ready (the
      // refused one stops before the hosts), the networks and both hosts (their time zones)
      expect(cluster.inventory.requestCount()).toBe(8);
    } finally {
      await cluster.close();
    }
  });

  it('refuses disks on datastores the storage map leaves out, listing each datastore once', async () => {
    const scenario: Scenario = {
      ...SCENARIO,
      vms: [...SCENARIO.vms, { name: 'old-01', host: 'esx-01', disks: [{ size: Gi, datastore: 'ds-9' }] }],
      unmappedDatastores: ['ds-9'],
    };
    const cluster = await startCluster(scenario);
    try {
      const before = await cluster.revision();
      const error = await userError(
        resolvePlan(cluster.kube, cluster.inventory, { plan: 'plan-a', namespace: NS, mtvRelease: NEWEST }),
      );
      expect(await cluster.revision()).toBe(before);
      expect(error.exitCode).toBe(ExitCode.usage);
      expect(error.line).toBe(
        'plan "plan-a" has disks on datastores storage map "storage-a" does not map: ds-9 (datastore-3) ' +
          '(try: add them to the StorageMap: kubectl edit storagemap storage-a -n openshift-mtv)',
      );
    } finally {
      await cluster.close();
    }
  });
});

describe('resolvePlan numbers disks as the release does (src/cluster/disk-order.ts)', () => {
  /** One disk per place; the scenario lists them in the order they were added to the VM. */
  const MIXED: Scenario = {
    ...SCENARIO,
    vms: [
      {
        name: 'mixed-01',
        host: 'esx-01',
        disks: [
          { size: Gi, bus: 'scsi', controller: 1 }, // key 2000 on SCSI controller 1
          { size: Gi, bus: 'scsi', controller: 0 }, // key 2001 on SCSI controller 0
          { size: Gi, bus: 'sata' },
          { size: Gi, bus: 'ide' },
          { size: Gi, bus: 'nvme' },
        ],
      },
      { name: 'plain-01', host: 'esx-01', disks: [{ size: Gi }] },
    ],
  };
  const file = (n: number) => `[ds-1] mixed-01/mixed-01${n === 0 ? '' : `_${n}`}.vmdk`;

  async function order(release: MtvRelease, scenario = MIXED) {
    const cluster = await startCluster(scenario, { mtvRelease: release });
    try {
      const resolved = await resolvePlan(cluster.kube, cluster.inventory, {
        plan: 'plan-a',
        namespace: NS,
        mtvRelease: { release, source: 'schema' },
        disksOnly: true,
      });
      return resolved.vms[0].disks.map((disk) => [disk.index, disk.file]);
    } finally {
      await cluster.close();
    }
  }

  it('2.10: SATA, IDE, SCSI, NVMe, each bus by device key', async () => {
    expect(await order('2.10')).toEqual([
      [0, file(2)],
      [1, file(3)],
      [2, file(0)],
      [3, file(1)],
      [4, file(4)],
    ]);
  });

  it.each(['2.11', '2.12'] as const)('%s: within a bus by controller, unit, then key', async (release) => {
    expect(await order(release)).toEqual([
      [0, file(2)],
      [1, file(3)],
      [2, file(1)],
      [3, file(0)],
      [4, file(4)],
    ]);
  });

  it.each(['2.8', '2.9'] as const)(
    '%s: refuses a VM with an NVMe disk (the release drops it), exit 2',
    async (release) => {
      const cluster = await startCluster(MIXED, { mtvRelease: release });
      try {
        const before = await cluster.revision();
        const error = await userError(
          resolvePlan(cluster.kube, cluster.inventory, {
            plan: 'plan-a',
            namespace: NS,
            mtvRelease: { release, source: 'schema' },
            disksOnly: true,
          }),
        );
        expect(await cluster.revision()).toBe(before);
        expect(error.exitCode).toBe(ExitCode.usage);
        expect(error.line).toBe(
          `plan "plan-a" has NVMe disks, which MTV ${release} leaves out of a VM's disks (it copies SATA, IDE and ` +
            `SCSI only): mixed-01 (nvme bus, ${file(4)}) (try: move those VMs to a plan of their own on MTV 2.10 or ` +
            'later (--mtv-version is read from the cluster), or remove them from the plan)',
        );
      } finally {
        await cluster.close();
      }
    },
  );

  it('2.8 numbers the other buses by key, without the controller the 2.8 inventory does not report', async () => {
    const withoutNvme: Scenario = {
      ...MIXED,
      vms: [{ ...MIXED.vms[0], disks: MIXED.vms[0].disks.slice(0, 4) }, MIXED.vms[1]],
    };
    expect(await order('2.8', withoutNvme)).toEqual([
      [0, file(2)],
      [1, file(3)],
      [2, file(0)],
      [3, file(1)],
    ]);
  });
});
