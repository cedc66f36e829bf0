import type { TopEntry } from './top-entry.js';

/**
 * What the live view's keys ask of the run: the view never steers the run itself, it calls these. A control left out
 * is read-only: its keys show a hint instead.
 */
export interface LiveControls {
  /** `q` or Ctrl-C: leave the view. */
  detach(): void;
  /** `p`: pause admission, or resume it. */
  togglePause?(): void;
  /** `+`/`=` and `-`: the cap one up or down; never called to go below 1. */
  changeCap?(delta: 1 | -1): void;
  /** `C`: a warm run's cutover, now (each VM cuts over once its current round ends). */
  cutoverNow?(): void;
}

/** The controls of `kubectl mtv top`: like LiveControls, for the plan selected with Tab. */
export interface TopControls {
  detach(): void;
  togglePause?(entry: TopEntry): void;
  changeCap?(entry: TopEntry, delta: 1 | -1): void;
  cutoverNow?(entry: TopEntry): void;
}

/** The hint the keys of a read-only view show. */
export const READ_ONLY_HINT = 'read-only: run kubectl mtv top --control to steer the run';
