/**
 * What kube-apiserver's defaulting and registry strategies fill in for the built-in kinds, so that objects read back
 * look like a real cluster's: a namespace is Active with its name label, a Secret's stringData lands in data, a
 * Service gets a cluster IP and port defaults, a new PVC is Pending.
 */
import { createHash } from 'node:crypto';
import type { KubeObject } from '../cluster-store.js';
import type { ResourceType } from './resource-type.js';

type Loose = Record<string, unknown>;

function clusterIp(namespace: string, name: string): string {
  const digest = createHash('sha256').update(`${namespace}/${name}`).digest();
  return `10.96.${digest[0]}.${(digest[1] % 253) + 1}`;
}

function defaultService(service: KubeObject, old: KubeObject | undefined): void {
  const spec = ((service.spec as Loose | undefined) ?? {}) as Loose;
  service.spec = spec;
  spec.type ??= 'ClusterIP';
  const oldSpec = (old?.spec ?? {}) as Loose;
  if (spec.type !== 'ExternalName') {
    spec.clusterIP ??= oldSpec.clusterIP ?? clusterIp(service.metadata.namespace ?? '', service.metadata.name ?? '');
    spec.clusterIPs ??= [spec.clusterIP];
    spec.ipFamilies ??= ['IPv4'];
    spec.ipFamilyPolicy ??= 'SingleStack';
    spec.internalTrafficPolicy ??= 'Cluster';
  }
  spec.sessionAffinity ??= 'None';
  if (Array.isArray(spec.ports)) {
    for (const port of spec.ports as Loose[]) {
      port.protocol ??= 'TCP';
      if (spec.type !== 'ExternalName') port.targetPort ??= port.port;
    }
  }
  service.status ??= { loadBalancer: {} };
}

/** Fills defaults of a built-in object being created (`old` undefined) or updated, in place. */
export function applyBuiltinDefaults(type: ResourceType, object: KubeObject, old: KubeObject | undefined): void {
  if (type.group !== '') return;
  switch (type.plural) {
    case 'namespaces': {
      object.metadata.labels = { ...object.metadata.labels, 'kubernetes.io/metadata.name': object.metadata.name ?? '' };
      const spec = ((object.spec as Loose | undefined) ?? {}) as Loose;
      object.spec = spec;
      spec.finalizers ??= ['kubernetes'];
      if (!old) object.status = { phase: 'Active' };
      break;
    }
    case 'secrets': {
      object.type ??= 'Opaque';
      const stringData = object.stringData as Record<string, string> | undefined;
      if (stringData && typeof stringData === 'object') {
        const data = { ...((object.data as Record<string, string> | undefined) ?? {}) };
        for (const [key, value] of Object.entries(stringData))
          data[key] = Buffer.from(String(value)).toString('base64');
        object.data = data;
      }
      delete object.stringData;
      break;
    }
    case 'services':
      defaultService(object, old);
      break;
    case 'persistentvolumeclaims': {
      const spec = ((object.spec as Loose | undefined) ?? {}) as Loose;
      object.spec = spec;
      spec.volumeMode ??= 'Filesystem';
      if (!old) object.status ??= { phase: 'Pending' };
      break;
    }
  }
}
