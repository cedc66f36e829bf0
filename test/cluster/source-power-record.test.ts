/**
 * The power-state record (source-power-record.ts) against the sandbox's API server: the first state recorded stands,
 * a second VM is added beside it, its labels are ours only, a ConfigMap of its name that is not ours is refused, and
 * delete removes only ours.
 */
import type { Scenario } from '@kubectl-mtv/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FORKLIFT_SELECTOR_KEYS } from '../../src/cluster/datavolume-builder.js';
import { inNamespace, RESOURCES } from '../../src/cluster/resource-types.js';
import { powerRecordName, SourcePowerRecord } from '../../src/cluster/source-power-record.js';
import { UserError } from '../../src/errors.js';
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

describe('SourcePowerRecord', () => {
  let cluster: ClusterFixture;
  beforeAll(async () => {
    cluster = await startCluster(SCENARIO);
  });
  afterAll(async () => {
    await cluster?.close();
  });

  it('keeps the first state of each VM, beside the others, under our labels only', async () => {
    const plan = { name: 'cold-plan', namespace: NS, uid: '0123abcd-0000-4000-8000-000000000001' };
    const record = new SourcePowerRecord(cluster.kube, plan);
    expect(await record.read()).toEqual(new Map());
    expect(await record.record('vm-1', 'poweredOn')).toBe('poweredOn');
    // what a re-run reads once the VM is off: the first state stands
    expect(await record.record('vm-1', 'poweredOff')).toBe('poweredOn');
    expect(await record.record('vm-2', 'poweredOff')).toBe('poweredOff');
    expect(await new SourcePowerRecord(cluster.kube, plan).read()).toEqual(
      new Map([
        ['vm-1', 'poweredOn'],
        ['vm-2', 'poweredOff'],
      ]),
    );
    const object = await cluster.kube.get<{ metadata: { name: string; labels: Record<string, string> } }>(
      inNamespace(RESOURCES.configMaps, NS),
      powerRecordName(plan),
    );
    expect(object?.metadata.name).toBe('cold-plan-power-0123abcd');
    expect(
      Object.keys(object?.metadata.labels ?? {}).filter((key) =>
        (FORKLIFT_SELECTOR_KEYS as readonly string[]).includes(key),
      ),
    ).toEqual([]);
    expect(await record.delete()).toBe(true);
    expect(await record.delete()).toBe(false);
    expect(await record.read()).toEqual(new Map());
  });

  it('records many VMs at once, as a run does, each once', async () => {
    const plan = { name: 'wide', namespace: NS, uid: 'aaaa1111-0000-4000-8000-000000000003' };
    const record = new SourcePowerRecord(cluster.kube, plan);
    const ids = Array.from({ length: 20 }, (_, i) => `vm-${i}`);
    const states = await Promise.all(ids.map((id, i) => record.record(id, i % 2 ? 'poweredOn' : 'poweredOff')));
    expect(states).toEqual(ids.map((_, i) => (i % 2 ? 'poweredOn' : 'poweredOff')));
    // a second record of the same plan (another run) changes nothing: the first states stand
    const again = new SourcePowerRecord(cluster.kube, plan);
    expect(await Promise.all(ids.map((id) => again.record(id, 'suspended')))).toEqual(states);
    expect((await again.read()).size).toBe(20);
    await again.delete();
  });

  it('refuses a ConfigMap of its name that is not this plan’s, and does not delete it', async () => {
    const plan = { name: 'other', namespace: NS, uid: 'ffff0000-0000-4000-8000-000000000002' };
    await cluster.kube.create(inNamespace(RESOURCES.configMaps, NS), {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: powerRecordName(plan), namespace: NS },
      data: { keep: 'me' },
    });
    const record = new SourcePowerRecord(cluster.kube, plan);
    await expect(record.read()).rejects.toThrow(UserError);
    await expect(record.record('vm-1', 'poweredOn')).rejects.toThrow(
      `ConfigMap "other-power-ffff0000" in namespace "${NS}" exists and is not this plan's power-state record; nothing created`,
    );
    expect(await record.delete()).toBe(false);
    const kept = await cluster.kube.get<{ data: Record<string, string> }>(
      inNamespace(RESOURCES.configMaps, NS),
      powerRecordName(plan),
    );
    expect(kept?.data).toEqual({ keep: 'me' });
  });
});
