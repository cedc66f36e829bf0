/**
 * Dispatch of every request: authentication first (401 on any path), then the optional interceptor (faults,
 * stats), then discovery and OpenAPI, then resources, where the verb is checked against what the resource allows
 * (405), the deny rules (403), and the request handed to its verb's handler.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { methodNotAllowed, pathNotFound, toApiError, unauthorized } from './api-error.js';
import { authenticated, certificateUser } from './auth.js';
import { apiGroupDocument, apiGroupList, apiResourceList, apiVersions, SERVER_VERSION } from './discovery.js';
import type { ApiContext, ResourceCall } from './handlers/api-context.js';
import { handleCreate } from './handlers/create.js';
import { handleDelete, handleDeleteCollection } from './handlers/delete.js';
import { handleGet } from './handlers/get.js';
import { handleList } from './handlers/list.js';
import { handlePatch } from './handlers/patch.js';
import { handleServiceProxy } from './handlers/service-proxy.js';
import { handleUpdate } from './handlers/update.js';
import { handleWatch } from './handlers/watch.js';
import { sendError, sendJson } from './http-io.js';
import { openApiV2, openApiV3GroupVersion, openApiV3Root } from './openapi.js';
import { parseRequestInfo, type RequestInfo } from './request-info.js';

/**
 * Sees every authenticated request before it is served; returns (or resolves to) true when it answered the request
 * itself. A promise holds the request until it settles (injected latency).
 */
export type RequestInterceptor = (
  req: IncomingMessage,
  res: ServerResponse,
  info: RequestInfo | undefined,
) => boolean | Promise<boolean>;

export interface RouterOptions {
  token: string;
  /** Serve requests that carry no Authorization header at all (a wrong token is still 401). */
  allowAnonymous?: boolean;
  /** host:port, as /api reports it. */
  serverAddress: () => string;
  intercept?: RequestInterceptor;
}

const PROXY_VERBS: Record<string, string> = {
  GET: 'get',
  HEAD: 'get',
  POST: 'create',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
};

function discovery(ctx: ApiContext, options: RouterOptions, segments: string[], memo: Map<string, unknown>): unknown {
  const path = segments.join('/');
  const cached = (key: string, make: () => unknown) => {
    if (!memo.has(key)) memo.set(key, make());
    return memo.get(key);
  };
  if (path === 'version') return SERVER_VERSION;
  if (path === 'api') return apiVersions(options.serverAddress());
  if (segments[0] === 'api' && segments.length === 2) return apiResourceList(ctx.registry, '', segments[1]);
  if (path === 'apis') return apiGroupList(ctx.registry);
  if (segments[0] === 'apis' && segments.length === 2) return apiGroupDocument(ctx.registry, segments[1]);
  if (segments[0] === 'apis' && segments.length === 3) return apiResourceList(ctx.registry, segments[1], segments[2]);
  if (path === 'openapi/v2') return cached(path, () => openApiV2(ctx.registry));
  if (path === 'openapi/v3') return cached(path, () => openApiV3Root(ctx.registry));
  if (segments[0] === 'openapi' && segments[1] === 'v3') {
    const [, , prefix, a, b] = segments;
    if (prefix === 'api' && a && !b) return cached(path, () => openApiV3GroupVersion(ctx.registry, '', a));
    if (prefix === 'apis' && a && b) return cached(path, () => openApiV3GroupVersion(ctx.registry, a, b));
  }
  return undefined;
}

async function serveResource(
  ctx: ApiContext,
  info: RequestInfo,
  call: Omit<ResourceCall, 'type' | 'info'>,
): Promise<void> {
  const type = ctx.registry.byUrl(info.group, info.version, info.resource);
  if (!type) throw pathNotFound();
  if (type.namespaced && info.namespace === undefined && info.name !== undefined) throw pathNotFound();
  if (!type.namespaced && info.namespace !== undefined && type.name !== 'namespaces') throw pathNotFound();
  const resourceCall: ResourceCall = { ...call, info, type };
  if (info.subresource === 'proxy' && type.name === 'services' && info.name) {
    const verb = PROXY_VERBS[call.req.method ?? 'GET'] ?? 'get';
    ctx.authorizer.authorize(type, {
      verb,
      group: '',
      resource: 'services',
      subresource: 'proxy',
      namespace: info.namespace,
      name: info.name,
    });
    handleServiceProxy(resourceCall);
    return;
  }
  if (info.subresource !== undefined && !(info.subresource === 'status' && type.statusSubresource))
    throw pathNotFound();
  if (info.subresource && !['get', 'update', 'patch'].includes(info.verb)) throw methodNotAllowed();
  if (!type.verbs.includes(info.verb)) throw methodNotAllowed();
  if (info.verb === 'create' && info.name !== undefined) throw methodNotAllowed();
  if (type.namespaced && info.namespace === undefined && ['create', 'deletecollection'].includes(info.verb)) {
    throw methodNotAllowed();
  }
  ctx.authorizer.authorize(type, {
    verb: info.verb,
    group: type.group,
    resource: type.plural,
    subresource: info.subresource,
    namespace: type.namespaced ? info.namespace : undefined,
    name: info.name,
  });
  switch (info.verb) {
    case 'get':
      return handleGet(resourceCall);
    case 'list':
      return handleList(resourceCall);
    case 'watch':
      return handleWatch(resourceCall);
    case 'create':
      return handleCreate(resourceCall);
    case 'update':
      return handleUpdate(resourceCall);
    case 'patch':
      return handlePatch(resourceCall);
    case 'delete':
      return handleDelete(resourceCall);
    case 'deletecollection':
      return handleDeleteCollection(resourceCall);
    default:
      throw methodNotAllowed();
  }
}

/** The server's request listener. */
export function createRouter(
  ctx: ApiContext,
  options: RouterOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const memo = new Map<string, unknown>();
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const query = url.searchParams;
    const serve = async (): Promise<void> => {
      const anonymous = options.allowAnonymous === true && req.headers.authorization === undefined;
      const known = authenticated(req, options.token) || certificateUser(req) !== undefined;
      if (!anonymous && !known) throw unauthorized();
      const info = parseRequestInfo(req.method ?? 'GET', url.pathname, query);
      if (await options.intercept?.(req, res, info)) return;
      const segments = url.pathname.split('/').filter((segment) => segment !== '');
      if (['healthz', 'livez', 'readyz'].includes(segments[0] ?? '') && segments.length === 1) {
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('ok');
        return;
      }
      if (!info && req.method === 'GET') {
        const document = discovery(ctx, options, segments, memo);
        if (document !== undefined) {
          sendJson(res, 200, document);
          return;
        }
      }
      if (!info) throw pathNotFound();
      await serveResource(ctx, info, { ctx, query, req, res });
    };
    serve().catch((error: unknown) => sendError(res, toApiError(error)));
  };
}
