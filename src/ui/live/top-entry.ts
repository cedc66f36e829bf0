import type { RunSnapshot } from '../../runner/run-snapshot.js';

/** A run as `kubectl mtv top` reads it from a plan's Lease. */
export interface TopEntry {
  snapshot: RunSnapshot;
  /** Why the snapshot may be out of date ("lease expired 40s ago: the runner is gone"); absent when it is live. */
  stale?: string;
  /** The Lease it was read from: where `--control` requests go. */
  lease?: { name: string; namespace: string };
}
