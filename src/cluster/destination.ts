/**
 * The cluster a plan's DataVolumes, VDDK Secret and CDI live on. Forklift writes a plan's disks to the cluster its
 * destination Provider names: the host cluster for an `openshift` Provider without a URL (Provider.IsHost), else the
 * cluster at the Provider's URL, reached with the Provider Secret's `token`, `cacert` (2.12: `ca.crt` first) and
 * `insecureSkipVerify` (pkg/controller/plan/context/migration.go Destination.build, pkg/lib/client/openshift
 * client.go RestCfg). kubectl-mtv reaches it as a second KubeClient: with the user's own credentials, a kubeconfig
 * context (`--destination-context`), by default; with the Provider Secret's only when asked
 * (`--use-provider-credentials`). The plan, the inventory and the run's Lease stay on the host cluster.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { ExitCode, UserError } from '../errors.js';
import { connectKube, KubeClient, type KubeConnectionOptions } from './kube-client.js';
import { KubeTransport } from './kube-transport.js';
import { inNamespace, RESOURCES } from './resource-types.js';

/** The clusters a plan involves; `destination` is `host` itself for a plan whose destination is the host cluster. */
export interface PlanClusters {
  /** The plan, its providers and maps, the inventory Route, Migrations and the run's Lease. */
  host: KubeClient;
  /** The target namespace's DataVolumes, PVCs and VDDK Secret, and CDI (its version, its v2v-vmware ConfigMap). */
  destination: KubeClient;
}

/** The destination Provider of a plan, as the resolver read it. */
export interface DestinationProvider {
  name: string;
  namespace: string;
  type?: string;
  /** The remote cluster's API URL; empty for the host cluster. */
  url?: string;
  secret?: { name?: string; namespace?: string };
}

/** How `migrate` and `clean` may reach a remote destination. */
export interface DestinationOptions {
  /** --destination-context: a context of the same kubeconfig whose server is the Provider's URL. */
  context?: string;
  /** --use-provider-credentials: the destination Provider Secret's token and CA. */
  useProviderCredentials?: boolean;
  /** How the host cluster was reached (kubeconfig, timeout): the second instance is made alike. */
  connection: KubeConnectionOptions;
}

/** Where a plan's destination is: the host cluster, or a remote one reached through a context or the Provider. */
export type DestinationKind =
  | { kind: 'host' }
  | { kind: 'remote'; provider: string; url: string; via: { context: string } | { providerSecret: string } };

/** Forklift's Provider.IsHost: an openshift Provider without a URL. */
export function isHostProvider(provider: DestinationProvider): boolean {
  return provider.type === 'openshift' && !provider.url;
}

/**
 * A client for the plan's destination: `host` for a host-cluster destination; otherwise one for the remote cluster,
 * refused (exit 2) when no way to reach it was given or the context names another cluster.
 */
export async function connectDestination(
  host: KubeClient,
  plan: string,
  provider: DestinationProvider,
  options: DestinationOptions,
): Promise<{ client: KubeClient; where: DestinationKind }> {
  const label = `destination provider "${provider.name}"`;
  if (isHostProvider(provider)) {
    if (options.context !== undefined || options.useProviderCredentials) {
      throw new UserError(
        `plan "${plan}" copies to the host cluster (${label} has no URL): --destination-context and --use-provider-credentials are for a remote destination`,
        { hint: 'leave them out' },
      );
    }
    return { client: host, where: { kind: 'host' } };
  }
  const url = provider.url ?? '';
  const remote = (via: { context: string } | { providerSecret: string }): DestinationKind => ({
    kind: 'remote',
    provider: `${provider.namespace}/${provider.name}`,
    url,
    via,
  });
  if (options.context !== undefined && options.useProviderCredentials) {
    throw new UserError('--destination-context and --use-provider-credentials both name how to reach the destination', {
      hint: 'give one of them',
    });
  }
  if (options.context !== undefined) {
    const client = await connectKube({ ...options.connection, context: options.context, namespace: undefined });
    if (apiServerKey(client.transport.server) !== apiServerKey(url)) {
      throw new UserError(
        `context "${options.context}" reaches ${client.transport.server}, but plan "${plan}"'s ${label} is the cluster at ${url}`,
        { hint: `kubectl config get-contexts: pass the context of ${url} as --destination-context` },
      );
    }
    return { client, where: remote({ context: options.context }) };
  }
  if (options.useProviderCredentials) {
    const { client, secret } = await providerClient(host, plan, provider);
    return { client, where: remote({ providerSecret: secret }) };
  }
  throw new UserError(`plan "${plan}" copies to a remote cluster, ${url} (${label}): say how to reach it`, {
    hint: `--destination-context NAME (your kubeconfig's context for ${url}), or --use-provider-credentials (the provider's Secret)`,
  });
}

/**
 * connectDestination for a plan's `spec.provider.destination` reference (namespace: the plan's when it names none),
 * read from the host cluster; a reference to no Provider is refused (exit 2).
 */
export async function connectPlanDestination(
  host: KubeClient,
  plan: string,
  planNamespace: string,
  ref: { name?: string; namespace?: string } | undefined,
  options: DestinationOptions,
): Promise<{ client: KubeClient; where: DestinationKind }> {
  const namespace = ref?.namespace || planNamespace;
  const provider = ref?.name
    ? await host.get<{ metadata: { name: string }; spec?: Omit<DestinationProvider, 'name' | 'namespace'> }>(
        inNamespace(RESOURCES.providers, namespace),
        ref.name,
      )
    : undefined;
  if (!provider) {
    throw new UserError(
      `plan "${plan}" names destination provider "${ref?.name ?? ''}" in namespace "${namespace}", which does not exist`,
      { hint: `kubectl get providers -n ${namespace}` },
    );
  }
  return connectDestination(host, plan, { name: provider.metadata.name, namespace, ...provider.spec }, options);
}

/**
 * An API server's identity for comparing two URLs of it: scheme, lower-case host, port (443/80 when absent) and path
 * without trailing slashes.
 */
export function apiServerKey(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  const port = parsed.port || (parsed.protocol === 'http:' ? '80' : '443');
  return `${parsed.protocol}//${parsed.hostname.toLowerCase()}:${port}${parsed.pathname.replace(/\/+$/, '')}`;
}

interface ProviderSecret {
  data?: Record<string, string>;
}

/**
 * A client from the destination Provider's Secret, as Forklift's RestCfg builds one: bearer `token`, CA `ca.crt` or
 * `cacert`, `insecureSkipVerify` parsed as Go's strconv.ParseBool does. Reading the Secret is asked first
 * (SelfSubjectAccessReview): a denial is exit 3.
 */
async function providerClient(
  host: KubeClient,
  plan: string,
  provider: DestinationProvider,
): Promise<{ client: KubeClient; secret: string }> {
  const name = provider.secret?.name;
  if (!name) {
    throw new UserError(`plan "${plan}": destination provider "${provider.name}" names no Secret (spec.secret)`, {
      hint: '--destination-context NAME reaches the destination with your own credentials',
    });
  }
  const namespace = provider.secret?.namespace || provider.namespace;
  const where = `${namespace}/${name}`;
  if (!(await host.mayDo({ verb: 'get', group: '', resource: 'secrets', namespace, name }))) {
    throw new UserError(
      `context "${host.context}" may not get Secret "${name}" in namespace "${namespace}" (destination provider "${provider.name}"), so --use-provider-credentials cannot be used`,
      {
        exitCode: ExitCode.unreachable,
        hint: `ask for get on secrets/${name} in "${namespace}", or pass --destination-context NAME`,
      },
    );
  }
  const secret = await host.get<ProviderSecret>(inNamespace(RESOURCES.secrets, namespace), name);
  const decoded = (key: string) => {
    const value = secret?.data?.[key];
    return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
  };
  const token = decoded('token');
  if (!secret || !token) {
    throw new UserError(
      `plan "${plan}": destination provider "${provider.name}"'s Secret ${where} ${secret ? 'has no token' : 'does not exist'}`,
      { hint: 'fix the provider in the MTV console, or pass --destination-context NAME' },
    );
  }
  const insecure = goParseBool(decoded('insecureSkipVerify'));
  const ca = decoded('ca.crt') ?? decoded('cacert');
  const contextName = `provider:${provider.namespace}/${provider.name}`;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: contextName,
        server: provider.url ?? '',
        skipTLSVerify: insecure,
        ...(!insecure && ca !== undefined && { caData: Buffer.from(ca).toString('base64') }),
      },
    ],
    users: [{ name: contextName, token }],
    contexts: [{ name: contextName, cluster: contextName, user: contextName }],
    currentContext: contextName,
  });
  // the host's timeout and retries, as the user set them
  const transport = new KubeTransport(
    kc,
    contextName,
    provider.url ?? '',
    host.transport.requestTimeoutMs,
    host.transport.retry,
  );
  return { client: new KubeClient(transport, 'default'), secret: where };
}

/** Go's strconv.ParseBool: 1, t, T, TRUE, true, True are true; anything else (or an error) false. */
function goParseBool(value: string | undefined): boolean {
  return value !== undefined && ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value);
}
