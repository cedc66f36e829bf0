import type { KubeObject } from '../cluster-store.js';

/** A JSON Schema node as CRDs write it (OpenAPI v3 with the x-kubernetes extensions). */
export type JsonSchema = Record<string, unknown>;

/** One column of a server-side Table: the `cell` reads it from an object at time `now`. */
export interface TableColumn {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
  cell(object: KubeObject, now: Date): unknown;
}

/** Everything the server knows about one resource: names, scope, verbs, printer columns and schema. */
export interface ResourceType {
  /** The store's name: `plural` for core/v1, else `plural.group`. */
  name: string;
  group: string;
  version: string;
  plural: string;
  singular: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  /** Has a `/status` subresource: the main resource ignores status and `/status` changes only status. */
  statusSubresource: boolean;
  /**
   * Served from a CRD (unstructured semantics): generation tracking, the object returned on delete, a
   * resourceVersion required on update.
   */
  custom: boolean;
  /** Table columns, NAME included (CRDs: Name then additionalPrinterColumns; built-ins: kube's printer's). */
  columns: TableColumn[];
  /** openAPIV3Schema of a CRD; built-in kinds name only their top-level fields. */
  schema?: JsonSchema;
  /** Top-level fields of a built-in kind (for pruning and strict decoding) when it has no schema. */
  topLevelFields?: string[];
  /** Field selectors accepted besides metadata.name and metadata.namespace, each with how to read it. */
  fieldSelectors: Record<string, (object: KubeObject) => string>;
}

/** apiVersion as objects carry it: `v1` or `group/version`. */
export function apiVersionOf(type: ResourceType): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

/** The verbs of a normal resource, as discovery lists them. */
export const STANDARD_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** The ObjectMeta fields a strict decoder accepts (metav1.ObjectMeta). */
export const OBJECT_META_FIELDS = [
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
];
