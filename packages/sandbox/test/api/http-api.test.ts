/**
 * The sandbox's HTTP API as client-node and raw requests see it: tables, paging, fieldValidation modes, the status
 * subresource, finalizers, namespace deletion and the service proxy.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from './sandbox-fixture.js';

let sandbox: Sandbox;
let core: CoreV1Api;
let custom: CustomObjectsApi;

const DV = { group: 'cdi.kubevirt.io', version: 'v1beta1', plural: 'datavolumes', namespace: 'demo' };

function dataVolume(name: string, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'cdi.kubevirt.io/v1beta1',
    kind: 'DataVolume',
    metadata: { name },
    spec: { storage: { resources: { requests: { storage: '1Gi' } } }, ...extra },
  };
}

beforeAll(async () => {
  sandbox = await startSandbox();
  const kc = new KubeConfig();
  kc.loadFromString(sandbox.kubeconfigText);
  core = kc.makeApiClient(CoreV1Api);
  custom = kc.makeApiClient(CustomObjectsApi);
  await core.createNamespace({ body: { metadata: { name: 'demo' } } });
});

afterAll(async () => {
  await sandbox?.stop();
});

describe('reads', () => {
  it('serves a Table with the printer columns and PartialObjectMetadata rows', async () => {
    await custom.createNamespacedCustomObject({ ...DV, body: dataVolume('d1') });
    await custom.patchNamespacedCustomObjectStatus({
      ...DV,
      name: 'd1',
      body: [{ op: 'add', path: '/status', value: { phase: 'Pending', progress: 'N/A' } }],
    });
    const table = await sandbox.request('GET', '/apis/cdi.kubevirt.io/v1beta1/namespaces/demo/datavolumes', {
      accept:
        'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json',
    });
    expect(table.json.kind).toBe('Table');
    expect(table.json.columnDefinitions.map((c: { name: string }) => c.name)).toEqual([
      'Name',
      'Phase',
      'Progress',
      'Restarts',
      'Age',
    ]);
    expect(table.json.rows[0].cells.slice(0, 4)).toEqual(['d1', 'Pending', 'N/A', null]);
    expect(table.json.rows[0].cells[4]).toMatch(/^\d+s$/);
    expect(table.json.rows[0].object).toMatchObject({
      kind: 'PartialObjectMetadata',
      apiVersion: 'meta.k8s.io/v1',
      metadata: { name: 'd1' },
    });
  });

  it('pages a list with limit and continue', async () => {
    for (const name of ['p1', 'p2', 'p3', 'p4', 'p5']) {
      await core.createNamespacedConfigMap({
        namespace: 'demo',
        body: { metadata: { name, labels: { page: 'yes' } } },
      });
    }
    const first = await core.listNamespacedConfigMap({ namespace: 'demo', limit: 2, labelSelector: 'page' });
    expect(first.items.map((cm) => cm.metadata?.name)).toEqual(['p1', 'p2']);
    expect(first.metadata?.remainingItemCount).toBe(3);
    const second = await core.listNamespacedConfigMap({
      namespace: 'demo',
      limit: 2,
      labelSelector: 'page',
      _continue: first.metadata?._continue,
    });
    expect(second.items.map((cm) => cm.metadata?.name)).toEqual(['p3', 'p4']);
    const last = await core.listNamespacedConfigMap({
      namespace: 'demo',
      limit: 2,
      labelSelector: 'page',
      _continue: second.metadata?._continue,
    });
    expect(last.items.map((cm) => cm.metadata?.name)).toEqual(['p5']);
    expect(last.metadata?._continue).toBeUndefined();
    expect(second.metadata?.resourceVersion).toBe(first.metadata?.resourceVersion);
  });
});

describe('writes', () => {
  it('rejects unknown fields under Strict, warns and prunes by default, prunes silently under Ignore', async () => {
    const body = (name: string) =>
      JSON.stringify({ ...dataVolume(name), spec: { storage: { resources: {} }, typo: 1 } });
    const path = '/apis/cdi.kubevirt.io/v1beta1/namespaces/demo/datavolumes';
    const strict = await sandbox.request('POST', `${path}?fieldValidation=Strict`, { body: body('s1') });
    expect(strict).toMatchObject({ status: 400, json: { reason: 'BadRequest' } });
    const warned = await sandbox.request('POST', path, { body: body('s2') });
    expect(warned.status).toBe(201);
    expect(warned.headers.warning).toBe('299 - "unknown field \\"spec.typo\\""');
    expect(warned.json.spec.typo).toBeUndefined();
    const ignored = await sandbox.request('POST', `${path}?fieldValidation=Ignore`, { body: body('s3') });
    expect(ignored.status).toBe(201);
    expect(ignored.headers.warning).toBeUndefined();
  });

  it('keeps status out of main-resource writes and everything but status out of /status writes', async () => {
    const created = (await custom.createNamespacedCustomObject({
      ...DV,
      body: { ...dataVolume('st'), status: { phase: 'Succeeded' } },
    })) as Record<string, unknown>;
    expect(created.status).toBeUndefined();
    const statusPath = '/apis/cdi.kubevirt.io/v1beta1/namespaces/demo/datavolumes/st/status';
    const viaStatus = await sandbox.request('PATCH', statusPath, {
      body: JSON.stringify({ metadata: { labels: { sneaky: 'yes' } }, status: { phase: 'Pending' } }),
      contentType: 'application/merge-patch+json',
    });
    expect(viaStatus.json.status).toEqual({ phase: 'Pending' });
    expect(viaStatus.json.metadata.labels).toBeUndefined();
    const viaMain = await sandbox.request('PATCH', '/apis/cdi.kubevirt.io/v1beta1/namespaces/demo/datavolumes/st', {
      body: JSON.stringify({ status: { phase: 'Failed' } }),
      contentType: 'application/merge-patch+json',
    });
    expect(viaMain.json.status).toEqual({ phase: 'Pending' });
    expect(viaMain.json.metadata.resourceVersion).toBe(viaStatus.json.metadata.resourceVersion); // a no-op keeps its RV
  });

  it('holds an object with finalizers until they are removed, and empties a deleted namespace', async () => {
    await core.createNamespace({ body: { metadata: { name: 'gone' } } });
    await core.createNamespacedConfigMap({
      namespace: 'gone',
      body: { metadata: { name: 'held', finalizers: ['example.com/hold'] } },
    });
    const deleting = await sandbox.request('DELETE', '/api/v1/namespaces/gone/configmaps/held');
    expect(deleting.status).toBe(202);
    expect(deleting.json.metadata.deletionTimestamp).toBeDefined();
    const namespace = await sandbox.request('DELETE', '/api/v1/namespaces/gone');
    expect(namespace.json.status.phase).toBe('Terminating');
    const created = await sandbox.request('POST', '/api/v1/namespaces/gone/configmaps', {
      body: '{"metadata":{"name":"late"}}',
    });
    expect(created).toMatchObject({ status: 403, json: { reason: 'Forbidden' } });
    await core.patchNamespacedConfigMap({
      namespace: 'gone',
      name: 'held',
      body: [{ op: 'remove', path: '/metadata/finalizers' }],
    });
    expect((await sandbox.request('GET', '/api/v1/namespaces/gone/configmaps/held')).status).toBe(404);
    expect((await sandbox.request('GET', '/api/v1/namespaces/gone')).status).toBe(404);
  });
});

describe('the service proxy', () => {
  it('forwards to the service’s backend without the caller’s Authorization header', async () => {
    const seen: IncomingHttpHeaders[] = [];
    const backend = createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(req.headers.authorization ? 200 : 401, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ path: req.url }));
    });
    await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
    try {
      const port = (backend.address() as AddressInfo).port;
      await core.createNamespacedService({
        namespace: 'demo',
        body: {
          metadata: { name: 'forklift-inventory' },
          spec: { ports: [{ name: 'api', port: 8443, targetPort: port }] },
        },
      });
      const answer = await sandbox.request(
        'GET',
        '/api/v1/namespaces/demo/services/http:forklift-inventory:api/proxy/providers/vsphere?detail=1',
      );
      expect(answer.status).toBe(401);
      expect(answer.json).toEqual({ path: '/providers/vsphere?detail=1' });
      expect(seen[0].authorization).toBeUndefined();
      await new Promise<void>((resolve) => backend.close(() => resolve()));
      const down = await sandbox.request('GET', '/api/v1/namespaces/demo/services/forklift-inventory:api/proxy/');
      expect(down).toMatchObject({ status: 503, json: { reason: 'ServiceUnavailable' } });
    } finally {
      backend.close();
    }
  });
});
