/**
 * Table columns of the built-in kinds, after kube's printers (pkg/printers/internalversion/printers.go) and
 * OpenShift's route printer, so that `kubectl get cm,secret,svc,pvc,ev,lease,route` prints what it prints on a
 * real cluster.
 */
import type { KubeObject } from '../cluster-store.js';
import { ageCell } from './human-duration.js';
import type { TableColumn } from './resource-type.js';

type Loose = Record<string, unknown>;

function field(object: unknown, ...path: string[]): unknown {
  let current = object;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Loose)[key];
  }
  return current;
}

function text(value: unknown): string {
  return value === undefined || value === null ? '' : String(value);
}

function count(value: unknown): number {
  return value && typeof value === 'object' ? Object.keys(value).length : 0;
}

function column(name: string, type: string, cell: TableColumn['cell'], priority = 0, format = ''): TableColumn {
  return { name, type, format, description: `${name} of the object`, priority, cell };
}

export const NAME_COLUMN: TableColumn = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description:
    'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
  priority: 0,
  cell: (object) => object.metadata.name ?? '',
};

export const AGE_COLUMN: TableColumn = {
  name: 'Age',
  type: 'string',
  format: '',
  description:
    'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.',
  priority: 0,
  cell: (object, now) => ageCell(object.metadata.creationTimestamp, now),
};

const ACCESS_MODES: Record<string, string> = {
  ReadWriteOnce: 'RWO',
  ReadOnlyMany: 'ROX',
  ReadWriteMany: 'RWX',
  ReadWriteOncePod: 'RWOP',
};

function servicePorts(object: KubeObject): string {
  const ports = field(object, 'spec', 'ports');
  if (!Array.isArray(ports) || ports.length === 0) return '<none>';
  return ports
    .map((port: Loose) => {
      const protocol = text(port.protocol) || 'TCP';
      return port.nodePort ? `${port.port}:${port.nodePort}/${protocol}` : `${port.port}/${protocol}`;
    })
    .join(',');
}

function serviceExternalIp(object: KubeObject): string {
  const type = text(field(object, 'spec', 'type')) || 'ClusterIP';
  if (type === 'ExternalName') return text(field(object, 'spec', 'externalName'));
  const external = field(object, 'spec', 'externalIPs');
  const ips = Array.isArray(external) ? external.map(String) : [];
  if (type === 'LoadBalancer') {
    const ingress = field(object, 'status', 'loadBalancer', 'ingress');
    if (Array.isArray(ingress)) ips.push(...ingress.map((entry: Loose) => text(entry.ip || entry.hostname)));
    return ips.length ? ips.join(',') : '<pending>';
  }
  return ips.length ? ips.join(',') : '<none>';
}

function selector(object: KubeObject): string {
  const labels = field(object, 'spec', 'selector');
  if (!labels || typeof labels !== 'object' || count(labels) === 0) return '<none>';
  return Object.entries(labels as Loose)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
}

function eventTimes(object: KubeObject, now: Date): { first: string; last: string; count: number } {
  const first = field(object, 'firstTimestamp')
    ? ageCell(field(object, 'firstTimestamp'), now)
    : ageCell(field(object, 'eventTime'), now);
  const series = field(object, 'series') as Loose | undefined;
  let last = field(object, 'lastTimestamp') ? ageCell(field(object, 'lastTimestamp'), now) : first;
  let times = Number(field(object, 'count') ?? 0) || 1;
  if (series) {
    last = ageCell(series.lastObservedTime, now);
    times = Number(series.count ?? 1);
  }
  return { first, last, count: times };
}

function eventSource(object: KubeObject): string {
  const component = text(field(object, 'source', 'component')) || text(field(object, 'reportingComponent'));
  const host = text(field(object, 'source', 'host')) || text(field(object, 'reportingInstance'));
  return host ? `${component}, ${host}` : component;
}

function pvcBound(object: KubeObject): boolean {
  return text(field(object, 'spec', 'volumeName')) !== '';
}

/** Columns by resource store name. */
export const BUILTIN_COLUMNS: Record<string, TableColumn[]> = {
  namespaces: [NAME_COLUMN, column('Status', 'string', (o) => text(field(o, 'status', 'phase'))), AGE_COLUMN],
  configmaps: [
    NAME_COLUMN,
    column('Data', 'integer', (o) => count(field(o, 'data')) + count(field(o, 'binaryData'))),
    AGE_COLUMN,
  ],
  secrets: [
    NAME_COLUMN,
    column('Type', 'string', (o) => text(field(o, 'type'))),
    column('Data', 'integer', (o) => count(field(o, 'data'))),
    AGE_COLUMN,
  ],
  services: [
    NAME_COLUMN,
    column('Type', 'string', (o) => text(field(o, 'spec', 'type')) || 'ClusterIP'),
    column('Cluster-IP', 'string', (o) => text(field(o, 'spec', 'clusterIP')) || '<none>'),
    column('External-IP', 'string', serviceExternalIp),
    column('Port(s)', 'string', servicePorts),
    AGE_COLUMN,
    column('Selector', 'string', selector, 1),
  ],
  persistentvolumeclaims: [
    NAME_COLUMN,
    column('Status', 'string', (o) =>
      o.metadata.deletionTimestamp ? 'Terminating' : text(field(o, 'status', 'phase')),
    ),
    column('Volume', 'string', (o) => text(field(o, 'spec', 'volumeName'))),
    column('Capacity', 'string', (o) => (pvcBound(o) ? text(field(o, 'status', 'capacity', 'storage')) : '')),
    column('Access Modes', 'string', (o) => {
      const modes = field(o, 'status', 'accessModes');
      return pvcBound(o) && Array.isArray(modes) ? modes.map((mode) => ACCESS_MODES[mode] ?? mode).join(',') : '';
    }),
    column('StorageClass', 'string', (o) => text(field(o, 'spec', 'storageClassName'))),
    column('VolumeAttributesClass', 'string', (o) => text(field(o, 'spec', 'volumeAttributesClassName')) || '<unset>'),
    AGE_COLUMN,
    column('VolumeMode', 'string', (o) => text(field(o, 'spec', 'volumeMode')) || '<unset>', 1),
  ],
  events: [
    column('Last Seen', 'string', (o, now) => eventTimes(o, now).last),
    column('Type', 'string', (o) => text(field(o, 'type'))),
    column('Reason', 'string', (o) => text(field(o, 'reason'))),
    column('Object', 'string', (o) => {
      const kind = text(field(o, 'involvedObject', 'kind')).toLowerCase();
      const name = text(field(o, 'involvedObject', 'name'));
      return name ? `${kind}/${name}` : kind;
    }),
    column('Subobject', 'string', (o) => text(field(o, 'involvedObject', 'fieldPath')), 1),
    column('Source', 'string', eventSource, 1),
    column('Message', 'string', (o) => text(field(o, 'message')).trim()),
    column('First Seen', 'string', (o, now) => eventTimes(o, now).first, 1),
    column('Count', 'integer', (o, now) => eventTimes(o, now).count, 1),
    { ...NAME_COLUMN, priority: 1 },
  ],
  'leases.coordination.k8s.io': [
    NAME_COLUMN,
    column('Holder', 'string', (o) => text(field(o, 'spec', 'holderIdentity'))),
    AGE_COLUMN,
  ],
  'routes.route.openshift.io': [
    NAME_COLUMN,
    column('Host/Port', 'string', (o) => text(field(o, 'spec', 'host'))),
    column('Path', 'string', (o) => text(field(o, 'spec', 'path'))),
    column('Services', 'string', (o) => text(field(o, 'spec', 'to', 'name'))),
    column('Port', 'string', (o) => text(field(o, 'spec', 'port', 'targetPort'))),
    column('Termination', 'string', (o) => {
      const termination = text(field(o, 'spec', 'tls', 'termination'));
      const insecure = text(field(o, 'spec', 'tls', 'insecureEdgeTerminationPolicy'));
      return insecure ? `${termination}/${insecure}` : termination;
    }),
    column('Wildcard', 'string', (o) => text(field(o, 'spec', 'wildcardPolicy')) || 'None'),
  ],
};
