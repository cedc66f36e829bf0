/**
 * resolvePlan with spec.transferNetwork against the sandbox of MTV 2.8 and 2.12: the seeded NAD `demo/transfer-net`
 * (route annotation and IPAM default route both 192.168.100.1), patched as a user would, gives every DataVolume the
 * release's annotations; what Forklift would fail on is refused before anything is created or the inventory is read.
 */
import type { Scenario } from '@kubectl-mtv/engine';
import { SEED_NAMES } from '@kubectl-mtv/sandbox';
import { afterEach, describe, expect, it } from 'vitest';
import { buildPlanDataVolumes } from '../../src/cluster/datavolume-builder.js';
import type { MtvRelease } from '../../src/cluster/mtv-release.js';
import { resolvePlan } from '../../src/cluster/plan-resolver.js';
import { ExitCode } from '../../src/errors.js';
import { type ClusterFixture, startCluster, userError } from './cluster-fixture.js';

const NS = SEED_NAMES.forkliftNamespace;
const PLAN_PATH = `/apis/forklift.konveyor.io/v1beta1/namespaces/${NS}/plans/plan-a`;
const NAD_PATH = '/apis/k8s.cni.cncf.io/v1/namespaces/demo/network-attachment-definitions/transfer-net';
const NETWORKS = 'k8s.v1.cni.cncf.io/networks';
const LEGACY = 'v1.multus-cni.io/default-network';
const ROUTE = 'forklift.konveyor.io/route';

const SCENARIO: Scenario = {
  name: 'transfer-network',
  migration: 'cold',
  maxInFlight: 4,
  diskRate: 100 * 2 ** 20,
  hosts: [{ name: 'esx-01' }],
  vms: [
    { name: 'db-01', host: 'esx-01', disks: [{ size: 2 ** 30 }, { size: 2 ** 30 }] },
    { name: 'web-01', host: 'esx-01', disks: [{ size: 2 ** 30 }] },
  ],
};

let cluster: ClusterFixture | undefined;

afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

/** A sandbox of `release` whose plan names the seeded NAD (or `network`). */
async function sandbox(
  release: MtvRelease,
  network: { namespace?: string; name?: string } = { namespace: 'demo', name: SEED_NAMES.transferNetwork },
  deny: string[] = [],
): Promise<ClusterFixture> {
  cluster = await startCluster(SCENARIO, { mtvRelease: release, deny });
  await cluster.patch(PLAN_PATH, { spec: { transferNetwork: network } });
  return cluster;
}

/** 2.8 converts every plan: --disks-only copies it anyway. */
const resolve = (fixture: ClusterFixture, release: MtvRelease) =>
  resolvePlan(fixture.kube, fixture.inventory, {
    plan: 'plan-a',
    namespace: NS,
    mtvRelease: { release, source: 'schema' },
    disksOnly: true,
  });

/** The refusal, after checking that resolving wrote nothing and read no inventory. */
async function refusal(fixture: ClusterFixture, release: MtvRelease, exitCode: number = ExitCode.usage) {
  const before = await fixture.revision();
  const error = await userError(resolve(fixture, release));
  expect(await fixture.revision()).toBe(before);
  expect(fixture.inventory.requestCount()).toBe(0);
  expect(error.exitCode).toBe(exitCode);
  return error.line;
}

describe('resolvePlan: the transfer network on MTV 2.8 and 2.12', () => {
  it.each(['2.8', '2.12'] as const)('%s: a plan without one gets no annotation', async (release) => {
    cluster = await startCluster(SCENARIO, { mtvRelease: release });
    const resolved = await resolve(cluster, release);
    expect(resolved.transferNetwork).toBeUndefined();
    for (const dv of buildPlanDataVolumes(resolved).dataVolumes) {
      expect(Object.keys(dv.manifest.metadata.annotations).filter((key) => key.includes('network'))).toEqual([]);
    }
  });

  it.each(['2.8', '2.12'] as const)(
    "%s: the NAD's route annotation puts the networks annotation on every DataVolume",
    async (release) => {
      const fixture = await sandbox(release);
      const resolved = await resolve(fixture, release);
      const networks = '[{"name":"transfer-net","namespace":"demo","default-route":["192.168.100.1"]}]';
      expect(resolved.transferNetwork).toEqual({ ref: 'demo/transfer-net', annotations: { [NETWORKS]: networks } });
      const built = buildPlanDataVolumes(resolved).dataVolumes;
      expect(built).toHaveLength(3);
      for (const dv of built) expect(dv.manifest.metadata.annotations[NETWORKS]).toBe(networks);
    },
  );

  it('without the annotation: 2.8 gives the legacy default network, 2.12 the IPAM default route', async () => {
    const expected = {
      '2.8': { [LEGACY]: 'demo/transfer-net' },
      '2.12': { [NETWORKS]: '[{"name":"transfer-net","namespace":"demo","default-route":["192.168.100.1"]}]' },
    } as const;
    for (const release of ['2.8', '2.12'] as const) {
      const fixture = await sandbox(release);
      await fixture.patch(NAD_PATH, { metadata: { annotations: { [ROUTE]: null } } });
      expect((await resolve(fixture, release)).transferNetwork?.annotations, release).toEqual(expected[release]);
      await fixture.close();
      cluster = undefined;
    }
  });

  it('route none: 2.12 leaves the default route out, 2.8 refuses it as not an IP', async () => {
    const on12 = await sandbox('2.12');
    await on12.patch(NAD_PATH, { metadata: { annotations: { [ROUTE]: 'none' } } });
    expect((await resolve(on12, '2.12')).transferNetwork?.annotations).toEqual({
      [NETWORKS]: '[{"name":"transfer-net","namespace":"demo"}]',
    });
    await on12.close();
    const on8 = await sandbox('2.8');
    await on8.patch(NAD_PATH, { metadata: { annotations: { [ROUTE]: 'none' } } });
    expect(await refusal(on8, '2.8')).toBe(
      'plan "plan-a" names transfer network demo/transfer-net, whose default route "none" (annotation ' +
        'forklift.konveyor.io/route) is not an IP address: MTV 2.8 would fail every VM on it (try: kubectl annotate ' +
        'network-attachment-definition transfer-net -n demo --overwrite forklift.konveyor.io/route=GATEWAY_IP)',
    );
  });

  it('2.12: refuses an IPAM default route whose gateway is not an IP, naming the fix', async () => {
    const fixture = await sandbox('2.12');
    const config = { type: 'bridge', ipam: { type: 'host-local', routes: [{ dst: '::/0', gw: 'router-1' }] } };
    await fixture.patch(NAD_PATH, {
      metadata: { annotations: { [ROUTE]: null } },
      spec: { config: JSON.stringify(config) },
    });
    expect(await refusal(fixture, '2.12')).toBe(
      'plan "plan-a" names transfer network demo/transfer-net, whose default route in spec.config (ipam.routes) has ' +
        'gateway "router-1", not an IP address: MTV 2.12 would fail every VM on it (try: fix that gw in its ' +
        'spec.config, or override it: kubectl annotate network-attachment-definition transfer-net -n demo ' +
        '--overwrite forklift.konveyor.io/route=GATEWAY_IP (or =none: no default route))',
    );
  });

  it.each(['2.8', '2.12'] as const)('%s: refuses a NAD that does not exist, naming it', async (release) => {
    const fixture = await sandbox(release, { namespace: 'demo', name: 'no-such-net' });
    expect(await refusal(fixture, release)).toBe(
      'plan "plan-a" names transfer network demo/no-such-net, which does not exist ' +
        '(try: kubectl get network-attachment-definitions -n demo)',
    );
  });

  it('refuses a reference without a namespace, which MTV cannot find', async () => {
    const fixture = await sandbox('2.12', { name: SEED_NAMES.transferNetwork });
    expect(await refusal(fixture, '2.12')).toBe(
      'plan "plan-a" names transfer network "transfer-net" without a namespace, which MTV cannot find (try: ' +
        `kubectl patch plan plan-a -n ${NS} --type merge -p ` +
        '\'{"spec":{"transferNetwork":{"namespace":"demo","name":"transfer-net"}}}\')',
    );
  });

  it('a NAD outside the target namespace: 2.12 refuses it as its validation does, 2.8 annotates', async () => {
    const elsewhere = { namespace: NS, name: 'other-net' };
    for (const release of ['2.12', '2.8'] as const) {
      const fixture = await sandbox(release, elsewhere);
      fixture.sandbox.store.create('network-attachment-definitions.k8s.cni.cncf.io', {
        apiVersion: 'k8s.cni.cncf.io/v1',
        kind: 'NetworkAttachmentDefinition',
        metadata: elsewhere,
        spec: { config: '{"type":"macvlan"}' },
      });
      if (release === '2.12') {
        expect(await refusal(fixture, release)).toBe(
          `plan "plan-a" names transfer network ${NS}/other-net, outside its target namespace "demo": MTV 2.12 ` +
            'refuses it, as pods cannot reference network attachment definitions across namespaces (try: use a ' +
            'NetworkAttachmentDefinition in "demo" or "default")',
        );
      } else {
        expect((await resolve(fixture, release)).transferNetwork?.annotations).toEqual({
          [LEGACY]: `${NS}/other-net`,
        });
      }
      await fixture.close();
      cluster = undefined;
    }
  });

  it('stops with exit 3 when the NAD may not be read, as the other access checks do', async () => {
    const fixture = await sandbox('2.12', undefined, ['get:network-attachment-definitions.k8s.cni.cncf.io']);
    expect(await refusal(fixture, '2.12', ExitCode.unreachable)).toBe(
      'context "mtv-sandbox" lacks permissions: get network-attachment-definitions.k8s.cni.cncf.io in "demo" ' +
        '(try: ask a cluster admin for these verbs (kubectl auth can-i --list -n demo))',
    );
  });
});
