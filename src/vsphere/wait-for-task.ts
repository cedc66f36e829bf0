/**
 * Polls a task's info until it finishes, as Forklift does (CheckSnapshotReady / CheckSnapshotRemove on each
 * reconcile: getTaskById, never WaitForUpdatesEx). Resolves with the final info, `success` or `error`: the caller
 * decides what a failed task means.
 */
import type { MoRef, TaskInfo, VCenterSession } from './types.js';

export interface WaitForTaskOptions {
  /** Between two reads of the task's info (ms); default 1000. */
  intervalMs?: number;
  /** Give up after this long (ms); default 300000. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** The task's info once its state is success or error; throws when `timeoutMs` passes first or `signal` aborts. */
export async function waitForTask(
  session: Pick<VCenterSession, 'taskInfo'>,
  task: MoRef,
  options: WaitForTaskOptions = {},
): Promise<TaskInfo> {
  const { intervalMs = 1000, timeoutMs = 300_000, signal } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    signal?.throwIfAborted();
    const info = await session.taskInfo(task);
    if (info.state === 'success' || info.state === 'error') return info;
    if (Date.now() + intervalMs > deadline) {
      throw new Error(`task ${task.value} is still ${info.state} after ${timeoutMs} ms`);
    }
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, intervalMs);
      signal?.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          reject(signal.reason);
        },
        { once: true },
      );
    });
  }
}
