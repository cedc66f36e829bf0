import type { OrderName } from '../model.js';
import type { Caps } from '../policy.js';
import type { WarmMode } from './warm-scheduler.js';

/** Forklift's PRECOPY_INTERVAL default: 60 minutes (seconds). */
export const DEFAULT_PRECOPY_INTERVAL_SECONDS = 3600;

/** A VM as the warm simulation sees it besides its disks (the scenario's word for it). */
export interface WarmVmBehaviour {
  /** Percent of each disk the guest changes per hour; 1 unless given (DEFAULT_CHANGE_RATE_PERCENT_PER_HOUR). */
  changeRate?: number;
  /** The source runs, so its cutover shuts it down first; true unless given (false: nothing to shut down). */
  poweredOn?: boolean;
}

/** How `simulateWarm` runs a warm migration: the scheduler's settings and how long each kind of work takes. */
export interface WarmSimulationOptions {
  mode: WarmMode;
  caps: Caps;
  order: OrderName;
  /** Seconds from the end of a VM's round to its next precopy; 3600 unless given. */
  precopyIntervalSeconds?: number;
  /**
   * When the cutover begins (seconds from the start). Unless given: once every VM has copied its round 1 and one
   * precopy, so that each cutover copies a delta of at most about one interval.
   */
  cutoverAtSeconds?: number;
  /** Seconds every snapshot takes (removal of the previous one included); the sandbox's vCenter's unless given. */
  snapshotSeconds?: number;
  /** Seconds a running source takes to shut down; the sandbox's ShutdownGuest (15) unless given. */
  shutdownSeconds?: number;
  /** Seconds from a VM's last final copy to its VirtualMachine made; 0 unless given. */
  finishSeconds?: number;
  /** Per VM in plan order; a VM not listed changes 1 %/h and runs. */
  vms?: readonly WarmVmBehaviour[];
}

/** The options of a scenario's warm simulation: the scenario says how each VM behaves. */
export type WarmScenarioOptions = Omit<WarmSimulationOptions, 'vms'>;
