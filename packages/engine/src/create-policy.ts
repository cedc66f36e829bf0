import type { SchedulerOptions, Workload } from './model.js';
import { DiskPolicy } from './policies/disk.js';
import { DiskPlanner } from './policies/disk-planner.js';
import { GangPolicy } from './policies/gang.js';
import { VmCostPolicy } from './policies/vm-cost.js';
import { type AdoptedState, adoptState, type Caps, type Policy } from './policy.js';

/** The caps a policy runs under, from the options. */
export function capsOf(options: SchedulerOptions): Caps {
  return { maxInFlight: options.maxInFlight, perHost: options.maxInFlightPerHost };
}

/**
 * Builds the named policy. Warm plans need a VM's disks to start together, so `disk` runs them as `gang`.
 * With `adopted`, the policy starts from a re-run's state: the disks found done or in flight are adopted (the done
 * ones also finished); `disk` plans from that state.
 * `caps`: the caps the policy will run under, when they hold more than the options (a run's learned host limits):
 * `disk` then plans under them, so that the strategy it picks is one that works within them.
 */
export function createPolicy(
  workload: Workload,
  options: SchedulerOptions,
  adopted?: AdoptedState,
  caps: Caps = capsOf(options),
): Policy {
  return adoptState(buildPolicy(workload, options, adopted, caps), adopted);
}

/**
 * The planner `disk` would run for these options, or undefined when the policy plans nothing (legacy, forklift,
 * gang, and `disk` on a warm plan, which runs as gang). A caller that steps it itself (under a time budget) then
 * builds the policy with `policyFromPlanner`. `caps` as for createPolicy.
 */
export function diskPlannerFor(
  workload: Workload,
  options: SchedulerOptions,
  adopted?: AdoptedState,
  caps: Caps = capsOf(options),
): DiskPlanner | undefined {
  if (options.policy !== 'disk' || workload.migration === 'warm') return undefined;
  return new DiskPlanner(workload, options.order, caps, adopted);
}

/** The `disk` policy of a planner's choice so far, told what was adopted. */
export function policyFromPlanner(planner: DiskPlanner, adopted?: AdoptedState): Policy {
  return adoptState(new DiskPolicy(planner), adopted);
}

function buildPolicy(
  workload: Workload,
  options: SchedulerOptions,
  adopted: AdoptedState | undefined,
  caps: Caps,
): Policy {
  switch (options.policy) {
    case 'legacy':
    case 'forklift':
      return new VmCostPolicy(workload, options.policy, caps);
    case 'gang':
      return new GangPolicy(workload, options.order, caps);
    case 'disk':
      return workload.migration === 'warm'
        ? new GangPolicy(workload, options.order, caps)
        : new DiskPolicy(new DiskPlanner(workload, options.order, caps, adopted).finish());
  }
}
