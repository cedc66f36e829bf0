/**
 * DataVolume status as CDI writes it (v1.66): phases, progress strings and conditions. Pure builders: the importer
 * decides when, these decide what.
 */

export type DataVolumePhase =
  | ''
  | 'Pending'
  | 'PVCBound'
  | 'ImportScheduled'
  | 'ImportInProgress'
  | 'Paused'
  | 'Succeeded'
  | 'Failed';

export interface DataVolumeCondition {
  type: 'Bound' | 'Running' | 'Ready';
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  lastHeartbeatTime: string;
}

export interface DataVolumeStatus {
  phase: DataVolumePhase;
  progress: string;
  restartCount: number;
  claimName?: string;
  conditions: DataVolumeCondition[];
}

/** VDDK reports whole percents: "45.00%"; "100.0%" appears only at Succeeded. */
export function vddkProgress(fraction: number): string {
  const percent = Math.min(99, Math.max(0, Math.floor(fraction * 100)));
  return `${percent}.00%`;
}

function condition(
  type: DataVolumeCondition['type'],
  status: DataVolumeCondition['status'],
  reason: string,
  message: string,
  at: string,
): DataVolumeCondition {
  return { type, status, reason, message, lastTransitionTime: at, lastHeartbeatTime: at };
}

/** What the importer knows about one DataVolume at an instant. */
export interface ImportState {
  phase: DataVolumePhase;
  /** 0..1 of the bytes copied. */
  fraction: number;
  restartCount: number;
  /** The importer's last error while it crash-loops. */
  error?: string;
  /**
   * Why the importer's container cannot start (the kubelet's waiting reason and message, e.g.
   * CreateContainerConfigError for a missing Secret or key): the pod stays Pending, nothing restarts.
   */
  blocked?: { reason: string; message: string };
  claimName: string;
}

/** The status CDI publishes for a state; `at` is an RFC 3339 time. */
export function dataVolumeStatus(state: ImportState, at: string): DataVolumeStatus {
  const { phase, claimName } = state;
  const bound =
    phase === '' || phase === 'Pending'
      ? condition('Bound', 'False', 'Pending', `PVC ${claimName} Pending`, at)
      : condition('Bound', 'True', 'Bound', `PVC ${claimName} Bound`, at);
  let running: DataVolumeCondition;
  let ready: DataVolumeCondition;
  let progress = '';
  if (phase === 'Succeeded') {
    running = condition('Running', 'False', 'Completed', 'Import Complete', at);
    ready = condition('Ready', 'True', '', '', at);
    progress = '100.0%';
  } else if (phase === 'Paused') {
    // A stage of a multi-stage import is done (CDI datavolume/import-controller.go updateStatusPhase: pod Succeeded
    // while IsMultiStageImportInProgress). The finished pod's termination ("Import Complete", Completed) is the
    // Running condition; Ready keeps the TransferRunning it had, as only a Succeeded DataVolume turns it True.
    running = condition('Running', 'False', 'Completed', 'Import Complete', at);
    ready = condition('Ready', 'False', 'TransferRunning', '', at);
    progress = vddkProgress(state.fraction);
  } else if (phase === 'ImportInProgress') {
    running = state.error
      ? condition('Running', 'False', 'Error', state.error, at)
      : condition('Running', 'True', '', 'Pod is running', at);
    ready = condition('Ready', 'False', 'TransferRunning', '', at);
    progress = vddkProgress(state.fraction);
  } else if (state.blocked) {
    // CDI pkg/controller/util.go setAnnotationsFromPodWithPrefix: a waiting container's reason and message (other
    // than CrashLoopBackOff) become the Running condition's; the pod is Pending, so the phase is ImportScheduled
    // (datavolume/import-controller.go updateStatusPhase)
    running = condition('Running', 'False', state.blocked.reason, state.blocked.message, at);
    ready = condition('Ready', 'False', '', '', at);
    progress = 'N/A';
  } else {
    running = condition('Running', 'False', '', '', at);
    ready = condition('Ready', 'False', '', '', at);
    progress = phase === '' || phase === 'Pending' ? '' : 'N/A';
  }
  return { phase, progress, restartCount: state.restartCount, claimName, conditions: [bound, running, ready] };
}

/**
 * Keeps a condition's times where CDI keeps them: lastTransitionTime moves only when its status changes, the
 * heartbeat only when its reason or message changes.
 */
export function carryConditionTimes(previous: DataVolumeCondition[] | undefined, next: DataVolumeCondition[]) {
  return next.map((c) => {
    const before = previous?.find((p) => p.type === c.type);
    if (!before) return c;
    const sameStatus = before.status === c.status;
    const sameWords = sameStatus && before.reason === c.reason && before.message === c.message;
    return {
      ...c,
      lastTransitionTime: sameStatus ? before.lastTransitionTime : c.lastTransitionTime,
      lastHeartbeatTime: sameWords ? before.lastHeartbeatTime : c.lastHeartbeatTime,
    };
  });
}
