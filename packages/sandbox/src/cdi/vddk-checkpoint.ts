/**
 * How CDI's VDDK importer finds a stage's checkpoint in vCenter, and the message its pod exits with when it cannot
 * (containerized-data-importer @ c07cdb6fb, about v1.66, pkg/importer/vddk-datasource_amd64.go):
 * - createVddkDataSource, when the pod starts: a `previous` without a `current` is refused ("previous checkpoint set
 *   without current"); `current` is looked up on the VM with govmomi's FindSnapshot (findSnapshot below). Its error
 *   ends the importer through cmd/cdi-importer/importer.go newDataSource → errorCannotConnectDataSource: "Unable to
 *   connect to vddk data source: <error>".
 * - TransferFile, before a delta (`previous` and `current` both set) copies anything: a `previous` that matches CDI's
 *   changeId pattern goes to QueryChangedDiskAreas{vm, snapshot: current, deviceKey, changeId: previous} (a fault:
 *   errors.Wrapf "Failed to query changed areas"); any other is looked up with FindSnapshot ("Could not find previous
 *   snapshot <previous>"). The data processor wraps that (pkg/importer/data-processor.go ProcessingPhaseTransferDataFile:
 *   "Unable to transfer source data to target file") and handleImport writes "Unable to process data: <error>".
 * govmomi renders a SOAP fault as `<faultcode>: <faultstring>` (vendored v0.23.1 vim25/soap/error.go soapFaultError),
 * and vCenter's faultcode is ServerFaultCode.
 */
import { SoapFault } from '../vcenter/soap.js';
import type { SnapshotNode, VcenterModel } from '../vcenter/vcenter-model.js';
import type { Checkpoint } from './checkpoints.js';
import { CANNOT_CONNECT } from './vddk-endpoints.js';

/** handleImport's termination message prefix, with the data processor's wrapping of a TransferFile error. */
export const TRANSFER_FAILED = 'Unable to process data: Unable to transfer source data to target file: ';

/**
 * CDI's test of a `previous` (TransferFile: "Change IDs look like: 52 de c0 d9 b9 43 9d 10-61 d5 4c 1b e9 7b 65 63/81"),
 * unanchored as Go's regexp.MatchString uses it; Go's `\s` is `[\t\n\f\r ]`.
 */
const CHANGE_ID = /([0-9a-fA-F]{2}[\t\n\f\r ]?)*-([0-9a-fA-F]{2}[\t\n\f\r ]?)*\/([0-9a-fA-F]*)/;

/** Whether CDI takes `previous` for a CBT changeId (else for a snapshot's MoRef value or name). */
export function isChangeId(previous: string): boolean {
  return CHANGE_ID.test(previous);
}

/**
 * govmomi's VirtualMachine.FindSnapshot (vendored v0.23.1 object/virtual_machine.go, snapshotMap.add): every snapshot
 * answers to its name, its MoRef value and, below a root, its path of names (`root/child`); a name that more than one
 * entry answers to is ambiguous (a snapshot named as its own MoRef value counts twice, as there). The sandbox joins
 * paths with `/` without path.Join's cleaning.
 */
export function findSnapshot(roots: SnapshotNode[], name: string): { moRef: string } | { error: string } {
  if (roots.length === 0) return { error: 'no snapshots for this VM' };
  const found: string[] = [];
  const add = (parent: string, tree: SnapshotNode[]) => {
    for (const node of tree) {
      const path = parent === '' ? node.name : `${parent}/${node.name}`;
      const names = parent === '' ? [node.name, node.moRef] : [node.name, node.moRef, path];
      for (const candidate of names) if (candidate === name) found.push(node.moRef);
      add(path, node.children);
    }
  };
  add('', roots);
  if (found.length === 0) return { error: `snapshot "${name}" not found` };
  if (found.length > 1) return { error: `"${name}" resolves to ${found.length} snapshots` };
  return { moRef: found[0] };
}

/** The disk a DataVolume copies, as vCenter knows it. */
export interface VcenterDisk {
  /** The VM's MoRef value (`vm-7`). */
  vmId: string;
  /** The disk's device key (`2000`). */
  deviceKey: number;
}

/**
 * The message a stage's importer exits with because vCenter does not have its checkpoint as the stage starts (the
 * removal tasks due by then applied), or undefined when it has: `current` must be in the VM's snapshot tree, and a
 * `previous` must be a changeId vCenter issued for the disk, or else a snapshot in the tree.
 */
export function checkpointError(vcenter: VcenterModel, disk: VcenterDisk, checkpoint: Checkpoint): string | undefined {
  const { previous, current } = checkpoint;
  if (current === '') return previous === '' ? undefined : `${CANNOT_CONNECT}previous checkpoint set without current`;
  vcenter.sync();
  const vm = { type: 'VirtualMachine', value: disk.vmId };
  const { roots } = vcenter.snapshotTree(vcenter.vm(vm).vm);
  const found = findSnapshot(roots, current);
  if ('error' in found) return `${CANNOT_CONNECT}${found.error}`;
  if (previous === '') return undefined;
  if (!isChangeId(previous)) {
    const before = findSnapshot(roots, previous);
    return 'error' in before
      ? `${TRANSFER_FAILED}Could not find previous snapshot ${previous}: ${before.error}`
      : undefined;
  }
  try {
    vcenter.queryChangedDiskAreas(vm, { type: 'VirtualMachineSnapshot', value: found.moRef }, disk.deviceKey, previous);
    return undefined;
  } catch (error) {
    if (!(error instanceof SoapFault)) throw error;
    return `${TRANSFER_FAILED}Failed to query changed areas: ServerFaultCode: ${error.message}`;
  }
}
