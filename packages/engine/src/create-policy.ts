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
  return new DiskPlanner(workload, options.order, caps, adopted, options.objective);
}

/** The `disk` policy of a planner's choice so far, told what was adopted. */
export function policyFromPlanner(planner: DiskPlanner, adopted?: AdoptedState): Policy {
  return adoptState(new DiskPolicy(planner), adopted);
}

/**
 * What each policy's cap means, the same in `simulate` and `migrate` (they share this engine):
 * - `legacy`, `forklift`: the controller's own rule (kubev2v/forklift pkg/controller/plan/scheduler/vsphere/
 *   scheduler.go, release-2.12: `schedulable()`), per ESXi host: a host at or above the cap starts nothing; a VM
 *   starts when its cost fits under the cap, or, whatever its cost, on an idle host. A host can therefore run one VM
 *   wider than the cap, alone, as the controller does; no cap over the run (the controller has none).
 * - `gang`, `disk` (cold): `maxInFlight` over the whole run and `perHost` on each host, never exceeded. A cold VM wider
 *   than a cap is split: it starts as many disks as the cap allows once the cap is free, and its others follow first.
 * - a warm workload under `gang` or `disk`: its VMs start all their disks together, so a VM wider than a cap starts
 *   alone when nothing is in flight under that cap (`simulate` and `migrate` run warm plans with the warm scheduler).
 */
function buildPolicy(
  workload: Workload,
  options: SchedulerOptions,
  adopted: AdoptedState | undefined,
  caps: Caps,
): Policy {
  const warm = workload.migration === 'warm';
  switch (options.policy) {
    case 'legacy':
    case 'forklift':
      return new VmCostPolicy(workload, options.policy, caps);
    case 'gang':
      return new GangPolicy(workload, options.order, caps, warm ? {} : { split: 'caps' });
    case 'disk':
      return warm
        ? new GangPolicy(workload, options.order, caps)
        : new DiskPolicy(new DiskPlanner(workload, options.order, caps, adopted, options.objective).finish());
  }
}
