/** Each error reason as kube-apiserver's Status body, through client-node (ApiException) and raw requests. */
import { ApiException, CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tooManyRequests } from '../../src/api/api-error.js';
import { sendError } from '../../src/api/http-io.js';
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

async function apiError(call: Promise<unknown>): Promise<{ code: number; body: Record<string, unknown> }> {
  try {
    await call;
  } catch (error) {
    if (error instanceof ApiException) return { code: error.code, body: JSON.parse(error.body as string) };
    throw error;
  }
  throw new Error('the call succeeded');
}

beforeAll(async () => {
  sandbox = await startSandbox({
    intercept: (req, res) => {
      if (req.headers['x-sandbox-fault'] !== '429') return false;
      sendError(res, tooManyRequests(2));
      return true;
    },
  });
  const kc = new KubeConfig();
  kc.loadFromString(sandbox.kubeconfigText);
  core = kc.makeApiClient(CoreV1Api);
  custom = kc.makeApiClient(CustomObjectsApi);
  await core.createNamespace({ body: { metadata: { name: 'demo' } } });
});

afterAll(async () => {
  await sandbox?.stop();
});

describe('errors as Status objects', () => {
  it('answers 401 Unauthorized on every path for a missing or wrong token', async () => {
    for (const path of ['/version', '/api', '/apis/cdi.kubevirt.io/v1beta1/datavolumes', '/openapi/v3']) {
      for (const token of [null, 'wrong']) {
        const answer = await sandbox.request('GET', path, { token });
        expect(answer.status).toBe(401);
        expect(answer.json).toEqual({
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: 'Unauthorized',
          reason: 'Unauthorized',
          code: 401,
        });
      }
    }
  });

  it('answers NotFound, AlreadyExists, Conflict and Invalid with kube’s details', async () => {
    const missing = await apiError(custom.getNamespacedCustomObject({ ...DV, name: 'x' }));
    expect(missing).toEqual({
      code: 404,
      body: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        code: 404,
        reason: 'NotFound',
        message: 'datavolumes.cdi.kubevirt.io "x" not found',
        details: { name: 'x', group: 'cdi.kubevirt.io', kind: 'datavolumes' },
      },
    });
    await custom.createNamespacedCustomObject({ ...DV, body: dataVolume('d1') });
    const exists = await apiError(custom.createNamespacedCustomObject({ ...DV, body: dataVolume('d1') }));
    expect(exists.code).toBe(409);
    expect(exists.body).toMatchObject({
      reason: 'AlreadyExists',
      message: 'datavolumes.cdi.kubevirt.io "d1" already exists',
    });

    const current = (await custom.getNamespacedCustomObject({ ...DV, name: 'd1' })) as {
      metadata: { resourceVersion: string };
    };
    const stale = {
      ...dataVolume('d1'),
      metadata: { name: 'd1', resourceVersion: String(Number(current.metadata.resourceVersion) - 1) },
    };
    const conflict = await apiError(custom.replaceNamespacedCustomObject({ ...DV, name: 'd1', body: stale }));
    expect(conflict.code).toBe(409);
    expect(conflict.body.reason).toBe('Conflict');

    const noVersion = await apiError(
      custom.replaceNamespacedCustomObject({ ...DV, name: 'd1', body: dataVolume('d1') }),
    );
    expect(noVersion.code).toBe(422);
    expect(noVersion.body.message).toBe(
      'DataVolume.cdi.kubevirt.io "d1" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update',
    );

    const invalid = await apiError(
      custom.createNamespacedCustomObject({
        ...DV,
        body: dataVolume('d2', { preallocation: 'yes', source: { http: {} } }),
      }),
    );
    expect(invalid.code).toBe(422);
    expect(invalid.body).toMatchObject({
      reason: 'Invalid',
      details: { name: 'd2', group: 'cdi.kubevirt.io', kind: 'DataVolume' },
    });
    const causes = (invalid.body.details as { causes: { field: string; reason: string }[] }).causes;
    expect(causes).toContainEqual(
      expect.objectContaining({ field: 'spec.preallocation', reason: 'FieldValueTypeInvalid' }),
    );
    expect(causes).toContainEqual(
      expect.objectContaining({ field: 'spec.source.http.url', reason: 'FieldValueRequired' }),
    );
  });

  it('answers MethodNotAllowed, unsupported patch types, bad selectors and TooManyRequests', async () => {
    const post = await sandbox.request('POST', '/api/v1/namespaces/demo/configmaps/x', { body: '{}' });
    expect(post).toMatchObject({ status: 405, json: { reason: 'MethodNotAllowed', code: 405 } });
    const review = await sandbox.request('GET', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews');
    expect(review.status).toBe(405);
    const patch = await sandbox.request('PATCH', '/apis/cdi.kubevirt.io/v1beta1/namespaces/demo/datavolumes/d1', {
      body: '{}',
      contentType: 'text/plain',
    });
    expect(patch).toMatchObject({ status: 415, json: { reason: 'UnsupportedMediaType' } });
    const selector = await sandbox.request(
      'GET',
      '/apis/cdi.kubevirt.io/v1beta1/datavolumes?fieldSelector=spec.foo%3Dbar',
    );
    expect(selector).toMatchObject({
      status: 400,
      json: {
        reason: 'BadRequest',
        message: '"spec.foo" is not a known field selector: only "metadata.name", "metadata.namespace"',
      },
    });
    const limited = await sandbox.request('GET', '/api/v1/namespaces', { accept: 'application/json' });
    expect(limited.status).toBe(200);
    const throttled = await new Promise<{ status: number; retryAfter: string | undefined; body: string }>(
      (resolve, reject) => {
        import('node:https').then(({ request }) => {
          const req = request(
            `${sandbox.server.url}/api/v1/namespaces`,
            {
              headers: { Authorization: 'Bearer sandbox-test-token', 'x-sandbox-fault': '429' },
              rejectUnauthorized: false,
            },
            (res) => {
              let body = '';
              res.on('data', (chunk) => {
                body += chunk;
              });
              res.on('end', () =>
                resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] as string, body }),
              );
            },
          );
          req.on('error', reject);
          req.end();
        }, reject);
      },
    );
    expect(throttled).toMatchObject({ status: 429, retryAfter: '2' });
    expect(JSON.parse(throttled.body)).toMatchObject({
      reason: 'TooManyRequests',
      code: 429,
      details: { retryAfterSeconds: 2 },
    });
  });
});
