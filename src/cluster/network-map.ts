/**
 * The plan's NetworkMap applied to its VMs' NICs, as each release's vSphere builder maps them
 * (pkg/controller/plan/adapter/vsphere/builder.go mapNetworks):
 * - a NetworkMap source is the inventory network it names (by id, else by name); a NIC is on it when the NIC's network
 *   id is the network's id or, for a distributed portgroup or an opaque network, its key (NIC backings name a
 *   portgroup by key: container/vsphere collectNICs);
 * - 2.8 walks the map's pairs and, for each pair not `ignored`, the NICs on its network; 2.9 and 2.10 walk the NICs,
 *   each taking the first pair on its network (findNetworkMapping); 2.11+ take the first pair that is not Multus, else
 *   spread the NICs of one source over its Multus pairs, each NAD once per VM (adapter/base/network.go NADPool).
 * Refused before anything is created, as Forklift's validation refuses the plan:
 * - a NIC on a network no pair maps (vsphere/validator.go NetworksMapped: the Critical VMNetworksNotMapped);
 * - two NICs of a VM on the pod network (base ValidatePodNetworkDuplicates; KubeVirt's admission allows one);
 * - a Multus destination without a namespace (map/network/validation.go validateDestination: "namespace required");
 * - 2.12: a Multus destination outside the target namespace and `default` (plan validation.go validateNetworkMap);
 * - a Multus destination whose NetworkAttachmentDefinition is missing. Forklift's map controller finds NADs through
 *   the destination provider's inventory, i.e. on the destination cluster, where KubeVirt attaches the VM to them:
 *   so they are read there, remote or not.
 */
import type { UserError } from '../errors.js';
import { checkAccess, vmNetworkAccessChecks } from './access-review.js';
import type { InventoryNetworkDetail, InventoryVmDetail } from './inventory-client.js';
import type { KubeClient } from './kube-client.js';
import { atLeastRelease, type MtvRelease } from './mtv-release.js';
import type { ResolvedNic } from './resolved-plan.js';
import { inNamespace, RESOURCES } from './resource-types.js';

type Refuse = (message: string, hint?: string) => UserError;

/** One pair of a NetworkMap's spec.map. */
export interface NetworkPair {
  source?: { id?: string; name?: string };
  destination?: { type?: string; namespace?: string; name?: string };
}

/** A NetworkMap, as far as the resolver reads it. */
export interface NetworkMapObject {
  metadata: { name: string; namespace?: string };
  spec?: { map?: NetworkPair[] };
}

/** The NetworkMap the plan names (spec.map.network, on the host cluster); refused when it names none or it is missing. */
export async function readNetworkMap(
  client: KubeClient,
  ref: { name?: string; namespace?: string } | undefined,
  planNamespace: string,
  refuse: Refuse,
): Promise<NetworkMapObject> {
  if (!ref?.name) {
    throw refuse(
      'names no network map (spec.map.network), which its VMs need for their NICs',
      'set spec.map.network, or pass --disks-only to copy the disks without making VMs',
    );
  }
  const namespace = ref.namespace || planNamespace;
  const map = await client.get<NetworkMapObject>(inNamespace(RESOURCES.networkMaps, namespace), ref.name);
  if (!map) {
    throw refuse(
      `names network map "${ref.name}" in namespace "${namespace}", which does not exist`,
      `kubectl get networkmaps -n ${namespace}`,
    );
  }
  return map;
}

/** A VM's NICs with their destinations, in the order the release builds its interfaces. */
export interface MappedVm {
  nics: ResolvedNic[];
  /** Networks of NICs no pair maps, `App Network (network-2)`. */
  unmapped: string[];
}

/** The inventory network a pair's source names: by id, else by name or inventory path (Forklift's Finder.ByRef). */
function sourceNetwork(
  pair: NetworkPair,
  networks: readonly InventoryNetworkDetail[],
): InventoryNetworkDetail | undefined {
  const { id, name } = pair.source ?? {};
  if (id) return networks.find((network) => network.id === id);
  if (!name) return undefined;
  return networks.find((network) => network.name === name || network.path === name);
}

/** The ids a NIC on `network` names it by: its id and, for a distributed portgroup or opaque network, its key. */
function nicKeys(network: InventoryNetworkDetail): string[] {
  const keyed = network.variant === 'DvPortGroup' || network.variant === 'OpaqueNetwork';
  return keyed && network.key ? [network.id, network.key] : [network.id];
}

/** Maps every NIC of `vm` through `pairs` as `release` does. */
export function mapVmNics(
  vm: InventoryVmDetail,
  pairs: readonly NetworkPair[],
  networks: readonly InventoryNetworkDetail[],
  release: MtvRelease,
): MappedVm {
  const keyed = pairs.map((pair) => {
    const network = sourceNetwork(pair, networks);
    return { pair, keys: network ? nicKeys(network) : [] };
  });
  const unmapped: string[] = [];
  const usedNads = new Set<string>();
  const nics = (vm.nics ?? []).map((nic, position) => {
    const matching = keyed.filter(({ keys }) => keys.includes(nic.network.id)).map(({ pair }) => pair);
    const name = networks.find((network) => network.id === nic.network.id)?.name ?? nic.network.id;
    if (matching.length === 0) unmapped.push(name === nic.network.id ? name : `${name} (${nic.network.id})`);
    const pair = atLeastRelease(release, '2.11') ? allocate(matching, usedNads) : matching[0];
    const resolved: ResolvedNic = {
      mac: nic.mac.toLowerCase(),
      networkId: nic.network.id,
      networkName: name,
      destination: destinationOf(pair),
    };
    return { resolved, position, pairIndex: pair ? pairs.indexOf(pair) : pairs.length };
  });
  // 2.8 builds the interfaces pair by pair (ignored and unmapped NICs are never built: they go last)
  if (release === '2.8') {
    nics.sort((a, b) => rank(a) - rank(b) || a.position - b.position);
  }
  return { nics: nics.map(({ resolved }) => resolved), unmapped };
}

function rank(nic: { resolved: ResolvedNic; pairIndex: number }): number {
  return nic.resolved.destination.type === 'ignored' ? Number.MAX_SAFE_INTEGER : nic.pairIndex;
}

/** AllocateNetwork (2.11+): the first pair that is not Multus, else a Multus NAD this VM does not use yet. */
function allocate(pairs: readonly NetworkPair[], used: Set<string>): NetworkPair | undefined {
  const other = pairs.find((pair) => pair.destination?.type !== 'multus');
  if (other) return other;
  if (pairs.length <= 1) return pairs[0];
  for (const pair of pairs) {
    const key = nadKey(pair);
    if (!used.has(key)) {
      used.add(key);
      return pair;
    }
  }
  // every NAD of the source is taken: Forklift leaves the NIC out of the VM
  return undefined;
}

function nadKey(pair: NetworkPair): string {
  const { namespace, name } = pair.destination ?? {};
  return namespace ? `${namespace}/${name ?? ''}` : (name ?? '');
}

function destinationOf(pair: NetworkPair | undefined): ResolvedNic['destination'] {
  const destination = pair?.destination;
  if (destination?.type === 'pod') return { type: 'pod' };
  if (destination?.type === 'multus') {
    return { type: 'multus', namespace: destination.namespace ?? '', name: destination.name ?? '' };
  }
  return { type: 'ignored' };
}

/** What the refusals name: the plan, its target namespace, its NetworkMap and the release. */
export interface NetworkMapContext {
  map: NetworkMapObject;
  targetNamespace: string;
  release: MtvRelease;
  refuse: Refuse;
}

/**
 * Refuses unmapped NICs, VMs with two NICs on the pod network, and Multus destinations the release or the destination
 * cluster cannot attach (see the module comment); `target` is the destination cluster.
 */
export async function checkVmNetworks(
  target: KubeClient,
  vms: readonly { name: string; mapped: MappedVm }[],
  context: NetworkMapContext,
): Promise<void> {
  const { map, targetNamespace, release, refuse } = context;
  const mapName = map.metadata.name;
  const mapNamespace = map.metadata.namespace ?? '';
  const edit = `kubectl edit networkmap ${mapName} -n ${mapNamespace}`;
  const unmapped = vms.filter(({ mapped }) => mapped.unmapped.length > 0);
  if (unmapped.length > 0) {
    const listed = unmapped.map(({ name, mapped }) => `${name} (${[...new Set(mapped.unmapped)].join(', ')})`);
    throw refuse(
      `has VMs with NICs on networks network map "${mapName}" does not map: ${listed.join(', ')}`,
      `map those networks (to the pod network, a Multus network, or ignored): ${edit}`,
    );
  }
  const twoPods = vms.filter(({ mapped }) => mapped.nics.filter((nic) => nic.destination.type === 'pod').length > 1);
  if (twoPods.length > 0) {
    throw refuse(
      `has VMs with more than one NIC on the pod network, which a KubeVirt VM cannot have: ${twoPods.map(({ name }) => name).join(', ')}`,
      `map all but one of their networks to Multus networks or ignored: ${edit}`,
    );
  }
  const nads = new Map<string, { namespace: string; name: string; networks: Set<string> }>();
  for (const { mapped } of vms) {
    for (const nic of mapped.nics) {
      if (nic.destination.type !== 'multus') continue;
      const { namespace, name } = nic.destination;
      const key = `${namespace}/${name}`;
      const entry = nads.get(key) ?? { namespace, name, networks: new Set<string>() };
      entry.networks.add(nic.networkName);
      nads.set(key, entry);
    }
  }
  const maps = (nad: { networks: Set<string> }, to: string) => {
    const names = [...nad.networks].map((network) => `"${network}"`).join(', ');
    return `maps network${nad.networks.size === 1 ? '' : 's'} ${names} to Multus network ${to} (network map "${mapName}")`;
  };
  for (const nad of nads.values()) {
    if (nad.namespace === '') {
      throw refuse(
        `${maps(nad, `"${nad.name}"`)} without a namespace, which MTV refuses`,
        `set its destination namespace ("${targetNamespace}"): ${edit}`,
      );
    }
    if (atLeastRelease(release, '2.12') && nad.namespace !== targetNamespace && nad.namespace !== 'default') {
      throw refuse(
        `${maps(nad, `${nad.namespace}/${nad.name}`)}, outside the target namespace "${targetNamespace}" and "default", which MTV ${release} refuses`,
        `use a NetworkAttachmentDefinition in "${targetNamespace}" or "default": ${edit}`,
      );
    }
  }
  const wanted = [...nads.values()];
  await checkAccess(
    target,
    wanted.flatMap(({ namespace, name }) => vmNetworkAccessChecks({ namespace, name })),
  );
  for (const nad of wanted) {
    const found = await target.get(inNamespace(RESOURCES.networkAttachmentDefinitions, nad.namespace), nad.name);
    if (found) continue;
    throw refuse(
      `${maps(nad, `${nad.namespace}/${nad.name}`)}, which does not exist in the destination cluster`,
      `create that NetworkAttachmentDefinition in "${nad.namespace}", or map the network elsewhere: ${edit}`,
    );
  }
}
