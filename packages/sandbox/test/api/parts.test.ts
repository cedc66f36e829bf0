/** Table tests of the server's small pure parts: selectors, JSONPath, ages, patches, Kubernetes protobuf. */
import { describe, expect, it } from 'vitest';
import { humanDuration } from '../../src/api/human-duration.js';
import { evaluateJsonPath, parseJsonPath } from '../../src/api/json-path.js';
import { mergePatch, strategicMergePatch } from '../../src/api/patch.js';
import { decodeKubernetesProtobuf } from '../../src/api/protobuf-decoding.js';
import { ResourceRegistry } from '../../src/api/resource-registry.js';
import { parseFieldSelector, parseLabelSelector } from '../../src/api/selectors.js';
import type { KubeObject } from '../../src/cluster-store.js';

const object = (labels: Record<string, string>, name = 'x'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'demo', labels },
});

describe('label selectors', () => {
  it.each([
    ['app=web', { app: 'web' }, true],
    ['app==web', { app: 'db' }, false],
    ['app!=web', {}, true],
    ['app in (web, db)', { app: 'db' }, true],
    ['app notin (web,db)', { app: 'db' }, false],
    ['app notin (web)', {}, true],
    ['app', { app: '' }, true],
    ['!app', { app: 'x' }, false],
    ['app=web,tier', { app: 'web' }, false],
    ['', {}, true],
  ])('%j on %j is %s', (selector, labels, expected) => {
    expect(parseLabelSelector(selector)(object(labels))).toBe(expected);
  });

  it('rejects what kube cannot parse with 400 BadRequest', () => {
    expect(() => parseLabelSelector('app in ()')).toThrow(expect.objectContaining({ code: 400, reason: 'BadRequest' }));
    expect(() => parseLabelSelector('a b c')).toThrow(expect.objectContaining({ code: 400 }));
  });
});

describe('field selectors', () => {
  const registry = ResourceRegistry.standard();
  it('match metadata.name and metadata.namespace, and resource-specific fields', () => {
    const cm = registry.require('configmaps');
    expect(parseFieldSelector(cm, 'metadata.name=x,metadata.namespace!=other')(object({}))).toBe(true);
    const events = registry.require('events');
    const event = { ...object({}), involvedObject: { name: 'dv-1' } } as KubeObject;
    expect(parseFieldSelector(events, 'involvedObject.name=dv-1')(event)).toBe(true);
    expect(() => parseFieldSelector(cm, 'data.x=1')).toThrow('field label not supported: data.x');
  });
});

describe('JSONPath of printer columns', () => {
  const plan = {
    status: {
      conditions: [
        { type: 'Ready', status: 'True' },
        { type: 'Executing', status: 'False' },
      ],
    },
  };
  it.each([
    [".status.conditions[?(@.type=='Executing')].status", ['False']],
    ['.status.conditions[0].type', ['Ready']],
    ['.status.conditions[*].type', ['Ready', 'Executing']],
    ['.status.missing', []],
  ])('%s', (path, expected) => {
    expect(evaluateJsonPath(parseJsonPath(path), plan)).toEqual(expected);
  });
});

describe('ages as kube prints them', () => {
  it.each([
    [5_000, '5s'],
    [119_000, '119s'],
    [200_000, '3m20s'],
    [600_000, '10m'],
    [3 * 3600_000 + 60_000, '3h1m'],
    [30 * 3600_000, '30h'],
    [50 * 3600_000, '2d2h'],
    [400 * 86400_000, '400d'],
    [-5_000, '<invalid>'],
  ])('%d ms is %s', (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });
});

describe('patches', () => {
  it('merge patch follows RFC 7386', () => {
    expect(mergePatch({ a: 'b', c: { d: 'e', f: 'g' } }, { a: 'z', c: { f: null } })).toEqual({
      a: 'z',
      c: { d: 'e' },
    });
    expect(mergePatch({ list: [1, 2] }, { list: [3] })).toEqual({ list: [3] });
  });

  it('strategic merge patch merges keyed lists and honours directives', () => {
    const service = {
      spec: {
        ports: [
          { port: 80, name: 'http' },
          { port: 443, name: 'https' },
        ],
      },
      metadata: { finalizers: ['a'] },
    };
    const patched = strategicMergePatch(service, {
      $setElementOrder: 'ignored',
      spec: { ports: [{ port: 80, name: 'web' }, { port: 443, $patch: 'delete' }, { port: 8080 }] },
      metadata: { finalizers: ['b'] },
    });
    expect(patched).toEqual({
      spec: { ports: [{ port: 80, name: 'web' }, { port: 8080 }] },
      metadata: { finalizers: ['a', 'b'] },
    });
  });
});

describe('Kubernetes protobuf bodies', () => {
  it('decode a ConfigMap in its runtime.Unknown envelope', () => {
    const field = (n: number, bytes: Buffer) => Buffer.concat([Buffer.from([(n << 3) | 2, bytes.length]), bytes]);
    const text = (n: number, value: string) => field(n, Buffer.from(value));
    const meta = field(
      1,
      Buffer.concat([text(1, 'cm1'), text(2, ''), field(11, Buffer.concat([text(1, 'app'), text(2, 'web')]))]),
    );
    const raw = Buffer.concat([meta, field(2, Buffer.concat([text(1, 'k'), text(2, 'v')]))]);
    const envelope = Buffer.concat([
      Buffer.from('k8s\u0000'),
      field(1, Buffer.concat([text(1, 'v1'), text(2, 'ConfigMap')])),
      field(2, raw),
    ]);
    expect(decodeKubernetesProtobuf(envelope)).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cm1', labels: { app: 'web' } },
      data: { k: 'v' },
    });
  });
});
