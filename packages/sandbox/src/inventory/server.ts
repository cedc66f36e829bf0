/**
 * The Forklift inventory simulator: the read-only vSphere part of forklift-inventory's REST API, on its own port,
 * over HTTPS when given a certificate. Like the real service it wants the caller's bearer token on every request
 * (401 otherwise); unlike it, the sandbox checks the token itself instead of asking for a TokenReview, and checks it
 * before resolving the provider (the real service answers 404 for an unknown provider, and 206 for a syncing one,
 * even without a token). A provider that is still syncing is ./parity.ts.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { InventoryData } from './model.js';
import { InventorySync, type InventorySyncOptions } from './parity.js';
import {
  datastoreResource,
  hostResource,
  MAX_DETAIL,
  networkResource,
  providerResource,
  vmResource,
} from './resources.js';

export interface InventoryServerOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Where to listen; 127.0.0.1 unless given. */
  host?: string;
  /** The bearer token every request must carry. */
  token: string;
  /** PEM certificate and key; without them the server speaks plain HTTP. */
  tls?: { cert: string; key: string };
  inventory: InventoryData;
  /** The provider is still syncing for a while: its requests are answered 206 (./parity.ts). */
  sync?: InventorySyncOptions;
}

/** What the inventory served, for reports of what a client cost. */
export interface InventoryCounts {
  /** Requests served, authenticated or not. */
  requests: number;
  /** Body bytes sent. */
  bytes: number;
  /** Requests answered 206 Partial Content (the provider was syncing). */
  partialContent: number;
  /**
   * Authenticated requests by route: `providers`, `provider`, then per collection its list (`vms`) and one object
   * (`vms/:id`); anything else `other`.
   */
  byRoute: Record<string, number>;
}

export interface InventoryServer {
  /** `https://127.0.0.1:<port>` (or http), without a trailing slash. */
  url: string;
  port: number;
  /** Requests served so far, authenticated or not (for reports of what a client cost). */
  requestCount(): number;
  counts(): InventoryCounts;
  close(): Promise<void>;
}

type Json = Record<string, unknown>;
type Named = { id: string; name: string };
/** One collection under /providers/vsphere/<uid>/: its elements and how to render one. */
interface Collection {
  items: Named[];
  render: (item: Named, detail: number) => Json;
}

function collection<T extends Named>(items: T[], render: (item: T, detail: number) => Json): Collection {
  return { items, render: (item, detail) => render(item as T, detail) };
}

const COLLECTIONS: Record<string, (data: InventoryData) => Collection> = {
  // Forklift release-2.8 to 2.12 pkg/controller/provider/web/vsphere/vm.go VMHandler.List sets h.Detail =
  // model.MaxDetail before rendering ("for retrieving IsTemplate"): a VM list is in full detail whatever ?detail says
  vms: (data) => collection(data.vms, (vm) => vmResource(data, vm, MAX_DETAIL)),
  hosts: (data) => collection(data.hosts, (host, detail) => hostResource(data, host, detail)),
  datastores: (data) => collection(data.datastores, (ds, detail) => datastoreResource(data, ds, detail)),
  networks: (data) => collection(data.networks, (net, detail) => networkResource(data, net, detail)),
};

/** Starts the inventory server; resolves once it listens. */
export async function startInventoryServer(options: InventoryServerOptions): Promise<InventoryServer> {
  if (options.token === '') throw new Error('startInventoryServer: token must not be empty');
  const expected = digest(options.token);
  const counts: InventoryCounts = { requests: 0, bytes: 0, partialContent: 0, byRoute: {} };
  const context: Context = {
    data: options.inventory,
    expected,
    sync: new InventorySync(options.sync),
    counts,
  };
  const handler = (request: IncomingMessage, response: ServerResponse) => {
    counts.requests++;
    respond(request, response, context).catch((error: unknown) => {
      if (!response.headersSent) send(response, 500, { error: 'InternalError', message: (error as Error).message });
    });
  };
  const server: Server = options.tls
    ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handler)
    : createHttpServer(handler);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `${options.tls ? 'https' : 'http'}://${urlHost}:${port}`,
    port,
    requestCount: () => counts.requests,
    counts: () => ({ ...counts, byRoute: { ...counts.byRoute } }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

interface Context {
  data: InventoryData;
  expected: Buffer;
  sync: InventorySync;
  counts: InventoryCounts;
}

async function respond(request: IncomingMessage, response: ServerResponse, context: Context): Promise<void> {
  const { data, counts } = context;
  if (request.method !== 'HEAD') {
    response.on('finish', () => {
      counts.bytes += Number(response.getHeader('Content-Length') ?? 0);
    });
  }
  const token = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1]?.trim();
  if (token === undefined || !timingSafeEqual(digest(token), context.expected)) {
    response.setHeader('WWW-Authenticate', 'Bearer');
    const message = token === undefined ? 'a bearer token is required' : 'the bearer token is not valid';
    return send(response, 401, { error: 'Unauthorized', message });
  }
  const url = new URL(request.url ?? '/', 'http://inventory');
  if (request.method !== 'GET' && request.method !== 'HEAD') return notFound(response, url.pathname);
  const detail = parseDetail(url.searchParams.get('detail'));
  if (detail === undefined) {
    return send(response, 400, {
      error: 'BadRequest',
      message: `detail "${url.searchParams.get('detail')}" is not a number or "all"`,
    });
  }
  const name = url.searchParams.get('name');
  const parts = url.pathname
    .split('/')
    .filter((part) => part !== '')
    .map(decodeSegment);

  const route = routeOf(parts);
  counts.byRoute[route] = (counts.byRoute[route] ?? 0) + 1;
  if (parts[0] !== 'providers') return notFound(response, url.pathname);
  if (parts.length === 1) return send(response, 200, { vsphere: [providerResource(data, detail)] });
  if (parts[1] !== 'vsphere') return notFound(response, url.pathname);
  if (parts.length === 2) return send(response, 200, [providerResource(data, detail)]);
  if (parts[2] !== data.provider.uid) {
    response.setHeader('X-Reason', 'ProviderNotFound');
    return notFound(response, url.pathname);
  }
  if (!(await context.sync.parity())) {
    counts.partialContent++;
    response.writeHead(206, { 'Content-Length': 0 });
    response.end();
    return;
  }
  if (parts.length === 3) return send(response, 200, providerResource(data, MAX_DETAIL));

  const found = Object.hasOwn(COLLECTIONS, parts[3]) ? COLLECTIONS[parts[3]](data) : undefined;
  if (found === undefined || parts.length > 5) return notFound(response, url.pathname);
  const { items, render } = found;
  if (parts.length === 4) {
    // Forklift's ?name= matches the last segment of a path such as "Datacenter/vm/app-01"
    const wanted = name === null ? undefined : name.split('/').pop();
    const kept = items.filter((item) => wanted === undefined || item.name === wanted);
    return send(
      response,
      200,
      kept.map((item) => render(item, detail)),
    );
  }
  const item = items.find((candidate) => candidate.id === parts[4]);
  if (item === undefined) return notFound(response, url.pathname);
  return send(response, 200, render(item, MAX_DETAIL));
}

/** The route a request's path takes, for the counts: `providers`, `provider`, `vms`, `vms/:id`, or `other`. */
function routeOf(parts: string[]): string {
  if (parts[0] !== 'providers' || parts.length > 5) return 'other';
  if (parts.length <= 2) return 'providers';
  if (parts.length === 3) return 'provider';
  if (!Object.hasOwn(COLLECTIONS, parts[3])) return 'other';
  return parts.length === 4 ? parts[3] : `${parts[3]}/:id`;
}

/** A path segment decoded; a malformed escape stays as written (and then matches nothing: 404). */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Forklift's `detail` query parameter: absent = 0, "all" = everything, else an integer; undefined = bad. */
function parseDetail(value: string | null): number | undefined {
  if (value === null || value === '') return 0;
  if (value.toLowerCase() === 'all') return MAX_DETAIL;
  return /^-?[0-9]+$/.test(value) ? Number(value) : undefined;
}

function notFound(response: ServerResponse, path: string) {
  send(response, 404, { error: 'NotFound', message: `${path} is not in the inventory` });
}

function send(response: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  // set, not passed to writeHead, so that the byte count reads Content-Length back
  response.setHeader('Content-Type', 'application/json; charset=utf-8');
  response.setHeader('Content-Length', Buffer.byteLength(text));
  response.writeHead(status);
  response.end(response.req.method === 'HEAD' ? undefined : text);
}

/** Fixed-length digests let timingSafeEqual compare tokens of any length. */
function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
