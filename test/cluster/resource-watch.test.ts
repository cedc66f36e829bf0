import { setTimeout as delay } from 'node:timers/promises';
import { DEFAULT_SANDBOX_SCENARIO } from '@kubectl-mtv/sandbox';
import { afterEach, describe, expect, it } from 'vitest';
import { ResourceWatch, type WatchedObject } from '../../src/cluster/resource-watch.js';
import { type ClusterFixture, startCluster } from './cluster-fixture.js';

const CONFIGMAPS = { version: 'v1', plural: 'configmaps', namespace: 'default' };

function configMap(name: string, value: string) {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: 'default', labels: { run: 'yes' } },
    data: { value },
  };
}

describe('ResourceWatch', () => {
  let cluster: ClusterFixture | undefined;
  let watch: ResourceWatch<WatchedObject> | undefined;

  afterEach(async () => {
    await watch?.stop();
    await cluster?.close();
  });

  /** A watch of labelled ConfigMaps, keeping what it knows by name. */
  async function watching(historyLimit: number) {
    cluster = await startCluster(DEFAULT_SANDBOX_SCENARIO, { historyLimit, bookmarkIntervalMs: 50 });
    const client = cluster.kube;
    const known = new Map<string, WatchedObject>();
    let lists = 0;
    watch = new ResourceWatch<WatchedObject>(
      client.transport,
      CONFIGMAPS,
      { labelSelector: 'run=yes', list: true },
      {
        onList: (items) => {
          lists++;
          known.clear();
          for (const item of items) known.set(item.metadata.name ?? '', item);
        },
        onEvent: (type, object) => {
          if (type === 'DELETED') known.delete(object.metadata.name ?? '');
          else known.set(object.metadata.name ?? '', object);
        },
        onBatch: () => undefined,
        onError: (error) => {
          throw error;
        },
      },
    );
    for (const item of await watch.start()) known.set(item.metadata.name ?? '', item);
    return { server: cluster.sandbox, known, lists: () => lists, watch };
  }

  it('resumes a dropped watch from the last resourceVersion without a new list', async () => {
    const { server, known, lists, watch: w } = await watching(10_000);
    server.store.create('configmaps', configMap('a', '1'));
    await delay(50);
    expect(server.dropWatches()).toBe(1);
    server.store.create('configmaps', configMap('b', '1'));
    await delay(300);
    expect([...known.keys()].sort()).toEqual(['a', 'b']);
    expect(lists()).toBe(0);
    expect(w.lists).toBe(1);
    expect(w.watches).toBe(2);
  });

  it('re-lists when the resourceVersion it resumes from has expired (410)', async () => {
    const { server, known, lists } = await watching(3);
    server.store.create('configmaps', configMap('a', '1'));
    await delay(50);
    server.dropWatches();
    // more events than the history holds while the watch is away
    for (let i = 0; i < 6; i++) server.store.create('configmaps', configMap(`n${i}`, '1'));
    await delay(400);
    expect(lists()).toBe(1);
    expect(known.size).toBe(7);
  });
});
