import type { SchedulerOptions, Workload } from './model.js';

/** The caps the lower bound is taken under: run-wide and per host, Infinity where there is none. */
export interface BoundCaps {
  maxInFlight: number;
  perHost: number;
}

/** The caps the lower bound is taken under: the controller's policies cap hosts only. */
export function boundCaps(options: SchedulerOptions): BoundCaps {
  if (options.policy === 'legacy' || options.policy === 'forklift') {
    return { maxInFlight: Infinity, perHost: options.maxInFlightPerHost ?? options.maxInFlight };
  }
  return { maxInFlight: options.maxInFlight, perHost: options.maxInFlightPerHost ?? Infinity };
}

/**
 * A lower bound of the makespan (seconds): max(the longest single disk at its own rate,
 * total bytes / min(cap x largest disk rate, network), each host's bytes / min(host bandwidth, per-host cap x
 * largest disk rate)). No schedule under these caps and bandwidths can end sooner (but for a VM wider than the cap).
 */
export function lowerBound(workload: Workload, caps: BoundCaps): number {
  if (workload.disks.length === 0) return 0;
  let longest = 0;
  let fastest = 0;
  let total = 0;
  const hostBytes = workload.hosts.map(() => 0);
  for (const d of workload.disks) {
    longest = Math.max(longest, d.bytes / d.rate);
    fastest = Math.max(fastest, d.rate);
    total += d.bytes;
    hostBytes[d.host] += d.bytes;
  }
  let bound = Math.max(longest, total / Math.min(caps.maxInFlight * fastest, workload.networkBandwidth));
  workload.hosts.forEach((h, i) => {
    bound = Math.max(bound, hostBytes[i] / Math.min(h.bandwidth, caps.perHost * fastest));
  });
  return bound;
}
