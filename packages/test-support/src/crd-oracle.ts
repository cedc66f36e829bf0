/**
 * The outside oracle: the CRDs in ../shared/crds, compiled on their own (not through the server's validator), so
 * that every CDI and Forklift object the sandbox serves can be checked against the real schemas.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { sharedFolder } from './requirements.js';

/** The repository's root: this file is packages/test-support/src/crd-oracle.ts. */
const repo = fileURLToPath(new URL('../../..', import.meta.url));
/** ../shared/crds: the tests that read it mark themselves with needs(SHARED_CRDS). */
export const SHARED_CRDS = sharedFolder('crds');
/** The CRDs the sandbox serves (copies of the real ones, checked against them). */
export const PROJECT_CRDS = join(repo, 'packages', 'sandbox', 'crds');

/** The shared CRD files, as [folder/file, parsed YAML]; throws when ../shared is absent. */
export function sharedCrdFiles(): [string, Record<string, unknown>][] {
  const root = SHARED_CRDS.path();
  return readdirSync(root).flatMap((folder) =>
    readdirSync(join(root, folder))
      .filter((file) => file.endsWith('.yaml'))
      .map(
        (file) => [file, parse(readFileSync(join(root, folder, file), 'utf8'))] as [string, Record<string, unknown>],
      ),
  );
}

function forAjv(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(forAjv);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('x-kubernetes-') || key === 'description') continue;
    if (key === 'properties' && value && typeof value === 'object') {
      // property names are data: a field called `description` is a field
      out[key] = Object.fromEntries(Object.entries(value).map(([name, child]) => [name, forAjv(child)]));
      continue;
    }
    out[key] = key === 'enum' || key === 'default' ? value : forAjv(value);
  }
  if ((node as Record<string, unknown>)['x-kubernetes-int-or-string'] && !out.anyOf) {
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  const source = node as Record<string, unknown>;
  if (source.properties && !('additionalProperties' in source) && !source['x-kubernetes-preserve-unknown-fields']) {
    out.additionalProperties = false;
  }
  return out;
}

/** Validators by `apiVersion/kind`; strict about unknown properties where the schema lists them. */
export function crdOracle(): Map<string, ValidateFunction> {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const validators = new Map<string, ValidateFunction>();
  for (const [, crd] of sharedCrdFiles()) {
    const spec = crd.spec as {
      group: string;
      names: { kind: string };
      versions: { name: string; schema: { openAPIV3Schema: unknown } }[];
    };
    if (!spec?.versions) continue;
    for (const version of spec.versions) {
      const schema = forAjv(version.schema.openAPIV3Schema) as Record<string, unknown>;
      validators.set(`${spec.group}/${version.name}/${spec.names.kind}`, ajv.compile(schema));
    }
  }
  return validators;
}

/**
 * Validators by `apiVersion/kind` for the Forklift CRDs of one release (../shared/crds/forklift-releases/release-X.Y),
 * e.g. the Conversion CRD, which only release-2.12 has.
 */
export function forkliftReleaseOracle(release: string): Map<string, ValidateFunction> {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const validators = new Map<string, ValidateFunction>();
  const folder = join(SHARED_CRDS.path(), 'forklift-releases', `release-${release}`);
  for (const file of readdirSync(folder).filter((name) => name.endsWith('.yaml'))) {
    const crd = parse(readFileSync(join(folder, file), 'utf8')) as {
      spec: {
        group: string;
        names: { kind: string };
        versions: { name: string; schema: { openAPIV3Schema: unknown } }[];
      };
    };
    for (const version of crd.spec.versions) {
      const schema = forAjv(version.schema.openAPIV3Schema) as Record<string, unknown>;
      validators.set(`${crd.spec.group}/${version.name}/${crd.spec.names.kind}`, ajv.compile(schema));
    }
  }
  return validators;
}
