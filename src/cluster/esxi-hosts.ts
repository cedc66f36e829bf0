/**
 * ESXi Host CRs: MTV reads a VM's disks directly from its ESXi host instead of through vCenter when that host has a
 * Ready Host CR (forklift.konveyor.io/v1beta1 Host), as Forklift's vSphere builder decides it, the same in
 * release-2.8 .. release-2.12 but for IPv6 (kubev2v/forklift pkg/controller/plan/adapter/vsphere/builder.go):
 * - loadHosts (run by Builder.Load before any DataVolume): the Host CRs in the source Provider's namespace whose
 *   spec.provider equals the plan's spec.provider.source (libref.Equals: name and namespace, as written), with a Ready
 *   condition True (Conditions.HasCondition), whose ref (spec.id, else spec.name: Finder.ByRef) the inventory
 *   resolves; a ref it does not have (NotFoundError) is skipped, any other error (RefNotUniqueError for a name two
 *   hosts have) fails the plan; the Hosts are keyed by the inventory host's id.
 * - DataVolumes (2.8-2.11 inline, 2.12 applyHostsConfig): a VM whose host is so keyed gets the vddk url
 *   `https://<spec.ipAddress>/sdk` (liburl.URL{Scheme: "https", Host, Path: vim25.Path}.String()) and the inventory
 *   host's thumbprint instead of the Provider's spec.url and status.fingerprint. 2.11 and 2.12 put an IPv6 address in
 *   brackets (formatHostAddress: net.ParseIP gives an address whose To4 is nil); 2.8-2.10 write it bare, which CDI's
 *   url.Parse reads as host and port (vddk-endpoints.ts in the sandbox shows how that fails).
 * - Secret: accessKeyId and secretKey from the Host's spec.secret (namespace and name as written) instead of the
 *   Provider's Secret; the CA still from the Provider's (vddk-secret.ts).
 * kubectl-mtv reads only what a plan VM needs: a Host CR that names its host by id is looked up only when a plan VM
 * runs on that host (Forklift would key it under an id no plan VM has); one that names it by name is looked up.
 */
import { isIPv6 } from 'node:net';
import { ExitCode, UserError } from '../errors.js';
import { INVENTORY_CONNECTIONS, type InventoryClient, type InventoryHostDetail } from './inventory-client.js';
import type { KubeClient } from './kube-client.js';
import { KubeApiError } from './kube-errors.js';
import { atLeastRelease, type MtvRelease } from './mtv-release.js';
import { mapLimited } from './plan-vms.js';
import { inNamespace, RESOURCES } from './resource-types.js';

/** A reference as the CRDs write one (core ObjectReference: only name and namespace matter here). */
export interface ObjectRef {
  name?: string;
  namespace?: string;
}

/** A Host CR, the fields the rule reads. */
export interface HostCr {
  metadata: { name: string; namespace?: string };
  spec?: {
    /** The inventory host's id (the ref, inlined). */
    id?: string;
    /** Its name, when the ref has no id. */
    name?: string;
    ipAddress?: string;
    provider?: ObjectRef;
    secret?: ObjectRef;
  };
  status?: { conditions?: { type?: string; status?: string }[] };
}

/** An ESXi host MTV reads plan VMs' disks from, and the Host CR that says so. */
export interface EsxiHost {
  /** The inventory host (id, name, thumbprint). */
  host: InventoryHostDetail;
  /** The Host CR, `namespace/name`. */
  hostCr: { name: string; namespace: string };
  /** spec.ipAddress. */
  ipAddress: string;
  /** spec.secret: the ESXi credentials (namespace and name as written). */
  secret: ObjectRef;
}

/** libref.Equals: both refs name the same object, namespace and name compared as written. */
export function sameRef(a: ObjectRef | undefined, b: ObjectRef | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return (a.name ?? '') === (b.name ?? '') && (a.namespace ?? '') === (b.namespace ?? '');
}

/** The Host CRs loadHosts keeps before asking the inventory: the plan's source Provider's, Ready. */
export function readyHostCrs(hosts: readonly HostCr[], planSource: ObjectRef | undefined): HostCr[] {
  return hosts.filter(
    (host) =>
      sameRef(host.spec?.provider ?? {}, planSource ?? {}) &&
      (host.status?.conditions ?? []).some((condition) => condition.type === 'Ready' && condition.status === 'True'),
  );
}

/**
 * Whether Go's net.ParseIP reads `address` as an IPv6 address that is not an IPv4 one (To4() == nil): what
 * formatHostAddress brackets. An IPv4-mapped address (::ffff:a.b.c.d) counts as IPv4 there; a zone (%eth0) does not
 * parse.
 */
export function isGoIpv6(address: string): boolean {
  if (!isIPv6(address) || address.includes('%')) return false;
  const canonical = new URL(`http://[${address}]/`).hostname;
  return !/^\[::ffff:[0-9a-f]{1,4}:[0-9a-f]{1,4}\]$/.test(canonical);
}

/** The vddk url of a VM read from an ESXi host at `ipAddress`, as `release` writes it. */
export function esxiSdkUrl(ipAddress: string, release: MtvRelease): string {
  const host = atLeastRelease(release, '2.11') && isGoIpv6(ipAddress) ? `[${ipAddress}]` : ipAddress;
  return `https://${host}/sdk`;
}

/**
 * Whether CDI's importer reaches the host a url names: Go's url.Parse takes what follows the last colon of a host
 * without brackets as its port, so an IPv6 address written bare (2.8-2.10, or an IPv4-mapped one in any release)
 * names no host it can dial.
 */
export function reachableSdkUrl(url: string): boolean {
  const host = /^https:\/\/([^/]*)\//.exec(url)?.[1] ?? '';
  return host.startsWith('[') || !host.includes(':');
}

/**
 * The Host CRs in the source Provider's namespace, kept as loadHosts keeps them before the inventory: the plan's
 * source Provider's, Ready. Listing them needs `list hosts.forklift.konveyor.io` there (exit 3 with the fix without
 * it); a cluster that serves no Host CRD has none.
 */
export async function listReadyHostCrs(
  client: KubeClient,
  providerNamespace: string,
  planSource: ObjectRef | undefined,
): Promise<HostCr[]> {
  let hosts: HostCr[];
  try {
    hosts = await client.list<HostCr>(inNamespace(RESOURCES.hosts, providerNamespace));
  } catch (error) {
    if (error instanceof KubeApiError && error.status === 404) return [];
    if (error instanceof KubeApiError && error.status === 403) {
      throw new UserError(
        `context "${client.context}" may not list Host CRs in namespace "${providerNamespace}", which say which ESXi hosts MTV reads VM disks from directly`,
        {
          exitCode: ExitCode.unreachable,
          hint: `ask for list on hosts.forklift.konveyor.io in "${providerNamespace}"`,
        },
      );
    }
    throw error;
  }
  return readyHostCrs(hosts, planSource);
}

/**
 * The ESXi hosts, by inventory host id, that plan VMs on hosts `vmHosts` are read from: each Ready Host CR's ref
 * resolved in the inventory (not found: skipped). A name two inventory hosts have, or two Host CRs for one host a
 * plan VM runs on (Forklift keeps whichever it lists last), is refused (exit 2).
 */
export async function resolveEsxiHosts(
  inventory: InventoryClient,
  providerUid: string,
  hostCrs: readonly HostCr[],
  vmHosts: ReadonlySet<string>,
  refuse: (message: string, hint?: string) => UserError,
): Promise<Map<string, EsxiHost>> {
  const wanted = hostCrs.filter((cr) => (cr.spec?.id ? vmHosts.has(cr.spec.id) : Boolean(cr.spec?.name)));
  const found = await mapLimited(wanted, INVENTORY_CONNECTIONS, async (cr) => {
    const { id, name = '' } = cr.spec ?? {};
    if (id) return inventory.vsphereHost(providerUid, id);
    const named = await inventory.vsphereHostsNamed(providerUid, name);
    if (named.length > 1) {
      throw refuse(
        `cannot run: Host "${cr.metadata.name}" names its ESXi host "${name}", a name ${named.length} inventory hosts have, which fails the plan in MTV too (RefNotUnique)`,
        `kubectl patch host ${cr.metadata.name} -n ${cr.metadata.namespace} --type merge -p '{"spec":{"id":"HOST-ID"}}'`,
      );
    }
    return named[0];
  });
  const hosts = new Map<string, EsxiHost>();
  wanted.forEach((cr, i) => {
    const host = found[i];
    if (host === undefined || !vmHosts.has(host.id)) return;
    const other = hosts.get(host.id);
    if (other) {
      throw refuse(
        `has VMs on ESXi host ${host.name}, which two Ready Hosts name (${other.hostCr.name} and ${cr.metadata.name}): MTV would take either one's address and credentials`,
        `delete one of them: kubectl delete host ${cr.metadata.name} -n ${cr.metadata.namespace}`,
      );
    }
    hosts.set(host.id, {
      host,
      hostCr: { name: cr.metadata.name, namespace: cr.metadata.namespace ?? '' },
      ipAddress: cr.spec?.ipAddress ?? '',
      secret: cr.spec?.secret ?? {},
    });
  });
  return hosts;
}
