import type { ObjectiveName, OrderName, PolicyName } from '@kubectl-mtv/engine';

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
  /** What the cold `disk` planner optimises; undefined = the engine's DEFAULT_OBJECTIVE. */
  objective?: ObjectiveName;
  /** Where to write the schedules as Gantt charts (one SVG, a chart per policy); undefined = no picture. */
  svgPath?: string;
  /** Warm scenarios only: seconds from the end of a VM's round to its next precopy; undefined = 3600. */
  precopyIntervalSeconds?: number;
  /**
   * Warm scenarios only: when the cutover begins, simulated seconds after the start; undefined = once every VM has
   * copied its round 1 and one precopy.
   */
  cutoverSeconds?: number;
  /**
   * Cold scenarios only: also run `disk` blind, as `migrate` does, knowing no bandwidth (hosts uncapped, importers at
   * the planning rate) while the simulated hosts keep the scenario's: once learning each host (adaptive admission), once
   * admitting up to the caps.
   */
  blind?: boolean;
  /** With blind: seconds between two progress readings of one import (CDI's cadence); undefined = 2. */
  progressEverySeconds?: number;
}
