/**
 * What a run that knows no bandwidth does (`simulate --blind`): the simulated hosts and importers keep the workload's
 * bandwidths and rates (the bandwidth model), while the simulated runner plans from a view with every host uncapped
 * and one assumed importer rate, reads whole-percent progress every few seconds per disk as CDI publishes it,
 * learns through AdaptiveAdmission exactly as `migrate` does, and re-plans with what it learned.
 */
import { maxMinRates } from '../bandwidth.js';
import { createPolicy } from '../create-policy.js';
import type { SchedulerOptions, Workload } from '../model.js';
import type { AdoptedState, Caps, Policy } from '../policy.js';
import { INSTANT_SECONDS, type Timeline } from '../run-schedule.js';
import type { BlindFacts, SimulationResult } from '../simulation-result.js';
import { resultOfTimeline } from '../simulator.js';
import {
  AdaptiveAdmission,
  type AdaptiveSettings,
  DEFAULT_ADAPTIVE_SETTINGS,
  type KnownThroughput,
  type Learned,
} from './adaptive-admission.js';

export interface BlindOptions {
  /** Bytes/s the runner assumes per importer before it measures (migrate's planning rate). */
  planningRate: number;
  /** Seconds between two progress publications of one import (CDI's status updates; the sandbox's: 2). */
  publishSeconds: number;
  settings?: AdaptiveSettings;
  /** What an earlier run learned (the cluster's record). */
  known?: KnownThroughput;
  /** false: admit up to the caps only, learning nothing (`--no-adaptive`). */
  adaptive?: boolean;
}

export interface BlindResult extends Timeline {
  learned: Learned;
  /** Re-plans made with learned figures. */
  replans: number;
  /** When each host's bandwidth was first learned (seconds), by host name; absent for hosts that never saturated. */
  learnedAt: Record<string, number>;
}

/** The planning view of a workload: its hosts uncapped, every disk at the assumed rate. */
export function blindView(truth: Workload, planningRate: number): Workload {
  return {
    ...truth,
    hosts: truth.hosts.map((h) => ({ ...h, bandwidth: Infinity })),
    disks: truth.disks.map((d) => ({ ...d, rate: planningRate })),
    networkBandwidth: Infinity,
  };
}

export function simulateBlind(truth: Workload, options: SchedulerOptions, blind: BlindOptions): BlindResult {
  const n = truth.disks.length;
  const start = new Float64Array(n).fill(Number.NaN);
  const end = new Float64Array(n).fill(Number.NaN);
  const remaining = new Float64Array(n);
  const nextPublish = new Float64Array(n);
  const view = blindView(truth, blind.planningRate);
  const adaptive =
    blind.adaptive === false
      ? undefined
      : new AdaptiveAdmission(view, blind.settings ?? DEFAULT_ADAPTIVE_SETTINGS, blind.known);
  const baseCaps: Caps = { maxInFlight: options.maxInFlight, perHost: options.maxInFlightPerHost };
  const withLimits = (): Caps => (adaptive ? { ...baseCaps, hostCaps: adaptive.hostCaps() } : baseCaps);
  // `disk` plans under the limits it runs under: a strategy that needs more room on a host than its limit gives (a
  // whole two-disk VM beside one disk in flight, under a limit of 2) holds the host below its limit, where its limiter
  // measures nothing and never climbs
  let policy: Policy = createPolicy(adaptive ? adaptive.planningWorkload() : view, options, undefined, withLimits());
  policy.setCaps(withLimits());
  const inFlight: number[] = [];
  const hostInFlight = truth.hosts.map(() => 0);
  const done: number[] = [];
  const learnedAt: Record<string, number> = {};
  let replans = 0;
  let t = 0;
  let peak = 0;

  const admit = () => {
    for (const d of policy.admit()) {
      start[d] = t;
      remaining[d] = truth.disks[d].bytes;
      nextPublish[d] = t + blind.publishSeconds;
      adaptive?.started(d);
      if (remaining[d] <= 0) {
        end[d] = t;
        adaptive?.left(d, t);
        policy.finish(d);
        done.push(d);
        continue;
      }
      inFlight.push(d);
      hostInFlight[truth.disks[d].host]++;
    }
    peak = Math.max(peak, inFlight.length);
  };

  const learn = (): boolean => {
    if (!adaptive) return false;
    const queued = truth.hosts.map(() => false);
    for (const d of policy.queued(Number.MAX_SAFE_INTEGER)) queued[truth.disks[d].host] = true;
    const change = adaptive.update(t, hostInFlight, queued);
    for (const h of adaptive.learned().hosts) if (h.bandwidth !== null) learnedAt[h.name] ??= t;
    if (change.replan) {
      const running = new Map<number, number>();
      for (const d of inFlight) running.set(d, remaining[d]);
      const adopted: AdoptedState = { running, done: [...done] };
      policy = createPolicy(adaptive.planningWorkload(), options, adopted, withLimits());
      replans++;
    }
    if (change.replan || change.limits) policy.setCaps(withLimits());
    return change.replan || change.limits;
  };

  admit();
  while (inFlight.length > 0) {
    const rates = maxMinRates(
      inFlight.map((d) => ({ host: truth.disks[d].host, rate: truth.disks[d].rate })),
      truth.hosts.map((h) => h.bandwidth),
      truth.networkBandwidth,
    );
    let next = Infinity;
    inFlight.forEach((d, i) => {
      next = Math.min(next, t + remaining[d] / rates[i], nextPublish[d]);
    });
    if (!Number.isFinite(next)) throw new Error('simulateBlind: disks in flight but none moves');
    const dt = next - t;
    t = next;
    const still: number[] = [];
    inFlight.forEach((d, i) => {
      remaining[d] -= rates[i] * dt;
      if (remaining[d] / rates[i] <= INSTANT_SECONDS) {
        end[d] = t;
        hostInFlight[truth.disks[d].host]--;
        adaptive?.left(d, t);
        policy.finish(d);
        done.push(d);
        return;
      }
      if (nextPublish[d] <= t + INSTANT_SECONDS) {
        const bytes = truth.disks[d].bytes;
        adaptive?.progress(d, t, Math.floor((100 * (bytes - remaining[d])) / bytes) / 100);
        nextPublish[d] = t + blind.publishSeconds;
      }
      still.push(d);
    });
    inFlight.length = 0;
    inFlight.push(...still);
    // as the runner: learn from the level each host runs at once this instant's admissions are made (a finished disk
    // and the one that takes its slot leave the level as it was), then admit again under limits that moved
    admit();
    if (learn()) admit();
  }
  if (policy.queuedCount > 0) throw new Error(`simulateBlind: ${policy.queuedCount} disks queued but nothing runs`);
  return {
    start,
    end,
    peakInFlight: peak,
    makespan: t,
    learned: adaptive?.learned() ?? { hosts: [], diskRate: null },
    replans,
    learnedAt,
  };
}

/**
 * One policy's blind run as a simulate result (`simulate --blind`): measured against the same lower bound as the
 * clairvoyant row, with what the run assumed and what it learned of each host.
 */
export function simulateWorkloadBlind(
  truth: Workload,
  options: SchedulerOptions,
  blind: BlindOptions,
): SimulationResult {
  const run = simulateBlind(truth, options, blind);
  const facts: BlindFacts = {
    adaptive: blind.adaptive !== false,
    planningRate: blind.planningRate,
    progressEverySeconds: blind.publishSeconds,
    replans: run.replans,
    diskRate: run.learned.diskRate,
    hosts: run.learned.hosts.map((h) => {
      const bandwidth = truth.hosts.find((host) => host.name === h.name)?.bandwidth ?? Infinity;
      return {
        name: h.name,
        bandwidth: h.bandwidth,
        learnedAtSeconds: run.learnedAt[h.name] ?? null,
        limit: h.limit,
        scenarioBandwidth: Number.isFinite(bandwidth) ? bandwidth : null,
      };
    }),
  };
  return { ...resultOfTimeline(truth, options, run, { bandwidth: 'unknown' }), blind: facts };
}
