/**
 * LIST with label and field selectors and limit/continue paging. The continue token is kube's shape (base64 of
 * {"v","rv","start"}); later pages read the objects as they are now, keyed after the last one returned.
 */
import type { KubeObject } from '../../cluster-store.js';
import { badRequest } from '../api-error.js';
import { sendJson } from '../http-io.js';
import { apiVersionOf } from '../resource-type.js';
import { parseFieldSelector, parseLabelSelector } from '../selectors.js';
import { parseIncludeObject, toTable, wantsTable } from '../table.js';
import type { ResourceCall } from './api-context.js';

interface ContinueToken {
  v: string;
  rv: number;
  start: string;
}

function objectKey(object: KubeObject): string {
  return `${object.metadata.namespace ?? ''}/${object.metadata.name}`;
}

function encodeContinue(rv: number, lastKey: string): string {
  const token: ContinueToken = { v: 'meta.k8s.io/v1', rv, start: `${lastKey}\u0000` };
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decodeContinue(text: string): ContinueToken {
  try {
    const token = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as ContinueToken;
    if (token.v !== 'meta.k8s.io/v1' || typeof token.start !== 'string') throw new Error('unknown version');
    return token;
  } catch (error) {
    throw badRequest(`continue key is not valid: ${error instanceof Error ? error.message : error}`);
  }
}

/** The objects of the call's resource (and namespace) its selectors match, in key order. */
export function selectObjects(call: ResourceCall): KubeObject[] {
  const { ctx, info, type, query } = call;
  const labels = parseLabelSelector(query.get('labelSelector'));
  const fields = parseFieldSelector(type, query.get('fieldSelector'));
  const namespace = type.namespaced ? info.namespace : undefined;
  return ctx.store.list(type.name, namespace).filter((object) => labels(object) && fields(object));
}

export function handleList(call: ResourceCall): void {
  const { ctx, type, query, req, res } = call;
  let items = selectObjects(call);
  let resourceVersion = ctx.store.resourceVersion;
  const continueText = query.get('continue');
  if (continueText) {
    const token = decodeContinue(continueText);
    resourceVersion = token.rv;
    items = items.filter((object) => `${objectKey(object)}\u0000` > token.start);
  }
  const metadata: Record<string, unknown> = { resourceVersion: String(resourceVersion) };
  const limit = Number(query.get('limit') ?? 0);
  if (Number.isInteger(limit) && limit > 0 && items.length > limit) {
    const remaining = items.length - limit;
    items = items.slice(0, limit);
    metadata.continue = encodeContinue(resourceVersion, objectKey(items[items.length - 1]));
    metadata.remainingItemCount = remaining;
  }
  if (wantsTable(req.headers.accept)) {
    const includeObject = parseIncludeObject(query.get('includeObject'));
    sendJson(res, 200, toTable(type, items, { now: ctx.clock(), includeObject, listMeta: metadata }));
    return;
  }
  // kube encodes built-in list items without their kind and apiVersion; custom resources keep them
  const listItems = type.custom ? items : items.map(({ apiVersion: _a, kind: _k, ...rest }) => rest);
  sendJson(res, 200, { kind: type.listKind, apiVersion: apiVersionOf(type), metadata, items: listItems });
}
