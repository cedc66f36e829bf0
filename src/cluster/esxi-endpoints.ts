/**
 * The plan VMs that MTV reads from their ESXi host (esxi-hosts.ts has the rule and its Forklift source), resolved for
 * the plan: each such host's vddk endpoint (url, thumbprint, VDDK Secret) and the VDDK Secret to make from its Host
 * CR's Secret. Refuses, before anything is created, what cannot run as MTV would run it:
 * - `--vddk-secret`: one Secret of the user's, with vCenter's credentials, for every importer; a VM read from an ESXi
 *   host needs that Host's credentials (and ESXi does not know vCenter's users), and copying it through vCenter
 *   instead would not be what MTV does: refused (exit 2), naming the hosts and VMs;
 * - an ESXi url CDI's importer cannot reach (an IPv6 address the release writes without brackets): refused (exit 2);
 * - a Host Secret that cannot be read (exit 3) or lacks `user` or `password` (exit 2), as for the Provider's.
 */
import type { UserError } from '../errors.js';
import { esxiSdkUrl, type HostCr, reachableSdkUrl, resolveEsxiHosts } from './esxi-hosts.js';
import type { InventoryClient } from './inventory-client.js';
import type { KubeClient } from './kube-client.js';
import type { MtvRelease } from './mtv-release.js';
import type { EsxiEndpoint, EsxiVddkSecret } from './resolved-plan.js';
import { checkEsxiSecret, type PlanIdentity } from './vddk-secret.js';

export interface EsxiEndpoints {
  /** The endpoint of each ESXi host plan VMs are read from, by inventory host id. */
  byHost: Map<string, EsxiEndpoint>;
  /** The VDDK Secrets to make, one per such host, in plan order of their first VM. */
  secrets: EsxiVddkSecret[];
}

/** How many names a refusal lists before it counts the rest. */
const LISTED = 5;

export async function resolveEsxiEndpoints(
  client: KubeClient,
  inventory: InventoryClient,
  options: {
    plan: PlanIdentity;
    release: MtvRelease;
    provider: { uid: string; secret: { name: string; namespace: string } };
    hostCrs: readonly HostCr[];
    vms: readonly { name: string; host: string }[];
    /** --vddk-secret. */
    givenSecret?: string;
    refuse: (message: string, hint?: string) => UserError;
  },
): Promise<EsxiEndpoints> {
  const { plan, release, vms, refuse } = options;
  const none: EsxiEndpoints = { byHost: new Map(), secrets: [] };
  if (options.hostCrs.length === 0) return none;
  const hostIds = [...new Set(vms.map((vm) => vm.host))];
  const hosts = await resolveEsxiHosts(inventory, options.provider.uid, options.hostCrs, new Set(hostIds), refuse);
  if (hosts.size === 0) return none;
  const used = hostIds.flatMap((id) => {
    const esxi = hosts.get(id);
    return esxi ? [{ esxi, vms: vms.filter((vm) => vm.host === id).map((vm) => vm.name) }] : [];
  });
  const described = used.map(
    ({ esxi, vms: names }) =>
      `${listed(names)} (ESXi host ${esxi.host.name}, Host ${esxi.hostCr.namespace}/${esxi.hostCr.name})`,
  );
  if (options.givenSecret !== undefined) {
    const secrets = [options.provider.secret, ...used.map(({ esxi }) => esxi.secret)];
    throw refuse(
      `has VMs MTV reads from their ESXi host, with the credentials of that host's Host CR, which --vddk-secret "${options.givenSecret}" cannot stand for: ${described.join('; ')}`,
      `leave --vddk-secret out: migrate then makes a VDDK Secret from the Provider's Secret and one from each Host's, as MTV does (get on ${secrets.map((ref) => `secrets/${ref.name} in "${ref.namespace}"`).join(', ')})`,
    );
  }
  const unreachable = used.filter(({ esxi }) => !reachableSdkUrl(esxiSdkUrl(esxi.ipAddress, release)));
  if (unreachable.length > 0) {
    const [{ esxi }] = unreachable;
    throw refuse(
      `has VMs on ESXi hosts whose Host gives an IPv6 address that MTV ${release} writes without brackets (${esxiSdkUrl(esxi.ipAddress, release)}), which CDI's importer reads as host and port: ${unreachable.map((entry) => described[used.indexOf(entry)]).join('; ')}`,
      `give the Host an IPv4 address (kubectl edit host ${esxi.hostCr.name} -n ${esxi.hostCr.namespace}), or delete it to copy those VMs through vCenter${release === '2.11' || release === '2.12' ? '' : '; MTV 2.11 and later put IPv6 addresses in brackets'}`,
    );
  }
  const byHost = new Map<string, EsxiEndpoint>();
  const secrets: EsxiVddkSecret[] = [];
  for (const { esxi } of used) {
    const secret = await checkEsxiSecret(client, plan, esxi, options.provider.secret);
    secrets.push(secret);
    byHost.set(esxi.host.id, {
      url: esxiSdkUrl(esxi.ipAddress, release),
      thumbprint: esxi.host.thumbprint,
      secret: secret.name,
      hostId: esxi.host.id,
      hostName: esxi.host.name,
      hostCr: secret.hostCr,
    });
  }
  return { byHost, secrets };
}

/** `a, b and c`, or the first LISTED and how many more. */
function listed(names: readonly string[]): string {
  if (names.length > LISTED) return `${names.slice(0, LISTED).join(', ')} and ${names.length - LISTED} more`;
  return names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}
