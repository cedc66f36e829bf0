import type { DiskStatus } from './model.js';

/** Disks a run finds already done or in flight (a re-run adopting the cluster's state). */
export interface AdoptedState {
  /** In flight: disk id -> bytes still to copy. */
  running: ReadonlyMap<number, number>;
  done: readonly number[];
}

/** The caps a policy runs under; both may change while a run goes on. */
export interface Caps {
  /** Most disks in flight over the whole run (for legacy and forklift, per host when perHost is undefined). */
  maxInFlight: number;
  /** Most disks in flight per host; undefined = none. */
  perHost?: number;
  /**
   * Most disks in flight on each host, by host index, as a run learned them (adaptive admission); undefined = none.
   * Applies with perHost: the lower of the two holds. Only the disk-granular policies (`disk`, `gang`) honour it.
   */
  hostCaps?: readonly number[];
}

/** The most disks host `h` may have in flight under these caps (Infinity: no host limit). */
export function hostCap(caps: Caps, h: number): number {
  return Math.min(caps.perHost ?? Infinity, caps.hostCaps?.[h] ?? Infinity);
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
  /**
   * A disk found already in flight (a re-run adopting the cluster's state): the policy counts it as started without
   * admitting it. Policies that start whole VMs then start the VM's other disks first, at the next admission.
   * Adopt a finished disk, then `finish` it.
   */
  adopt(disk: number): void;
  /** Changes the caps; work in flight is never stopped, the new caps apply to admissions. */
  setCaps(caps: Caps): void;
  /** Why a queued disk has not started (`start` if the next admit starts it). */
  status(disk: number): DiskStatus;
  /** Queued disks, in the order the policy would take them (at most `limit`). */
  queued(limit: number): number[];
  /** Disks still queued. */
  readonly queuedCount: number;
}

/** Tells a policy about the disks a re-run found done (adopted, then finished) or in flight (adopted). */
export function adoptState(policy: Policy, adopted: AdoptedState | undefined): Policy {
  for (const d of adopted?.done ?? []) {
    policy.adopt(d);
    policy.finish(d);
  }
  for (const d of adopted?.running.keys() ?? []) policy.adopt(d);
  return policy;
}
