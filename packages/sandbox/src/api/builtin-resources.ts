/**
 * The built-in (non-CRD) resources the sandbox serves: the core/v1 kinds kubectl-mtv touches, leases,
 * self-subject access reviews and OpenShift routes. Names, short names, scope and verbs as kube 1.32's discovery
 * lists them.
 */
import type { KubeObject } from '../cluster-store.js';
import { AGE_COLUMN, BUILTIN_COLUMNS, NAME_COLUMN } from './builtin-columns.js';
import { type ResourceType, STANDARD_VERBS } from './resource-type.js';

interface BuiltinSpec {
  group: string;
  plural: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs?: string[];
  statusSubresource?: boolean;
  topLevelFields: string[];
  fieldSelectors?: ResourceType['fieldSelectors'];
}

function read(object: KubeObject, path: string): string {
  let current: unknown = object;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return '';
    current = (current as Record<string, unknown>)[key];
  }
  return current === undefined || current === null ? '' : String(current);
}

function selectors(...paths: string[]): ResourceType['fieldSelectors'] {
  return Object.fromEntries(paths.map((path) => [path, (object: KubeObject) => read(object, path)]));
}

const SPECS: BuiltinSpec[] = [
  {
    group: '',
    plural: 'namespaces',
    kind: 'Namespace',
    namespaced: false,
    shortNames: ['ns'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    statusSubresource: true,
    topLevelFields: ['spec', 'status'],
    fieldSelectors: selectors('status.phase'),
  },
  {
    group: '',
    plural: 'configmaps',
    kind: 'ConfigMap',
    namespaced: true,
    shortNames: ['cm'],
    topLevelFields: ['data', 'binaryData', 'immutable'],
  },
  {
    group: '',
    plural: 'secrets',
    kind: 'Secret',
    namespaced: true,
    topLevelFields: ['data', 'stringData', 'type', 'immutable'],
    fieldSelectors: selectors('type'),
  },
  {
    group: '',
    plural: 'services',
    kind: 'Service',
    namespaced: true,
    shortNames: ['svc'],
    categories: ['all'],
    verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
    statusSubresource: true,
    topLevelFields: ['spec', 'status'],
  },
  {
    group: '',
    plural: 'persistentvolumeclaims',
    kind: 'PersistentVolumeClaim',
    namespaced: true,
    shortNames: ['pvc'],
    statusSubresource: true,
    topLevelFields: ['spec', 'status'],
  },
  {
    group: '',
    plural: 'events',
    kind: 'Event',
    namespaced: true,
    shortNames: ['ev'],
    topLevelFields: [
      'involvedObject',
      'reason',
      'message',
      'source',
      'firstTimestamp',
      'lastTimestamp',
      'count',
      'type',
      'eventTime',
      'series',
      'action',
      'related',
      'reportingComponent',
      'reportingInstance',
    ],
    fieldSelectors: selectors(
      'involvedObject.kind',
      'involvedObject.namespace',
      'involvedObject.name',
      'involvedObject.uid',
      'involvedObject.apiVersion',
      'involvedObject.resourceVersion',
      'involvedObject.fieldPath',
      'reason',
      'reportingComponent',
      'source',
      'type',
    ),
  },
  { group: 'coordination.k8s.io', plural: 'leases', kind: 'Lease', namespaced: true, topLevelFields: ['spec'] },
  {
    group: 'authorization.k8s.io',
    plural: 'selfsubjectaccessreviews',
    kind: 'SelfSubjectAccessReview',
    namespaced: false,
    verbs: ['create'],
    topLevelFields: ['spec', 'status'],
  },
  {
    group: 'route.openshift.io',
    plural: 'routes',
    kind: 'Route',
    namespaced: true,
    categories: ['all'],
    statusSubresource: true,
    topLevelFields: ['spec', 'status'],
  },
];

/** The built-in resource types, in discovery order. */
export function builtinResourceTypes(): ResourceType[] {
  return SPECS.map((spec) => {
    const name = spec.group ? `${spec.plural}.${spec.group}` : spec.plural;
    return {
      name,
      group: spec.group,
      version: 'v1',
      plural: spec.plural,
      singular: spec.kind.toLowerCase(),
      kind: spec.kind,
      listKind: `${spec.kind}List`,
      namespaced: spec.namespaced,
      shortNames: spec.shortNames ?? [],
      categories: spec.categories ?? [],
      verbs: spec.verbs ?? STANDARD_VERBS,
      statusSubresource: spec.statusSubresource ?? false,
      custom: false,
      columns: BUILTIN_COLUMNS[name] ?? [NAME_COLUMN, AGE_COLUMN],
      topLevelFields: spec.topLevelFields,
      fieldSelectors: spec.fieldSelectors ?? {},
    };
  });
}
