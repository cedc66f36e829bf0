import type { OrderName, PolicyName } from '@kubectl-mtv/engine';

/** What `simulate` runs: a scenario file, the policies to compare (in report order) and the caps they share. */
export interface SimulateOptions {
  /** The scenario file; `-` reads stdin. */
  scenarioPath: string;
  /** undefined = every policy for a cold scenario, forklift and disk for a warm one. */
  policies?: PolicyName[];
  /** Most disks in flight; undefined = the scenario's maxInFlight. */
  maxInFlight?: number;
  /** Most disks in flight per host; undefined = no per-host cap. */
  maxInFlightPerHost?: number;
  order: OrderName;
  /** Where to write the schedules as Gantt charts (one SVG, a chart per policy); undefined = no picture. */
  svgPath?: string;
  /** Warm scenarios only: seconds from the end of a VM's round to its next precopy; undefined = 3600. */
  precopyIntervalSeconds?: number;
  /**
   * Warm scenarios only: when the cutover begins, simulated seconds after the start; undefined = once every VM has
   * copied its round 1 and one precopy.
   */
  cutoverSeconds?: number;
}
