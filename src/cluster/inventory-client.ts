/**
 * The Forklift inventory, reached directly (never through the API server's service proxy, which drops the bearer
 * token): --inventory-url, else MTV_INVENTORY_URL, else the Route labelled app=forklift,service=forklift-inventory
 * in openshift-mtv, then konveyor-forklift. Every request carries the kubeconfig's bearer token; TLS is verified
 * against the bundled roots, the kubeconfig's cluster CA, OpenShift's ingress CA (the router serves the Route with a
 * certificate of its own CA, published in ConfigMap openshift-config-managed/default-ingress-cert) and --inventory-ca,
 * unless the caller opts out explicitly. The URL and token are found on the first request, so a plan refused earlier
 * costs no inventory lookup.
 *
 * A provider still syncing with vCenter is answered 206 Partial Content with no body (Forklift
 * pkg/controller/provider/web/base/handler.go setProvider -> pkg/lib/inventory/web/handler.go EnsureParity, after a
 * 10 s wait on the server): such a request is tried again with back-off, saying so on the progress line, until
 * `syncWait.timeoutMs` has passed.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent as HttpAgent } from 'node:http';
import { type AgentOptions, Agent as HttpsAgent, type RequestOptions } from 'node:https';
import { setTimeout as delay } from 'node:timers/promises';
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';
import type { Cluster } from '@kubernetes/client-node';
import { ExitCode, type ExitCodeValue, UserError } from '../errors.js';
import { describeNetworkError } from '../network-errors.js';
import { type HttpAnswer, parseJson, sendHttp } from './http-request.js';
import type { KubeClient } from './kube-client.js';
import { KubeApiError } from './kube-errors.js';
import { inNamespace, RESOURCES } from './resource-types.js';
import { isRetryableNetworkError, isRetryableStatus, retryDelayMs } from './retry-policy.js';

export interface InventoryOptions {
  /** --inventory-url: wins over the environment and the Route. */
  url?: string;
  /** --inventory-ca: a PEM file trusted in addition to the roots and the cluster CA. */
  caFile?: string;
  /** --inventory-insecure-skip-tls-verify. */
  insecureSkipTlsVerify?: boolean;
  /** Where MTV_INVENTORY_URL is read (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Where lines for the user go while the client waits (a provider still syncing); none by default. */
  progress?: (line: string) => void;
  /** Where debug lines go (what was trusted, what was skipped); none by default. */
  debug?: (line: string) => void;
  /** How long and how often a 206 (provider still syncing) is tried again (default DEFAULT_SYNC_WAIT). */
  syncWait?: SyncWait;
  /** Ends a wait for a syncing provider: the request fails at once. */
  signal?: AbortSignal;
}

/** Back-off for a provider that is still syncing (each 206 has already cost the server's 10 s parity wait). */
export interface SyncWait {
  /** Back-off after the first 206 (ms), doubled each time up to maxDelayMs. */
  firstDelayMs: number;
  maxDelayMs: number;
  /** Give up (exit 3) once the provider has been syncing this long since the first 206 (ms). */
  timeoutMs: number;
}

/** A vCenter's initial sync takes minutes on a large estate: wait up to 10 minutes, asking at least every 30 s. */
export const DEFAULT_SYNC_WAIT: SyncWait = { firstDelayMs: 1_000, maxDelayMs: 30_000, timeoutMs: 10 * 60_000 };

/** Where OpenShift's ingress operator publishes the router's CA (readable by every authenticated user). */
export const INGRESS_CA = { namespace: 'openshift-config-managed', name: 'default-ingress-cert', key: 'ca-bundle.crt' };

/** Inventory requests one client has open at once (per-VM reads). */
export const INVENTORY_CONNECTIONS = 8;

/** A vSphere provider as the inventory renders it at detail=1 (the counts the VM read strategy needs). */
export interface InventoryProviderDetail {
  uid: string;
  name: string;
  vmCount: number;
}

/** A disk as the inventory renders it (the fields the resolver reads). */
export interface InventoryDiskDetail {
  key: number;
  file: string;
  datastore: { kind: string; id: string };
  /** Bytes. */
  capacity: number;
  shared: boolean;
  rdm: boolean;
  /** `scsi`, `sata`, `ide` or `nvme` (model/vsphere Disk.Bus). */
  bus?: string;
  /** From MTV 2.9. */
  controllerKey?: number;
  /** From MTV 2.9. */
  unitNumber?: number;
  /** The VMDK's uuid (backing.uuid), from MTV 2.9 and only when it has one (omitempty). */
  serial?: string;
}

/** A virtual NIC (model/vsphere NIC): every release has network and mac; later ones add order, deviceKey, pciAddress. */
export interface InventoryNicDetail {
  /** A standard network's id, a distributed portgroup's key or an opaque network's id (kind `Network`). */
  network: { kind: string; id: string };
  /** Lowercase (the collector lowercases it). */
  mac: string;
  /** From MTV 2.9. */
  order?: number;
  /** From MTV 2.10. */
  deviceKey?: number;
}

/** A vSphere VM with its details (detail=all). */
export interface InventoryVmDetail {
  id: string;
  name: string;
  host: string;
  powerState: string;
  /** BIOS uuid. */
  uuid: string;
  /** vCenter's instance uuid (MTV 2.11+ inventory). */
  instanceUuid?: string;
  disks: InventoryDiskDetail[];
  /** What a KubeVirt VM is built from (web/vsphere/vm.go VM, every release at full detail). */
  cpuCount?: number;
  coresPerSocket?: number;
  memoryMB?: number;
  /** `bios` or `efi`. */
  firmware?: string;
  secureBoot?: boolean;
  tpmEnabled?: boolean;
  guestId?: string;
  guestName?: string;
  /** From MTV 2.9. */
  nestedHVEnabled?: boolean;
  /** The disk.EnableUUID extra config, from MTV 2.9. */
  diskEnableUuid?: boolean;
  /** Change block tracking (config.changeTrackingEnabled), from MTV 2.9: a warm migration needs it on. */
  changeTrackingEnabled?: boolean;
  /** Connected NICs in the collector's order; Go renders none as null. */
  nics?: InventoryNicDetail[] | null;
}

/** A vSphere network at detail 1 (web/vsphere/network.go Network): what a NetworkMap source is matched by. */
export interface InventoryNetworkDetail {
  id: string;
  name: string;
  /** `Standard`, `DvPortGroup`, `DvSwitch` or `OpaqueNetwork`. */
  variant?: string;
  /** A distributed portgroup's key or an opaque network's id: what its NICs name as their network. */
  key?: string;
  /** The inventory path, `/Datacenter/network/VM Network`. */
  path?: string;
}

/** An ESXi host as the inventory renders it in full (web/vsphere/host.go Host; the fields esxi-hosts.ts reads). */
export interface InventoryHostDetail {
  id: string;
  name: string;
  /** The host certificate's SHA-1 thumbprint, `AA:BB:...`: a vddk source reading from the host names it. */
  thumbprint: string;
  /** config.dateTimeInfo.timeZone.name, which Forklift's builder gives the host's VMs' clocks (mapClock). */
  timezone?: string;
}

/** A vSphere cluster as the inventory renders it (web/vsphere/resource.go Resource: the fields conversion reads). */
export interface InventoryClusterDetail {
  id: string;
  path?: string;
  /** `ComputeResource` for the one-host parent of a stand-alone ESXi host. */
  variant?: string;
}

/** Namespaces where Forklift's operator installs the inventory Route, downstream first. */
export const OPERATOR_NAMESPACES = ['openshift-mtv', 'konveyor-forklift'] as const;
const ROUTE_SELECTOR = 'app=forklift,service=forklift-inventory';

interface Connection {
  baseUrl: string;
  token: string;
  /** What each request's options carry (the agent hands it to tls.connect for a new connection). */
  tls: { ca?: string[]; rejectUnauthorized: boolean; secureContext?: SecureContext };
  /** The cluster's proxy-url, tunnelling to the inventory too (kubectl's users reach the cluster through it). */
  agent: RequestOptions['agent'];
}

/** A PEM file of CA certificates (--inventory-ca), each parsed; anything else is refused naming the file (exit 2). */
export function readCaFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UserError(`--inventory-ca "${file}" cannot be read (${(error as NodeJS.ErrnoException).code})`, {
      hint: 'pass the path of a PEM file with the CA certificate',
    });
  }
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  const problem =
    blocks.length === 0
      ? 'holds no PEM certificate'
      : blocks.some((block) => {
            try {
              new X509Certificate(block);
              return false;
            } catch {
              return true;
            }
          })
        ? 'holds a PEM block that is not a valid certificate'
        : undefined;
  if (problem !== undefined) {
    throw new UserError(`--inventory-ca "${file}" ${problem}`, {
      hint: 'pass the CA certificate in PEM (-----BEGIN CERTIFICATE-----), e.g. oc get configmap kube-root-ca.crt',
    });
  }
  return text;
}

/** The inventory of one cluster; counts its own requests (the efficiency budget is per request). */
export class InventoryClient {
  private connection: Promise<Connection> | undefined;
  private sent = 0;
  /** Kept-alive connections for the per-VM reads (idle sockets do not keep the process alive). */
  private readonly agents = {
    http: new HttpAgent({ keepAlive: true, maxSockets: INVENTORY_CONNECTIONS }),
    https: new HttpsAgent({ keepAlive: true, maxSockets: INVENTORY_CONNECTIONS }),
  };

  constructor(
    private readonly kube: KubeClient,
    private readonly options: InventoryOptions = {},
  ) {}

  /** Requests sent to the inventory so far. */
  requestCount(): number {
    return this.sent;
  }

  /** The base URL in use, finding it first if needed. */
  async baseUrl(): Promise<string> {
    return (await this.connect()).baseUrl;
  }

  /** The vSphere provider with its counts (Forklift web/vsphere/provider.go renders a GET at MaxDetail). */
  async vsphereProvider(providerUid: string): Promise<InventoryProviderDetail> {
    const provider = await this.get<InventoryProviderDetail>(this.providerPath(providerUid));
    if (provider === undefined) throw unknownProvider(providerUid);
    return provider;
  }

  /** Every VM of a vSphere provider with full detail, in one request. */
  async vsphereVms(providerUid: string): Promise<InventoryVmDetail[]> {
    const vms = await this.get<InventoryVmDetail[]>(`${this.providerPath(providerUid)}/vms?detail=all`);
    if (vms === undefined) throw unknownProvider(providerUid);
    return vms;
  }

  /** One VM by id (Forklift renders a GET of one object in full), or undefined when the inventory has none. */
  async vsphereVm(providerUid: string, id: string): Promise<InventoryVmDetail | undefined> {
    return this.get<InventoryVmDetail>(`${this.providerPath(providerUid)}/vms/${encodeURIComponent(id)}`);
  }

  /** The VMs of that name (Forklift's ?name= filter, as its own Finder.ByRef asks for a ref without an id). */
  async vsphereVmsNamed(providerUid: string, name: string): Promise<InventoryVmDetail[]> {
    const query = `detail=all&name=${encodeURIComponent(name)}`;
    return (await this.get<InventoryVmDetail[]>(`${this.providerPath(providerUid)}/vms?${query}`)) ?? [];
  }

  /** One ESXi host by id, in full (Forklift's HostHandler.Get), or undefined when the inventory has none. */
  async vsphereHost(providerUid: string, id: string): Promise<InventoryHostDetail | undefined> {
    return this.get<InventoryHostDetail>(`${this.providerPath(providerUid)}/hosts/${encodeURIComponent(id)}`);
  }

  /** The ESXi hosts of that name (the ?name= filter Forklift's Finder.ByRef uses for a Host ref without an id). */
  async vsphereHostsNamed(providerUid: string, name: string): Promise<InventoryHostDetail[]> {
    const query = `detail=all&name=${encodeURIComponent(name)}`;
    return (await this.get<InventoryHostDetail[]>(`${this.providerPath(providerUid)}/hosts?${query}`)) ?? [];
  }

  /**
   * One cluster by id (web/vsphere/cluster.go: `path`, and `variant` ComputeResource for a stand-alone host's), or
   * undefined when the inventory has none.
   */
  async vsphereCluster(providerUid: string, id: string): Promise<InventoryClusterDetail | undefined> {
    return this.get<InventoryClusterDetail>(`${this.providerPath(providerUid)}/clusters/${encodeURIComponent(id)}`);
  }

  /** Every network of a vSphere provider at detail 1 (id, name, variant, key), in one request. */
  async vsphereNetworks(providerUid: string): Promise<InventoryNetworkDetail[]> {
    const networks = await this.get<InventoryNetworkDetail[]>(`${this.providerPath(providerUid)}/networks?detail=1`);
    if (networks === undefined) throw unknownProvider(providerUid);
    return networks;
  }

  private providerPath(providerUid: string): string {
    return `/providers/vsphere/${encodeURIComponent(providerUid)}`;
  }

  private connect(): Promise<Connection> {
    this.connection ??= this.discover();
    return this.connection;
  }

  private async discover(): Promise<Connection> {
    const env = this.options.env ?? process.env;
    const baseUrl = (this.options.url || env.MTV_INVENTORY_URL || (await this.routeUrl())).replace(/\/+$/, '');
    if (!/^https?:\/\//.test(baseUrl)) {
      throw new UserError(`inventory URL "${baseUrl}" is not an http(s) URL`, {
        hint: '--inventory-url https://HOST[:PORT]',
      });
    }
    const token = await this.kube.bearerToken();
    if (token === undefined) {
      throw new UserError(`context "${this.kube.context}" has no bearer token, which the Forklift inventory requires`, {
        exitCode: ExitCode.unreachable,
        hint: 'use a kubeconfig user with a token (oc login, or a token/exec credential)',
      });
    }
    if (this.options.insecureSkipTlsVerify) {
      const tls = { rejectUnauthorized: false };
      return { baseUrl, token, tls, agent: this.proxyAgent(baseUrl, tls) };
    }
    const ca = [...rootCertificates];
    const clusterCa = this.kube.clusterCa();
    if (clusterCa) ca.push(clusterCa);
    if (baseUrl.startsWith('https:')) {
      const ingressCa = await this.ingressCa();
      if (ingressCa) ca.push(ingressCa);
    }
    if (this.options.caFile) ca.push(readCaFile(this.options.caFile));
    const tls = { ca, rejectUnauthorized: true };
    const agent = this.proxyAgent(baseUrl, tls);
    if (agent !== this.agents.https) return { baseUrl, token, tls, agent };
    // on our own agent, one secure context for every connection: `ca` in each request's options would parse the ~140
    // roots again per connection and make each request's connection key of them (10 ms a request, measured)
    return { baseUrl, token, tls: { secureContext: createSecureContext({ ca }), rejectUnauthorized: true }, agent };
  }

  /**
   * OpenShift's ingress CA, which signs the certificate the router serves the inventory Route with. Optional: on
   * plain Kubernetes there is no such ConfigMap (404), and a user may not be allowed to read it (403); either way the
   * client goes on without it, saying so only on the debug line.
   */
  private async ingressCa(): Promise<string | undefined> {
    const where = `ConfigMap ${INGRESS_CA.namespace}/${INGRESS_CA.name}`;
    let map: { data?: Record<string, string> } | undefined;
    try {
      map = await this.kube.get(inNamespace(RESOURCES.configMaps, INGRESS_CA.namespace), INGRESS_CA.name);
    } catch (error) {
      if (error instanceof KubeApiError && (error.status === 403 || error.status === 401)) {
        this.options.debug?.(`ingress CA not trusted: ${where} may not be read (${error.status}); going on without it`);
        return undefined;
      }
      throw error;
    }
    const pem = map?.data?.[INGRESS_CA.key];
    if (map === undefined) this.options.debug?.(`ingress CA not trusted: no ${where} (not OpenShift?)`);
    else if (!pem?.includes('-----BEGIN CERTIFICATE-----')) {
      this.options.debug?.(`ingress CA not trusted: ${where} has no PEM certificate under ${INGRESS_CA.key}`);
    } else {
      this.options.debug?.(`trusting the ingress CA of ${where}`);
      return pem;
    }
    return undefined;
  }

  /**
   * An agent through the context's proxy-url, or none without one: client-node's own factory (the agents it gives
   * the API server's requests: hpagent for http(s) CONNECT, socks-proxy-agent), public in its JavaScript though its
   * typings mark it private.
   */
  private proxyAgent(baseUrl: string, tls: Connection['tls']): RequestOptions['agent'] {
    const kubeConfig = this.kube.transport.kubeConfig as unknown as {
      getCurrentCluster(): Cluster | null;
      createAgent(cluster: Cluster, options: AgentOptions): RequestOptions['agent'];
    };
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster?.proxyUrl) return baseUrl.startsWith('https:') ? this.agents.https : this.agents.http;
    const skipTLSVerify = tls.rejectUnauthorized === false;
    return kubeConfig.createAgent({ ...cluster, server: baseUrl, skipTLSVerify }, { ...tls });
  }

  /** https://<spec.host> of the inventory Route (http when the Route has no TLS). */
  private async routeUrl(): Promise<string> {
    for (const namespace of OPERATOR_NAMESPACES) {
      let routes: { spec?: { host?: string; tls?: unknown } }[];
      try {
        routes = await this.kube.list(inNamespace(RESOURCES.routes, namespace), { labelSelector: ROUTE_SELECTOR });
      } catch (error) {
        // a cluster without OpenShift routes answers 404 for the resource type
        if (error instanceof KubeApiError && error.status === 404) break;
        throw error;
      }
      const route = routes.find((candidate) => candidate.spec?.host);
      if (route) return `${route.spec?.tls ? 'https' : 'http'}://${route.spec?.host}`;
    }
    throw new UserError(
      `no Route labelled ${ROUTE_SELECTOR} in ${OPERATOR_NAMESPACES.join(' or ')}: the Forklift inventory cannot be found`,
      {
        exitCode: ExitCode.unreachable,
        hint: 'kubectl port-forward -n openshift-mtv svc/forklift-inventory 8443, then --inventory-url https://localhost:8443',
      },
    );
  }

  /** One request, retried as the API server's are (the same policy: 429, 5xx, dropped connections). */
  private async send(url: URL, options: RequestOptions): Promise<HttpAnswer> {
    const policy = this.kube.transport.retry;
    for (let attempt = 1; ; attempt++) {
      this.sent++;
      let reply: HttpAnswer | undefined;
      try {
        reply = await sendHttp(url, options, undefined, this.kube.requestTimeoutMs);
      } catch (error) {
        if (attempt >= policy.attempts || !isRetryableNetworkError(error, false)) throw error;
      }
      if (reply && (attempt >= policy.attempts || !isRetryableStatus(reply.status))) return reply;
      await delay(retryDelayMs(policy, attempt, reply?.retryAfterSeconds));
    }
  }

  /**
   * GET `path` as JSON: the body on 200, undefined on 404 (the caller says what was missing); a 206 (the provider
   * is still syncing) is asked again after a back-off, with a progress line, up to the sync wait's timeout.
   */
  private async get<T>(path: string): Promise<T | undefined> {
    const wait = this.options.syncWait ?? DEFAULT_SYNC_WAIT;
    let syncingSince: number | undefined;
    for (let attempt = 1; ; attempt++) {
      const { reply, url, baseUrl } = await this.getOnce(path);
      if (reply.status !== 206) return this.answer<T>(reply, url, baseUrl);
      syncingSince ??= Date.now();
      const delayMs = Math.min(wait.maxDelayMs, wait.firstDelayMs * 2 ** (attempt - 1));
      const stillSyncing = () =>
        new UserError(
          `the Forklift inventory ${baseUrl} is still syncing the provider with vCenter after ${seconds(Date.now() - (syncingSince ?? 0))} (206 Partial Content)`,
          {
            exitCode: ExitCode.unreachable,
            hint: "wait for the inventory's first sync (large vCenters take minutes), then run the command again",
          },
        );
      // Ctrl-C (or SIGTERM, SIGHUP) while waiting: the command's stop code, as for a run it stops
      const interrupted = () =>
        new UserError(`stopped while the Forklift inventory ${baseUrl} was still syncing the provider with vCenter`, {
          exitCode:
            (this.options.signal?.reason as { exitCode?: ExitCodeValue } | undefined)?.exitCode ?? ExitCode.interrupted,
          hint: 'run the command again once the inventory has synced',
        });
      if (this.options.signal?.aborted) throw interrupted();
      if (Date.now() - syncingSince + delayMs > wait.timeoutMs) throw stillSyncing();
      this.options.progress?.(
        `the Forklift inventory is still syncing the provider with vCenter (206 Partial Content): asking again in ${seconds(delayMs)}`,
      );
      await delay(delayMs, undefined, this.options.signal && { signal: this.options.signal }).catch(() => undefined);
      if (this.options.signal?.aborted) throw interrupted();
    }
  }

  private async getOnce(path: string): Promise<{ reply: HttpAnswer; url: URL; baseUrl: string }> {
    const { baseUrl, token, tls, agent } = await this.connect();
    const url = new URL(`${baseUrl}${path}`);
    const timeout = this.kube.requestTimeoutMs;
    const options: RequestOptions = {
      method: 'GET',
      headers: { Accept: 'application/json', Authorization: `Bearer ${token}` },
      agent,
      ...(url.protocol === 'https:' && tls),
    };
    try {
      return { reply: await this.send(url, options), url, baseUrl };
    } catch (error) {
      const name = (error as Error).name;
      const cause =
        name === 'AbortError' || name === 'TimeoutError'
          ? `no answer within ${timeout / 1000}s`
          : describeNetworkError(error);
      const tlsProblem = /TLS certificate/.test(cause);
      throw new UserError(`the Forklift inventory ${baseUrl} is unreachable: ${cause}`, {
        exitCode: ExitCode.unreachable,
        hint: tlsProblem
          ? '--inventory-ca FILE trusts its CA; --inventory-insecure-skip-tls-verify skips the check'
          : 'check --inventory-url (or MTV_INVENTORY_URL); without either, the forklift-inventory Route names it',
      });
    }
  }

  private answer<T>(reply: HttpAnswer, url: URL, baseUrl: string): T | undefined {
    const body = parseJson(reply.text);
    if (reply.status === 200) return body as T;
    if (reply.status === 404) return undefined;
    const message = (body as { message?: string } | undefined)?.message ?? `HTTP ${reply.status}`;
    if (reply.status === 401 || reply.status === 403) {
      throw new UserError(
        `the Forklift inventory ${baseUrl} rejects the bearer token of context "${this.kube.context}" (${reply.status}: ${message})`,
        { exitCode: ExitCode.unreachable, hint: "log in again; the token needs get on the plan's Provider" },
      );
    }
    throw new UserError(
      `the Forklift inventory ${baseUrl} answers ${reply.status} to GET ${url.pathname}: ${message}`,
      {
        exitCode: ExitCode.unreachable,
      },
    );
  }
}

function unknownProvider(providerUid: string): UserError {
  return new UserError(`the Forklift inventory does not know provider ${providerUid} (404 ProviderNotFound)`, {
    exitCode: ExitCode.unreachable,
    hint: 'a Provider created moments ago is not loaded yet: wait for its Ready condition and try again',
  });
}

/** `850ms`, `4s`, `2m30s`: a wait as the progress line says it. */
function seconds(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const whole = Math.round(ms / 1000);
  return whole < 60 ? `${whole}s` : `${Math.floor(whole / 60)}m${whole % 60 ? `${whole % 60}s` : ''}`;
}
