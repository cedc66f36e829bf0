/**
 * The cluster a scenario describes, as the Kubernetes objects Forklift would show once a user has set up a vSphere
 * provider and a plan: pure builders, no store. Names are in ./names.ts; the inventory the objects point at comes
 * from the same scenario through inventoryFromScenario, so ids always agree.
 */
import type { Scenario } from '@kubectl-mtv/engine';
import { type MtvRelease, NEWEST_MTV_RELEASE } from '../api/crd-loader.js';
import { DEFAULT_CDI_VERSION } from '../cdi/cdi-version.js';
import type { KubeObject } from '../cluster-store.js';
import { inventoryFromScenario } from '../inventory/from-scenario.js';
import type { InventoryData } from '../inventory/model.js';
import { hostCrObjects } from './host-crs.js';
import { SEED_NAMES as N, TRANSFER_NETWORK_GATEWAY } from './names.js';

/** An object to create and the resource it is created under (`plural` or `plural.group`, as ClusterStore names it). */
export interface SeedObject {
  resource: string;
  object: KubeObject;
}

export interface SeedIds {
  /** metadata.uid of the source Provider: the key of every inventory URL. */
  providerUid: string;
  /** The inventory server's URL: its port goes into the Route's spec.host, its scheme decides spec.tls. */
  inventoryUrl: string;
  /** lastTransitionTime of every condition (ISO 8601); the epoch unless given, so the builders stay pure. */
  now?: string;
  /**
   * The CA (PEM) of the "router" that serves the inventory Route: published as OpenShift's ingress operator does, in
   * ConfigMap openshift-config-managed/default-ingress-cert, key ca-bundle.crt. Absent over plain HTTP.
   */
  ingressCaCert?: string;
  /** What the CDI resource reports as its version (status.observedVersion); DEFAULT_CDI_VERSION unless given. */
  cdiVersion?: string;
  /** The MTV release the objects are for (NEWEST_MTV_RELEASE unless given): 2.12 seeds feature_use_conversion_cr. */
  mtvRelease?: MtvRelease;
  /** The sandbox's vCenter, which the source Provider points at (vcenter/sandbox-vcenter.ts). */
  vcenter: SeedVcenter;
}

/** Where the source Provider's vCenter is and how to trust and log in to it. */
export interface SeedVcenter {
  /** `https://127.0.0.1:PORT/sdk`: the Provider's spec.url. */
  url: string;
  /** The CA (PEM) that signs its certificate: the Secret's `cacert`. */
  caCert: string;
  /** SHA-1 of its certificate, `AA:BB:…`: the Provider's status.fingerprint and the Secret's `thumbprint`. */
  thumbprint: string;
  user: string;
  password: string;
}

const FORKLIFT = 'forklift.konveyor.io/v1beta1';
const GROUP = 'forklift.konveyor.io';

/** Every object the sandbox seeds for `scenario`, in no particular order (applySeed orders them). */
export function seedObjects(scenario: Scenario, ids: SeedIds): SeedObject[] {
  const now = ids.now ?? new Date(0).toISOString();
  const inventory = inventoryFromScenario(scenario, ids.providerUid);
  const inventoryUrl = new URL(ids.inventoryUrl);
  const https = inventoryUrl.protocol === 'https:';
  const port = inventoryUrl.port || (https ? '443' : '80');
  const inventoryPort = Number(port);
  const ns = N.forkliftNamespace;
  const ref = (name: string) => ({ name, namespace: ns });
  const ready = (message: string) => ({ conditions: [condition('Ready', message, now)], observedGeneration: 1 });
  const { vcenter } = ids;
  const fingerprint = vcenter.thumbprint;

  return [
    { resource: 'namespaces', object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } },
    { resource: 'namespaces', object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: N.targetNamespace } } },
    ...(ids.ingressCaCert === undefined ? [] : ingressCa(ids.ingressCaCert)),
    cdiInstallation(ids.cdiVersion ?? DEFAULT_CDI_VERSION, now),
    transferNetwork(),
    vmNetwork(),
    secret(
      N.sourceProviderSecret,
      ns,
      {
        user: vcenter.user,
        password: vcenter.password,
        thumbprint: fingerprint,
        cacert: vcenter.caCert,
      },
      {
        createdForProviderType: 'vsphere',
        createdForResourceType: 'providers',
      },
    ),
    forklift('providers', 'Provider', N.sourceProvider, {
      metadata: { uid: ids.providerUid },
      spec: {
        type: 'vsphere',
        url: vcenter.url,
        secret: ref(N.sourceProviderSecret),
        settings: { vddkInitImage: N.vddkInitImage, sdkEndpoint: 'vcenter' },
      },
      status: {
        phase: 'Ready',
        fingerprint,
        observedGeneration: 1,
        conditions: providerReadyConditions(now),
      },
    }),
    forklift('providers', 'Provider', N.destinationProvider, {
      spec: { type: 'openshift', url: '', secret: {} },
      status: { phase: 'Ready', ...ready('The provider is ready.') },
    }),
    ...planMaps(scenario, inventory, N.destinationProvider, { storage: N.storageMap, network: N.networkMap }, now),
    forklift('forkliftcontrollers', 'ForkliftController', N.forkliftController, {
      spec: {
        controller_max_vm_inflight: scenario.maxInFlight,
        // release-2.12 forkliftcontrollers CRD: a string "true"/"false" (roles/forkliftcontroller/defaults main.yml
        // defaults it to true); as an administrator writes it, so that the conversion path is switched on visibly
        ...((ids.mtvRelease ?? NEWEST_MTV_RELEASE) === '2.12' && { feature_use_conversion_cr: 'true' }),
      },
    }),
    forklift('plans', 'Plan', N.plan, {
      spec: {
        description: `Seeded by kubectl mtv sandbox${scenario.name ? ` from scenario ${scenario.name}` : ''}`,
        provider: { source: ref(N.sourceProvider), destination: ref(N.destinationProvider) },
        map: { storage: ref(N.storageMap), network: ref(N.networkMap) },
        targetNamespace: N.targetNamespace,
        type: scenario.migration,
        // raw copy: Forklift then moves every disk through a CDI DataVolume (domain.md §5)
        skipGuestConversion: true,
        vms: inventory.vms.map((vm) => ({
          id: vm.id,
          name: vm.name,
          // the field arrives in 2.9 (plan.go PlanSpec VMs)
          ...(vm.targetPowerState !== undefined &&
            (ids.mtvRelease ?? NEWEST_MTV_RELEASE) !== '2.8' && { targetPowerState: vm.targetPowerState }),
        })),
      },
      status: ready('The migration plan is ready.'),
    }),
    {
      resource: 'services',
      object: {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: {
          name: N.inventoryService,
          namespace: ns,
          labels: inventoryLabels(),
        },
        spec: {
          type: 'ClusterIP',
          // The sandbox's service proxy sends a Service's requests to 127.0.0.1:targetPort: the inventory's own port.
          ports: [
            https
              ? { name: 'api-https', port: 8443, targetPort: inventoryPort, protocol: 'TCP' }
              : { name: 'api-http', port: 8080, targetPort: inventoryPort, protocol: 'TCP' },
          ],
          selector: inventoryLabels(),
        },
      },
    },
    {
      resource: 'routes.route.openshift.io',
      object: {
        apiVersion: 'route.openshift.io/v1',
        kind: 'Route',
        metadata: { name: N.inventoryService, namespace: ns, labels: inventoryLabels() },
        spec: {
          // a sandbox liberty: real routes carry no port
          host: `127.0.0.1:${port}`,
          to: { kind: 'Service', name: N.inventoryService, weight: 100 },
          // what Forklift's operator writes when the inventory serves TLS
          ...(https && { tls: { termination: 'reencrypt', insecureEdgeTerminationPolicy: 'Redirect' } }),
          wildcardPolicy: 'None',
        },
        status: {
          ingress: [
            {
              host: `127.0.0.1:${port}`,
              routerName: 'default',
              wildcardPolicy: 'None',
              conditions: [{ type: 'Admitted', status: 'True', lastTransitionTime: now }],
            },
          ],
        },
      },
    },
    ...hostCrObjects(scenario, inventory, now),
  ];
}

/**
 * The cluster's CDI installation, as CDI's operator reports a deployed one (pkg/operator/controller: status.phase
 * Deployed, the Available condition, observed = operator = target version): Forklift 2.12 reads observedVersion of the
 * first one it lists (canUseInstanceUUID).
 */
export function cdiInstallation(version: string, now: string): SeedObject {
  const available = (type: string, status: 'True' | 'False') => ({
    type,
    status,
    lastTransitionTime: now,
    lastHeartbeatTime: now,
    ...(type === 'Available' && { reason: 'Completed', message: 'Deployment Completed' }),
  });
  return {
    resource: 'cdis.cdi.kubevirt.io',
    object: {
      apiVersion: 'cdi.kubevirt.io/v1beta1',
      kind: 'CDI',
      metadata: { name: N.cdi },
      spec: { imagePullPolicy: 'IfNotPresent', infra: {}, workload: {} },
      status: {
        phase: 'Deployed',
        observedVersion: version,
        operatorVersion: version,
        targetVersion: version,
        conditions: [available('Available', 'True'), available('Progressing', 'False'), available('Degraded', 'False')],
      },
    },
  };
}

/**
 * A bridge network for disk transfers, as a user sets one up for MTV: its IPAM config routes everything through the
 * gateway (0.0.0.0/0), and the `forklift.konveyor.io/route` annotation names the same gateway for Forklift (which
 * reads the annotation first, and from 2.10 the IPAM route where the annotation is absent: kubevirt.go
 * guessTransferNetworkDefaultRoute).
 */
function transferNetwork(): SeedObject {
  const config = {
    cniVersion: '0.3.1',
    name: N.transferNetwork,
    type: 'bridge',
    bridge: 'br-transfer',
    ipam: {
      type: 'host-local',
      subnet: '192.168.100.0/24',
      routes: [{ dst: '0.0.0.0/0', gw: TRANSFER_NETWORK_GATEWAY }],
    },
  };
  return {
    resource: 'network-attachment-definitions.k8s.cni.cncf.io',
    object: {
      apiVersion: 'k8s.cni.cncf.io/v1',
      kind: 'NetworkAttachmentDefinition',
      metadata: {
        name: N.transferNetwork,
        namespace: N.targetNamespace,
        annotations: { 'forklift.konveyor.io/route': TRANSFER_NETWORK_GATEWAY },
      },
      spec: { config: JSON.stringify(config) },
    },
  };
}

/**
 * A bridge network for VM NICs in the target namespace, where the seeded NetworkMaps send every source network but
 * the first: a Multus network KubeVirt attaches a VM's bridge interface to.
 */
export function vmNetwork(): SeedObject {
  const config = { cniVersion: '0.3.1', name: N.vmNetwork, type: 'bridge', bridge: 'br-vm', ipam: {} };
  return {
    resource: 'network-attachment-definitions.k8s.cni.cncf.io',
    object: {
      apiVersion: 'k8s.cni.cncf.io/v1',
      kind: 'NetworkAttachmentDefinition',
      metadata: { name: N.vmNetwork, namespace: N.targetNamespace },
      spec: { config: JSON.stringify(config) },
    },
  };
}

/** The conditions of a Provider its controller has connected to, loaded and validated. */
export function providerReadyConditions(now: string) {
  return [
    condition('ConnectionTestSucceeded', 'Connection test, succeeded.', now, 'Tested'),
    condition('InventoryCreated', 'The inventory has been loaded.', now, 'Completed'),
    condition('Validated', 'Validation has been completed.', now, 'Completed'),
    condition('Ready', 'The provider is ready.', now),
  ];
}

/**
 * A StorageMap (every mapped datastore to the sandbox's StorageClass) and a NetworkMap (the first network to the pod
 * network, every other one to the Multus network `demo/vm-net`) from the source Provider to `destination`, Ready.
 */
export function planMaps(
  scenario: Scenario,
  inventory: InventoryData,
  destination: string,
  names: { storage: string; network: string },
  now: string,
): SeedObject[] {
  const ref = (name: string) => ({ name, namespace: N.forkliftNamespace });
  const ready = (message: string) => ({ conditions: [condition('Ready', message, now)], observedGeneration: 1 });
  const provider = { source: ref(N.sourceProvider), destination: ref(destination) };
  const unmapped = new Set(scenario.unmappedDatastores ?? []);
  return [
    forklift('storagemaps', 'StorageMap', names.storage, {
      spec: {
        provider,
        map: inventory.datastores
          .filter((datastore) => !unmapped.has(datastore.name))
          .map((datastore) => ({
            source: { id: datastore.id, name: datastore.name },
            destination: { storageClass: N.storageClass },
          })),
      },
      status: ready('The storage map is ready.'),
    }),
    forklift('networkmaps', 'NetworkMap', names.network, {
      spec: {
        provider,
        map: inventory.networks.map((network, i) => ({
          source: { id: network.id, name: network.name },
          // KubeVirt allows one pod network per VM: the others go to Multus
          destination: i === 0 ? { type: 'pod' } : { type: 'multus', namespace: N.targetNamespace, name: N.vmNetwork },
        })),
      },
      status: ready('The network map is ready.'),
    }),
  ];
}

export function forklift(
  plural: string,
  kind: string,
  name: string,
  parts: { metadata?: object; spec: object; status?: object },
): SeedObject {
  return {
    resource: `${plural}.${GROUP}`,
    object: {
      apiVersion: FORKLIFT,
      kind,
      metadata: { name, namespace: N.forkliftNamespace, ...parts.metadata },
      spec: parts.spec,
      ...(parts.status && { status: parts.status }),
    },
  };
}

export function secret(
  name: string,
  namespace: string,
  values: Record<string, string>,
  labels?: Record<string, string>,
): SeedObject {
  const data = Object.fromEntries(
    Object.entries(values).map(([key, value]) => [key, Buffer.from(value).toString('base64')]),
  );
  return {
    resource: 'secrets',
    object: {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, namespace, ...(labels && { labels }) },
      type: 'Opaque',
      data,
    },
  };
}

/** A Forklift condition that holds (category Required, like the controller's readiness conditions). */
export function condition(type: string, message: string, now: string, reason?: string) {
  return { type, status: 'True', category: 'Required', message, lastTransitionTime: now, ...(reason && { reason }) };
}

/**
 * The ingress CA as OpenShift publishes it: openshift/cluster-ingress-operator
 * pkg/operator/controller/certificate-publisher (publish_ca.go) writes the default IngressController's CA into
 * openshift-config-managed/default-ingress-cert under `ca-bundle.crt`.
 */
function ingressCa(caCert: string): SeedObject[] {
  return [
    {
      resource: 'namespaces',
      object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: N.ingressCaNamespace } },
    },
    {
      resource: 'configmaps',
      object: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: N.ingressCaConfigMap, namespace: N.ingressCaNamespace },
        data: { 'ca-bundle.crt': caCert },
      },
    },
  ];
}

function inventoryLabels(): Record<string, string> {
  return { app: 'forklift', service: N.inventoryService };
}
