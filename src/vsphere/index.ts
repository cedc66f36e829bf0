/** src/vsphere: the vim25 SOAP adapter (types.ts is its contract). */
export { trimBackingFileName } from './backing-file.js';
export * from './types.js';
export { connectVCenter } from './vcenter-session.js';
export { type WaitForTaskOptions, waitForTask } from './wait-for-task.js';
