/**
 * A Task's `info` (vim.TaskInfo) as read by RetrievePropertiesEx, reduced to what Forklift's checkTaskStatus and
 * CheckSnapshotReady look at (client.go): state, result (the snapshot MoRef of CreateSnapshot_Task) and
 * error.localizedMessage.
 */
import { child, childText, moRef, type XmlNode, xsiType } from './soap-envelope.js';
import type { MoRef, TaskInfo, TaskState } from './types.js';

const STATES: readonly string[] = ['queued', 'running', 'success', 'error'];

/** The TaskInfo of `task` from its `<val xsi:type="TaskInfo">` element. */
export function parseTaskInfo(task: MoRef, info: XmlNode): TaskInfo {
  const state = childText(info, 'state') ?? '';
  if (!STATES.includes(state)) throw new Error(`task ${task.value} has an unknown state "${state}"`);
  const result: TaskInfo = { task: moRef(child(info, 'task')) ?? task, state: state as TaskState };
  const name = childText(info, 'name');
  if (name !== undefined) result.name = name;
  const descriptionId = childText(info, 'descriptionId');
  if (descriptionId !== undefined) result.descriptionId = descriptionId;
  const progress = childText(info, 'progress');
  if (progress !== undefined && progress !== '') result.progress = Number(progress);
  const returned = moRef(child(info, 'result'));
  if (returned !== undefined) result.result = returned;
  const error = child(info, 'error');
  if (error !== undefined) {
    const fault = xsiType(child(error, 'fault'));
    if (fault !== undefined) result.fault = fault;
    result.error = childText(error, 'localizedMessage') || fault || 'the task failed';
  }
  return result;
}
