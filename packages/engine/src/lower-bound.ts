import type { DiskTransfer, SchedulerOptions, Workload } from './model.js';

/** The caps the lower bound is taken under: run-wide and per host, Infinity where there is none. */
export interface BoundCaps {
  maxInFlight: number;
  perHost: number;
  /**
   * The controller's rule (legacy, forklift): a VM wider than the per-host cap starts whole on an idle host, so a
   * host may run as many disks as its widest VM. Only the packing bound counts it; false or absent: caps are strict.
   */
  wholeVms?: boolean;
}

/** The caps the lower bound is taken under: the controller's policies cap hosts only. */
export function boundCaps(options: SchedulerOptions): BoundCaps {
  if (options.policy === 'legacy' || options.policy === 'forklift') {
    return { maxInFlight: Infinity, perHost: options.maxInFlightPerHost ?? options.maxInFlight, wholeVms: true };
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

/** The packing bound of `slots` transfer slots over transfers of these seconds, sorted longest first. */
function slotBound(seconds: readonly number[], slots: number): number {
  if (!Number.isFinite(slots) || seconds.length === 0) return 0;
  const busy = seconds.reduce((sum, x) => sum + x, 0) / slots;
  const paired = seconds.length > slots ? seconds[slots - 1] + seconds[slots] : 0;
  return Math.max(busy, paired);
}

/**
 * A bound that counts how disks pack into transfer slots (seconds). Under a cap of C disks in flight, each of C slots
 * copies one disk at a time, at most at that disk's own rate (p = bytes / rate): the run takes at least the slots'
 * busy time, sum(p) / C; and of the C+1 longest transfers two never overlap (C+1 intervals, at most C at a time),
 * so the run takes at least p_C + p_{C+1} (sorted longest first, 1-based). Taken over the run cap and over each
 * host's cap (the lower of the per-host cap and the run cap). Where a VM wider than a cap may start whole (the
 * controller's rule, and every warm plan), that cap counts as at least the widest VM under it. Bandwidths only slow
 * disks down, so it holds with them; it ignores them, which `lowerBound` counts: a schedule's makespan is at least
 * max(lowerBound, packingBound).
 */
export function packingBound(workload: Workload, caps: BoundCaps): number {
  // Warm VMs start all their disks together: one wider than a cap starts alone, past it, as the controller's do.
  const whole = caps.wholeVms === true || workload.migration === 'warm';
  const seconds = (disks: readonly DiskTransfer[]) => disks.map((d) => d.bytes / d.rate).sort((a, b) => b - a);
  const widest = workload.hosts.map(() => 0);
  for (const vm of workload.vms) widest[vm.host] = Math.max(widest[vm.host], vm.disks.length);
  const slots = (cap: number, width: number) => Math.max(1, Math.floor(whole ? Math.max(cap, width) : cap));
  const runSlots = slots(caps.maxInFlight, Math.max(0, ...widest));
  let bound = slotBound(seconds(workload.disks), runSlots);
  if (!Number.isFinite(caps.perHost)) return bound;
  const hostDisks = workload.hosts.map((): DiskTransfer[] => []);
  for (const d of workload.disks) hostDisks[d.host].push(d);
  hostDisks.forEach((disks, h) => {
    bound = Math.max(bound, slotBound(seconds(disks), Math.min(runSlots, slots(caps.perHost, widest[h]))));
  });
  return bound;
}
