import type { SchedulerOptions } from '@kubectl-mtv/engine';
import type { SettingsSource } from './run-events.js';

/** The caps a running run admits under: over the whole run, and per host (undefined: none). */
export interface RunCaps {
  maxInFlight: number;
  perHost?: number;
}

/** The caps a run starts under: its scheduler options'. */
export function startingCaps(scheduler: SchedulerOptions): RunCaps {
  return {
    maxInFlight: scheduler.maxInFlight,
    ...(scheduler.maxInFlightPerHost !== undefined && { perHost: scheduler.maxInFlightPerHost }),
  };
}

/** New caps as asked (a key, a remote request), or undefined when they are not whole numbers >= 1. */
export function acceptedCaps(caps: RunCaps): RunCaps | undefined {
  if (!(Number.isInteger(caps.maxInFlight) && caps.maxInFlight >= 1)) return undefined;
  if (caps.perHost !== undefined && !(Number.isInteger(caps.perHost) && caps.perHost >= 1)) return undefined;
  return { maxInFlight: caps.maxInFlight, ...(caps.perHost !== undefined && { perHost: caps.perHost }) };
}

/** The run's scheduler options with the caps of the moment. */
export function schedulerWithCaps(scheduler: SchedulerOptions, caps: RunCaps): SchedulerOptions {
  const { maxInFlightPerHost: _, ...rest } = scheduler;
  return {
    ...rest,
    maxInFlight: caps.maxInFlight,
    ...(caps.perHost !== undefined && { maxInFlightPerHost: caps.perHost }),
  };
}

/** What a running run lets its user change (its terminal's keys, a `top --control` request): admission and caps. */
export interface RunController {
  setPaused(paused: boolean, source: SettingsSource): void;
  /** New caps apply to admissions; disks in flight go on. `maxInFlight` >= 1. */
  setCaps(caps: RunCaps, source: SettingsSource): void;
  readonly paused: boolean;
  readonly caps: RunCaps;
  /** A warm run's cutover (ms since the epoch; absent for cold runs): moved by `kubectl mtv cutover`. */
  setCutover?(at: number, source: SettingsSource): void;
}
