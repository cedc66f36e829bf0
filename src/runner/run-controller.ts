import type { SettingsSource } from './run-events.js';

/** The caps a running run admits under: over the whole run, and per host (undefined: none). */
export interface RunCaps {
  maxInFlight: number;
  perHost?: number;
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
