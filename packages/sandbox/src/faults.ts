/**
 * Fault injection for the sandbox's API server, through its request interceptor: a share of resource requests
 * answered 429 (with Retry-After), 500, 503 or a reset connection; every watch cut after N events; every request
 * held for a latency. Discovery, OpenAPI, /version and health checks are never faulted (clients cannot start
 * without them), but they are delayed like everything else.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { seededRandom } from '@kubectl-mtv/engine';
import {
  ApiError,
  badRequest,
  conflict,
  expired,
  forbidden,
  internalError,
  notFound,
  serviceUnavailable,
  tooManyRequests,
  unauthorized,
} from './api/api-error.js';
import { sendError } from './api/http-io.js';
import type { RequestInfo } from './api/request-info.js';

/** What a faulted request gets, in the order faults take turns. */
export const FAULT_KINDS = ['429', '500', '503', 'reset'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultOptions {
  /** Share of resource requests answered with a fault, 0..1 (default 0). */
  rate?: number;
  /** Seed of the draws that pick the faulted requests: the same seed and requests give the same faults. */
  seed?: number;
  /** Each watch is cut (its connection destroyed) once it has sent this many events; bookmarks do not count. */
  watchDropEvery?: number;
  /** Milliseconds every request waits before it is served (default 0). */
  latencyMs?: number;
  /** Start with faults off until `setEnabled(true)` (a test that spares a client's start-up). Default false. */
  startDisabled?: boolean;
  /**
   * Every Nth watch that resumes from a resourceVersion gets the 410 Expired ERROR event a compacted history gives
   * (as if the events since had been dropped), so the client must re-list.
   */
  expireResumeEvery?: number;
  /** Chosen requests answered with a chosen status (a webhook that refuses one object, a token that expires). */
  answers?: ScriptedAnswer[];
}

/** The statuses a scripted answer can give, each worded as kube-apiserver words it. */
export const SCRIPTED_STATUSES = [400, 401, 403, 404, 409, 422, 429, 500, 503] as const;
export type ScriptedStatus = (typeof SCRIPTED_STATUSES)[number];

/**
 * Requests of `verb` on `resource` answered with `status`: the first `after` such requests are served, the next
 * `count` (default 1; Infinity for every one after) get the answer. Counted whether faults are enabled or not.
 */
export interface ScriptedAnswer {
  /** kube's verb: get, list, create, update, patch, delete, watch. */
  verb: string;
  /** The plural: datavolumes, leases, ... */
  resource: string;
  status: ScriptedStatus;
  after?: number;
  count?: number;
}

/** What the injector has done so far. */
export interface FaultCounts {
  injected: number;
  byKind: Record<FaultKind, number>;
  watchesDropped: number;
  /** Resuming watches answered 410 Expired by `expireResumeEvery`. */
  resumesExpired: number;
}

/**
 * Which requests fail and how: one seeded draw per request decides whether it fails (probability `rate`); the kinds
 * take turns, so each gets a quarter of the faults exactly (a draw per kind would leave small runs lopsided).
 */
export class FaultSchedule {
  private readonly random: () => number;
  private turn = 0;

  constructor(
    readonly rate: number,
    seed: number,
  ) {
    if (!(rate >= 0 && rate <= 1)) throw new RangeError(`FaultSchedule: rate must be from 0 to 1, got ${rate}`);
    if (!Number.isSafeInteger(seed)) throw new RangeError(`FaultSchedule: seed must be an integer, got ${seed}`);
    this.random = seededRandom(seed);
  }

  /** The fault for the next request, or undefined when it is served. */
  next(): FaultKind | undefined {
    if (this.rate === 0 || this.random() >= this.rate) return undefined;
    const kind = FAULT_KINDS[this.turn % FAULT_KINDS.length];
    this.turn++;
    return kind;
  }
}

/** A watch stream starts each event line so; bookmarks are the server's heartbeat, not events a client asked for. */
const BOOKMARK_LINE = '{"type":"BOOKMARK"';

/** The faults one sandbox injects; `intercept` is its part of the API server's interceptor. */
export class FaultInjector {
  private readonly schedule: FaultSchedule;
  private readonly latencyMs: number;
  private readonly watchDropEvery?: number;
  private readonly expireResumeEvery?: number;
  private resumes = 0;
  private enabled: boolean;
  private readonly answers: { rule: ScriptedAnswer; seen: number }[];
  private readonly tally: FaultCounts = {
    injected: 0,
    byKind: { '429': 0, '500': 0, '503': 0, reset: 0 },
    watchesDropped: 0,
    resumesExpired: 0,
  };

  constructor(options: FaultOptions = {}) {
    const { rate = 0, seed = 1, watchDropEvery, latencyMs = 0, expireResumeEvery, startDisabled = false } = options;
    this.enabled = !startDisabled;
    if (watchDropEvery !== undefined && !(Number.isSafeInteger(watchDropEvery) && watchDropEvery >= 1)) {
      throw new RangeError(`FaultInjector: watchDropEvery must be a whole number >= 1, got ${watchDropEvery}`);
    }
    if (expireResumeEvery !== undefined && !(Number.isSafeInteger(expireResumeEvery) && expireResumeEvery >= 1)) {
      throw new RangeError(`FaultInjector: expireResumeEvery must be a whole number >= 1, got ${expireResumeEvery}`);
    }
    this.expireResumeEvery = expireResumeEvery;
    if (!(Number.isFinite(latencyMs) && latencyMs >= 0)) {
      throw new RangeError(`FaultInjector: latencyMs must be >= 0, got ${latencyMs}`);
    }
    this.schedule = new FaultSchedule(rate, seed);
    this.latencyMs = latencyMs;
    this.watchDropEvery = watchDropEvery;
    this.answers = (options.answers ?? []).map((rule) => {
      if (!SCRIPTED_STATUSES.includes(rule.status)) {
        throw new RangeError(
          `FaultInjector: answers[].status must be one of ${SCRIPTED_STATUSES.join(', ')}, got ${rule.status}`,
        );
      }
      return { rule, seen: 0 };
    });
  }

  /** Turns the faults (not the latency) on or off; off, requests are served and draw nothing from the seed. */
  setEnabled(enabled: boolean): void {
    this.enabled = enabled;
  }

  /** The scripted answer this request gets, if a rule picks it (every matching rule counts the request). */
  private scripted(info: RequestInfo): ApiError | undefined {
    let answer: ApiError | undefined;
    for (const entry of this.answers) {
      const { rule } = entry;
      if (rule.verb !== info.verb || rule.resource !== info.resource) continue;
      entry.seen++;
      const after = rule.after ?? 0;
      if (answer === undefined && entry.seen > after && entry.seen <= after + (rule.count ?? 1)) {
        answer = scriptedError(rule.status, info);
      }
    }
    return answer;
  }

  counts(): FaultCounts {
    return { ...this.tally, byKind: { ...this.tally.byKind } };
  }

  /** Delays the request, then answers it with a fault (true) or lets it through (false), cutting watches on the way. */
  async intercept(req: IncomingMessage, res: ServerResponse, info: RequestInfo | undefined): Promise<boolean> {
    if (this.latencyMs > 0) await delay(this.latencyMs);
    if (info === undefined) return false;
    const scripted = this.scripted(info);
    if (scripted !== undefined) {
      this.tally.injected++;
      sendError(res, scripted);
      return true;
    }
    if (this.enabled) {
      const kind = this.schedule.next();
      if (kind !== undefined) {
        this.tally.injected++;
        this.tally.byKind[kind]++;
        answer(kind, req, res);
        return true;
      }
      if (info.verb === 'watch' && this.expireResumeEvery !== undefined && resumesFrom(req)) {
        this.resumes++;
        if (this.resumes % this.expireResumeEvery === 0) {
          this.tally.resumesExpired++;
          answerExpired(req, res);
          return true;
        }
      }
    }
    // a watch opened while faults are off is cut too once they are on: it counts only the events sent from then
    if (info.verb === 'watch' && this.watchDropEvery !== undefined) {
      cutAfterEvents(
        res,
        this.watchDropEvery,
        () => this.tally.watchesDropped++,
        () => this.enabled,
      );
    }
    return false;
  }
}

/** A scripted status as kube-apiserver would send it for this request. */
function scriptedError(status: ScriptedStatus, info: RequestInfo): ApiError {
  const resource = { group: info.group, plural: info.resource };
  const name = info.name ?? '';
  const why = 'fault injected by the sandbox';
  switch (status) {
    case 400:
      return badRequest(why);
    case 401:
      return unauthorized();
    case 403:
      return forbidden(resource, name, why);
    case 404:
      return notFound(resource, name);
    case 409:
      return conflict(resource, name, why);
    case 422:
      return new ApiError(422, 'Invalid', `${info.resource} "${name}" is invalid: ${why}`);
    case 429:
      return tooManyRequests(0);
    case 500:
      return internalError(why);
    case 503:
      return serviceUnavailable(why);
  }
}

/** A watch that names a resourceVersion to resume from ("0" and none start from now). */
function resumesFrom(req: IncomingMessage): boolean {
  const from = new URL(req.url ?? '/', 'http://sandbox').searchParams.get('resourceVersion');
  return from !== null && from !== '' && from !== '0';
}

/** What kube-apiserver sends a watch whose resourceVersion is older than its history: 200, one ERROR event. */
function answerExpired(req: IncomingMessage, res: ServerResponse): void {
  const from = new URL(req.url ?? '/', 'http://sandbox').searchParams.get('resourceVersion');
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
  const status = expired(`too old resource version: ${from} (fault injected by the sandbox)`).toStatus();
  res.end(`${JSON.stringify({ type: 'ERROR', object: status })}\n`);
}

function answer(kind: FaultKind, req: IncomingMessage, res: ServerResponse): void {
  switch (kind) {
    case '429':
      sendError(res, tooManyRequests(1));
      break;
    case '500':
      sendError(res, internalError('fault injected by the sandbox'));
      break;
    case '503':
      sendError(res, serviceUnavailable('the server is currently unable to handle the request'));
      break;
    case 'reset':
      req.socket.destroy();
  }
}

/**
 * Lets a watch response send `every` events, then destroys its connection once the last of them is flushed: the
 * client sees exactly `every` events and then a broken stream, as when a load balancer drops a watch. Writes after
 * the cut are swallowed.
 */
function cutAfterEvents(res: ServerResponse, every: number, onCut: () => void, enabled: () => boolean): void {
  const write = res.write.bind(res) as (chunk: unknown, callback?: () => void) => boolean;
  let sent = 0;
  let cut = false;
  res.write = ((chunk: unknown) => {
    if (cut) return true;
    if (typeof chunk !== 'string' || chunk.startsWith(BOOKMARK_LINE) || !enabled()) return write(chunk);
    sent++;
    if (sent < every) return write(chunk);
    cut = true;
    onCut();
    return write(chunk, () => res.destroy());
  }) as typeof res.write;
}

/**
 * A VM whose guest conversion fails in the sandbox's conversion controller (forklift/conversion-controller.ts): its
 * virt-v2v pod exits non-zero half way, so its Conversion ends Failed (`The conversion has failed: conversion pod
 * failed`, as Forklift words it) and `message`, virt-v2v's error, is told in a Warning Event on the pod.
 */
export interface ConversionFault {
  /** The VM's name or inventory id (the Conversion's spec.vm). */
  vm: string;
  message: string;
}

/** `VM=MESSAGE` (a --fail-conversion value) as a ConversionFault; a missing `=` or empty part is refused. */
export function parseConversionFault(text: string): ConversionFault {
  const at = text.indexOf('=');
  const vm = at > 0 ? text.slice(0, at).trim() : '';
  const message = at > 0 ? text.slice(at + 1).trim() : '';
  if (!vm || !message) {
    throw new RangeError(`a conversion fault is VM=MESSAGE (e.g. "app-01=virt-v2v: inspection failed"), got "${text}"`);
  }
  return { vm, message };
}
