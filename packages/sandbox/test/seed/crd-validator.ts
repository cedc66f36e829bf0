/**
 * The real CRDs (../shared/crds) as an oracle: each served version's openAPIV3Schema turned into a JSON Schema that
 * ajv checks the way kube-apiserver would with fieldValidation=Strict: unknown fields are errors unless the schema
 * preserves them, int-or-string takes either, embedded resources take apiVersion/kind/metadata.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SHARED_CRDS } from '@kubectl-mtv/test-support';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';

type Schema = Record<string, unknown>;

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

export function newAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false });
  ajv.addFormat('date-time', DATE_TIME);
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && Math.abs(n) < 2 ** 31 });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
  return ajv;
}

/** A structural Kubernetes schema as a JSON Schema with Strict field validation. */
export function toJsonSchema(node: Schema): Schema {
  const out: Schema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('x-kubernetes-') || key === 'description' || key === 'example') continue;
    if (key === 'properties') {
      out.properties = Object.fromEntries(
        Object.entries(value as Record<string, Schema>).map(([name, child]) => [name, toJsonSchema(child)]),
      );
    } else if ((key === 'items' || key === 'additionalProperties' || key === 'not') && typeof value === 'object') {
      out[key] = toJsonSchema(value as Schema);
    } else if (key === 'allOf' || key === 'anyOf' || key === 'oneOf') {
      out[key] = (value as Schema[]).map(toJsonSchema);
    } else {
      out[key] = value;
    }
  }
  if (node['x-kubernetes-int-or-string'] === true) {
    delete out.type;
    out.allOf = [...((out.allOf as Schema[]) ?? []), { anyOf: [{ type: 'integer' }, { type: 'string' }] }];
  }
  if (node['x-kubernetes-embedded-resource'] === true) {
    out.properties = {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
      ...(out.properties as Schema),
    };
  }
  const preserves = node['x-kubernetes-preserve-unknown-fields'] === true;
  if (node.properties !== undefined && node.additionalProperties === undefined && !preserves) {
    out.additionalProperties = false; // the API server prunes (and Strict rejects) fields the schema does not name
  }
  return out;
}

/** Validators by resource (`plural.group`) and apiVersion, for every CRD file in `dir` (../shared/crds/forklift). */
export function loadCrdValidators(
  dir: string = join(SHARED_CRDS.path(), 'forklift'),
): Map<string, Map<string, ValidateFunction>> {
  const ajv = newAjv();
  const validators = new Map<string, Map<string, ValidateFunction>>();
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.yaml'))) {
    const crd = parse(readFileSync(join(dir, file), 'utf8'));
    if (crd?.kind !== 'CustomResourceDefinition') continue;
    const resource = `${crd.spec.names.plural}.${crd.spec.group}`;
    const byVersion = new Map<string, ValidateFunction>();
    for (const version of crd.spec.versions) {
      if (!version.served) continue;
      byVersion.set(`${crd.spec.group}/${version.name}`, ajv.compile(toJsonSchema(version.schema.openAPIV3Schema)));
    }
    validators.set(resource, byVersion);
  }
  return validators;
}

/** Ajv's errors as one readable line each. */
export function describeErrors(validate: ValidateFunction): string[] {
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
}
