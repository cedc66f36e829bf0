/**
 * Server-side printing: objects as a meta.k8s.io/v1 Table, which `kubectl get` asks for with
 * `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`.
 */
import type { KubeObject } from '../cluster-store.js';
import type { ResourceType } from './resource-type.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface TableOptions {
  now: Date;
  includeObject: IncludeObject;
  /** Table metadata: resourceVersion, continue, remainingItemCount. */
  listMeta: Record<string, unknown>;
  /** Omit columnDefinitions (watch events after the first, as kube does). */
  noHeaders?: boolean;
}

/** True when the Accept header asks for a Table before anything else it would take. */
export function wantsTable(accept: string | undefined): boolean {
  if (!accept) return false;
  const first = accept.split(',').find((entry) => entry.trim() !== '') ?? '';
  const params = new Map(
    first
      .split(';')
      .slice(1)
      .map((part) => part.trim().split('=') as [string, string]),
  );
  return params.get('as') === 'Table' && params.get('g') === 'meta.k8s.io' && params.get('v') === 'v1';
}

export function parseIncludeObject(value: string | null): IncludeObject {
  return value === 'None' || value === 'Object' ? value : 'Metadata';
}

function rowObject(object: KubeObject, include: IncludeObject): unknown {
  if (include === 'None') return undefined;
  if (include === 'Object') return object;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: object.metadata };
}

export function toTable(
  type: ResourceType,
  objects: readonly KubeObject[],
  options: TableOptions,
): Record<string, unknown> {
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: options.listMeta,
    columnDefinitions: options.noHeaders
      ? []
      : type.columns.map(({ name, type: columnType, format, description, priority }) => ({
          name,
          type: columnType,
          format,
          description,
          priority,
        })),
    rows: objects.map((object) => {
      const row: Record<string, unknown> = {
        cells: type.columns.map((column) => column.cell(object, options.now) ?? null),
      };
      const included = rowObject(object, options.includeObject);
      if (included !== undefined) row.object = included;
      return row;
    }),
  };
}
