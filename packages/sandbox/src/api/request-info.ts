/**
 * kube's RequestInfoFactory: what a resource URL names (group, version, namespace, resource, name, subresource)
 * and which verb the method means (get/list/watch/create/update/patch/delete/deletecollection).
 */
import { queryFlag } from './http-io.js';

export interface RequestInfo {
  verb: string;
  group: string;
  version: string;
  namespace?: string;
  resource: string;
  name?: string;
  subresource?: string;
  /** Path parts after the subresource (the service proxy's target path). */
  rest: string[];
}

const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

/** Parses `/api/v1/...` or `/apis/GROUP/VERSION/...`; undefined for any other path or one without a resource. */
export function parseRequestInfo(method: string, pathname: string, query: URLSearchParams): RequestInfo | undefined {
  const segments = pathname
    .split('/')
    .filter((segment) => segment !== '')
    .map(decodeURIComponent);
  let group: string;
  let version: string;
  let parts: string[];
  if (segments[0] === 'api' && segments.length >= 3) {
    group = '';
    version = segments[1];
    parts = segments.slice(2);
  } else if (segments[0] === 'apis' && segments.length >= 4) {
    group = segments[1];
    version = segments[2];
    parts = segments.slice(3);
  } else return undefined;

  let watchPath = false;
  if (parts[0] === 'watch') {
    watchPath = true;
    parts = parts.slice(1);
  }
  let namespace: string | undefined;
  if (parts[0] === 'namespaces' && parts.length > 1) {
    namespace = parts[1];
    if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2])) parts = parts.slice(2);
  }
  if (parts.length === 0) return undefined;
  const [resource, name, subresource, ...rest] = parts;

  let verb: string;
  switch (method) {
    case 'GET':
    case 'HEAD':
      verb =
        watchPath || (name === undefined && queryFlag(query, 'watch')) ? 'watch' : name === undefined ? 'list' : 'get';
      if (name !== undefined && queryFlag(query, 'watch')) verb = 'watch';
      break;
    case 'POST':
      verb = 'create';
      break;
    case 'PUT':
      verb = 'update';
      break;
    case 'PATCH':
      verb = 'patch';
      break;
    case 'DELETE':
      verb = name === undefined ? 'deletecollection' : 'delete';
      break;
    default:
      verb = method.toLowerCase();
  }
  return { verb, group, version, namespace, resource, name, subresource, rest };
}
