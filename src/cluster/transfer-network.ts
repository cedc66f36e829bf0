/**
 * The plan's transfer network (spec.transferNetwork, a NetworkAttachmentDefinition): the annotations Forklift puts on
 * each DataVolume so that CDI's importer pod is attached to it (CDI copies them to the pod: pkg/controller/common
 * util.go allowedAnnotations). Forklift release-2.8 .. release-2.12 pkg/controller/plan/kubevirt.go dataVolumes calls
 * setTransferNetwork when `Plan.Spec.TransferNetwork != nil`; it reads the NAD with the host cluster's client, then:
 * - a default route: the NAD's `forklift.konveyor.io/route` annotation (every release); from 2.10, where the
 *   annotation is absent, the gateway of the first `ipam.routes` entry of its `spec.config` whose dst is `0.0.0.0/0` or
 *   `::/0` (guessTransferNetworkDefaultRoute; a config Go cannot decode has none);
 * - a route: `k8s.v1.cni.cncf.io/networks` = json.Marshal of one NetworkSelectionElement {name, namespace,
 *   default-route: [IP]} (vendored k8snetworkplumbingwg/network-attachment-definition-client types.go: field order
 *   and json tags); from 2.11 the route `none` (AnnForkliftRouteValueNone) leaves default-route out; a route that is
 *   not an IP (net.ParseIP nil) fails the VM's migration;
 * - no route: the legacy `v1.multus-cni.io/default-network` = `namespace/name` (path.Join).
 * The plan validation of 2.11+ (validation.go validateTransferNetwork) also refuses, as a Critical condition, a NAD
 * in a namespace other than the plan's target namespace or `default`.
 */
import { UserError } from '../errors.js';
import { checkAccess, transferNetworkAccessChecks } from './access-review.js';
import { canonicalGoIp } from './go-ip.js';
import type { KubeClient } from './kube-client.js';
import { atLeastRelease, type MtvRelease } from './mtv-release.js';
import type { ResolvedTransferNetwork } from './resolved-plan.js';
import { inNamespace, RESOURCES } from './resource-types.js';

export const TRANSFER_NETWORK_ANNOTATION = {
  /** Multus: the networks to attach the pod to (JSON form). */
  networks: 'k8s.v1.cni.cncf.io/networks',
  /** Multus: the pod's default network, replacing the cluster's (Forklift's legacy form). */
  defaultNetwork: 'v1.multus-cni.io/default-network',
  /** Set on the NAD by the user: the default route's gateway, or (2.11+) `none`. */
  route: 'forklift.konveyor.io/route',
} as const;

/** The route value that asks for the networks annotation without a default route (2.11+). */
const ROUTE_NONE = 'none';

/** A NetworkAttachmentDefinition, as far as Forklift reads it. */
export interface NetworkAttachmentDefinition {
  metadata: { name?: string; namespace?: string; annotations?: Record<string, string> };
  spec?: { config?: string };
}

/** The NAD a plan names: both parts are required to find it (an API object's name, so a DNS-1123 subdomain). */
export interface TransferNetworkRef {
  namespace: string;
  name: string;
}

/** Where a default route was found. */
export type RouteSource = 'annotation' | 'ipam';

/** What `release` puts on each DataVolume for the NAD, or why it would fail every VM. */
export type TransferNetworkOutcome =
  | {
      kind: 'annotations';
      annotations: Record<string, string>;
      /** The default route's gateway as Go writes it, `none`, or absent (the legacy annotation). */
      route?: { value: string; source: RouteSource };
    }
  | { kind: 'bad-route'; route: string; source: RouteSource };

/** Forklift's setTransferNetwork for `release`, on the NAD it read. */
export function transferNetworkAnnotations(
  ref: TransferNetworkRef,
  nad: NetworkAttachmentDefinition,
  release: MtvRelease,
): TransferNetworkOutcome {
  const found = defaultRoute(nad, release);
  if (found === undefined) {
    return {
      kind: 'annotations',
      annotations: { [TRANSFER_NETWORK_ANNOTATION.defaultNetwork]: `${ref.namespace}/${ref.name}` },
    };
  }
  let gateway: string | undefined;
  if (!(found.value === ROUTE_NONE && atLeastRelease(release, '2.11'))) {
    gateway = canonicalGoIp(found.value);
    if (gateway === undefined) return { kind: 'bad-route', route: found.value, source: found.source };
  }
  // json.Marshal of []NetworkSelectionElement: name, namespace (omitempty), default-route (omitempty). The names are
  // those of an object the API server served, DNS-1123 subdomains, which JSON.stringify writes as Go does.
  const element = {
    name: ref.name,
    ...(ref.namespace !== '' && { namespace: ref.namespace }),
    ...(gateway !== undefined && { 'default-route': [gateway] }),
  };
  return {
    kind: 'annotations',
    annotations: { [TRANSFER_NETWORK_ANNOTATION.networks]: JSON.stringify([element]) },
    route: { value: gateway ?? ROUTE_NONE, source: found.source },
  };
}

/**
 * Whether the 2.11+ plan validation accepts the NAD's namespace: the target namespace or `default` (its reason: pods
 * cannot reference NADs across namespaces, as Multus' namespace isolation has it). Earlier releases do not check.
 */
export function transferNetworkNamespaceAllowed(
  ref: TransferNetworkRef,
  targetNamespace: string,
  release: MtvRelease,
): boolean {
  return !atLeastRelease(release, '2.11') || ref.namespace === targetNamespace || ref.namespace === 'default';
}

/**
 * Reads the NAD the plan names (after asking for `get` on it: exit 3 without) and returns what `release` puts on each
 * DataVolume for it; refuses (exit 2) what would fail every VM under Forklift: a ref without namespace or name, a NAD
 * that does not exist, one in another namespace (2.11+), a default route that is not an IP.
 */
export async function resolveTransferNetwork(
  client: KubeClient,
  given: { namespace?: string; name?: string },
  plan: { name: string; namespace: string; targetNamespace: string },
  release: MtvRelease,
): Promise<ResolvedTransferNetwork> {
  const refuse = (message: string, hint: string) => new UserError(`plan "${plan.name}" ${message}`, { hint });
  const { namespace = '', name = '' } = given;
  const where = `${namespace}/${name}`;
  if (namespace === '' || name === '') {
    throw refuse(
      name === ''
        ? 'names a transfer network without a name, which MTV cannot find'
        : `names transfer network "${name}" without a namespace, which MTV cannot find`,
      `kubectl patch plan ${plan.name} -n ${plan.namespace} --type merge -p '{"spec":{"transferNetwork":{"namespace":"${namespace || plan.targetNamespace}","name":"${name || 'NAME'}"}}}'`,
    );
  }
  const ref = { namespace, name };
  await checkAccess(client, transferNetworkAccessChecks(ref));
  const nad = await client.get<NetworkAttachmentDefinition>(
    inNamespace(RESOURCES.networkAttachmentDefinitions, namespace),
    name,
  );
  if (!nad) {
    throw refuse(
      `names transfer network ${where}, which does not exist`,
      `kubectl get network-attachment-definitions -n ${namespace}`,
    );
  }
  if (!transferNetworkNamespaceAllowed(ref, plan.targetNamespace, release)) {
    throw refuse(
      `names transfer network ${where}, outside its target namespace "${plan.targetNamespace}": MTV ${release} refuses it, as pods cannot reference network attachment definitions across namespaces`,
      `use a NetworkAttachmentDefinition in "${plan.targetNamespace}" or "default"`,
    );
  }
  const outcome = transferNetworkAnnotations(ref, nad, release);
  if (outcome.kind === 'bad-route') {
    const annotate = `kubectl annotate network-attachment-definition ${name} -n ${namespace} --overwrite ${TRANSFER_NETWORK_ANNOTATION.route}=GATEWAY_IP`;
    const none = atLeastRelease(release, '2.11') ? ' (or =none: no default route)' : '';
    throw outcome.source === 'annotation'
      ? refuse(
          `names transfer network ${where}, whose default route "${outcome.route}" (annotation ${TRANSFER_NETWORK_ANNOTATION.route}) is not an IP address: MTV ${release} would fail every VM on it`,
          `${annotate}${none}`,
        )
      : refuse(
          `names transfer network ${where}, whose default route in spec.config (ipam.routes) has gateway "${outcome.route}", not an IP address: MTV ${release} would fail every VM on it`,
          `fix that gw in its spec.config, or override it: ${annotate}${none}`,
        );
  }
  return { ref: where, annotations: outcome.annotations };
}

/** guessTransferNetworkDefaultRoute (2.10+), or the annotation alone (2.8, 2.9). */
function defaultRoute(
  nad: NetworkAttachmentDefinition,
  release: MtvRelease,
): { value: string; source: RouteSource } | undefined {
  const annotated = nad.metadata.annotations?.[TRANSFER_NETWORK_ANNOTATION.route];
  if (annotated !== undefined) return { value: annotated, source: 'annotation' };
  if (!atLeastRelease(release, '2.10')) return undefined;
  const config = nad.spec?.config ?? '';
  if (config === '') return undefined;
  const routes = ipamRoutes(config);
  const route = routes?.find((entry) => entry.dst === '0.0.0.0/0' || entry.dst === '::/0');
  return route && { value: route.gw, source: 'ipam' };
}

interface CniRoute {
  dst: string;
  gw: string;
}

/**
 * `ipam.routes` as Go's json.Unmarshal decodes the config into Forklift's CNINetworkConfig {IPAM {Routes []{Dst, GW}}}:
 * undefined where it fails (not JSON, or a known field of another type: Unmarshal returns the type error after
 * decoding the rest, and Forklift then finds no route). Keys match case-insensitively (Go's foldName, which also folds
 * the long s and the Kelvin sign); null leaves a field as it was, and an array resets the routes; other fields are
 * ignored. Not modelled: a key repeated verbatim (JSON.parse keeps the last; Go decodes each in turn).
 */
function ipamRoutes(config: string): CniRoute[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(config);
  } catch {
    return undefined;
  }
  let routes: CniRoute[] = [];
  let typeError = false;
  const fields = (value: unknown, field: string, decode: (value: unknown) => void) => {
    if (value === null) return;
    if (typeof value !== 'object' || Array.isArray(value)) {
      typeError = true;
      return;
    }
    for (const [key, entry] of Object.entries(value)) if (foldName(key) === field) decode(entry);
  };
  const text = (value: unknown, set: (text: string) => void) => {
    if (typeof value === 'string') set(value);
    else if (value !== null) typeError = true;
  };
  fields(parsed, 'IPAM', (ipam) =>
    fields(ipam, 'ROUTES', (list) => {
      if (list === null) {
        routes = [];
        return;
      }
      if (!Array.isArray(list)) {
        typeError = true;
        return;
      }
      // Go decodes each element into the slice's element at that index, reused from an earlier `routes` key
      routes = list.map((item, i) => {
        const route = { ...(routes[i] ?? { dst: '', gw: '' }) };
        fields(item, 'DST', (dst) => text(dst, (value) => (route.dst = value)));
        fields(item, 'GW', (gw) => text(gw, (value) => (route.gw = value)));
        return route;
      });
    }),
  );
  return typeError ? undefined : routes;
}

/** encoding/json foldName: ASCII letters, and the long s and the Kelvin sign, which fold to S and K in every Go. */
function foldName(key: string): string {
  return key.replace(/[a-z\u017f\u212a]/g, (c) => (c === '\u017f' ? 'S' : c === '\u212a' ? 'K' : c.toUpperCase()));
}
