/** One disk as a run tracks it, the progress events it earns (throttled) and the summary the disks add up to. */
import type { DiskDataVolume } from '../cluster/datavolume-builder.js';
import type { DiskRef, RunEvent, RunOutcome, RunSummary } from './run-events.js';

export type DiskPhase = 'queued' | 'running' | 'done' | 'stuck' | 'failed';

/** The plan's disks as a run starts to follow them: each queued, in the DataVolumes' order. */
export function trackedDisks(dataVolumes: readonly DiskDataVolume[]): TrackedDisk[] {
  return dataVolumes.map((dv) => ({
    ref: { vm: dv.vmName, index: dv.diskIndex, name: dv.manifest.metadata.name, host: dv.host || 'default' },
    bytes: dv.bytes,
    phase: 'queued',
    lastProgressAt: 0,
    lastBytesDone: 0,
  }));
}

/** A plan disk as the run follows it from queued to done, stuck or failed. */
export interface TrackedDisk {
  ref: DiskRef;
  /** Bytes to copy. */
  bytes: number;
  phase: DiskPhase;
  /** When this run saw it start (ms); undefined for disks adopted in flight. */
  startedAt?: number;
  /** When its last progress event went out (ms); 0 = none yet. */
  lastProgressAt: number;
  lastBytesDone: number;
  /** Phase and importer restarts at the last progress event. */
  lastPhase?: string;
  lastRestarts?: number;
  /** Its VM's source is being powered off (--power-off-source): it holds its slot, its DataVolume is not made yet. */
  waitingForSource?: boolean;
  /** The stuck annotation is being written: the slot is freed once it lands. */
  marking?: boolean;
  /** The alert last reported for it (blocked with its reason, or stalled); undefined while it moves. */
  alert?: string;
}

const NOTE = '--disks-only: the disks are copied, no VM is made from them';

/**
 * A progress event when `everyMs` has passed since the last one and the bytes moved, or at once when the phase or the
 * importer's restarts changed; records it on `disk`.
 */
export function progressEvent(
  disk: TrackedDisk,
  reading: { fraction: number; phase: string; restartCount: number },
  now: number,
  everyMs: number,
): Omit<Extract<RunEvent, { type: 'progress' }>, 'time'> | undefined {
  const bytesDone = Math.round(disk.bytes * reading.fraction);
  const phase = reading.phase || 'Pending';
  const changed = phase !== disk.lastPhase || reading.restartCount !== (disk.lastRestarts ?? 0);
  if (!changed && (now - disk.lastProgressAt < everyMs || bytesDone === disk.lastBytesDone)) return undefined;
  const seconds = (now - disk.lastProgressAt) / 1000;
  const rate =
    disk.lastProgressAt > 0 && seconds > 0 && bytesDone !== disk.lastBytesDone
      ? (bytesDone - disk.lastBytesDone) / seconds
      : null;
  if (bytesDone !== disk.lastBytesDone || disk.lastProgressAt === 0) {
    disk.lastProgressAt = now;
    disk.lastBytesDone = bytesDone;
  }
  disk.lastPhase = phase;
  disk.lastRestarts = reading.restartCount;
  return {
    type: 'progress',
    disk: disk.ref,
    bytes: disk.bytes,
    bytesDone,
    rate,
    phase,
    restarts: reading.restartCount,
  };
}

/** The summary of a run's disks. */
export function summarizeRun(
  disks: readonly TrackedDisk[],
  run: Pick<RunSummary, 'outcome' | 'plan' | 'namespace' | 'elapsedSeconds' | 'problems'> & { outcome: RunOutcome },
): RunSummary {
  const count = (phase: DiskPhase) => disks.filter((d) => d.phase === phase).length;
  return {
    ...run,
    disks: disks.length,
    transferred: count('done'),
    stuck: count('stuck'),
    failed: count('failed'),
    notStarted: count('queued'),
    inFlight: count('running'),
    bytes: disks.reduce((sum, d) => sum + d.bytes, 0),
    note: NOTE,
  };
}
