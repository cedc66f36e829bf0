import { createPolicy } from './create-policy.js';
import { boundCaps, lowerBound, packingBound } from './lower-bound.js';
import { vmWindows, windowStats } from './metrics.js';
import type { Scenario, SchedulerOptions, Workload } from './model.js';
import { DiskPolicy } from './policies/disk.js';
import { describeStrategy } from './policies/disk-planner.js';
import { runSchedule, type Timeline } from './run-schedule.js';
import type { BandwidthAssumption, SimulationResult } from './simulation-result.js';
import { toWorkload } from './workload.js';

/** Simulates one policy on a workload. */
export function simulateWorkload(workload: Workload, options: SchedulerOptions): SimulationResult {
  const policy = createPolicy(workload, options);
  const timeline = runSchedule(workload, policy);
  const strategy =
    policy instanceof DiskPolicy
      ? describeStrategy(
          policy.strategy,
          workload.hosts.map((h) => h.name),
        )
      : undefined;
  return resultOfTimeline(workload, options, timeline, { bandwidth: 'scenario', strategy });
}

/**
 * The result of one schedule already run: its makespan against the lower bound of the policy's caps on this workload,
 * the VMs' windows, each disk's start and end. `bandwidth` says what the scheduler knew of the workload's bandwidths.
 */
export function resultOfTimeline(
  workload: Workload,
  options: SchedulerOptions,
  timeline: Timeline,
  { bandwidth, strategy }: { bandwidth: BandwidthAssumption; strategy?: string },
): SimulationResult {
  const caps = boundCaps(options);
  const bound = lowerBound(workload, caps);
  const windows = vmWindows(workload, timeline);
  const hostName = (h: number) => workload.hosts[h].name;
  return {
    policy: options.policy,
    maxInFlight: options.maxInFlight,
    maxInFlightPerHost: options.maxInFlightPerHost ?? null,
    appliedCaps: {
      run: Number.isFinite(caps.maxInFlight) ? caps.maxInFlight : null,
      perHost: Number.isFinite(caps.perHost) ? caps.perHost : null,
    },
    order: options.order,
    bandwidth,
    ...(strategy !== undefined && { strategy }),
    lowerBoundSeconds: bound,
    packingBoundSeconds: packingBound(workload, caps),
    makespanSeconds: timeline.makespan,
    ratioToLowerBound: bound > 0 ? timeline.makespan / bound : 1,
    peakInFlight: timeline.peakInFlight,
    transferWindowSeconds: windowStats(windows.map((w) => w.end - w.start)),
    bytes: workload.disks.reduce((s, d) => s + d.bytes, 0),
    vms: windows.map((w) => ({
      name: workload.vms[w.vm].name,
      host: hostName(workload.vms[w.vm].host),
      startSeconds: w.start,
      endSeconds: w.end,
    })),
    disks: workload.disks.map((d) => ({
      vm: workload.vms[d.vm].name,
      disk: d.index,
      host: hostName(d.host),
      bytes: d.bytes,
      startSeconds: timeline.start[d.id],
      endSeconds: timeline.end[d.id],
    })),
  };
}

/** Simulates one policy on a scenario. */
export function simulateScenario(scenario: Scenario, options: SchedulerOptions): SimulationResult {
  return simulateWorkload(toWorkload(scenario), options);
}
