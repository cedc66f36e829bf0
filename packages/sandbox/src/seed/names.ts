/**
 * The names of what the sandbox seeds, shared by the seed, the inventory and the tests that look objects up.
 * Forklift's downstream layout: everything in openshift-mtv, the VMs land in `demo`.
 */
export const SEED_NAMES = {
  /** Where Forklift (the providers, maps, plan, controller and inventory route) lives. */
  forkliftNamespace: 'openshift-mtv',
  /** The plan's targetNamespace: where DataVolumes and their VDDK Secret (made by `migrate`) live. */
  targetNamespace: 'demo',
  sourceProvider: 'vsphere-a',
  sourceProviderSecret: 'vsphere-a-secret',
  destinationProvider: 'host',
  storageMap: 'storage-a',
  networkMap: 'network-a',
  plan: 'plan-a',
  /** The remote destination cluster's Provider (openshift, with its URL), its Secret (token, CA), maps and plan. */
  remoteProvider: 'remote',
  remoteProviderSecret: 'remote-secret',
  remoteStorageMap: 'storage-remote',
  remoteNetworkMap: 'network-remote',
  remotePlan: 'plan-remote',
  forkliftController: 'forklift-controller',
  /** The CDI installation (cluster-scoped), named as CDI's own manifests name it (cdi-cr.yaml.in). */
  cdi: 'cdi',
  /**
   * A Multus network in the target namespace for disk transfers, which the seeded Plan does not name (tests and users
   * set spec.transferNetwork to it): its `forklift.konveyor.io/route` annotation and its IPAM default route both name
   * TRANSFER_NETWORK_GATEWAY.
   */
  transferNetwork: 'transfer-net',
  /**
   * A Multus network in the target namespace for VM NICs: the seeded NetworkMaps send every source network but the
   * first (which goes to the pod network) to it.
   */
  vmNetwork: 'vm-net',
  /** The StorageClass every mapped datastore maps to. */
  storageClass: 'standard',
  /**
   * Where OpenShift's ingress operator publishes the CA of the default router's certificate, readable by every
   * authenticated user (openshift/cluster-ingress-operator pkg/operator/controller/certificate-publisher).
   */
  ingressCaNamespace: 'openshift-config-managed',
  ingressCaConfigMap: 'default-ingress-cert',
  /** Route and Service name of the inventory, as Forklift's operator names them. */
  inventoryService: 'forklift-inventory',
  /** A VDDK image reference that is obviously not a real image. */
  vddkInitImage: 'registry.sandbox.local/kubev2v/vddk:sandbox',
} as const;

/** The default gateway of the seeded transfer network. */
export const TRANSFER_NETWORK_GATEWAY = '192.168.100.1';
