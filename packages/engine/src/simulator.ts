import { createPolicy } from './create-policy.js';
import { boundCaps, lowerBound } from './lower-bound.js';
import { vmWindows, windowStats } from './metrics.js';
import type { Scenario, SchedulerOptions, TransferPlan } from './model.js';
import { toTransferPlan } from './plan.js';
import { DiskPolicy } from './policies/disk.js';
import { describeStrategy } from './policies/disk-planner.js';
import { runSchedule } from './run-schedule.js';
import type { SimulationResult } from './simulation-result.js';

/** Simulates one policy on an already flattened plan. */
export function simulatePlan(plan: TransferPlan, options: SchedulerOptions): SimulationResult {
  const policy = createPolicy(plan, options);
  const timeline = runSchedule(plan, policy);
  const bound = lowerBound(plan, boundCaps(options));
  const windows = vmWindows(plan, timeline);
  const hostName = (h: number) => plan.hosts[h].name;
  return {
    policy: options.policy,
    maxInFlight: options.maxInFlight,
    maxInFlightPerHost: options.maxInFlightPerHost ?? null,
    order: options.order,
    ...(policy instanceof DiskPolicy && { strategy: describeStrategy(policy.strategy) }),
    lowerBoundSeconds: bound,
    makespanSeconds: timeline.makespan,
    ratioToLowerBound: bound > 0 ? timeline.makespan / bound : 1,
    peakInFlight: timeline.peakInFlight,
    transferWindowSeconds: windowStats(windows.map((w) => w.end - w.start)),
    bytes: plan.disks.reduce((s, d) => s + d.bytes, 0),
    vms: windows.map((w) => ({
      name: plan.vms[w.vm].name,
      host: hostName(plan.vms[w.vm].host),
      startSeconds: w.start,
      endSeconds: w.end,
    })),
    disks: plan.disks.map((d) => ({
      vm: plan.vms[d.vm].name,
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
  return simulatePlan(toTransferPlan(scenario), options);
}
