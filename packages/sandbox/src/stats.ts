/**
 * `GET /sandbox/v1/stats`: what the sandbox has seen and done, for tests and demos that check a client's behaviour
 * from the server's side (how many requests of each verb, how many imports ran at once).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { methodNotAllowed } from './api/api-error.js';
import { sendError, sendJson } from './api/http-io.js';
import type { RequestInfo } from './api/request-info.js';
import type { ImportStats } from './cdi/importer.js';
import type { FaultCounts } from './faults.js';

export const STATS_PATH = '/sandbox/v1/stats';

/** Requests the API server authenticated, the stats requests themselves excepted. */
export interface RequestCounts {
  /** Every request: resource requests and the rest (discovery, OpenAPI, /version, health). */
  total: number;
  /** Resource requests by kube verb: get, list, watch, create, update, patch, delete, deletecollection. */
  byVerb: Record<string, number>;
  /** Resource requests by resource, `plural` for core/v1 and `plural.group` otherwise; a subresource counts for its resource. */
  byResource: Record<string, number>;
  /** Requests for no resource: discovery, OpenAPI, /version, health. */
  nonResource: number;
}

/** The body of `GET /sandbox/v1/stats`. */
export interface SandboxStats {
  requests: RequestCounts;
  /** From the CDI importer; times are simulated seconds. */
  imports: ImportStats;
  faults: FaultCounts;
  /** Simulated seconds since the sandbox started. */
  simulatedSeconds: number;
  /** What the proxy carried (tunnels and forwarded requests), by target `127.0.0.1:PORT`; empty without a proxy. */
  proxy: Record<string, number>;
}

/** Counts requests as the interceptor sees them. */
export class RequestCounter {
  private readonly counts: RequestCounts = { total: 0, byVerb: {}, byResource: {}, nonResource: 0 };

  record(info: RequestInfo | undefined): void {
    this.counts.total++;
    if (info === undefined) {
      this.counts.nonResource++;
      return;
    }
    const resource = info.group ? `${info.resource}.${info.group}` : info.resource;
    this.counts.byVerb[info.verb] = (this.counts.byVerb[info.verb] ?? 0) + 1;
    this.counts.byResource[resource] = (this.counts.byResource[resource] ?? 0) + 1;
  }

  snapshot(): RequestCounts {
    return { ...this.counts, byVerb: { ...this.counts.byVerb }, byResource: { ...this.counts.byResource } };
  }
}

/** True for a request to the stats path (any method: a POST there gets 405, not a resource lookup). */
export function isStatsRequest(req: IncomingMessage): boolean {
  return new URL(req.url ?? '/', 'http://sandbox').pathname === STATS_PATH;
}

/** Answers a stats request: the stats as JSON for GET, 405 Status for any other method. */
export function serveStats(req: IncomingMessage, res: ServerResponse, stats: () => SandboxStats): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendError(res, methodNotAllowed());
    return;
  }
  sendJson(res, 200, stats());
}
