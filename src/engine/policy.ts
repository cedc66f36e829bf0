import type { DiskStatus } from './model.js';

/** The caps a policy runs under; both may change while a run goes on. */
export interface Caps {
  /** Most disks in flight over the whole run (for legacy and forklift, per host when perHost is undefined). */
  maxInFlight: number;
  /** Most disks in flight per host; undefined = none. */
  perHost?: number;
}

/**
 * A scheduling policy: a small state machine over disk ids. It never throws for scheduling outcomes; every
 * queued disk has a Status saying why it waits.
 */
export interface Policy {
  /** Disks to start now, in the order they start; the policy counts them as in flight from here on. */
  admit(): number[];
  /** A disk left flight (finished or given up); frees what the policy charged for it. */
  finish(disk: number): void;
  /** Changes the caps; work in flight is never stopped, the new caps apply to admissions. */
  setCaps(caps: Caps): void;
  /** Why a queued disk has not started (`start` if the next admit starts it). */
  status(disk: number): DiskStatus;
  /** Queued disks, in the order the policy would take them (at most `limit`). */
  queued(limit: number): number[];
  /** Disks still queued. */
  readonly queuedCount: number;
}
