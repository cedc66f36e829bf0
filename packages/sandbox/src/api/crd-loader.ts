/**
 * Resource types from the CustomResourceDefinitions the sandbox package carries in its crds/ folder: CDI's in
 * crds/cdi, Multus' NetworkAttachmentDefinition in crds/multus, KubeVirt's VirtualMachine in crds/kubevirt, Forklift's of each MTV release in
 * crds/forklift/release-X.Y (the real ones, unchanged: SOURCE.txt). The
 * folder is looked up from this module's place: packages/sandbox/src/api (tests, tsx), or one level below the CLI's
 * bundle (dist/commands, dist/chunks), next to which the build copies it as dist/crds.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { AGE_COLUMN, NAME_COLUMN } from './builtin-columns.js';
import { ageCell } from './human-duration.js';
import { evaluateJsonPath, parseJsonPath } from './json-path.js';
import { type JsonSchema, type ResourceType, STANDARD_VERBS, type TableColumn } from './resource-type.js';

interface PrinterColumn {
  name: string;
  type: string;
  format?: string;
  description?: string;
  priority?: number;
  jsonPath: string;
}

interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  additionalPrinterColumns?: PrinterColumn[];
  subresources?: { status?: unknown };
  schema?: { openAPIV3Schema?: JsonSchema };
}

interface Crd {
  kind: string;
  spec: {
    group: string;
    scope: 'Namespaced' | 'Cluster';
    names: {
      kind: string;
      listKind?: string;
      plural: string;
      singular?: string;
      shortNames?: string[];
      categories?: string[];
    };
    versions: CrdVersion[];
  };
}

/** The folder holding the CRD YAML files, from the package's source (vitest, tsx) or from the CLI's bundle. */
export function crdDirectory(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, '..', 'crds'), join(here, '..', '..', 'crds')];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (!found) throw new Error(`the sandbox CRDs are missing: looked in ${candidates.join(' and ')}`);
  return found;
}

/** kube's cellForJSONValue: typed cells, date columns as an age, nothing for a missing value. */
function printerCell(column: PrinterColumn): TableColumn['cell'] {
  const steps = parseJsonPath(column.jsonPath);
  return (object, now) => {
    const [value] = evaluateJsonPath(steps, object);
    if (value === undefined || value === null) return null;
    switch (column.type) {
      case 'integer':
        return typeof value === 'number' ? Math.trunc(value) : null;
      case 'number':
        return typeof value === 'number' ? value : null;
      case 'boolean':
        return typeof value === 'boolean' ? value : null;
      case 'date':
        return typeof value === 'string' ? ageCell(value, now) : null;
      default:
        return typeof value === 'object' ? JSON.stringify(value) : String(value);
    }
  };
}

/** The served version of one CRD as a resource type; `crd` is the parsed YAML. */
export function resourceTypeFromCrd(crd: Crd): ResourceType {
  if (crd.kind !== 'CustomResourceDefinition') throw new Error(`not a CRD: kind ${JSON.stringify(crd.kind)}`);
  const { group, names, scope } = crd.spec;
  const version = crd.spec.versions.find((entry) => entry.served && entry.storage) ?? crd.spec.versions[0];
  const printer = version.additionalPrinterColumns ?? [];
  const columns: TableColumn[] = printer.length
    ? [
        NAME_COLUMN,
        ...printer.map((column) => ({
          name: column.name,
          type: column.type,
          format: column.format ?? '',
          description: column.description ?? '',
          priority: column.priority ?? 0,
          cell: printerCell(column),
        })),
      ]
    : [NAME_COLUMN, AGE_COLUMN];
  return {
    name: `${names.plural}.${group}`,
    group,
    version: version.name,
    plural: names.plural,
    singular: names.singular ?? names.kind.toLowerCase(),
    kind: names.kind,
    listKind: names.listKind ?? `${names.kind}List`,
    namespaced: scope === 'Namespaced',
    shortNames: names.shortNames ?? [],
    categories: names.categories ?? [],
    verbs: STANDARD_VERBS,
    statusSubresource: version.subresources?.status !== undefined,
    custom: true,
    columns,
    schema: version.schema?.openAPIV3Schema,
    fieldSelectors: {},
  };
}

/** The MTV releases whose Forklift CRDs the sandbox serves, oldest first. */
export const MTV_RELEASES = ['2.8', '2.9', '2.10', '2.11', '2.12'] as const;
export type MtvRelease = (typeof MTV_RELEASES)[number];
/** The release served when none is asked for. */
export const NEWEST_MTV_RELEASE: MtvRelease = '2.12';

/** Every CRD of one folder, sorted by file name. */
function loadFolder(directory: string): ResourceType[] {
  return readdirSync(directory)
    .filter((file) => file.endsWith('.yaml'))
    .sort()
    .map((file) => resourceTypeFromCrd(parse(readFileSync(join(directory, file), 'utf8')) as Crd));
}

/** CDI's CRDs, Multus', KubeVirt's VirtualMachine and the Forklift CRDs of `release` (default the newest). */
export function loadCrdResourceTypes(release: MtvRelease = NEWEST_MTV_RELEASE, root = crdDirectory()): ResourceType[] {
  return [
    ...loadFolder(join(root, 'cdi')),
    ...loadFolder(join(root, 'multus')),
    ...loadFolder(join(root, 'kubevirt')),
    ...loadFolder(join(root, 'forklift', `release-${release}`)),
  ];
}
