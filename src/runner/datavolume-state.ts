/**
 * What the runner reads from a DataVolume CDI publishes (domain.md §3): phase, progress as a fraction, importer
 * restarts, the Running condition's error, and kubectl-mtv's stuck annotation.
 */

import { type DataVolumeObject, STUCK_ANNOTATION } from '../cluster/plan-datavolumes.js';

/** One reading of a DataVolume. */
export interface DataVolumeState {
  phase: string;
  /** 0..1 of the bytes copied; 0 while CDI reports "" or "N/A". */
  fraction: number;
  restartCount: number;
  /** The importer's last error while Running=False/Error. */
  error?: string;
  /** The importer's container runs (Running=True). */
  running?: boolean;
  /**
   * Why the importer's container cannot start, as CDI copies the kubelet's waiting reason into the Running condition
   * (CreateContainerConfigError: a missing Secret or key; ImagePullFailed; Unschedulable): `REASON: message`.
   */
  blocked?: string;
  /** The stuck annotation's reason, when the runner (this one or an earlier one) gave up on it. */
  stuck?: string;
}

export function readDataVolume(dv: DataVolumeObject): DataVolumeState {
  const status = dv.status ?? {};
  const running = status.conditions?.find((c) => c.type === 'Running');
  const error = running?.status === 'False' && running.reason === 'Error' ? running.message : undefined;
  const blocked =
    running?.status === 'False' && BLOCKING_REASONS.has(running.reason ?? '')
      ? `${running.reason}${running.message ? `: ${running.message}` : ''}`
      : undefined;
  const stuck = dv.metadata.annotations?.[STUCK_ANNOTATION];
  return {
    phase: status.phase ?? '',
    fraction: status.phase === 'Succeeded' ? 1 : parseProgress(status.progress),
    restartCount: status.restartCount ?? 0,
    ...(error && { error }),
    ...(running?.status === 'True' && { running: true }),
    ...(blocked && { blocked }),
    ...(stuck !== undefined && { stuck }),
  };
}

/**
 * Running=False reasons that mean the importer's container never starts until someone acts (CDI
 * pkg/controller/util.go setAnnotationsFromPodWithPrefix copies a waiting container's reason; ImagePullFailed is its
 * own for image pull errors; datavolume/conditions.go updateRunningCondition writes Unschedulable). ContainerCreating
 * and PodInitializing are on the way to running; CrashLoopBackOff is counted by restarts.
 */
const BLOCKING_REASONS = new Set([
  'CreateContainerConfigError',
  'CreateContainerError',
  'ImagePullFailed',
  'InvalidImageName',
  'Unschedulable',
]);

/** "45.34%" -> 0.4534; "", "N/A" or anything else -> 0. */
export function parseProgress(progress: string | undefined): number {
  const match = /^(\d+(?:\.\d+)?)%$/.exec(progress ?? '');
  return match ? Math.min(1, Number(match[1]) / 100) : 0;
}
