/**
 * Every resource type kubectl-mtv reads or writes, in one table, and the one function that turns a type, a namespace
 * and a name into an API path. No other module spells an API path.
 */

/** A resource type: `group` empty for the core API. */
export interface ResourceType {
  group: string;
  version: string;
  plural: string;
  kind: string;
}

/**
 * Where requests go: a resource type (its `kind` is not needed to address it; `group` absent for the core API) in a
 * namespace (absent: cluster-scoped, or every namespace for a list or watch).
 */
export interface ResourceRef {
  group?: string;
  version: string;
  plural: string;
  kind?: string;
  namespace?: string;
}

const type = (group: string, version: string, plural: string, kind: string): ResourceType => ({
  group,
  version,
  plural,
  kind,
});

export const RESOURCES = {
  dataVolumes: type('cdi.kubevirt.io', 'v1beta1', 'datavolumes', 'DataVolume'),
  /** CDI installations (cluster-scoped): status.observedVersion is CDI's version. */
  cdis: type('cdi.kubevirt.io', 'v1beta1', 'cdis', 'CDI'),
  plans: type('forklift.konveyor.io', 'v1beta1', 'plans', 'Plan'),
  providers: type('forklift.konveyor.io', 'v1beta1', 'providers', 'Provider'),
  storageMaps: type('forklift.konveyor.io', 'v1beta1', 'storagemaps', 'StorageMap'),
  /** Where a plan's VM NICs go (network-map.ts). */
  networkMaps: type('forklift.konveyor.io', 'v1beta1', 'networkmaps', 'NetworkMap'),
  migrations: type('forklift.konveyor.io', 'v1beta1', 'migrations', 'Migration'),
  forkliftControllers: type('forklift.konveyor.io', 'v1beta1', 'forkliftcontrollers', 'ForkliftController'),
  /** MTV 2.12+: a guest conversion Forklift's conversion controller runs (conversion.ts). */
  conversions: type('forklift.konveyor.io', 'v1beta1', 'conversions', 'Conversion'),
  /** ESXi hosts MTV reads VM disks from directly (esxi-hosts.ts). */
  hosts: type('forklift.konveyor.io', 'v1beta1', 'hosts', 'Host'),
  leases: type('coordination.k8s.io', 'v1', 'leases', 'Lease'),
  secrets: type('', 'v1', 'secrets', 'Secret'),
  configMaps: type('', 'v1', 'configmaps', 'ConfigMap'),
  persistentVolumeClaims: type('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim'),
  /** KubeVirt VMs: what a run makes from a VM's copied disks (vm-builder.ts). */
  virtualMachines: type('kubevirt.io', 'v1', 'virtualmachines', 'VirtualMachine'),
  routes: type('route.openshift.io', 'v1', 'routes', 'Route'),
  /** Multus networks; a plan's spec.transferNetwork names one (transfer-network.ts). */
  networkAttachmentDefinitions: type(
    'k8s.cni.cncf.io',
    'v1',
    'network-attachment-definitions',
    'NetworkAttachmentDefinition',
  ),
  selfSubjectAccessReviews: type('authorization.k8s.io', 'v1', 'selfsubjectaccessreviews', 'SelfSubjectAccessReview'),
} as const satisfies Record<string, ResourceType>;

/** `type` in `namespace`; undefined leaves it cluster-wide. */
export function inNamespace(resource: ResourceType, namespace: string | undefined): ResourceRef {
  return namespace === undefined ? { ...resource } : { ...resource, namespace };
}

/** `apiVersion` as objects carry it: `group/version`, or `version` for the core API. */
export function apiVersionOf(resource: ResourceType): string {
  return resource.group ? `${resource.group}/${resource.version}` : resource.version;
}

/** `/api/v1/namespaces/NS/PLURAL/NAME` or `/apis/GROUP/VERSION/...`. */
export function resourcePath(ref: ResourceRef, name?: string): string {
  const root = ref.group ? `/apis/${ref.group}/${ref.version}` : `/api/${ref.version}`;
  const scope = ref.namespace ? `/namespaces/${encodeURIComponent(ref.namespace)}` : '';
  return `${root}${scope}/${ref.plural}${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;
}

/** The API server's version document: a path outside every resource type. */
export const VERSION_PATH = '/version';
/** The API server's OpenAPI v3 index: where each group version's document is. */
export const OPENAPI_V3_PATH = '/openapi/v3';
