/**
 * The Forklift inventory, reached directly (never through the API server's service proxy, which drops the bearer
 * token): --inventory-url, else MTV_INVENTORY_URL, else the Route labelled app=forklift,service=forklift-inventory
 * in openshift-mtv, then konveyor-forklift. Every request carries the kubeconfig's bearer token; TLS is verified
 * against the bundled roots, the kubeconfig's cluster CA and --inventory-ca, unless the caller opts out explicitly.
 * The URL and token are found on the first request, so a plan refused earlier costs no inventory lookup.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AgentOptions, RequestOptions } from 'node:https';
import { setTimeout as delay } from 'node:timers/promises';
import { rootCertificates } from 'node:tls';
import type { Cluster } from '@kubernetes/client-node';
import { ExitCode, UserError } from '../errors.js';
import { describeNetworkError, type HttpAnswer, parseJson, sendHttp } from './http-request.js';
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
}

/** A vSphere VM with its details (detail=all). */
export interface InventoryVmDetail {
  id: string;
  name: string;
  host: string;
  powerState: string;
  uuid: string;
  disks: InventoryDiskDetail[];
}

/** Namespaces where Forklift's operator installs the inventory Route, downstream first. */
export const OPERATOR_NAMESPACES = ['openshift-mtv', 'konveyor-forklift'] as const;
const ROUTE_SELECTOR = 'app=forklift,service=forklift-inventory';

interface Connection {
  baseUrl: string;
  token: string;
  tls: Pick<RequestOptions, 'ca' | 'rejectUnauthorized'>;
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

  /** Every VM of a vSphere provider with full detail, in one request. */
  async vsphereVms(providerUid: string): Promise<InventoryVmDetail[]> {
    return this.get<InventoryVmDetail[]>(`/providers/vsphere/${encodeURIComponent(providerUid)}/vms?detail=all`);
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
    if (this.options.caFile) ca.push(readCaFile(this.options.caFile));
    const tls = { ca, rejectUnauthorized: true };
    return { baseUrl, token, tls, agent: this.proxyAgent(baseUrl, tls) };
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
    if (!cluster?.proxyUrl) return false;
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

  private async get<T>(path: string): Promise<T> {
    const { baseUrl, token, tls, agent } = await this.connect();
    const url = new URL(`${baseUrl}${path}`);
    const timeout = this.kube.requestTimeoutMs;
    const options: RequestOptions = {
      method: 'GET',
      headers: { Accept: 'application/json', Authorization: `Bearer ${token}` },
      agent,
      ...(url.protocol === 'https:' && tls),
    };
    let reply: HttpAnswer;
    try {
      reply = await this.send(url, options);
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
    const body = parseJson(reply.text);
    if (reply.status === 200) return body as T;
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
