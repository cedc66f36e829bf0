/**
 * resolvePlan's VM part against the sandbox (plan-vm-configs.ts, network-map.ts, vm-target.ts): each VM's
 * configuration from the inventory, NICs through the seeded NetworkMap (VM Network to the pod network, App Network to
 * the Multus network demo/vm-net), target names, the plan's VM settings per release, and every refusal, each before
 * anything is written.
 */
import type { Scenario } from '@kubectl-mtv/engine';
import { inventoryFromScenario, type SandboxOptions, SEED_NAMES } from '@kubectl-mtv/sandbox';
import { afterEach, describe, expect, it } from 'vitest';
import { connectDestination } from '../../src/cluster/destination.js';
import type { MtvRelease } from '../../src/cluster/mtv-release.js';
import { resolvePlan } from '../../src/cluster/plan-resolver.js';
import { inNamespace, RESOURCES } from '../../src/cluster/resource-types.js';
import { ExitCode } from '../../src/errors.js';
import { type ClusterFixture, startCluster, userError } from './cluster-fixture.js';

const NS = SEED_NAMES.forkliftNamespace;
const PLAN_PATH = `/apis/forklift.konveyor.io/v1beta1/namespaces/${NS}/plans/plan-a`;
const MAP_PATH = `/apis/forklift.konveyor.io/v1beta1/namespaces/${NS}/networkmaps/${SEED_NAMES.networkMap}`;
const TRY_MAP = `kubectl edit networkmap ${SEED_NAMES.networkMap} -n ${NS}`;
const Gi = 2 ** 30;

/** A Windows EFI VM with secure boot and two NICs on a host in Berlin; a TPM VM whose name is not DNS-1123. */
const SCENARIO: Scenario = {
  name: 'vm-configs',
  migration: 'cold',
  maxInFlight: 4,
  diskRate: 100 * 2 ** 20,
  hosts: [{ name: 'esx-01', timezone: 'Europe/Berlin' }, { name: 'esx-02' }],
  vms: [
    {
      name: 'web-01',
      host: 'esx-01',
      disks: [{ size: Gi }],
      cpuCount: 4,
      coresPerSocket: 2,
      memoryMB: 8192,
      secureBoot: true,
      guestId: 'windows2019srv_64Guest',
      nics: [{ network: 'VM Network' }, { network: 'App Network' }],
    },
    { name: 'Db_02', host: 'esx-02', disks: [{ size: Gi, bus: 'sata' }], tpm: true },
  ],
};

let cluster: ClusterFixture | undefined;

afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

async function sandbox(options: Omit<SandboxOptions, 'scenario'> = {}): Promise<ClusterFixture> {
  cluster = await startCluster(SCENARIO, options);
  return cluster;
}

const resolve = (fixture: ClusterFixture, release: MtvRelease = '2.12', disksOnly = false) =>
  resolvePlan(fixture.kube, fixture.inventory, {
    plan: 'plan-a',
    namespace: NS,
    mtvRelease: { release, source: 'schema' },
    ...(disksOnly && { disksOnly }),
  });

/** The refusal's line, after checking that resolving wrote nothing and exits 2. */
async function refusal(fixture: ClusterFixture, release: MtvRelease = '2.12'): Promise<string> {
  const before = await fixture.revision();
  const error = await userError(resolve(fixture, release));
  expect(await fixture.revision()).toBe(before);
  expect(error.exitCode).toBe(ExitCode.usage);
  return error.line;
}

function macs(fixture: ClusterFixture, name: string): string[] {
  const vm = inventoryFromScenario(SCENARIO, fixture.sandbox.providerUid).vms.find((entry) => entry.name === name);
  return vm?.nics.map((nic) => nic.mac) ?? [];
}

/** Creates a VirtualMachine in `namespace` with one interface of `mac`, labelled with `labels`. */
async function virtualMachine(
  fixture: ClusterFixture,
  namespace: string,
  name: string,
  mac: string,
  labels: Record<string, string> = {},
): Promise<void> {
  if (fixture.sandbox.store.get('namespaces', undefined, namespace) === undefined) {
    fixture.sandbox.store.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  }
  await fixture.kube.create(inNamespace(RESOURCES.virtualMachines, namespace), {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachine',
    metadata: { name, namespace, labels },
    spec: {
      runStrategy: 'Halted',
      template: {
        spec: {
          domain: { devices: { interfaces: [{ name: 'default', macAddress: mac.toUpperCase(), masquerade: {} }] } },
          networks: [{ name: 'default', pod: {} }],
        },
      },
    },
  });
}

describe('resolvePlan: the VMs to make', () => {
  it('resolves each VM from the inventory, the NetworkMap and the plan, as MTV 2.12 builds it', async () => {
    const fixture = await sandbox();
    const resolved = await resolve(fixture);
    const [web, db] = resolved.vms;
    const [front, back] = macs(fixture, 'web-01');
    expect(web.config).toEqual({
      targetName: 'web-01',
      renamed: false,
      cpuCount: 4,
      coresPerSocket: 2,
      memoryMB: 8192,
      firmware: 'efi',
      secureBoot: true,
      tpmEnabled: false,
      nestedHVEnabled: false,
      guestId: 'windows2019srv_64Guest',
      guestName: 'Microsoft Windows Server 2019 (64-bit)',
      timezone: 'Europe/Berlin',
      diskEnableUuid: true,
      nics: [
        { mac: front, networkId: 'network-1', networkName: 'VM Network', destination: { type: 'pod' } },
        {
          mac: back,
          networkId: 'network-2',
          networkName: 'App Network',
          destination: { type: 'multus', namespace: 'demo', name: SEED_NAMES.vmNetwork },
        },
      ],
    });
    // a source name that is not DNS-1123 is cleaned up as MTV's changeVmName does
    expect(db.config).toMatchObject({
      targetName: 'db-02',
      renamed: true,
      firmware: 'efi',
      tpmEnabled: true,
      timezone: 'UTC',
    });
    expect(db.disks[0]).toMatchObject({ bus: 'sata', serial: expect.stringMatching(/^6000c29/) });
    expect(resolved.vmSettings).toEqual({
      skipGuestConversion: true,
      useCompatibilityMode: true,
      networkMap: `${NS}/${SEED_NAMES.networkMap}`,
    });
    expect(resolved.warnings).toBeUndefined();
  });

  it('reads targetName, power states, nested virtualization, rootDisk and the target settings per release', async () => {
    const fixture = await sandbox({ mtvRelease: '2.10' });
    await fixture.patch(PLAN_PATH, {
      spec: {
        targetPowerState: 'on',
        enableNestedVirtualization: false,
        useCompatibilityMode: false,
        targetLabels: { team: 'a' },
        targetNodeSelector: { zone: 'z1' },
        targetAffinity: { nodeAffinity: {} },
        vms: [
          { id: 'vm-1', name: 'web-01', targetName: 'front.example', targetPowerState: 'off', rootDisk: '/dev/sdb' },
          { id: 'vm-2', name: 'Db_02', enableNestedVirtualization: true },
        ],
      },
    });
    const resolved = await resolve(fixture, '2.10');
    expect(resolved.vms[0].config).toMatchObject({
      targetName: 'front.example',
      renamed: true,
      targetPowerState: 'off',
      rootDisk: '/dev/sdb',
      enableNestedVirtualization: false,
    });
    expect(resolved.vms[1].config).toMatchObject({ targetPowerState: 'on', enableNestedVirtualization: true });
    expect(resolved.vmSettings).toEqual({
      skipGuestConversion: true,
      useCompatibilityMode: false,
      targetLabels: { team: 'a' },
      targetNodeSelector: { zone: 'z1' },
      targetAffinity: { nodeAffinity: {} },
      networkMap: `${NS}/${SEED_NAMES.networkMap}`,
    });
  });

  it('takes the newName Forklift recorded when the plan sets no targetName', async () => {
    const fixture = await sandbox();
    fixture.sandbox.store.updateStatus('plans.forklift.konveyor.io', NS, 'plan-a', {
      ...(fixture.sandbox.store.get('plans.forklift.konveyor.io', NS, 'plan-a')?.status as object),
      migration: { vms: [{ id: 'vm-2', name: 'Db_02', newName: 'db-02-x1y2', phase: 'Completed', pipeline: [] }] },
    });
    const resolved = await resolve(fixture);
    expect(resolved.vms[1].config).toMatchObject({ targetName: 'db-02-x1y2', renamed: true });
  });

  it('resolves no VM with --disks-only, and then needs no NetworkMap', async () => {
    const fixture = await sandbox();
    await fixture.patch(PLAN_PATH, { spec: { map: { network: { name: 'gone' } } } });
    const resolved = await resolve(fixture, '2.12', true);
    expect(resolved.vms.every((vm) => vm.config === undefined)).toBe(true);
    expect(resolved.vmSettings).toBeUndefined();
  });
});

describe('resolvePlan refuses, before anything is made', () => {
  it('a plan that names no network map, or one that does not exist', async () => {
    const fixture = await sandbox();
    await fixture.patch(PLAN_PATH, { spec: { map: { network: { name: 'gone' } } } });
    expect(await refusal(fixture)).toBe(
      `plan "plan-a" names network map "gone" in namespace "${NS}", which does not exist (try: kubectl get networkmaps -n ${NS})`,
    );
    await fixture.patch(PLAN_PATH, { spec: { map: { network: { name: null, namespace: null } } } });
    expect(await refusal(fixture)).toBe(
      'plan "plan-a" names no network map (spec.map.network), which its VMs need for their NICs ' +
        '(try: set spec.map.network, or pass --disks-only to copy the disks without making VMs)',
    );
  });

  it('a NIC on a network the NetworkMap does not map', async () => {
    const fixture = await sandbox();
    await fixture.patch(MAP_PATH, {
      spec: { map: [{ source: { id: 'network-1', name: 'VM Network' }, destination: { type: 'pod' } }] },
    });
    expect(await refusal(fixture)).toBe(
      `plan "plan-a" has VMs with NICs on networks network map "${SEED_NAMES.networkMap}" does not map: ` +
        `web-01 (App Network (network-2)) (try: map those networks (to the pod network, a Multus network, or ignored): ${TRY_MAP})`,
    );
  });

  it('two NICs of one VM on the pod network', async () => {
    const fixture = await sandbox();
    await fixture.patch(MAP_PATH, {
      spec: {
        map: [
          { source: { id: 'network-1' }, destination: { type: 'pod' } },
          { source: { id: 'network-2' }, destination: { type: 'pod' } },
        ],
      },
    });
    expect(await refusal(fixture)).toBe(
      'plan "plan-a" has VMs with more than one NIC on the pod network, which a KubeVirt VM cannot have: web-01 ' +
        `(try: map all but one of their networks to Multus networks or ignored: ${TRY_MAP})`,
    );
  });

  it('a Multus destination whose NetworkAttachmentDefinition does not exist in the destination cluster', async () => {
    const fixture = await sandbox();
    fixture.sandbox.store.delete('network-attachment-definitions.k8s.cni.cncf.io', 'demo', SEED_NAMES.vmNetwork);
    expect(await refusal(fixture)).toBe(
      `plan "plan-a" maps network "App Network" to Multus network demo/vm-net (network map "${SEED_NAMES.networkMap}"), ` +
        `which does not exist in the destination cluster (try: create that NetworkAttachmentDefinition in "demo", or map the network elsewhere: ${TRY_MAP})`,
    );
  });

  it('a Multus destination without a namespace, and (2.12) one outside the target namespace and default', async () => {
    const fixture = await sandbox();
    const multus = (namespace?: string) => ({
      spec: {
        map: [
          { source: { id: 'network-1' }, destination: { type: 'pod' } },
          {
            source: { id: 'network-2' },
            destination: { type: 'multus', name: 'vm-net', ...(namespace && { namespace }) },
          },
        ],
      },
    });
    await fixture.patch(MAP_PATH, multus());
    expect(await refusal(fixture)).toBe(
      `plan "plan-a" maps network "App Network" to Multus network "vm-net" (network map "${SEED_NAMES.networkMap}") ` +
        `without a namespace, which MTV refuses (try: set its destination namespace ("demo"): ${TRY_MAP})`,
    );
    await fixture.patch(MAP_PATH, multus('other'));
    expect(await refusal(fixture)).toBe(
      `plan "plan-a" maps network "App Network" to Multus network other/vm-net (network map "${SEED_NAMES.networkMap}"), ` +
        `outside the target namespace "demo" and "default", which MTV 2.12 refuses (try: use a NetworkAttachmentDefinition in "demo" or "default": ${TRY_MAP})`,
    );
    // before 2.12 the namespace is the user's choice; the NAD must still exist
    expect(await refusal(fixture, '2.11')).toMatch(/to Multus network other\/vm-net .* which does not exist/);
  });

  it('a targetName that is not DNS-1123, and two VMs with one target name', async () => {
    const fixture = await sandbox();
    await fixture.patch(PLAN_PATH, {
      spec: { vms: [{ id: 'vm-1', name: 'web-01', targetName: 'Front_End' }, { id: 'vm-2' }] },
    });
    expect(await refusal(fixture)).toBe(
      'plan "plan-a" has VMs whose targetName is not a valid Kubernetes name (a DNS-1123 subdomain: lowercase ' +
        `letters, digits, '-' and '.', at most 253): web-01 ("Front_End") (try: fix spec.vms[].targetName, or remove it to let MTV derive the name)`,
    );
    await fixture.patch(PLAN_PATH, { spec: { vms: [{ id: 'vm-1', targetName: 'db-02' }, { id: 'vm-2' }] } });
    expect(await refusal(fixture)).toBe(
      'plan "plan-a" has VMs that would get the same name in the target namespace: "db-02" (web-01, Db_02) ' +
        '(try: give them distinct names with spec.vms[].targetName)',
    );
  });

  it('a target name a VirtualMachine not made for this plan has; one labelled with the plan uid is ours', async () => {
    const fixture = await sandbox();
    const uid = fixture.sandbox.store.get('plans.forklift.konveyor.io', NS, 'plan-a')?.metadata.uid ?? '';
    await virtualMachine(fixture, 'demo', 'db-02', '00:50:56:3f:00:01');
    expect(await refusal(fixture)).toBe(
      'plan "plan-a" has VMs whose name a VirtualMachine this plan did not make already has in namespace "demo": ' +
        'Db_02 ("db-02") (try: rename or delete those VirtualMachines (kubectl get vm -n demo), or set spec.vms[].targetName)',
    );
    fixture.sandbox.store.delete('virtualmachines.kubevirt.io', 'demo', 'db-02');
    // made by an earlier run of this plan: found and kept, with the MACs it took from the source
    await virtualMachine(fixture, 'demo', 'db-02', macs(fixture, 'Db_02')[0], {
      'kubectl-mtv.konveyor.io/plan-uid': uid,
    });
    expect((await resolve(fixture)).vms[1].config?.targetName).toBe('db-02');
  });

  it('a MAC a VirtualMachine of another namespace uses, checked cluster-wide', async () => {
    const fixture = await sandbox();
    const [, back] = macs(fixture, 'web-01');
    await virtualMachine(fixture, 'elsewhere', 'other', back);
    expect(await refusal(fixture)).toBe(
      `plan "plan-a" has VMs whose MAC addresses VirtualMachines of the destination cluster already use: web-01 ${back} (elsewhere/other) ` +
        '(try: two VMs with one MAC break each other on the network: change or remove those VirtualMachines, or remove those VMs from the plan)',
    );
  });

  it('checks MACs in the target namespace only, with one warning, where VMs may not be listed cluster-wide', async () => {
    const fixture = await sandbox({
      faults: { answers: [{ verb: 'list', resource: 'virtualmachines', status: 403 }] },
    });
    const [, back] = macs(fixture, 'web-01');
    await virtualMachine(fixture, 'elsewhere', 'other', back);
    const resolved = await resolve(fixture);
    expect(resolved.warnings).toEqual([
      `MAC addresses were checked against the VirtualMachines of namespace "demo" only: context "${fixture.kube.context}" may not ` +
        'list VirtualMachines in all namespaces (MTV checks the whole cluster)',
    ]);
  });

  it('a destination without KubeVirt (no VirtualMachine resource), unless --disks-only', async () => {
    const fixture = await sandbox({
      faults: {
        answers: [{ verb: 'list', resource: 'virtualmachines', status: 404, count: Number.POSITIVE_INFINITY }],
      },
    });
    expect(await refusal(fixture)).toBe(
      'plan "plan-a" cannot have its VMs made: the destination cluster serves no VirtualMachines (kubevirt.io/v1), so ' +
        'KubeVirt is not installed there (try: install OpenShift Virtualization (KubeVirt) on it, or pass --disks-only to copy the disks without making VMs)',
    );
    expect((await resolve(fixture, '2.12', true)).vms).toHaveLength(2);
  });

  it("a remote plan's Multus network missing on the remote cluster, though the host has one of that name", async () => {
    const fixture = await sandbox();
    const resolveRemote = () =>
      resolvePlan(fixture.kube, fixture.inventory, {
        plan: SEED_NAMES.remotePlan,
        namespace: NS,
        mtvRelease: { release: '2.12', source: 'schema' },
        destination: (provider) =>
          connectDestination(fixture.kube, SEED_NAMES.remotePlan, provider, {
            context: 'mtv-sandbox-remote',
            connection: { kubeconfig: fixture.kubeconfigPath, env: {} },
          }),
      });
    // the remote cluster has its own demo/vm-net (seeded): the plan resolves against it
    expect((await resolveRemote()).vms[0].config?.nics[1].destination).toEqual({
      type: 'multus',
      namespace: 'demo',
      name: SEED_NAMES.vmNetwork,
    });
    fixture.sandbox.remote.store.delete('network-attachment-definitions.k8s.cni.cncf.io', 'demo', SEED_NAMES.vmNetwork);
    const error = await userError(resolveRemote());
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.message).toBe(
      `plan "${SEED_NAMES.remotePlan}" maps network "App Network" to Multus network demo/vm-net (network map ` +
        `"${SEED_NAMES.remoteNetworkMap}"), which does not exist in the destination cluster`,
    );
  });
});
