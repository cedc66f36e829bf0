/**
 * A vCenter kept in memory for the runner's tests (the real calls are tested against govmomi's simulator and the
 * sandbox's vCenter in test/vsphere): VMs by MoRef value with a power state; a shutdown takes `shutdownPolls` power
 * reads; a guest listed in `ignores` never stops; `uuids` maps BIOS uuids to MoRef values for findVm.
 */
import type {
  MoRef,
  PowerState,
  SnapshotDisk,
  SnapshotRef,
  TaskInfo,
  VCenterSession,
  VmPower,
} from '../../src/vsphere/types.js';

export class MemoryVcenter implements VCenterSession {
  readonly url = 'https://vcenter.memory/sdk';
  readonly calls: string[] = [];
  loggedOut = false;
  private readonly power = new Map<string, PowerState>();
  private readonly pending = new Map<string, number>();

  constructor(
    states: Record<string, PowerState>,
    private readonly options: {
      shutdownPolls?: number;
      ignores?: string[];
      taskError?: string;
      noTools?: string[];
      uuids?: Record<string, string>;
    } = {},
  ) {
    for (const [vm, state] of Object.entries(states)) this.power.set(vm, state);
  }

  async findVm(uuid: string): Promise<MoRef | undefined> {
    this.calls.push(`find ${uuid}`);
    const value = this.options.uuids?.[uuid];
    return value === undefined ? undefined : { type: 'VirtualMachine', value };
  }

  async vmPower(ref: MoRef): Promise<VmPower> {
    this.calls.push(`power ${ref.value}`);
    const left = this.pending.get(ref.value);
    if (left !== undefined) {
      if (left <= 1) {
        this.pending.delete(ref.value);
        this.power.set(ref.value, 'poweredOff');
      } else this.pending.set(ref.value, left - 1);
    }
    return {
      powerState: this.power.get(ref.value) ?? 'poweredOff',
      toolsRunning: !this.options.noTools?.includes(ref.value),
    };
  }

  async shutdownGuest(ref: MoRef): Promise<void> {
    this.calls.push(`shutdown ${ref.value}`);
    if (!this.options.ignores?.includes(ref.value)) this.pending.set(ref.value, this.options.shutdownPolls ?? 2);
  }

  async powerOff(ref: MoRef): Promise<MoRef> {
    this.calls.push(`poweroff ${ref.value}`);
    if (!this.options.taskError) this.power.set(ref.value, 'poweredOff');
    return { type: 'Task', value: `task-${ref.value}` };
  }

  async taskInfo(task: MoRef): Promise<TaskInfo> {
    this.calls.push(`task ${task.value}`);
    return this.options.taskError
      ? { task, state: 'error', error: this.options.taskError, fault: 'GenericVmConfigFault' }
      : { task, state: 'success' };
  }

  async snapshots(): Promise<SnapshotRef[]> {
    return [];
  }

  async createSnapshot(): Promise<MoRef> {
    throw new Error('not used by these tests');
  }

  async removeSnapshot(): Promise<MoRef> {
    throw new Error('not used by these tests');
  }

  async snapshotDisks(): Promise<SnapshotDisk[]> {
    return [];
  }

  async logout(): Promise<void> {
    this.loggedOut = true;
  }

  state(vm: string): PowerState | undefined {
    return this.power.get(vm);
  }
}
