/**
 * The throughput record (throughput-record.ts) against the sandbox's API server: none is nothing known; a write
 * creates it under our labels (none of a plan's, so `clean` of a plan leaves it), a second host goes beside the first,
 * a change by someone else between our read and our write (a 409) is read again and kept, a ConfigMap of its name not
 * ours is refused, and a 403 is the caller's to see. The runner's memory (throughput-memory.ts) on top of it: written
 * when a host settles, not again until it moves by more than a tenth, and a 403 is one warning, then no more writes.
 */
import type { Learned, Scenario } from '@kubectl-mtv/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DV_LABEL } from '../../src/cluster/datavolume-builder.js';
import { KubeApiError } from '../../src/cluster/kube-errors.js';
import { inNamespace, RESOURCES } from '../../src/cluster/resource-types.js';
import {
  ForeignThroughputRecord,
  knownThroughputOf,
  type ThroughputEntry,
  ThroughputRecord,
  throughputRecordName,
} from '../../src/cluster/throughput-record.js';
import { ThroughputMemory } from '../../src/runner/throughput-memory.js';
import { type ClusterFixture, startCluster } from './cluster-fixture.js';

const NS = 'openshift-mtv';
const SCENARIO: Scenario = {
  name: 'record',
  migration: 'cold',
  maxInFlight: 2,
  diskRate: 2 ** 27,
  hosts: [{ name: 'esx-01' }],
  vms: [{ name: 'vm-a', host: 'esx-01', disks: [{ size: 2 ** 30, datastore: 'ds-1' }] }],
};
const Mi = 2 ** 20;
const CONFIGMAPS = inNamespace(RESOURCES.configMaps, NS);

interface ConfigMap {
  metadata: { name: string; labels?: Record<string, string>; resourceVersion?: string };
  data?: Record<string, string>;
}

const entry = (host: string, bandwidth: number, limit: number, extra: Partial<ThroughputEntry> = {}) => ({
  host,
  bandwidth,
  limit,
  diskRate: 100 * Mi,
  updatedAt: '2025-01-01T00:00:00.000Z',
  plan: `${NS}/plan-a`,
  run: 'jane@ws/1',
  ...extra,
});

const learned = (bandwidth: number | null, limit = 3, phase: 'holding' | 'climbing' = 'holding'): Learned => ({
  hosts: [{ name: 'host-1', limit, phase, bandwidth, throughput: bandwidth, inFlight: limit }],
  diskRate: 100 * Mi,
});

describe('ThroughputRecord', () => {
  let cluster: ClusterFixture;
  beforeAll(async () => {
    cluster = await startCluster(SCENARIO);
  });
  afterAll(async () => {
    await cluster?.close();
  });

  it('is empty until written, then holds one key per host under our labels, beside each other', async () => {
    const provider = { name: 'vsphere-x', namespace: NS, uid: 'a1b2c3d4-0000-4000-8000-000000000001' };
    const record = new ThroughputRecord(cluster.kube, provider);
    expect(record.name).toBe('kubectl-mtv-throughput-vsphere-x');
    expect(await record.read()).toEqual(new Map());
    await record.write([entry('host-1', 300 * Mi, 3)]);
    await record.write([entry('host-2', 250 * Mi, 2)]);
    await record.write([entry('host-1', 280 * Mi, 3, { updatedAt: '2025-01-02T00:00:00.000Z', diskRate: 90 * Mi })]);
    const entries = await new ThroughputRecord(cluster.kube, provider).read();
    expect([...entries.keys()].sort()).toEqual(['host-1', 'host-2']);
    expect(entries.get('host-1')).toMatchObject({ bandwidth: 280 * Mi, limit: 3, plan: `${NS}/plan-a` });
    expect(knownThroughputOf(entries)).toEqual({
      hosts: { 'host-1': { bandwidth: 280 * Mi, limit: 3 }, 'host-2': { bandwidth: 250 * Mi, limit: 2 } },
      diskRate: 90 * Mi,
    });
    const object = await cluster.kube.get<ConfigMap>(CONFIGMAPS, record.name);
    expect(Object.keys(object?.data ?? {}).sort()).toEqual(['host-1', 'host-2']);
    expect(object?.metadata.labels).toMatchObject({
      'kubectl-mtv.konveyor.io/use': 'throughput',
      [DV_LABEL.managedBy]: 'kubectl-mtv',
    });
    // no plan's label: clean of a plan leaves the Provider's record
    expect(object?.metadata.labels?.[DV_LABEL.planUid]).toBeUndefined();
  });

  it('keeps what someone else wrote between its read and its write (409: read again)', async () => {
    const provider = { name: 'vsphere-race', namespace: NS, uid: 'race' };
    const record = new ThroughputRecord(cluster.kube, provider);
    await record.write([entry('host-1', 300 * Mi, 3)]);
    // another workstation's write lands after our read: the resourceVersion we send is stale
    const original = cluster.kube.get.bind(cluster.kube);
    let raced = false;
    cluster.kube.get = async <T>(ref: Parameters<typeof original>[0], name: string) => {
      const found = await original<T>(ref, name);
      if (!raced && name === record.name) {
        raced = true;
        const other = (await original<ConfigMap>(CONFIGMAPS, name)) as ConfigMap;
        await cluster.kube.replace(CONFIGMAPS, name, {
          ...other,
          data: { ...other.data, 'host-9': JSON.stringify(entry('host-9', 200 * Mi, 2)) },
        });
      }
      return found;
    };
    try {
      await record.write([entry('host-2', 250 * Mi, 2)]);
    } finally {
      cluster.kube.get = original;
    }
    expect(raced).toBe(true);
    expect([...(await record.read()).keys()].sort()).toEqual(['host-1', 'host-2', 'host-9']);
  });

  it('refuses a ConfigMap of its name that is not ours, reading or writing, and leaves it as it was', async () => {
    const provider = { name: 'vsphere-foreign', namespace: NS, uid: 'foreign' };
    await cluster.kube.create(CONFIGMAPS, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: throughputRecordName(provider) },
      data: { mine: 'yes' },
    });
    const record = new ThroughputRecord(cluster.kube, provider);
    await expect(record.read()).rejects.toBeInstanceOf(ForeignThroughputRecord);
    await expect(record.write([entry('host-1', 300 * Mi, 3)])).rejects.toBeInstanceOf(ForeignThroughputRecord);
    expect((await cluster.kube.get<ConfigMap>(CONFIGMAPS, record.name))?.data).toEqual({ mine: 'yes' });
  });

  it('leaves out keys that are not an entry (a hand edit forgets that host)', async () => {
    const provider = { name: 'vsphere-edited', namespace: NS, uid: 'edited' };
    const record = new ThroughputRecord(cluster.kube, provider);
    await record.write([entry('host-1', 300 * Mi, 3)]);
    const object = (await cluster.kube.get<ConfigMap>(CONFIGMAPS, record.name)) as ConfigMap;
    await cluster.kube.replace(CONFIGMAPS, record.name, {
      ...object,
      data: { ...object.data, broken: '{', zero: JSON.stringify(entry('host-0', 0, 3)) },
    });
    expect([...(await record.read()).keys()]).toEqual(['host-1']);
  });
});

describe('ThroughputMemory on the record', () => {
  let cluster: ClusterFixture;
  beforeAll(async () => {
    cluster = await startCluster(SCENARIO, { deny: ['update:configmaps@denied-ns', 'create:configmaps@denied-ns'] });
  });
  afterAll(async () => {
    await cluster?.close();
  });

  const by = { plan: `${NS}/plan-a`, run: 'jane@ws/1' };

  it('writes a host once it settles, again only when its bandwidth moves by more than a tenth, at most every everyMs', async () => {
    const record = new ThroughputRecord(cluster.kube, { name: 'vsphere-m', namespace: NS, uid: 'm' });
    const store = { description: 'the record', write: (e: readonly ThroughputEntry[]) => record.write(e) };
    const warnings: string[] = [];
    const memory = new ThroughputMemory({ store, warn: (l) => warnings.push(l), everyMs: 1000 }, by);
    memory.observe(0, learned(null, 2, 'climbing'));
    await memory.flush(0, learned(null, 2, 'climbing'));
    expect(await record.read()).toEqual(new Map());
    memory.observe(1000, learned(300 * Mi));
    await memory.flush(1000, learned(300 * Mi));
    expect((await record.read()).get('host-1')).toMatchObject({ bandwidth: 300 * Mi, limit: 3, ...by });
    // 5% moves nothing; 20% is written, once the last write is everyMs old
    memory.observe(3000, learned(315 * Mi));
    await memory.flush(3000, learned(315 * Mi));
    expect((await record.read()).get('host-1')?.bandwidth).toBe(300 * Mi);
    memory.observe(3500, learned(360 * Mi));
    expect((await record.read()).get('host-1')?.bandwidth).toBe(300 * Mi);
    await memory.flush(3500, learned(360 * Mi));
    expect((await record.read()).get('host-1')?.bandwidth).toBe(360 * Mi);
    expect(warnings).toEqual([]);
  });

  it('starts from what it was given as known: an unchanged host is not written again', async () => {
    const writes: (readonly ThroughputEntry[])[] = [];
    const store = { description: 'the record', write: async (e: readonly ThroughputEntry[]) => void writes.push(e) };
    const memory = new ThroughputMemory({ store, warn: () => undefined }, by, {
      'host-1': { bandwidth: 300 * Mi, limit: 3 },
    });
    await memory.flush(0, learned(305 * Mi));
    expect(writes).toEqual([]);
  });

  it('warns once on a 403 and writes no more, never throwing', async () => {
    const record = new ThroughputRecord(cluster.kube, { name: 'vsphere-d', namespace: 'denied-ns', uid: 'd' });
    let attempts = 0;
    const store = {
      description: 'ConfigMap "kubectl-mtv-throughput-vsphere-d" in "denied-ns"',
      write: (e: readonly ThroughputEntry[]) => {
        attempts++;
        return record.write(e);
      },
    };
    await expect(record.write([entry('host-1', 1, 1)])).rejects.toSatisfy(
      (e) => e instanceof KubeApiError && e.status === 403,
    );
    attempts = 0;
    const warnings: string[] = [];
    const memory = new ThroughputMemory({ store, warn: (l) => warnings.push(l), everyMs: 0 }, by);
    memory.observe(0, learned(300 * Mi));
    await memory.flush(0, learned(300 * Mi));
    memory.observe(10, learned(400 * Mi));
    await memory.flush(20, learned(500 * Mi));
    expect(attempts).toBe(1);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/cannot write the learned throughput to ConfigMap .* in "denied-ns" \(forbidden/);
  });
});
