/**
 * A re-run (or another workstation) starts from the cluster: the plan's DataVolumes that already exist are adopted.
 * Succeeded -> done; annotated stuck -> stuck (never retried: `kubectl mtv clean` deletes them so a later run can);
 * Failed -> failed; any other -> in flight, with bytes left = capacity x (1 - progress).
 * Stuck and failed disks are given to the engine as done: it must never start them again.
 */

import type { AdoptedState } from '@kubectl-mtv/engine';
import type { DataVolumeState } from './datavolume-state.js';

export type AdoptedKind = 'done' | 'running' | 'stuck' | 'failed';

export interface Adoption {
  /** What the engine is told. */
  state: AdoptedState;
  /** Disk id -> what the run found. */
  kinds: Map<number, AdoptedKind>;
  /** Disk id -> the reason for stuck or failed disks. */
  reasons: Map<number, string>;
}

/**
 * `names[id]` is disk id's DataVolume name, `bytes[id]` its capacity; `existing` the plan's DataVolumes by name, as
 * readDataVolume reads them.
 */
export function adoptDataVolumes(
  names: readonly string[],
  bytes: readonly number[],
  existing: ReadonlyMap<string, DataVolumeState>,
): Adoption {
  const running = new Map<number, number>();
  const done: number[] = [];
  const kinds = new Map<number, AdoptedKind>();
  const reasons = new Map<number, string>();
  names.forEach((name, id) => {
    const state = existing.get(name);
    if (!state) return;
    if (state.phase === 'Succeeded') {
      kinds.set(id, 'done');
      done.push(id);
    } else if (state.stuck !== undefined) {
      kinds.set(id, 'stuck');
      reasons.set(id, state.stuck);
      done.push(id);
    } else if (state.phase === 'Failed') {
      kinds.set(id, 'failed');
      reasons.set(id, `DataVolume Failed${state.error ? `: ${state.error}` : ''}`);
      done.push(id);
    } else {
      kinds.set(id, 'running');
      running.set(id, Math.max(0, Math.round(bytes[id] * (1 - state.fraction))));
    }
  });
  return { state: { running, done }, kinds, reasons };
}
