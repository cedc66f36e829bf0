/**
 * The writes of a multi-stage import besides the DataVolume's status: the importer pod's identity on the PVC and the
 * ImportPaused event. The decisions are checkpoints.ts's; the importer calls these when a stage's pod is made or
 * a stage ends.
 */
import { createHash } from 'node:crypto';
import type { ClusterStore } from '../cluster-store.js';
import { CHECKPOINT_ANNOTATIONS, importerPodName } from './checkpoints.js';

const PVCS = 'persistentvolumeclaims';
const EVENTS = 'events';

/** The importer pod of one stage: its name and the UID the PVC records (`storage.checkpoint.pod.id`). */
export interface StagePod {
  name: string;
  uid: string;
  /** The checkpoint it copies. */
  current: string;
  previous: string;
}

/**
 * A stage's pod. Kubernetes gives a pod a random UID; the sandbox derives one from the DataVolume's UID, the pod's
 * name and its attempt, so a run is repeatable and a new pod for the same checkpoint gets a new UID.
 */
export function stagePod(dvUid: string, claim: string, previous: string, current: string, attempt: number): StagePod {
  const name = importerPodName(claim, current);
  const hex = createHash('sha256').update(`${dvUid}/${name}/${attempt}`).digest('hex');
  const uid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  return { name, uid, current, previous };
}

/**
 * The PVC controller found the stage's pod (CDI pkg/controller/import-controller.go updatePvcFromPod): the pod's
 * name (AnnImportPod) and, as a checkpoint is annotated, its UID (AnnCurrentPodID).
 */
export function annotatePod(store: ClusterStore, namespace: string, claim: string, pod: StagePod): void {
  store.patchMetadata(PVCS, namespace, claim, {
    annotations: { [CHECKPOINT_ANNOTATIONS.importPod]: pod.name, [CHECKPOINT_ANNOTATIONS.podId]: pod.uid },
  });
}

/**
 * The Normal event CDI records on the DataVolume when a stage ends (datavolume/import-controller.go
 * updateStatusPhase: reason ImportPaused, checkpoint-util.go MessageImportPaused). One event per checkpoint here;
 * kube's recorder would count repeats of the same message on one event instead.
 */
export function recordPaused(
  store: ClusterStore,
  dv: { namespace: string; name: string; uid: string },
  claim: string,
  checkpoint: string,
  time: string,
): void {
  try {
    store.create(EVENTS, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: {
        name: `${dv.name}.paused-${checkpoint.toLowerCase().replace(/[^a-z0-9.-]/g, '-')}`,
        namespace: dv.namespace,
      },
      involvedObject: {
        apiVersion: 'cdi.kubevirt.io/v1beta1',
        kind: 'DataVolume',
        name: dv.name,
        namespace: dv.namespace,
        uid: dv.uid,
      },
      reason: 'ImportPaused',
      message: `Multistage import into PVC ${claim} is paused`,
      type: 'Normal',
      source: { component: 'datavolume-import-controller' },
      firstTimestamp: time,
      lastTimestamp: time,
      count: 1,
    });
  } catch {
    // already recorded for this checkpoint (a repeated reconcile), or the namespace is going away
  }
}
