/**
 * Forklift's cold steps before a VM's disks copy (--power-off-source), done where Forklift does them: when the VM is
 * about to be copied, not all at the start, so that a VM queued for hours is not down for hours. The cold itinerary
 * (kubev2v/forklift pkg/controller/plan/migration.go, 2.8; migrator/base/migrator.go coldItinerary, 2.9+) runs
 * StorePowerState → PowerOffSource → WaitForPowerOff before CreateDataVolumes, and the scheduler charges the VM its
 * disks all along (scheduler/vsphere/scheduler.go cost): here the disk that asked holds its slot while its VM shuts
 * down. The power state is recorded in the cluster first (source-power-record.ts), then PowerOff as Forklift's
 * vSphere client does it (adapter/vsphere/client.go PowerOff: nothing when already off, else ShutdownGuest; never
 * PowerOffVM_Task, which only --force-power-off sends), then vCenter is polled until poweredOff (client.go
 * PoweredOff; Forklift waits without a limit, we stop after --shutdown-timeout and say so).
 */
import type { ResolvedVm } from '../cluster/resolved-plan.js';
import type { MoRef, PowerState, TaskInfo, VCenterSession } from '../vsphere/types.js';
import type { RunEvent } from './run-events.js';

/**
 * What must hold before a VM's first disk is copied (source-power.ts: its source powered off); the disk keeps its
 * slot meanwhile. `stop()`: the run stopped, end the waits.
 */
export interface SourceGate {
  ready(vm: { id: string; name: string }): Promise<void>;
  stop(): void;
}

/** Between two reads of a VM's power state (Forklift's reconcile requeue, PollReQ, is 3 s). */
export const POWER_POLL_MS = 2000;
/** --shutdown-timeout's default. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10 * 60_000;

/** Where the power states are kept (source-power-record.ts SourcePowerRecord). */
export interface PowerRecord {
  /** Records `state` unless one is recorded; the state that stands. */
  record(vmId: string, state: string): Promise<string>;
}

export interface SourcePowerOptions {
  session: Pick<VCenterSession, 'vmPower' | 'shutdownGuest' | 'powerOff' | 'taskInfo'>;
  record: PowerRecord;
  /** Each plan VM's reference in vCenter, by inventory id (found by uuid before anything was created). */
  refs: ReadonlyMap<string, MoRef>;
  /** --force-power-off: PowerOffVM_Task instead of ShutdownGuest. */
  force: boolean;
  shutdownTimeoutMs: number;
  emit: (event: RunEvent) => void;
  now: () => number;
  pollMs?: number;
}

/** Powers each VM off once, before its first disk; every disk of the VM waits on the same promise. */
export class SourcePowerOff implements SourceGate {
  private readonly done = new Map<string, Promise<void>>();
  private readonly stopping = new AbortController();

  constructor(private readonly options: SourcePowerOptions) {}

  /** The run stopped: the waits end at their next poll (a shutdown already asked for goes on in the guest). */
  stop(): void {
    this.stopping.abort();
  }

  /** Resolves once `vm` is powered off (or was: its state recorded either way); rejects with the reason if not. */
  ready(vm: Pick<ResolvedVm, 'id' | 'name'>): Promise<void> {
    let ready = this.done.get(vm.id);
    if (!ready) {
      ready = this.powerOff(vm);
      this.done.set(vm.id, ready);
    }
    return ready;
  }

  private async powerOff(vm: Pick<ResolvedVm, 'id' | 'name'>): Promise<void> {
    const { session, emit, force } = this.options;
    const ref = this.options.refs.get(vm.id);
    if (!ref) throw new Error(`source VM ${vm.name} was not found in vCenter`);
    const before = await session.vmPower(ref);
    // StorePowerState: recorded before anything changes it (a re-run finds the first value)
    const was = await this.options.record.record(vm.id, before.powerState);
    if (before.powerState !== 'poweredOn') return;
    const action = force ? 'power-off' : 'shutdown';
    const time = () => new Date(this.options.now()).toISOString();
    const started = this.options.now();
    emit({ type: 'source-power', time: time(), vm: vm.name, phase: 'requested', action, was });
    try {
      if (force) {
        const task = await session.powerOff(ref);
        const info = await this.untilTaskEnds(task);
        if (info.state === 'error') throw new Error(`PowerOffVM_Task failed: ${info.error ?? info.fault ?? 'error'}`);
      } else {
        await session.shutdownGuest(ref);
      }
      const state = await this.untilPoweredOff(ref, started);
      if (state !== 'poweredOff') {
        throw new Error(
          `still ${state} ${Math.round(this.options.shutdownTimeoutMs / 1000)} s after ${force ? 'PowerOffVM_Task' : 'ShutdownGuest'}; pass a longer --shutdown-timeout${force ? '' : ', or --force-power-off'}`,
        );
      }
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      emit({ type: 'source-power', time: time(), vm: vm.name, phase: 'failed', action, was, reason });
      throw new Error(`source VM ${vm.name} not powered off: ${reason}`);
    }
    const seconds = (this.options.now() - started) / 1000;
    emit({ type: 'source-power', time: time(), vm: vm.name, phase: 'off', action, was, seconds });
  }

  /** The VM's power state once poweredOff, or at the timeout (or when the run stops). */
  private async untilPoweredOff(ref: MoRef, started: number): Promise<PowerState> {
    for (;;) {
      const { powerState } = await this.options.session.vmPower(ref);
      if (powerState === 'poweredOff') return powerState;
      if (this.options.now() - started >= this.options.shutdownTimeoutMs || this.stopping.signal.aborted)
        return powerState;
      await this.sleep();
    }
  }

  private async untilTaskEnds(task: MoRef): Promise<TaskInfo> {
    for (;;) {
      const info = await this.options.session.taskInfo(task);
      if (info.state === 'success' || info.state === 'error') return info;
      if (this.stopping.signal.aborted) return { ...info, state: 'error', error: 'the run stopped' };
      await this.sleep();
    }
  }

  private sleep(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.options.pollMs ?? POWER_POLL_MS);
      const signal = this.stopping.signal;
      function done() {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });
  }
}
