/** What a warm run needs besides a cold run's options (warm-loop.ts; RunOptions.warm). */
import type { WarmRecord } from '../cluster/warm-record.js';
import type { MoRef, VCenterSession } from '../vsphere/types.js';
import type { SourceGate } from './source-power.js';

export interface WarmRunOptions {
  session: Pick<VCenterSession, 'snapshots' | 'createSnapshot' | 'removeSnapshot' | 'taskInfo' | 'snapshotDisks'>;
  /** Each plan VM's reference in vCenter, by inventory id. */
  refs: ReadonlyMap<string, MoRef>;
  record: Pick<WarmRecord, 'read' | 'setRun' | 'setVm'>;
  /** Shuts a VM's source down (its power state recorded first) before its final snapshot. */
  source: SourceGate;
  precopyIntervalMs: number;
  /** The cutover (ms since the epoch) given to this run; undefined: the recorded one, if any. */
  cutoverAt?: number;
  taskPollMs?: number;
}
