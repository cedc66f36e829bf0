import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiServer, startApiServer } from '../../src/api/api-server.js';

let api: ApiServer;

beforeAll(async () => {
  api = await startApiServer({ port: 0, token: 'schema-test' });
  api.store.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'openshift-mtv' } });
});

afterAll(async () => {
  await api?.close();
});

const plan = (spec: Record<string, unknown>) => ({
  apiVersion: 'forklift.konveyor.io/v1beta1',
  kind: 'Plan',
  metadata: { name: `p-${Math.random().toString(36).slice(2, 8)}`, namespace: 'openshift-mtv' },
  spec: {
    provider: {
      source: { name: 'a', namespace: 'openshift-mtv' },
      destination: { name: 'b', namespace: 'openshift-mtv' },
    },
    map: { network: { name: 'n', namespace: 'openshift-mtv' }, storage: { name: 's', namespace: 'openshift-mtv' } },
    targetNamespace: 'demo',
    vms: [{ id: 'vm-1' }],
    ...spec,
  },
});

describe('CRD schema validation', () => {
  it('validates a field whose name is a schema keyword (spec.description), as the CRD types it', () => {
    expect(() => api.store.create('plans.forklift.konveyor.io', plan({ description: 'nightly batch' }))).not.toThrow();
    expect(() => api.store.create('plans.forklift.konveyor.io', plan({ description: 5 }))).toThrow(/description/);
  });
});
