/**
 * resolvePlan with ESXi Host CRs (esxi-hosts.ts, esxi-endpoints.ts) against the sandbox's default scenario, served as
 * MTV 2.8 and as 2.12: esx-01 has a Ready Host CR, so its VMs are read from https://192.0.2.11/sdk with its thumbprint
 * and a VDDK Secret of its own; esx-02's Host failed its connection test, so its VMs go through vCenter.
 */
import { DEFAULT_SANDBOX_SCENARIO, esxiThumbprint, hostCrName, hostSecretName, SEED_NAMES } from '@kubectl-mtv/sandbox';
import { afterEach, describe, expect, it } from 'vitest';
import { buildDataVolumes } from '../../src/cluster/datavolume-builder.js';
import type { MtvRelease } from '../../src/cluster/mtv-release.js';
import { resolvePlan } from '../../src/cluster/plan-resolver.js';
import { esxiVddkSecretName, vddkSecretName } from '../../src/cluster/vddk-secret.js';
import { ExitCode } from '../../src/errors.js';
import { type ClusterFixture, startCluster, userError } from './cluster-fixture.js';

const NS = SEED_NAMES.forkliftNamespace;
const HOSTS = `/apis/forklift.konveyor.io/v1beta1/namespaces/${NS}/hosts`;
const ESX01_VMS = DEFAULT_SANDBOX_SCENARIO.vms.filter((vm) => vm.host === 'esx-01').map((vm) => vm.name);

describe.each<MtvRelease>(['2.8', '2.12'])('resolvePlan with Host CRs, served as MTV %s', (release) => {
  let cluster: ClusterFixture | undefined;

  afterEach(async () => {
    await cluster?.close();
    cluster = undefined;
  });

  const start = async (options: Parameters<typeof startCluster>[1] = {}) => {
    cluster = await startCluster(DEFAULT_SANDBOX_SCENARIO, { mtvRelease: release, ...options });
    return cluster;
  };
  const resolve = (c: ClusterFixture, extra: { vddkSecret?: string } = {}) =>
    resolvePlan(c.kube, c.inventory, {
      plan: 'plan-a',
      namespace: NS,
      allowPoweredOn: true,
      // plan-a needs a guest conversion on 2.8 (no Raw Copy there)
      disksOnly: true,
      mtvRelease: { release, source: 'schema' },
      ...extra,
    });
  const planUid = (c: ClusterFixture) =>
    c.sandbox.store.get('plans.forklift.konveyor.io', NS, 'plan-a')?.metadata.uid ?? '';

  it("reads esx-01's VMs from the host (Ready Host CR) and esx-02's through vCenter (Host not Ready)", async () => {
    const c = await start();
    const before = await c.revision();
    const resolved = await resolve(c);
    expect(await c.revision()).toBe(before);
    const identity = { name: 'plan-a', uid: planUid(c) };
    const hostSecret = esxiVddkSecretName(identity, 'host-1');
    expect(hostSecret).toBe(`${vddkSecretName(identity)}-host-1`);
    const endpoint = {
      url: 'https://192.0.2.11/sdk',
      thumbprint: esxiThumbprint('esx-01'),
      secret: hostSecret,
      hostId: 'host-1',
      hostName: 'esx-01',
      hostCr: `${NS}/${hostCrName('host-1')}`,
    };
    expect(resolved.vms.filter((vm) => vm.esxi).map((vm) => vm.name)).toEqual(ESX01_VMS);
    for (const vm of resolved.vms) {
      if (vm.host === 'host-1') expect(vm.esxi).toEqual(endpoint);
      else expect(vm).not.toHaveProperty('esxi');
    }
    expect(resolved.esxiSecrets).toEqual([
      {
        name: hostSecret,
        from: { name: hostSecretName('host-1'), namespace: NS },
        provider: { name: SEED_NAMES.sourceProviderSecret, namespace: NS },
        hostName: 'esx-01',
        hostCr: `${NS}/${hostCrName('host-1')}`,
      },
    ]);
    // the provider, its VM list, and the one host with a Ready Host CR
    expect(c.inventory.requestCount()).toBe(3);
    // and the DataVolumes say so: the host's url, thumbprint and Secret, or vCenter's
    for (const dv of buildDataVolumes(resolved)) {
      const { url, thumbprint, secretRef } = dv.manifest.spec.source.vddk;
      if (dv.host === 'host-1')
        expect({ url, thumbprint, secretRef }).toEqual({ ...pick(endpoint), secretRef: hostSecret });
      else
        expect({ url, thumbprint, secretRef }).toEqual({
          url: c.sandbox.vcenter.url,
          thumbprint: c.sandbox.vcenter.thumbprint,
          secretRef: resolved.vddkSecret,
        });
    }
  });

  it(`writes an IPv6 Host address as MTV ${release} does: ${release === '2.8' ? 'bare, so refused' : 'in brackets'}`, async () => {
    const c = await start();
    await c.patch(`${HOSTS}/${hostCrName('host-1')}`, { spec: { ipAddress: '2001:db8::11' } });
    if (release === '2.12') {
      const resolved = await resolve(c);
      expect(resolved.vms.find((vm) => vm.host === 'host-1')?.esxi?.url).toBe('https://[2001:db8::11]/sdk');
      return;
    }
    const before = await c.revision();
    const error = await userError(resolve(c));
    expect(await c.revision()).toBe(before);
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.line).toBe(
      'plan "plan-a" has VMs on ESXi hosts whose Host gives an IPv6 address that MTV 2.8 writes without brackets ' +
        "(https://2001:db8::11/sdk), which CDI's importer reads as host and port: app-01, app-02, app-03, web-01, " +
        'web-03 and 2 more (ESXi host esx-01, Host openshift-mtv/vsphere-a-host-1) (try: give the Host an IPv4 ' +
        'address (kubectl edit host vsphere-a-host-1 -n openshift-mtv), or delete it to copy those VMs through ' +
        'vCenter; MTV 2.11 and later put IPv6 addresses in brackets)',
    );
  });

  it('refuses --vddk-secret when a VM is read from its ESXi host, naming the hosts and the fix', async () => {
    const c = await start();
    c.sandbox.store.create('secrets', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'my-vddk', namespace: 'demo' },
      data: { accessKeyId: 'dQ==', secretKey: 'cA==' },
    });
    const error = await userError(resolve(c, { vddkSecret: 'my-vddk' }));
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.line).toBe(
      'plan "plan-a" has VMs MTV reads from their ESXi host, with the credentials of that host\'s Host CR, which ' +
        '--vddk-secret "my-vddk" cannot stand for: app-01, app-02, app-03, web-01, web-03 and 2 more (ESXi host ' +
        'esx-01, Host openshift-mtv/vsphere-a-host-1) (try: leave --vddk-secret out: migrate then makes a VDDK ' +
        "Secret from the Provider's Secret and one from each Host's, as MTV does (get on secrets/vsphere-a-secret " +
        'in "openshift-mtv", secrets/vsphere-a-host-1-secret in "openshift-mtv"))',
    );
    // without the Ready Host, the user's Secret serves every VM through vCenter
    await c.patch(`${HOSTS}/${hostCrName('host-1')}`, { spec: { provider: { name: 'vsphere-b', namespace: NS } } });
    const resolved = await resolve(c, { vddkSecret: 'my-vddk' });
    expect(resolved.vms.some((vm) => vm.esxi)).toBe(false);
    expect(resolved).not.toHaveProperty('esxiSecrets');
  });

  it("refuses a Host Secret without the ESXi password, and one that is gone, as the Provider's", async () => {
    const c = await start();
    const stored = c.sandbox.store.get('secrets', NS, hostSecretName('host-1')) as unknown as {
      data: Record<string, string>;
    };
    c.sandbox.store.delete('secrets', NS, hostSecretName('host-1'));
    expect((await userError(resolve(c))).line).toBe(
      'plan "plan-a": Host "vsphere-a-host-1" (ESXi host esx-01) names Secret "vsphere-a-host-1-secret" in namespace ' +
        '"openshift-mtv", which does not exist (try: kubectl get secrets -n openshift-mtv; the Host\'s credentials ' +
        'are set in the MTV console)',
    );
    c.sandbox.store.create('secrets', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: hostSecretName('host-1'), namespace: NS },
      data: { user: stored.data.user },
    });
    const error = await userError(resolve(c));
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.line).toBe(
      'plan "plan-a": Host "vsphere-a-host-1" (ESXi host esx-01)\'s Secret "vsphere-a-host-1-secret" lacks the key ' +
        "password (try: fix the host's ESXi credentials in the MTV console)",
    );
  });

  it("ignores a Host whose ref the inventory does not have, and another Provider's", async () => {
    const c = await start();
    await c.patch(`${HOSTS}/${hostCrName('host-1')}`, { spec: { id: 'host-99' } });
    expect((await resolve(c)).vms.some((vm) => vm.esxi)).toBe(false);
    await c.patch(`${HOSTS}/${hostCrName('host-1')}`, {
      spec: { id: 'host-1', provider: { name: 'vsphere-a', namespace: 'elsewhere' } },
    });
    expect((await resolve(c)).vms.some((vm) => vm.esxi)).toBe(false);
  });
});

describe('resolvePlan where Host CRs or their Secrets may not be read', () => {
  let cluster: ClusterFixture | undefined;

  afterEach(async () => {
    await cluster?.close();
    cluster = undefined;
  });

  const resolve = (c: ClusterFixture) =>
    resolvePlan(c.kube, c.inventory, {
      plan: 'plan-a',
      namespace: NS,
      allowPoweredOn: true,
      mtvRelease: { release: '2.12', source: 'schema' },
    });

  it('exits 3 without list on Host CRs in the Provider namespace, before any inventory read', async () => {
    cluster = await startCluster(DEFAULT_SANDBOX_SCENARIO, { deny: [`list:hosts.forklift.konveyor.io@${NS}`] });
    const error = await userError(resolve(cluster));
    expect(error.exitCode).toBe(ExitCode.unreachable);
    expect(error.line).toMatch(
      /^context "[^"]+" may not list Host CRs in namespace "openshift-mtv", which say which ESXi hosts MTV reads VM disks from directly \(try: ask for list on hosts.forklift.konveyor.io in "openshift-mtv"\)$/,
    );
    expect(cluster.inventory.requestCount()).toBe(0);
  });

  it("exits 3 when the Host's Secret may not be read (asked first, by name)", async () => {
    cluster = await startCluster(DEFAULT_SANDBOX_SCENARIO, { deny: ['get:secrets@esxi-credentials'] });
    const c = cluster;
    c.sandbox.store.create('namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'esxi-credentials' },
    });
    const esxi = c.sandbox.store.get('secrets', NS, hostSecretName('host-1')) as unknown as {
      data: Record<string, string>;
    };
    c.sandbox.store.create('secrets', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'esx-01', namespace: 'esxi-credentials' },
      data: esxi.data,
    });
    await c.patch(`${HOSTS}/${hostCrName('host-1')}`, {
      spec: { secret: { name: 'esx-01', namespace: 'esxi-credentials' } },
    });
    const before = await c.revision();
    const error = await userError(resolve(c));
    expect(await c.revision()).toBe(before);
    expect(error.exitCode).toBe(ExitCode.unreachable);
    expect(error.line).toMatch(
      /^context "[^"]+" may not get Secret "esx-01" in namespace "esxi-credentials" \(Host "vsphere-a-host-1" \(ESXi host esx-01\)\), which the VDDK Secret for that host is made from \(try: ask for get on secrets\/esx-01 in "esxi-credentials"\)$/,
    );
  });
});

function pick(endpoint: { url: string; thumbprint: string }): { url: string; thumbprint: string } {
  return { url: endpoint.url, thumbprint: endpoint.thumbprint };
}
