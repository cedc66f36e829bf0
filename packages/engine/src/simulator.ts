import { createPolicy } from './create-policy.js';
import { boundCaps, lowerBound } from './lower-bound.js';
import { vmWindows, windowStats } from './metrics.js';
import type { Scenario, SchedulerOptions, Workload } from './model.js';
import { DiskPolicy } from './policies/disk.js';
import { describeStrategy } from './policies/disk-planner.js';
import { runSchedule } from './run-schedule.js';
import type { SimulationResult } from './simulation-result.js';
import { toWorkload } from './workload.js';

/** Simulates one policy on a workload. */
export function simulateWorkload(workload: Workload, options: SchedulerOptions): SimulationResult {
  const policy = createPolicy(workload, options);
  const timeline = runSchedule(workload, policy);
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
    ...(policy instanceof DiskPolicy && { strategy: describeStrategy(policy.strategy) }),
    lowerBoundSeconds: bound,
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
