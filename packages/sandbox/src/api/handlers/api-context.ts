import type { IncomingMessage, ServerResponse } from 'node:http';
import { badRequest } from '../api-error.js';
import type { Authorizer } from '../auth.js';
import type { ObjectStore } from '../object-store.js';
import type { FieldValidation, ObjectWriter } from '../object-writer.js';
import type { RequestInfo } from '../request-info.js';
import type { ResourceRegistry } from '../resource-registry.js';
import type { ResourceType } from '../resource-type.js';

/** A watch being streamed; `drop` ends its connection abruptly (a dropped watch, or server shutdown). */
export interface ActiveWatch {
  drop(): void;
}

/** What every handler may use: one per server. */
export interface ApiContext {
  registry: ResourceRegistry;
  store: ObjectStore;
  writer: ObjectWriter;
  authorizer: Authorizer;
  clock: () => Date;
  watches: Set<ActiveWatch>;
  /** Milliseconds between BOOKMARK events of a watch that allows them. */
  bookmarkIntervalMs: number;
}

/** One request to a resource, resolved. */
export interface ResourceCall {
  ctx: ApiContext;
  info: RequestInfo;
  type: ResourceType;
  query: URLSearchParams;
  req: IncomingMessage;
  res: ServerResponse;
}

/** `dryRun=All` (query) or `dryRun: ["All"]` (DeleteOptions body). */
export function isDryRun(query: URLSearchParams, body?: { dryRun?: unknown }): boolean {
  const values = [...query.getAll('dryRun'), ...(Array.isArray(body?.dryRun) ? body.dryRun : [])];
  for (const value of values) {
    if (value !== 'All') throw badRequest(`Invalid value: ${JSON.stringify(value)}: dryRun: supported values: "All"`);
  }
  return values.length > 0;
}

export function fieldValidationOf(query: URLSearchParams): FieldValidation | undefined {
  const value = query.get('fieldValidation');
  if (value === null || value === '') return undefined;
  if (value === 'Strict' || value === 'Warn' || value === 'Ignore') return value;
  throw badRequest(
    `fieldValidation: Invalid value: ${JSON.stringify(value)}: fieldValidation must be one of "Ignore", "Warn", or "Strict"`,
  );
}

/** The namespace a namespaced write targets: the URL's; a different one in the body is a 400, as in kube. */
export function bodyNamespace(call: ResourceCall, metadata: { namespace?: string }): void {
  if (!call.type.namespaced) return;
  if (metadata.namespace && metadata.namespace !== call.info.namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  metadata.namespace = call.info.namespace;
}
