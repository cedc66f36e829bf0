/**
 * Structural validation of objects as kube-apiserver does it for custom resources: unknown fields are found and
 * pruned (x-kubernetes-preserve-unknown-fields keeps them), defaults are applied, then the openAPIV3Schema is
 * checked with ajv and each failure becomes a Status cause worded like kube's field errors. Built-in kinds only
 * have their top-level fields checked.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { KubeObject } from '../cluster-store.js';
import type { StatusCause } from './api-error.js';
import { type JsonSchema, OBJECT_META_FIELDS, type ResourceType } from './resource-type.js';

/** What validation found; the object was pruned and defaulted in place. */
export interface SchemaCheck {
  /** Dotted paths of fields the schema does not declare (`spec.foo`, `spec.vms[0].bar`), already removed. */
  unknownFields: string[];
  causes: StatusCause[];
}

type Loose = Record<string, unknown>;

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** ajv cannot take kube's dialect as is: int-or-string needs an anyOf, nullable needs a type, metadata is ours. */
function toAjvSchema(node: unknown, isRoot = false): unknown {
  if (Array.isArray(node)) return node.map((item) => toAjvSchema(item));
  if (node === null || typeof node !== 'object') return node;
  const out: Loose = {};
  for (const [key, value] of Object.entries(node as Loose)) {
    if (key === 'description' || key.startsWith('x-kubernetes-')) continue;
    if (key === 'properties' && value && typeof value === 'object') {
      // Property names are data, not keywords: a field called `description` or `default` is a field.
      out[key] = Object.fromEntries(Object.entries(value as Loose).map(([name, child]) => [name, toAjvSchema(child)]));
      continue;
    }
    out[key] = key === 'enum' || key === 'default' || key === 'required' ? value : toAjvSchema(value);
  }
  const source = node as Loose;
  if (source['x-kubernetes-int-or-string'] && !out.anyOf) out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  if (out.nullable !== undefined && out.type === undefined) delete out.nullable;
  if (out.nullable === true && Array.isArray(out.enum)) out.enum = [...out.enum, null];
  if (isRoot && out.properties && typeof out.properties === 'object') {
    out.properties = { ...(out.properties as Loose), metadata: { type: 'object' } };
  }
  return out;
}

function pathText(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent ? `${parent}.${key}` : key;
}

/** Removes the fields `schema` does not declare from `value`, recording their paths. */
function prune(value: unknown, schema: JsonSchema | undefined, path: string, unknown: string[]): void {
  if (!schema || value === null || typeof value !== 'object') return;
  if (schema['x-kubernetes-preserve-unknown-fields'] === true && !schema.properties && !schema.items) return;
  if (Array.isArray(value)) {
    const items = schema.items as JsonSchema | undefined;
    value.forEach((item, index) => {
      prune(item, items, pathText(path, index), unknown);
    });
    return;
  }
  const object = value as Loose;
  const properties = schema.properties as Record<string, JsonSchema> | undefined;
  const additional = schema.additionalProperties;
  for (const key of Object.keys(object)) {
    const childPath = pathText(path, key);
    if (properties && key in properties) prune(object[key], properties[key], childPath, unknown);
    else if (additional && typeof additional === 'object')
      prune(object[key], additional as JsonSchema, childPath, unknown);
    else if (additional === true || schema['x-kubernetes-preserve-unknown-fields'] === true) continue;
    else if (properties || additional === false || schema.type === 'object') {
      unknown.push(childPath);
      delete object[key];
    }
  }
}

function pruneMetadata(object: KubeObject, unknown: string[]): void {
  const metadata = object.metadata as Loose | undefined;
  if (!metadata || typeof metadata !== 'object') return;
  for (const key of Object.keys(metadata)) {
    if (!OBJECT_META_FIELDS.includes(key)) {
      unknown.push(`metadata.${key}`);
      delete metadata[key];
    }
  }
}

function fieldOf(error: ErrorObject): string {
  const parts = error.instancePath.split('/').slice(1);
  let path = '';
  for (const part of parts) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    path = /^\d+$/.test(key) ? pathText(path, Number(key)) : pathText(path, key);
  }
  return path;
}

function shown(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? 'null');
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** One ajv error in kube's words (apiextensions-apiserver's validation error conversion). */
function toCause(error: ErrorObject): StatusCause {
  const field = fieldOf(error);
  const params = error.params as Loose;
  const value = error.data;
  switch (error.keyword) {
    case 'required': {
      const missing = pathText(field, String(params.missingProperty));
      return { reason: 'FieldValueRequired', message: 'Required value', field: missing };
    }
    case 'type':
      return {
        reason: 'FieldValueTypeInvalid',
        message: `Invalid value: "${jsonType(value)}": ${field} in body must be of type ${params.type}: "${jsonType(value)}"`,
        field,
      };
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(shown).join(', ');
      return {
        reason: 'FieldValueNotSupported',
        message: `Unsupported value: ${shown(value)}: supported values: ${allowed}`,
        field,
      };
    }
    case 'pattern':
      return {
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${shown(value)}: ${field} in body should match '${params.pattern}'`,
        field,
      };
    case 'maxLength':
      return { reason: 'FieldValueTooLong', message: `Too long: may not be more than ${params.limit} bytes`, field };
    case 'maxItems':
      return {
        reason: 'FieldValueTooMany',
        message: `Too many: ${(value as unknown[]).length}: must have at most ${params.limit} items`,
        field,
      };
    default:
      return {
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${shown(value)}: ${field} in body ${error.message}`,
        field,
      };
  }
}

/** Compiles each CRD schema once, on first use. */
export class SchemaValidator {
  private readonly ajv = new Ajv({
    strict: false,
    allErrors: true,
    useDefaults: true,
    verbose: true,
    validateFormats: true,
  });
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor() {
    this.ajv.addFormat('int32', {
      type: 'number',
      validate: (n: number) => Number.isInteger(n) && Math.abs(n) < 2 ** 31,
    });
    this.ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
    this.ajv.addFormat('date-time', {
      type: 'string',
      validate: (s: string) => RFC3339.test(s) && !Number.isNaN(Date.parse(s)),
    });
    for (const name of [
      'double',
      'float',
      'byte',
      'quantity',
      'uri',
      'date',
      'email',
      'hostname',
      'uuid',
      'duration',
    ]) {
      this.ajv.addFormat(name, true);
    }
  }

  private validatorFor(type: ResourceType): ValidateFunction | undefined {
    if (!type.schema) return undefined;
    let validate = this.compiled.get(type.name);
    if (!validate) {
      validate = this.ajv.compile(toAjvSchema(type.schema, true) as object);
      this.compiled.set(type.name, validate);
    }
    return validate;
  }

  /** Prunes unknown fields, applies defaults and validates `object` in place. */
  check(type: ResourceType, object: KubeObject): SchemaCheck {
    const unknownFields: string[] = [];
    pruneMetadata(object, unknownFields);
    const loose = object as unknown as Loose;
    if (type.schema) {
      const schema = { ...type.schema, properties: { ...(type.schema.properties as Loose), metadata: {} } };
      prune(object, schema as JsonSchema, '', unknownFields);
    } else if (type.topLevelFields) {
      const allowed = new Set(['apiVersion', 'kind', 'metadata', ...type.topLevelFields]);
      for (const key of Object.keys(loose)) {
        if (!allowed.has(key)) {
          unknownFields.push(key);
          delete loose[key];
        }
      }
    }
    const validate = this.validatorFor(type);
    if (!validate || validate(object)) return { unknownFields, causes: [] };
    const errors = validate.errors ?? [];
    // an anyOf failure says it once: drop the per-branch errors below it
    const anyOfPaths = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
    const causes = errors
      .filter((e) => e.keyword === 'anyOf' || !anyOfPaths.has(e.instancePath))
      .map((e) =>
        e.keyword === 'anyOf'
          ? {
              reason: 'FieldValueInvalid',
              message: `Invalid value: ${shown(e.data)}: ${fieldOf(e)} in body must be of type integer,string`,
              field: fieldOf(e),
            }
          : toCause(e),
      );
    return { unknownFields, causes };
  }
}
