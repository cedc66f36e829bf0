/**
 * The OpenAPI documents kubectl reads. kubectl 1.32 fetches /openapi/v3, then /openapi/v3/<api/v1 | apis/G/V> for
 * the group of what it creates, and looks for a PATCH operation of that kind (x-kubernetes-group-version-kind) with
 * a `fieldValidation` query parameter: finding one, it leaves validation to the server (fieldValidation=Strict).
 * CRD kinds also get their schema under components (explain, and the x-kubernetes-group-version-kind); built-in
 * kinds deliberately get none, so that `kubectl apply` computes strategic merge patches from its compiled-in types.
 */
import { createHash } from 'node:crypto';
import { SERVER_VERSION } from './discovery.js';
import type { ResourceRegistry } from './resource-registry.js';
import type { JsonSchema, ResourceType } from './resource-type.js';

type Loose = Record<string, unknown>;

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const LIST_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta';

const OBJECT_META_SCHEMA: JsonSchema = {
  description: 'ObjectMeta is metadata that all persisted resources must have.',
  type: 'object',
  properties: {
    name: { type: 'string' },
    generateName: { type: 'string' },
    namespace: { type: 'string' },
    uid: { type: 'string' },
    resourceVersion: { type: 'string' },
    generation: { type: 'integer', format: 'int64' },
    creationTimestamp: { type: 'string', format: 'date-time' },
    deletionTimestamp: { type: 'string', format: 'date-time' },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    annotations: { type: 'object', additionalProperties: { type: 'string' } },
    finalizers: { type: 'array', items: { type: 'string' } },
    ownerReferences: { type: 'array', items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
  },
};

const LIST_META_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    continue: { type: 'string' },
    remainingItemCount: { type: 'integer' },
    resourceVersion: { type: 'string' },
  },
};

/** `io.kubevirt.cdi.v1beta1.DataVolume`: the reversed group, as kube names published CRD schemas. */
export function definitionName(type: ResourceType, kind = type.kind): string {
  const group = type.group ? type.group.split('.').reverse().join('.') : 'io.k8s.api.core';
  return `${group}.${type.version}.${kind}`;
}

function gvk(type: ResourceType, kind = type.kind): Loose {
  return { group: type.group, version: type.version, kind };
}

function basePath(type: ResourceType): string {
  return type.group ? `/apis/${type.group}/${type.version}` : `/api/${type.version}`;
}

function queryParam(name: string, v3: boolean): Loose {
  const param: Loose = { name, in: 'query', description: `${name} of the request`, uniqueItems: true };
  if (v3) return { ...param, schema: { type: 'string', uniqueItems: true } };
  return { ...param, type: 'string' };
}

function operation(type: ResourceType, action: string, params: string[], v3: boolean, kind = type.kind): Loose {
  const id = `${action}${type.group.replace(/[.-](\w)/g, (_, c: string) => c.toUpperCase())}${type.version}${kind}`;
  return {
    operationId: id,
    parameters: params.map((name) => queryParam(name, v3)),
    responses: { '200': { description: 'OK' }, '401': { description: 'Unauthorized' } },
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk(type, kind),
  };
}

const WRITE_PARAMS = ['dryRun', 'fieldManager', 'fieldValidation', 'pretty'];

/** Every path of one resource with its operations. */
function resourcePaths(type: ResourceType, v3: boolean): Record<string, Loose> {
  const ns = type.namespaced ? '/namespaces/{namespace}' : '';
  const collection = `${basePath(type)}${ns}/${type.plural}`;
  const item = `${collection}/{name}`;
  const list = (all: boolean) =>
    operation(
      type,
      'list',
      ['labelSelector', 'fieldSelector', 'limit', 'continue', 'watch'],
      v3,
      all ? `${type.kind}List` : type.kind,
    );
  const paths: Record<string, Loose> = {};
  if (type.verbs.includes('create') && !type.verbs.includes('get')) {
    paths[collection] = { post: operation(type, 'post', WRITE_PARAMS, v3) };
    return paths;
  }
  paths[collection] = {
    get: list(false),
    post: operation(type, 'post', WRITE_PARAMS, v3),
    delete: operation(type, 'deletecollection', ['dryRun', 'labelSelector', 'fieldSelector'], v3),
  };
  paths[item] = {
    get: operation(type, 'get', ['pretty'], v3),
    put: operation(type, 'put', WRITE_PARAMS, v3),
    patch: operation(type, 'patch', [...WRITE_PARAMS, 'force'], v3),
    delete: operation(type, 'delete', ['dryRun', 'gracePeriodSeconds', 'propagationPolicy'], v3),
  };
  if (type.statusSubresource) {
    paths[`${item}/status`] = {
      get: operation(type, 'get', ['pretty'], v3),
      put: operation(type, 'put', WRITE_PARAMS, v3),
      patch: operation(type, 'patch', [...WRITE_PARAMS, 'force'], v3),
    };
  }
  if (type.namespaced) paths[`${basePath(type)}/${type.plural}`] = { get: list(true) };
  return paths;
}

/** The CRD schema as published: metadata points at ObjectMeta; v2 drops what Swagger 2.0 lacks. */
function publishedSchema(type: ResourceType, v3: boolean): JsonSchema {
  const refPrefix = v3 ? '#/components/schemas/' : '#/definitions/';
  const convert = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(convert);
    if (node === null || typeof node !== 'object') return node;
    const out: Loose = {};
    for (const [key, value] of Object.entries(node as Loose)) {
      if (!v3 && (key === 'nullable' || key === 'anyOf' || key === 'oneOf' || key === 'allOf' || key === 'not'))
        continue;
      out[key] = key === 'enum' || key === 'default' || key === 'example' ? value : convert(value);
    }
    return out;
  };
  const schema = convert(type.schema ?? { type: 'object' }) as JsonSchema;
  const properties = { ...((schema.properties as Loose | undefined) ?? {}) };
  properties.metadata = v3
    ? { allOf: [{ $ref: `${refPrefix}${OBJECT_META}` }], default: {} }
    : { $ref: `${refPrefix}${OBJECT_META}` };
  return { ...schema, properties, 'x-kubernetes-group-version-kind': [gvk(type)] };
}

function listSchema(type: ResourceType, v3: boolean): JsonSchema {
  const refPrefix = v3 ? '#/components/schemas/' : '#/definitions/';
  return {
    type: 'object',
    required: ['items'],
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      items: { type: 'array', items: { $ref: `${refPrefix}${definitionName(type)}` } },
      metadata: { $ref: `${refPrefix}${LIST_META}` },
    },
    'x-kubernetes-group-version-kind': [gvk(type, `${type.kind}List`)],
  };
}

function schemas(types: readonly ResourceType[], v3: boolean): Record<string, JsonSchema> {
  const result: Record<string, JsonSchema> = { [OBJECT_META]: OBJECT_META_SCHEMA, [LIST_META]: LIST_META_SCHEMA };
  for (const type of types) {
    if (!type.custom) continue;
    result[definitionName(type)] = publishedSchema(type, v3);
    result[definitionName(type, `${type.kind}List`)] = listSchema(type, v3);
  }
  return result;
}

const INFO = { title: 'Kubernetes', version: SERVER_VERSION.gitVersion };

/** /openapi/v2 (JSON). */
export function openApiV2(registry: ResourceRegistry): Loose {
  const paths = Object.assign({}, ...registry.types.map((type) => resourcePaths(type, false)));
  return { swagger: '2.0', info: INFO, paths, definitions: schemas(registry.types, false) };
}

/** /openapi/v3/api/v1 or /openapi/v3/apis/GROUP/VERSION; undefined when not served. */
export function openApiV3GroupVersion(registry: ResourceRegistry, group: string, version: string): Loose | undefined {
  const types = registry.types.filter((type) => type.group === group && type.version === version);
  if (types.length === 0) return undefined;
  const paths = Object.assign({}, ...types.map((type) => resourcePaths(type, true)));
  return { openapi: '3.0.0', info: INFO, paths, components: { schemas: schemas(types, true) } };
}

function groupVersionPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

/** /openapi/v3: where each group version's document is, with a content hash kubectl caches by. */
export function openApiV3Root(registry: ResourceRegistry): Loose {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const { group, version } of registry.groupVersions()) {
    const path = groupVersionPath(group, version);
    const document = JSON.stringify(openApiV3GroupVersion(registry, group, version));
    const hash = createHash('sha512').update(document).digest('hex').toUpperCase();
    paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${hash}` };
  }
  return { paths };
}
