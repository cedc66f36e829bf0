/**
 * Whether Multus can attach an importer pod to the networks its annotations name. CDI copies a DataVolume's
 * `k8s.v1.cni.cncf.io/networks` and `v1.multus-cni.io/default-network` to its importer pod (containerized-data-importer
 * pkg/controller/common/util.go allowedAnnotations); Multus (k8snetworkplumbingwg/multus-cni pkg/k8sclient/k8sclient.go
 * parsePodNetworkAnnotation, getKubernetesDelegate) reads each NetworkAttachmentDefinition named there and fails the
 * pod sandbox's creation when one does not exist or the annotation cannot be parsed. The kubelet tries again; until
 * then the pod stays Pending and its containers wait (kubelet convertToAPIContainerStatuses: PodInitializing, as CDI's
 * VDDK importer has an init container, vddk-side-car), which CDI copies into the DataVolume's Running condition.
 * Namespace isolation (a cluster setting) is not modelled.
 */
import type { ClusterStore, KubeObject } from '../cluster-store.js';

export const NETWORK_ATTACHMENT_DEFINITIONS = 'network-attachment-definitions.k8s.cni.cncf.io';
const NETWORKS = 'k8s.v1.cni.cncf.io/networks';
const DEFAULT_NETWORK = 'v1.multus-cni.io/default-network';
/** Where Multus looks up a default network named without a namespace (pkg/types/conf.go defaultMultusNamespace). */
const MULTUS_NAMESPACE = 'kube-system';

/** Why Multus cannot attach a pod of `dv` (in its namespace) to its networks, or undefined when it can. */
export function missingNetwork(dv: KubeObject, store: ClusterStore): string | undefined {
  const annotations = dv.metadata.annotations ?? {};
  const namespace = dv.metadata.namespace ?? '';
  const wanted = [
    ...(annotations[DEFAULT_NETWORK] === undefined ? [] : [selections(annotations[DEFAULT_NETWORK], MULTUS_NAMESPACE)]),
    ...(annotations[NETWORKS] === undefined ? [] : [selections(annotations[NETWORKS], namespace)]),
  ];
  for (const networks of wanted) {
    if (networks === undefined) return 'the network annotation cannot be parsed';
    for (const network of networks) {
      if (!store.get(NETWORK_ATTACHMENT_DEFINITIONS, network.namespace, network.name)) {
        return `cannot find a network-attachment-definition (${network.name}) in namespace (${network.namespace})`;
      }
    }
  }
  return undefined;
}

/**
 * parsePodNetworkAnnotation: a JSON list of {name, namespace} when the text has `[`, `{` or `"`, else a comma-separated
 * list of `[namespace/]name[@interface]`; a network without a namespace is in `namespace`. Undefined: unparsable.
 */
function selections(text: string, namespace: string): { namespace: string; name: string }[] | undefined {
  if (text === '') return undefined;
  if (/[[{"]/.test(text)) {
    try {
      const parsed = JSON.parse(text) as { name?: unknown; namespace?: unknown }[];
      if (!Array.isArray(parsed)) return undefined;
      return parsed.map((entry) => ({
        name: typeof entry?.name === 'string' ? entry.name : '',
        namespace: typeof entry?.namespace === 'string' && entry.namespace !== '' ? entry.namespace : namespace,
      }));
    } catch {
      return undefined;
    }
  }
  const items = text.split(',').map((item) => item.trim().split('/'));
  if (items.some((parts) => parts.length > 2)) return undefined;
  return items.map((parts) => ({
    namespace: parts.length === 2 ? parts[0].trim() || namespace : namespace,
    name: (parts.at(-1) ?? '').split('@')[0].trim(),
  }));
}
