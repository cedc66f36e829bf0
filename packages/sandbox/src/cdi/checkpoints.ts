/**
 * CDI's multi-stage (warm) import bookkeeping on the PVC, as pure functions over its annotations: which checkpoint
 * the next importer pod copies, how a finished pod is recorded, and the clean-up after the final one. Followed from
 * containerized-data-importer (about v1.66) pkg/controller/common/checkpoint-util.go and util.go (the names).
 */
import type { KubeObject } from '../cluster-store.js';

const PREFIX = 'cdi.kubevirt.io/';
/** CDI pkg/controller/common/util.go AnnCurrentCheckpoint, AnnPreviousCheckpoint, AnnFinalCheckpoint, … */
export const CHECKPOINT_ANNOTATIONS = {
  current: `${PREFIX}storage.checkpoint.current`,
  previous: `${PREFIX}storage.checkpoint.previous`,
  final: `${PREFIX}storage.checkpoint.final`,
  /** AnnCheckpointsCopied: `<this>.<current>` = the UID of the pod that copied that checkpoint. */
  copied: `${PREFIX}storage.checkpoint.copied`,
  /** AnnCurrentPodID: the importer pod now serving the PVC. */
  podId: `${PREFIX}storage.checkpoint.pod.id`,
  /** AnnMultiStageImportDone. */
  done: `${PREFIX}storage.checkpoint.done`,
  /** AnnImportPod: the importer pod's name (dropped when a new pod must be made for the next checkpoint). */
  importPod: `${PREFIX}storage.import.importPodName`,
} as const;

/** One stage of a multi-stage import, as the DataVolume's spec lists it (snapshot ids or changeIds). */
export interface Checkpoint {
  previous: string;
  current: string;
}

/** The checkpoint a pod copies, and whether it is the last (CDI CheckpointRecord). */
export interface CheckpointRecord extends Checkpoint {
  isFinal: boolean;
}

/** The DataVolume's `spec.checkpoints` and `spec.finalCheckpoint` (CDI CheckpointArgs). */
export interface CheckpointArgs {
  checkpoints: Checkpoint[];
  isFinal: boolean;
}

type Annotations = Record<string, string>;

/**
 * The checkpoint arguments of a DataVolume, or undefined when it lists none: then the import is single-stage
 * (CDI pkg/controller/datavolume/import-controller.go getCheckpointArgs reads spec.checkpoints and
 * spec.finalCheckpoint as they are; an empty list makes GetNextCheckpoint return nil).
 */
export function checkpointArgs(dv: KubeObject): CheckpointArgs | undefined {
  const spec = dv.spec as { checkpoints?: Partial<Checkpoint>[]; finalCheckpoint?: boolean } | undefined;
  const list = spec?.checkpoints ?? [];
  if (list.length === 0) return undefined;
  return {
    checkpoints: list.map((c) => ({ previous: c.previous ?? '', current: c.current ?? '' })),
    isFinal: spec?.finalCheckpoint === true,
  };
}

/** checkpoint-util.go getCheckpointCopiedKey: `storage.checkpoint.copied.<checkpoint>`. */
export function copiedKey(checkpoint: string): string {
  return `${CHECKPOINT_ANNOTATIONS.copied}.${checkpoint}`;
}

/**
 * checkpoint-util.go GetNextCheckpoint: the first spec checkpoint when no current one is annotated yet, else the
 * first (skipping blank `current`s) without a `copied.<current>` annotation; undefined when all are copied. It is
 * final only when it is the last of the list and spec.finalCheckpoint is true.
 */
export function nextCheckpoint(annotations: Annotations, args: CheckpointArgs): CheckpointRecord | undefined {
  const n = args.checkpoints.length;
  if (n < 1) return undefined;
  if (!annotations[CHECKPOINT_ANNOTATIONS.current]) {
    return { ...args.checkpoints[0], isFinal: n === 1 && args.isFinal };
  }
  for (const [count, c] of args.checkpoints.entries()) {
    if (c.current === '') continue;
    if (annotations[copiedKey(c.current)] === undefined) return { ...c, isFinal: n === count + 1 && args.isFinal };
  }
  return undefined;
}

/** The annotations that point the PVC at `record` (import-controller.go updateAnnotations; checkpoint-util.go). */
export function pointAt(record: CheckpointRecord): Annotations {
  return {
    [CHECKPOINT_ANNOTATIONS.current]: record.current,
    [CHECKPOINT_ANNOTATIONS.previous]: record.previous,
    [CHECKPOINT_ANNOTATIONS.final]: String(record.isFinal),
  };
}

/** util.go IsMultiStageImportInProgress: a current checkpoint is annotated and the import is not done. */
export function multiStageInProgress(annotations: Annotations): boolean {
  return (
    annotations[CHECKPOINT_ANNOTATIONS.current] !== undefined && annotations[CHECKPOINT_ANNOTATIONS.done] === undefined
  );
}

/**
 * What a reconcile of a DataVolume whose importer pod succeeded does to its PVC: the annotation changes (null
 * deletes one, as a merge patch) and whether a new importer pod must be made for a next checkpoint.
 */
export interface SucceededOutcome {
  patch: Record<string, string | null>;
  /** A next checkpoint is annotated: the pod phase is reset and the PVC controller makes a new pod. */
  nextPod: boolean;
  /** The final checkpoint was already copied: the annotations are cleaned up and `done` set. */
  done: boolean;
}

/**
 * checkpoint-util.go UpdatesMultistageImportSucceeded, called from datavolume/import-controller.go updateStatusPhase
 * while the PVC's pod phase is Succeeded and the import is in progress:
 * - the final checkpoint already copied: deleteMultistageImportAnnotations (current, previous, final, pod.id and
 *   every copied.* go; done=true);
 * - else setPvcMultistageImportAnnotations: mark `copied.<current>` = pod.id unless that pod UID already marked one
 *   (so a repeated reconcile skips no checkpoint), then point at GetNextCheckpoint if there is one and reset the pod
 *   phase (AnnImportPod dropped) so that a new pod is made; with none, the annotations stay as they are.
 */
export function podSucceeded(annotations: Annotations, args: CheckpointArgs): SucceededOutcome {
  const A = CHECKPOINT_ANNOTATIONS;
  const current = annotations[A.current] ?? '';
  if (annotations[A.final] === 'true' && annotations[copiedKey(current)] !== undefined) {
    const patch: Record<string, string | null> = {
      [A.current]: null,
      [A.previous]: null,
      [A.final]: null,
      [A.podId]: null,
      [A.done]: 'true',
    };
    for (const key of Object.keys(annotations)) if (key.startsWith(`${A.copied}.`)) patch[key] = null;
    return { patch, nextPod: false, done: true };
  }
  const marked = { ...annotations };
  const podId = annotations[A.podId];
  const uuidAlreadyUsed = Object.entries(annotations).some(([k, v]) => k.startsWith(`${A.copied}.`) && v === podId);
  // CDI logs "Cannot mark empty checkpoint complete" for a blank current and marks nothing
  if (!uuidAlreadyUsed && current !== '') marked[copiedKey(current)] = podId ?? '';
  const next = nextCheckpoint(marked, args);
  const patch: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(marked)) if (annotations[k] !== v) patch[k] = v;
  if (!next) return { patch, nextPod: false, done: false };
  Object.assign(patch, pointAt(next), { [A.importPod]: null });
  return { patch, nextPod: true, done: false };
}

/**
 * import-controller.go podNameWithCheckpoint and createImportPodNameFromPvc: `importer-<pvc>-checkpoint-<current>`
 * for a stage of a multi-stage import (each checkpoint its own pod), `importer-<pvc>` otherwise. CDI shortens a name
 * over 253 characters with a hash (naming.GetResourceName); the sandbox does not.
 */
export function importerPodName(claim: string, current?: string): string {
  return current ? `importer-${claim}-checkpoint-${current}` : `importer-${claim}`;
}
