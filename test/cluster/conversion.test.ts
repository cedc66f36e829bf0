/**
 * Guest conversion through MTV 2.12's Conversion CR: the manifests buildConversion makes (checked against the real
 * release-2.12 CRD in ../shared/crds and accepted by the sandbox's API server), readConversion on the statuses
 * Forklift's conversion controller writes, conversionSupport and the resolver against the sandbox, and a Conversion
 * run to Succeeded by the sandbox's simulated controller.
 */
import type { Scenario } from '@kubectl-mtv/engine';
import { CONVERSIONS, SEED_NAMES } from '@kubectl-mtv/sandbox';
import { forkliftReleaseOracle, needs, SHARED_CRDS } from '@kubectl-mtv/test-support';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  buildConversion,
  type ConversionClaim,
  conversionName,
  conversionSupport,
  libvirtDiskOrder,
  readConversion,
} from '../../src/cluster/conversion.js';
import { FORKLIFT_SELECTOR_KEYS } from '../../src/cluster/datavolume-builder.js';
import { resolvePlan } from '../../src/cluster/plan-resolver.js';
import type { ResolvedDisk, ResolvedPlan } from '../../src/cluster/resolved-plan.js';
import { inNamespace, RESOURCES } from '../../src/cluster/resource-types.js';
import { type ClusterFixture, startCluster, userError } from './cluster-fixture.js';

const Gi = 2 ** 30;
const NS = SEED_NAMES.forkliftNamespace;
const TARGET = SEED_NAMES.targetNamespace;
const NEWEST = { release: '2.12', source: 'schema' } as const;
const PLAN_PATH = `/apis/forklift.konveyor.io/v1beta1/namespaces/${NS}/plans/plan-a`;
const CONTROLLER_PATH = `/apis/forklift.konveyor.io/v1beta1/namespaces/${NS}/forkliftcontrollers/forklift-controller`;

const SCENARIO: Scenario = {
  name: 'conversion',
  migration: 'cold',
  maxInFlight: 4,
  diskRate: 100 * 2 ** 20,
  hosts: [{ name: 'esx-01' }, { name: 'esx-02' }],
  vms: [
    { name: 'db-01', host: 'esx-02', disks: [{ size: 20 * Gi }, { size: 4 * Gi }] },
    { name: 'web-01', host: 'esx-01', disks: [{ size: 8 * Gi }] },
  ],
};

/** One claim per copied disk, named as a run would name its PVCs. */
function claimsOf(plan: ResolvedPlan, vmIndex: number): ConversionClaim[] {
  const vm = plan.vms[vmIndex];
  return vm.disks
    .filter((disk) => disk.index >= 0)
    .map((disk) => ({ diskIndex: disk.index, file: disk.file, claimName: `${vm.name}-disk-${disk.index}` }));
}

describe('conversion', () => {
  let cluster: ClusterFixture;

  beforeEach(async () => {
    cluster = await startCluster(SCENARIO, { speed: 50, conversionBytesPerSecond: 4 * Gi });
  });

  afterEach(async () => {
    await cluster?.close();
  });

  const resolve = (extra: { disksOnly?: boolean } = {}) =>
    resolvePlan(cluster.kube, cluster.inventory, { plan: 'plan-a', namespace: NS, mtvRelease: NEWEST, ...extra });

  it('is available on MTV 2.12 with the feature on, off where the ForkliftController says so, unknown without one', async () => {
    expect(await conversionSupport(cluster.kube, NS, '2.12')).toMatchObject({
      available: true,
      feature: 'on',
      why: 'MTV 2.12 converts through Conversion CRs (ForkliftController "openshift-mtv/forklift-controller": feature_use_conversion_cr "true")',
      controller: { extraArgs: '[]', inspectorExtraArgs: '[]', dontRequestKvm: false },
    });
    expect(await conversionSupport(cluster.kube, NS, '2.11')).toEqual({
      available: false,
      feature: 'unknown',
      why: 'MTV 2.11 has no Conversion CR (it arrives in MTV 2.12)',
    });
    await cluster.patch(CONTROLLER_PATH, {
      spec: {
        feature_use_conversion_cr: 'false',
        virt_v2v_extra_args: '--colours  -v',
        virt_v2v_dont_request_kvm: 'true',
      },
    });
    expect(await conversionSupport(cluster.kube, NS, '2.12')).toMatchObject({
      available: false,
      feature: 'off',
      controller: { extraArgs: '["--colours","-v"]', dontRequestKvm: true },
    });
    cluster.sandbox.store.delete('forkliftcontrollers.forklift.konveyor.io', NS, 'forklift-controller');
    expect(await conversionSupport(cluster.kube, NS, '2.12')).toMatchObject({ available: true, feature: 'unknown' });
  });

  it('takes a plan that needs a guest conversion on 2.12, and refuses it where the feature is off or on 2.11', async () => {
    await cluster.patch(PLAN_PATH, { spec: { skipGuestConversion: false } });
    const resolved = await resolve();
    expect(resolved.disksOnly).toBeUndefined();
    const db = resolved.vms[0];
    expect(resolved.conversion).toEqual({
      namespace: NS,
      destination: { name: SEED_NAMES.destinationProvider, namespace: NS },
      localMigration: true,
      xfsCompatibility: false,
      requestKVM: true,
      support: { feature: 'on', why: expect.stringContaining('feature_use_conversion_cr "true"') },
      vms: {
        [db.id]: {
          secret: resolved.vddkSecret,
          settings: {
            V2V_vmName: 'db-01',
            // the Provider's URL is the sandbox's vCenter, its Secret's user the vCenter's
            V2V_libvirtURL: `vpx://${encodeURIComponent(cluster.sandbox.vcenter.user)}@${new URL(cluster.sandbox.vcenter.url).host}/Datacenter/host/Cluster/esx-02?cacert=/opt/ca-bundle.crt`,
            V2V_source: 'vSphere',
            V2V_fingerprint: expect.stringMatching(/^([0-9A-F]{2}:){19}[0-9A-F]{2}$/),
            V2V_extra_args: '[]',
            V2V_inspector_extra_args: '[]',
            // the 2.12 Plan CRD defaults preserveStaticIPs to true; the sandbox's guests report no static IPs
            V2V_preserveStaticIPs: 'true',
          },
        },
        [resolved.vms[1].id]: expect.objectContaining({ secret: resolved.vddkSecret }),
      },
    });
    // --disks-only still copies without any conversion
    expect((await resolve({ disksOnly: true })).conversion).toBeUndefined();

    await cluster.patch(CONTROLLER_PATH, { spec: { feature_use_conversion_cr: 'false' } });
    expect((await userError(resolve())).line).toBe(
      'plan "plan-a" needs a guest conversion after the copy (a cold plan to the local cluster without ' +
        'skipGuestConversion, MTV 2.12), and ForkliftController "openshift-mtv/forklift-controller" sets ' +
        'feature_use_conversion_cr: "false" (MTV 2.12 then converts without Conversion CRs) (try: set ' +
        'feature_use_conversion_cr: "true" on the ForkliftController, set spec.skipGuestConversion: true (Raw Copy), ' +
        'or --disks-only to copy the disks without the conversion)',
    );
    const on211 = resolvePlan(cluster.kube, cluster.inventory, {
      plan: 'plan-a',
      namespace: NS,
      mtvRelease: { release: '2.11', source: 'flag' },
    });
    expect((await userError(on211)).line).toBe(
      'plan "plan-a" needs a guest conversion after the copy (a cold plan to the local cluster without ' +
        'skipGuestConversion, MTV 2.11), and MTV 2.11 has no Conversion CR (it arrives in MTV 2.12) (try: set ' +
        'spec.skipGuestConversion: true (Raw Copy), or --disks-only to copy the disks without the conversion)',
    );
  });

  it('refuses LUKS-encrypted VMs and customization scripts, which MTV copies into the conversion pod', async () => {
    const plan = cluster.sandbox.store.get('plans.forklift.konveyor.io', NS, 'plan-a');
    const vms = (plan?.spec as { vms?: { id: string; name: string }[] } | undefined)?.vms ?? [];
    await cluster.patch(PLAN_PATH, {
      spec: { skipGuestConversion: false, vms: [{ ...vms[0], luks: { name: 'db-luks' } }, vms[1]] },
    });
    expect((await userError(resolve())).line).toMatch(/^plan "plan-a" has LUKS-encrypted VMs \(db-01\)/);
    await cluster.patch(PLAN_PATH, { spec: { vms, customizationScripts: { name: 'scripts', namespace: NS } } });
    expect((await userError(resolve())).line).toMatch(/names customization scripts \(ConfigMap "scripts"\)/);
  });

  it(
    'builds Conversions the release-2.12 CRD accepts, with our labels only and a name found again',
    needs(SHARED_CRDS),
    async () => {
      await cluster.patch(PLAN_PATH, {
        spec: {
          skipGuestConversion: false,
          virtV2vImage: 'quay.io/example/virt-v2v:1',
          xfsCompatibility: true,
          convertorNodeSelector: { 'node-role.kubernetes.io/worker': '' },
          convertorLabels: { team: 'migration', plan: 'not-ours' },
          serviceAccount: 'convertor',
        },
      });
      const resolved = await resolve();
      const validate = forkliftReleaseOracle('2.12').get('forklift.konveyor.io/v1beta1/Conversion');
      expect(validate).toBeDefined();
      const manifest = buildConversion(resolved, resolved.vms[0], claimsOf(resolved, 0));
      expect(validate?.(manifest), JSON.stringify(validate?.errors)).toBe(true);
      expect(manifest.metadata).toEqual({
        name: conversionName(resolved.plan, resolved.vms[0].id),
        namespace: NS,
        labels: {
          team: 'migration',
          'kubectl-mtv.konveyor.io/plan-uid': resolved.plan.uid,
          'kubectl-mtv.konveyor.io/plan-name': 'plan-a',
          'kubectl-mtv.konveyor.io/plan-namespace': NS,
          'kubectl-mtv.konveyor.io/vm-id': resolved.vms[0].id,
          'app.kubernetes.io/managed-by': 'kubectl-mtv',
        },
      });
      for (const key of FORKLIFT_SELECTOR_KEYS) expect(manifest.metadata.labels).not.toHaveProperty(key);
      expect(manifest.metadata.name.length).toBeLessThanOrEqual(63);
      expect(manifest.spec).toMatchObject({
        type: 'InPlace',
        targetNamespace: TARGET,
        destination: { name: 'host', namespace: NS },
        vm: { id: resolved.vms[0].id, name: 'db-01' },
        disks: [
          { name: 'db-01-disk-0', namespace: TARGET, volumeMode: 'Filesystem', mountPath: '/mnt/disks/disk0' },
          { name: 'db-01-disk-1', namespace: TARGET, volumeMode: 'Filesystem', mountPath: '/mnt/disks/disk1' },
        ],
        connection: { secret: { name: resolved.vddkSecret, namespace: TARGET } },
        image: 'quay.io/example/virt-v2v:1',
        xfsCompatibility: true,
        vddkImage: resolved.vddkImage,
        localMigration: true,
        podSettings: {
          generateName: `plan-a-${resolved.vms[0].id}-`,
          serviceAccount: 'convertor',
          nodeSelector: { 'node-role.kubernetes.io/worker': '' },
          requestKVM: true,
          affinity: { podAntiAffinity: expect.any(Object) },
        },
      });
      // the API server (the same CRD, Strict) takes it
      await cluster.kube.create(inNamespace(RESOURCES.conversions, NS), manifest);
      const again = buildConversion(resolved, resolved.vms[0], claimsOf(resolved, 0));
      expect(await cluster.kube.get(inNamespace(RESOURCES.conversions, NS), again.metadata.name)).toBeDefined();
    },
  );

  it("is converted by the sandbox's controller once the PVCs exist, and read as Forklift reports it", async () => {
    await cluster.patch(PLAN_PATH, { spec: { skipGuestConversion: false } });
    const resolved = await resolve();
    const claims = claimsOf(resolved, 1);
    const { store } = cluster.sandbox;
    store.create('secrets', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: resolved.vddkSecret, namespace: TARGET },
      data: { accessKeyId: 'dXNlcg==', secretKey: 'cGFzcw==' },
    });
    for (const claim of claims) {
      store.create('persistentvolumeclaims', {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: claim.claimName, namespace: TARGET },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '8Gi' } } },
        status: { phase: 'Bound' },
      });
    }
    const manifest = buildConversion(resolved, resolved.vms[1], claims);
    await cluster.kube.create(inNamespace(RESOURCES.conversions, NS), manifest);
    const read = async () =>
      readConversion(await cluster.kube.get(inNamespace(RESOURCES.conversions, NS), manifest.metadata.name));
    const first = await read();
    expect(['running', 'succeeded']).toContain(first.phase);
    await expect.poll(read, { timeout: 10_000, interval: 100 }).toEqual({
      phase: 'succeeded',
      message: 'The conversion has completed successfully.',
    });
    expect(store.get(CONVERSIONS, NS, manifest.metadata.name)?.metadata.labels).toEqual(manifest.metadata.labels);
  });
});

describe('readConversion', () => {
  it.each([
    ['no status yet', undefined, { phase: 'pending' }],
    [
      'Pending',
      { phase: 'Pending', message: 'The conversion is pending.' },
      { phase: 'pending', message: 'The conversion is pending.' },
    ],
    [
      'Pending with a validation blocker',
      {
        phase: 'Pending',
        conditions: [
          {
            type: 'DisksNotSet',
            status: 'True',
            category: 'Critical',
            message: 'The `Disks` field is required for this conversion type.',
          },
        ],
      },
      { phase: 'failed', message: 'The `Disks` field is required for this conversion type.' },
    ],
    [
      'Running',
      { phase: 'Running', stage: 'PodRunning', message: 'Conversion pod is running.' },
      { phase: 'running', message: 'Conversion pod is running.' },
    ],
    [
      'Succeeded',
      { phase: 'Succeeded', message: 'The conversion has completed successfully.' },
      { phase: 'succeeded', message: 'The conversion has completed successfully.' },
    ],
    [
      'Failed',
      { phase: 'Failed', message: 'The conversion has failed: conversion pod failed' },
      { phase: 'failed', message: 'The conversion has failed: conversion pod failed' },
    ],
    ['Canceled', { phase: 'Canceled' }, { phase: 'failed', message: 'The conversion has been canceled.' }],
  ])('%s', (_, status, expected) => {
    expect(readConversion(status === undefined ? {} : { status })).toEqual(expected);
  });
});

describe('libvirtDiskOrder', () => {
  const disk = (index: number, bus: string): ResolvedDisk => ({
    index,
    key: 2000 + index,
    file: `[ds] vm/vm_${index}.vmdk`,
    datastoreId: 'ds',
    capacity: Gi,
    shared: false,
    storageClass: 'standard',
    bus,
  });

  it("puts SCSI first, then SATA, IDE and NVMe, keeping the release's order within a bus", () => {
    // VMware order (the disk index): SATA, IDE, SCSI, NVMe
    const disks = [disk(0, 'sata'), disk(1, 'ide'), disk(2, 'scsi'), disk(3, 'scsi'), disk(4, 'nvme')];
    expect(libvirtDiskOrder(disks).map((d) => d.index)).toEqual([2, 3, 0, 1, 4]);
  });

  it('mounts each claim at its libvirt position, as Forklift mounts the VM volumes', () => {
    const disks = [disk(0, 'sata'), disk(1, 'scsi')];
    const plan = {
      plan: { name: 'p', namespace: NS, uid: 'u-1', targetNamespace: TARGET },
      vddkImage: 'vddk',
      conversion: {
        namespace: NS,
        destination: { name: 'host', namespace: NS },
        localMigration: true,
        xfsCompatibility: false,
        requestKVM: false,
        support: { feature: 'on', why: '' },
        vms: { 'vm-1': { secret: 's', settings: {} } },
      },
    } as unknown as ResolvedPlan;
    const vm = { id: 'vm-1', name: 'vm', disks } as ResolvedPlan['vms'][number];
    const manifest = buildConversion(plan, vm, [
      { diskIndex: 0, file: disks[0].file, claimName: 'sata-disk' },
      { diskIndex: 1, file: disks[1].file, claimName: 'scsi-disk', volumeMode: 'Block' },
    ]);
    expect(manifest.spec.disks).toEqual([
      { name: 'scsi-disk', namespace: TARGET, volumeMode: 'Block', devicePath: '/dev/block0' },
      { name: 'sata-disk', namespace: TARGET, volumeMode: 'Filesystem', mountPath: '/mnt/disks/disk1' },
    ]);
    // requestKVM false is left out, as Go's omitempty leaves it out (and the CRD then defaults it to true)
    expect(manifest.spec.podSettings).not.toHaveProperty('requestKVM');
  });
});
