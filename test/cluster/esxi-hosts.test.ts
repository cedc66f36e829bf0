/**
 * The Host CR rule of Forklift's vSphere builder (release-2.8 .. release-2.12 pkg/controller/plan/adapter/vsphere
 * builder.go loadHosts, applyHostsConfig / DataVolumes, formatHostAddress from 2.11), as src/cluster/esxi-hosts.ts
 * models it: which Host CRs count, the url each release writes, and how refs resolve in the inventory (the sandbox's).
 */
import type { Scenario } from '@kubectl-mtv/engine';
import { esxiThumbprint } from '@kubectl-mtv/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  esxiSdkUrl,
  type HostCr,
  isGoIpv6,
  reachableSdkUrl,
  readyHostCrs,
  resolveEsxiHosts,
  sameRef,
} from '../../src/cluster/esxi-hosts.js';
import { MTV_RELEASES, type MtvRelease } from '../../src/cluster/mtv-release.js';
import { ExitCode, UserError } from '../../src/errors.js';
import { type ClusterFixture, startCluster, userError } from './cluster-fixture.js';

const NS = 'openshift-mtv';
const SOURCE = { name: 'vsphere-a', namespace: NS };

/** A Host CR for `provider`, with these conditions (Ready True unless given). */
function hostCr(
  name: string,
  spec: HostCr['spec'],
  conditions: { type: string; status: string }[] = [{ type: 'Ready', status: 'True' }],
): HostCr {
  return {
    metadata: { name, namespace: NS },
    spec: { provider: SOURCE, secret: { name: `${name}-secret`, namespace: NS }, ipAddress: '192.0.2.11', ...spec },
    status: { conditions },
  };
}

describe('the vddk url of a VM read from its ESXi host, per release (formatHostAddress from 2.11)', () => {
  const before211: MtvRelease[] = ['2.8', '2.9', '2.10'];
  const from211: MtvRelease[] = ['2.11', '2.12'];

  it.each(MTV_RELEASES)('MTV %s writes an IPv4 address or a name as it is', (release) => {
    expect(esxiSdkUrl('192.0.2.11', release)).toBe('https://192.0.2.11/sdk');
    expect(esxiSdkUrl('esx-01.example.com', release)).toBe('https://esx-01.example.com/sdk');
    expect(reachableSdkUrl(esxiSdkUrl('192.0.2.11', release))).toBe(true);
  });

  it.each(before211)('MTV %s writes an IPv6 address bare (url.URL.String), which CDI cannot reach', (release) => {
    expect(esxiSdkUrl('2001:db8::11', release)).toBe('https://2001:db8::11/sdk');
    expect(reachableSdkUrl(esxiSdkUrl('2001:db8::11', release))).toBe(false);
  });

  it.each(from211)('MTV %s puts an IPv6 address in brackets', (release) => {
    expect(esxiSdkUrl('2001:db8::11', release)).toBe('https://[2001:db8::11]/sdk');
    expect(esxiSdkUrl('fe80::1', release)).toBe('https://[fe80::1]/sdk');
    expect(reachableSdkUrl(esxiSdkUrl('2001:db8::11', release))).toBe(true);
  });

  it("follows Go's net.ParseIP: an IPv4-mapped address is IPv4 (To4), a zone does not parse", () => {
    expect(isGoIpv6('2001:db8::11')).toBe(true);
    expect(isGoIpv6('::ffff:192.0.2.1')).toBe(false);
    expect(isGoIpv6('::ffff:c000:201')).toBe(false);
    expect(isGoIpv6('fe80::1%eth0')).toBe(false);
    expect(isGoIpv6('192.0.2.1')).toBe(false);
    expect(isGoIpv6('esx-01')).toBe(false);
    // so even 2.12 writes an IPv4-mapped address bare, and CDI cannot reach it
    expect(esxiSdkUrl('::ffff:192.0.2.1', '2.12')).toBe('https://::ffff:192.0.2.1/sdk');
    expect(reachableSdkUrl(esxiSdkUrl('::ffff:192.0.2.1', '2.12'))).toBe(false);
  });
});

describe('which Host CRs loadHosts keeps before the inventory', () => {
  it('keeps a Ready Host of the plan source Provider, and no Host that is not Ready', () => {
    const ready = hostCr('ready', { id: 'host-1' });
    const failed = hostCr('failed', { id: 'host-2' }, [
      { type: 'Validated', status: 'True' },
      { type: 'ConnectionTestFailed', status: 'True' },
    ]);
    const readyFalse = hostCr('ready-false', { id: 'host-3' }, [{ type: 'Ready', status: 'False' }]);
    const noStatus: HostCr = { ...hostCr('new', { id: 'host-4' }), status: {} };
    expect(readyHostCrs([ready, failed, readyFalse, noStatus], SOURCE).map((h) => h.metadata.name)).toEqual(['ready']);
  });

  it("ignores another Provider's Host, comparing name and namespace as written (libref.Equals)", () => {
    const other = hostCr('other', { id: 'host-1', provider: { name: 'vsphere-b', namespace: NS } });
    const elsewhere = hostCr('elsewhere', { id: 'host-1', provider: { name: 'vsphere-a', namespace: 'other-ns' } });
    const noNamespace = hostCr('no-namespace', { id: 'host-1', provider: { name: 'vsphere-a' } });
    expect(readyHostCrs([other, elsewhere, noNamespace], SOURCE)).toEqual([]);
    // a plan that writes its source without a namespace matches only a Host that does the same
    expect(readyHostCrs([noNamespace], { name: 'vsphere-a' }).map((h) => h.metadata.name)).toEqual(['no-namespace']);
    expect(sameRef(undefined, undefined)).toBe(true);
    expect(sameRef({ name: 'a' }, undefined)).toBe(false);
  });
});

/** esx-01 and esx-02 with a VM each; esx-03 with none; two hosts named esx-dup. */
const SCENARIO: Scenario = {
  name: 'esxi-hosts',
  migration: 'cold',
  maxInFlight: 4,
  diskRate: 100 * 2 ** 20,
  hosts: [{ name: 'esx-01' }, { name: 'esx-02' }, { name: 'esx-03' }],
  vms: [
    { name: 'web-01', host: 'esx-01', disks: [{ size: 2 ** 30 }] },
    { name: 'web-02', host: 'esx-02', disks: [{ size: 2 ** 30 }] },
  ],
};

describe('resolving the Host refs in the inventory (Finder.ByRef: by id, else by name)', () => {
  let cluster: ClusterFixture;
  const refuse = (message: string, hint?: string) => new UserError(`plan "plan-a" ${message}`, { hint });
  const VM_HOSTS = new Set(['host-1', 'host-2']);
  const resolve = (crs: HostCr[], vmHosts: ReadonlySet<string> = VM_HOSTS) =>
    resolveEsxiHosts(cluster.inventory, cluster.sandbox.providerUid, crs, vmHosts, refuse);

  beforeAll(async () => {
    cluster = await startCluster(SCENARIO);
  });

  afterAll(async () => {
    await cluster?.close();
  });

  it('keys each Host by its inventory host, with the thumbprint the inventory reports', async () => {
    const byId = hostCr('by-id', { id: 'host-1' });
    const byName = hostCr('by-name', { name: 'esx-02', ipAddress: '192.0.2.12' });
    const hosts = await resolve([byId, byName]);
    expect([...hosts.keys()]).toEqual(['host-1', 'host-2']);
    expect(hosts.get('host-1')).toEqual({
      host: expect.objectContaining({ id: 'host-1', name: 'esx-01', thumbprint: esxiThumbprint('esx-01') }),
      hostCr: { name: 'by-id', namespace: NS },
      ipAddress: '192.0.2.11',
      secret: { name: 'by-id-secret', namespace: NS },
    });
    expect(hosts.get('host-2')).toMatchObject({ host: { name: 'esx-02' }, ipAddress: '192.0.2.12' });
  });

  it('skips a Host whose ref the inventory does not have (NotFoundError), by id or by name', async () => {
    const before = cluster.inventory.requestCount();
    const hosts = await resolve([
      hostCr('gone-by-name', { name: 'esx-99' }),
      hostCr('gone-by-id', { id: 'host-99' }),
      hostCr('no-ref', {}),
    ]);
    expect(hosts.size).toBe(0);
    // an id no plan VM runs on is not even asked for; a name is (its id is not known before)
    expect(cluster.inventory.requestCount() - before).toBe(1);
  });

  it('reads nothing for a Host of a host no plan VM runs on, and keeps none', async () => {
    const before = cluster.inventory.requestCount();
    expect((await resolve([hostCr('idle', { id: 'host-3' })])).size).toBe(0);
    expect(cluster.inventory.requestCount()).toBe(before);
    expect((await resolve([hostCr('idle-by-name', { name: 'esx-03' })])).size).toBe(0);
  });

  it('refuses two Ready Hosts for one host a plan VM runs on (Forklift keeps whichever it lists last)', async () => {
    const error = await userError(resolve([hostCr('first', { id: 'host-1' }), hostCr('second', { name: 'esx-01' })]));
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.line).toBe(
      'plan "plan-a" has VMs on ESXi host esx-01, which two Ready Hosts name (first and second): MTV would take ' +
        "either one's address and credentials (try: delete one of them: kubectl delete host second -n openshift-mtv)",
    );
  });
});

describe('a Host ref by a name two inventory hosts have (RefNotUniqueError fails the plan)', () => {
  it('is refused', async () => {
    // two hosts of one name, as a vCenter with two clusters can have them (the sandbox keeps a Scenario built in code
    // as it is; a scenario file refuses the duplicate)
    const cluster = await startCluster({
      ...SCENARIO,
      hosts: [{ name: 'esx-dup' }, { name: 'esx-dup' }],
      vms: [{ name: 'web-01', host: 'esx-dup', disks: [{ size: 2 ** 30 }] }],
    });
    try {
      const refuse = (message: string, hint?: string) => new UserError(`plan "plan-a" ${message}`, { hint });
      const crs = [hostCr('dup', { name: 'esx-dup' })];
      const error = await userError(
        resolveEsxiHosts(cluster.inventory, cluster.sandbox.providerUid, crs, new Set(['host-1']), refuse),
      );
      expect(error.exitCode).toBe(ExitCode.usage);
      expect(error.line).toBe(
        'plan "plan-a" cannot run: Host "dup" names its ESXi host "esx-dup", a name 2 inventory hosts have, which ' +
          'fails the plan in MTV too (RefNotUnique) (try: kubectl patch host dup -n openshift-mtv --type merge -p ' +
          `'{"spec":{"id":"HOST-ID"}}')`,
      );
    } finally {
      await cluster.close();
    }
  });
});
