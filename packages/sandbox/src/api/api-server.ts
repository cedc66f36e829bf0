/**
 * The sandbox's Kubernetes-compatible API server, in process: what kubectl 1.32 and @kubernetes/client-node need
 * from kube-apiserver, over HTTPS (given a certificate) or plain HTTP, behind one bearer token.
 *
 * Where it knowingly differs from kube-apiserver: discovery is unaggregated (kubectl falls back to it); strategic
 * merge patches of custom resources are applied as merge patches (kube: 415); server-side apply is a merge patch of
 * the applied object (no managedFields); lists ignore resourceVersion and continue tokens page over the current
 * objects; built-in kinds are checked for unknown fields at the top level only; garbage collection and namespace
 * deletion happen at once; protobuf bodies are decoded only for what `kubectl create <kind>` and `kubectl auth
 * can-i` send; /openapi/v2 is served as JSON only.
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { ClusterStore } from '../cluster-store.js';
import { Authorizer } from './auth.js';
import { ControllerStore } from './controller-store.js';
import type { MtvRelease } from './crd-loader.js';
import type { ActiveWatch, ApiContext } from './handlers/api-context.js';
import { ObjectStore } from './object-store.js';
import { ObjectWriter } from './object-writer.js';
import { ResourceRegistry } from './resource-registry.js';
import { createRouter, type RequestInterceptor } from './router.js';
import { SchemaValidator } from './schema-validation.js';

export interface ApiServerOptions {
  /** TCP port; 0 (the default) takes any free one. */
  port?: number;
  host?: '127.0.0.1';
  /** The bearer token every request must carry. */
  token: string;
  /**
   * PEM certificate and key; absent = plain HTTP. With `clientCa`, a client certificate that CA signed authenticates
   * a request as its CN, as a bearer token does.
   */
  tls?: { cert: string; key: string; clientCa?: string };
  /**
   * Serve requests without an Authorization header (a wrong token is still 401), as kube-apiserver's anonymous
   * authentication with a permissive RBAC would. Needed for kubectl over plain HTTP: the kubectl 1.32 on these
   * machines sends its bearer token only over TLS. client-node sends it over HTTP too.
   */
  allowAnonymous?: boolean;
  /** Watch events kept for resuming (default 10000); older resourceVersions get 410 Gone. */
  historyLimit?: number;
  clock?: () => Date;
  /** "VERB:RESOURCE" rules answered 403 Forbidden (and allowed=false in access reviews), e.g. "create:datavolumes". */
  deny?: string[];
  /** The user the token stands for, as 403 messages name it (default "sandbox-admin"). */
  user?: string;
  /** Milliseconds between watch BOOKMARKs when a client allows them (default 5000). */
  bookmarkIntervalMs?: number;
  /** The MTV release whose Forklift CRDs are served (default the newest). */
  mtvRelease?: MtvRelease;
  /** Sees each authenticated request first; answers it itself by returning true (fault injection, stats). */
  intercept?: RequestInterceptor;
}

export interface ApiServer {
  /** `https://127.0.0.1:PORT` or `http://...`. */
  url: string;
  store: ClusterStore;
  /** Ends every running watch abruptly, as a dropped connection would; returns how many. */
  dropWatches(): number;
  close(): Promise<void>;
}

/** The namespaces every cluster starts with. */
const SYSTEM_NAMESPACES = ['default', 'kube-node-lease', 'kube-public', 'kube-system'];

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  if (!options.token) throw new Error('startApiServer needs a non-empty token');
  const clock = options.clock ?? (() => new Date());
  const registry = ResourceRegistry.standard(options.mtvRelease);
  const store = new ObjectStore(options.historyLimit ?? 10_000);
  const writer = new ObjectWriter(
    store,
    new SchemaValidator(),
    clock,
    (apiVersion, kind) => registry.byKind(apiVersion, kind),
    () => registry.types,
  );
  const watches = new Set<ActiveWatch>();
  const ctx: ApiContext = {
    registry,
    store,
    writer,
    authorizer: new Authorizer(options.deny ?? [], options.user ?? 'sandbox-admin'),
    clock,
    watches,
    bookmarkIntervalMs: options.bookmarkIntervalMs ?? 5000,
  };
  const controllerStore = new ControllerStore(store, writer, registry);
  for (const name of SYSTEM_NAMESPACES) {
    controllerStore.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }

  const host = options.host ?? '127.0.0.1';
  let server: Server;
  const router = createRouter(ctx, {
    token: options.token,
    allowAnonymous: options.allowAnonymous,
    serverAddress: () => `${host}:${(server.address() as AddressInfo).port}`,
    intercept: options.intercept,
  });
  server = options.tls
    ? createHttpsServer(
        {
          cert: options.tls.cert,
          key: options.tls.key,
          // ask for a certificate, and judge the request by it in the router (a token still works without one)
          ...(options.tls.clientCa !== undefined && {
            requestCert: true,
            rejectUnauthorized: false,
            ca: [options.tls.clientCa],
          }),
        },
        router,
      )
    : createHttpServer(router);
  // watches are long-lived: no request timeout
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const dropWatches = (): number => {
    const running = [...watches];
    for (const watch of running) watch.drop();
    return running.length;
  };
  return {
    url: `${options.tls ? 'https' : 'http'}://${host}:${port}`,
    store: controllerStore,
    dropWatches,
    close: () =>
      new Promise<void>((resolve, reject) => {
        dropWatches();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
