/**
 * Watches as @kubernetes/client-node 1.4.0 consumes them: from a resourceVersion, 410 Gone and the informer's
 * relist, a watch dropped by the server and resumed, bookmarks, timeoutSeconds, and the simulators' ClusterStore
 * writes (including garbage collection) reaching a running HTTP watch.
 */
import { CoreV1Api, KubeConfig, makeInformer, type V1ConfigMap, Watch } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/cluster-store.js';
import { type Sandbox, startSandbox } from './sandbox-fixture.js';

interface Seen {
  type: string;
  // biome-ignore lint/suspicious/noExplicitAny: watch objects are whatever the server sent
  object: any;
}

/** A watch whose events collect in `events`; `next(n)` waits until n have arrived. */
async function collect(kc: KubeConfig, path: string, query: Record<string, string | number | boolean | undefined>) {
  const events: Seen[] = [];
  let done: { err: unknown } | undefined;
  const waiters: (() => void)[] = [];
  const wake = () => {
    for (const waiter of waiters.splice(0)) waiter();
  };
  const controller = await new Watch(kc).watch(
    path,
    query,
    (type, object) => {
      events.push({ type, object });
      wake();
    },
    (err) => {
      done = { err };
      wake();
    },
  );
  const until = async (ready: () => boolean, what: string) => {
    const deadline = Date.now() + 5000;
    while (!ready()) {
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}; saw ${JSON.stringify(events.map((e) => e.type))}`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  };
  return {
    events,
    controller,
    next: (count: number) => until(() => events.length >= count, `${count} events`),
    ended: async () => {
      await until(() => done !== undefined, 'the end of the watch');
      return done as { err: unknown };
    },
  };
}

function configMap(name: string, labels: Record<string, string> = {}): V1ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data: { name } };
}

let sandbox: Sandbox;
let kc: KubeConfig;
let core: CoreV1Api;

beforeAll(async () => {
  sandbox = await startSandbox({ bookmarkIntervalMs: 200 });
  kc = new KubeConfig();
  kc.loadFromString(sandbox.kubeconfigText);
  core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: 'demo' } } });
});

afterAll(async () => {
  await sandbox?.stop();
});

describe('watch', () => {
  it('delivers, from a listed resourceVersion, every later event in order', async () => {
    await core.createNamespacedConfigMap({ namespace: 'demo', body: configMap('a') });
    const list = await core.listNamespacedConfigMap({ namespace: 'demo' });
    const from = list.metadata?.resourceVersion as string;
    await core.createNamespacedConfigMap({ namespace: 'demo', body: configMap('b') });
    // client-node 1.x sends a JSON patch unless told otherwise
    await core.patchNamespacedConfigMap({
      namespace: 'demo',
      name: 'a',
      body: [{ op: 'add', path: '/data/changed', value: 'yes' }],
    });
    await core.deleteNamespacedConfigMap({ namespace: 'demo', name: 'b' });
    const watch = await collect(kc, '/api/v1/namespaces/demo/configmaps', { resourceVersion: from });
    await watch.next(3);
    watch.controller.abort();
    expect(watch.events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual([
      'ADDED b',
      'MODIFIED a',
      'DELETED b',
    ]);
    const versions = watch.events.map((e) => Number(e.object.metadata.resourceVersion));
    expect(versions).toEqual([...versions].sort((x, y) => x - y));
    expect(versions[0]).toBeGreaterThan(Number(from));
  });

  it('starts with ADDED events and a BOOKMARK when no resourceVersion is given, then bookmarks periodically', async () => {
    const watch = await collect(kc, '/api/v1/namespaces/demo/configmaps', { allowWatchBookmarks: true });
    await watch.next(3);
    watch.controller.abort();
    expect(watch.events[0]).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'a' } } });
    expect(watch.events[1].type).toBe('BOOKMARK');
    expect(watch.events[1].object.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(watch.events[2].type).toBe('BOOKMARK');
  });

  it('ends the stream after timeoutSeconds', async () => {
    const started = Date.now();
    const watch = await collect(kc, '/api/v1/namespaces/demo/configmaps', { timeoutSeconds: 1 });
    expect((await watch.ended()).err).toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('resumes a watch the server dropped from its last resourceVersion without losing events', async () => {
    const from = (await core.listNamespacedConfigMap({ namespace: 'demo' })).metadata?.resourceVersion as string;
    const watch = await collect(kc, '/api/v1/namespaces/demo/configmaps', { resourceVersion: from });
    await core.createNamespacedConfigMap({ namespace: 'demo', body: configMap('before-drop') });
    await watch.next(1);
    const last = watch.events[watch.events.length - 1].object.metadata.resourceVersion;
    expect(sandbox.server.dropWatches()).toBeGreaterThanOrEqual(1);
    await watch.ended();
    await core.createNamespacedConfigMap({ namespace: 'demo', body: configMap('during-gap') });
    const resumed = await collect(kc, '/api/v1/namespaces/demo/configmaps', { resourceVersion: last });
    await resumed.next(1);
    resumed.controller.abort();
    expect(resumed.events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED during-gap']);
  });

  it('sees the simulators’ ClusterStore writes on a running HTTP watch, with garbage collection', async () => {
    const store = sandbox.server.store;
    const watch = await collect(kc, '/apis/cdi.kubevirt.io/v1beta1/namespaces/demo/datavolumes', {
      resourceVersion: '0',
    });
    const pvcs = await collect(kc, '/api/v1/namespaces/demo/persistentvolumeclaims', { resourceVersion: '0' });
    const dv = store.create('datavolumes.cdi.kubevirt.io', {
      apiVersion: 'cdi.kubevirt.io/v1beta1',
      kind: 'DataVolume',
      metadata: { name: 'disk-1', namespace: 'demo' },
      spec: { storage: { resources: { requests: { storage: '1Gi' } } } },
    } as KubeObject);
    store.create('persistentvolumeclaims', {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        name: 'disk-1',
        namespace: 'demo',
        ownerReferences: [
          {
            apiVersion: 'cdi.kubevirt.io/v1beta1',
            kind: 'DataVolume',
            name: 'disk-1',
            uid: dv.metadata.uid as string,
            controller: true,
          },
        ],
      },
      spec: { resources: { requests: { storage: '1Gi' } } },
    });
    store.updateStatus('datavolumes.cdi.kubevirt.io', 'demo', 'disk-1', {
      phase: 'ImportInProgress',
      progress: '10.00%',
    });
    store.patchMetadata('datavolumes.cdi.kubevirt.io', 'demo', 'disk-1', {
      annotations: { 'kubectl-mtv/stuck': 'true' },
    });
    store.delete('datavolumes.cdi.kubevirt.io', 'demo', 'disk-1');
    await watch.next(4);
    await pvcs.next(2);
    watch.controller.abort();
    pvcs.controller.abort();
    expect(watch.events.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'MODIFIED', 'DELETED']);
    expect(watch.events[1].object.status).toEqual({ phase: 'ImportInProgress', progress: '10.00%' });
    expect(pvcs.events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED disk-1', 'DELETED disk-1']);
    expect(store.get('persistentvolumeclaims', 'demo', 'disk-1')).toBeUndefined();
  });

  it('answers a resourceVersion older than the history with a 410 Expired ERROR event; the informer relists', async () => {
    const small = await startSandbox({ historyLimit: 5 });
    try {
      const smallKc = new KubeConfig();
      smallKc.loadFromString(small.kubeconfigText);
      const smallCore = smallKc.makeApiClient(CoreV1Api);
      await smallCore.createNamespace({ body: { metadata: { name: 'demo' } } });
      const stale = Number((await smallCore.listNamespacedConfigMap({ namespace: 'demo' })).metadata?.resourceVersion);
      for (let i = 0; i < 8; i++)
        await smallCore.createNamespacedConfigMap({ namespace: 'demo', body: configMap(`old-${i}`) });
      const watch = await collect(smallKc, '/api/v1/namespaces/demo/configmaps', { resourceVersion: String(stale) });
      await watch.ended();
      expect(watch.events).toHaveLength(1);
      expect(watch.events[0].type).toBe('ERROR');
      expect(watch.events[0].object).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Expired', code: 410 });
      expect(watch.events[0].object.message).toMatch(/^too old resource version: \d+ \(\d+\)$/);

      let lists = 0;
      const informer = makeInformer(smallKc, '/api/v1/namespaces/demo/configmaps', () => {
        lists++;
        return smallCore.listNamespacedConfigMap({ namespace: 'demo' });
      });
      // the informer stops on any error but a 410 (a dropped connection is one): restart it, as clients must
      let restarts = 0;
      informer.on('error', () => {
        restarts++;
        setTimeout(() => void informer.start(), 10);
      });
      await informer.start();
      expect(informer.list('demo')).toHaveLength(8);
      // drop the informer's watch and move the history past its resourceVersion before it reconnects
      small.server.dropWatches();
      for (let i = 0; i < 8; i++) {
        small.server.store.create('configmaps', {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: `new-${i}`, namespace: 'demo' },
        });
      }
      const deadline = Date.now() + 5000;
      while (informer.list('demo').length < 16 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await informer.stop();
      expect(informer.list('demo')).toHaveLength(16);
      expect(restarts).toBeGreaterThanOrEqual(1);
      expect(lists).toBe(2); // the first list, and the relist after the 410
    } finally {
      await small.stop();
    }
  });
});
