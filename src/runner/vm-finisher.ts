/**
 * What a run does with a VM once its disks are copied (issue 15; Forklift's CreateVM phase, kubevirt.go EnsureVM):
 * as soon as every disk a VM needs has Succeeded, (converts the guest, where the plan needs it,) finds its
 * VirtualMachine by the plan's labels or creates it, moves each PVC's owner from the DataVolume to the VM, reads the
 * owners back, and only then deletes the VM's DataVolumes with propagationPolicy Orphan. Then it waits for KubeVirt to
 * report the VM as the plan asks (Running, or Stopped for Halted) within the ready timeout. Every step is found again
 * in the cluster after a kill -9: a VM that exists is adopted, a PVC already the VM's is patched again to the same
 * owner, a DataVolume already gone is skipped.
 */
import {
  type DiskDataVolume,
  DV_ANNOTATION,
  DV_LABEL,
  labelValue,
  type SkippedDisk,
} from '../cluster/datavolume-builder.js';
import type { KubeClient } from '../cluster/kube-client.js';
import {
  PlanVirtualMachines,
  readVirtualMachine,
  type VirtualMachineObject,
  type VmReading,
} from '../cluster/plan-virtual-machines.js';
import type { ResolvedPlan, ResolvedVm } from '../cluster/resolved-plan.js';
import type { ResourceWatch } from '../cluster/resource-watch.js';
import { buildVirtualMachine, runStrategyFor, type VmDiskClaim } from '../cluster/vm-builder.js';
import type { RunEvent, VmOutcome } from './run-events.js';

/** How long a run waits, by default, for a VM to be as the plan asks after it was made (--vm-ready-timeout). */
export const DEFAULT_VM_READY_TIMEOUT_MS = 10 * 60_000;

/** VMs made at once: each is a handful of small writes (a 250-VM plan: 69 s of VM making at 4, see BENCHMARKS.md). */
const CONCURRENT_VMS = 8;

/** A guest conversion (guest-conversion.ts), run before the VM is made. */
export interface ConvertGuest {
  /** Converts the VM's copied disks in place; resolves with why it failed, or undefined. */
  convert(vm: ResolvedVm, claims: readonly VmDiskClaim[], signal: AbortSignal): Promise<string | undefined>;
  /** The VM exists: what the conversion left can go. */
  done(vm: ResolvedVm): Promise<void>;
}

export interface VmFinisherOptions {
  resolved: ResolvedPlan;
  dataVolumes: readonly DiskDataVolume[];
  /** Disks with no DataVolume of their own (a shared disk another VM's DataVolume copies). */
  skipped: readonly SkippedDisk[];
  /** The destination cluster (VMs, PVCs and DataVolumes live there). */
  destination: KubeClient;
  emit: (event: RunEvent) => void;
  now: () => number;
  readyTimeoutMs: number;
  convert?: ConvertGuest;
  /**
   * --power-off-source (source-power.ts): resolves once the VM's source is off. Asked again before the VM is made, so
   * that a VM whose disks an earlier run copied (none gated in this run) is never started beside its running source.
   */
  sourceReady?: (vm: ResolvedVm) => Promise<void>;
}

/** One plan VM as the finisher follows it. */
interface VmEntry {
  vm: ResolvedVm;
  /** Every disk's claim, own or shared, in disk order. */
  claims: VmDiskClaim[];
  /** DataVolumes that must have Succeeded first (its own and those copying its shared disks). */
  needs: Set<string>;
  /** Its own DataVolumes: their PVCs move to the VM, then they are deleted. */
  own: string[];
  outcome: VmOutcome;
  /** Set once the VM's work began. */
  started?: Promise<void>;
  runStrategy?: 'Always' | 'Halted';
  /** Resolves the wait for readiness. */
  settle?: (reading: VmReading | { kind: 'timeout' | 'stopped' }) => void;
}

export class VmFinisher {
  private readonly entries: VmEntry[];
  private readonly ops: PlanVirtualMachines;
  private readonly done = new Set<string>();
  private readonly latest = new Map<string, VirtualMachineObject>();
  private readonly queue: VmEntry[] = [];
  private active = 0;
  private stopped = false;
  /** Aborted by stop(): a wait for a conversion ends at once. */
  private readonly halt = new AbortController();
  private watch: ResourceWatch<VirtualMachineObject> | undefined;
  private failure: unknown;
  private readonly idle = new Set<() => void>();
  /** VMs made and waited for until KubeVirt reports them as the plan asks. */
  private readonly waiting = new Set<Promise<void>>();

  constructor(private readonly options: VmFinisherOptions) {
    const { resolved } = options;
    this.ops = new PlanVirtualMachines(options.destination, resolved.plan.targetNamespace, resolved.plan.uid);
    this.entries = resolved.vms
      .filter((vm) => vm.config !== undefined)
      .map((vm) => {
        const fileOf = (index: number) => vm.disks.find((d) => d.index === index)?.file ?? '';
        const own = options.dataVolumes.filter((dv) => dv.vmId === vm.id);
        const shared = options.skipped.filter(
          (s) => s.vmId === vm.id && s.reason === 'shared-copied-once' && s.copiedBy,
        );
        const claims = [
          ...own.map((dv) => ({
            diskIndex: dv.diskIndex,
            file: fileOf(dv.diskIndex),
            claimName: dv.manifest.metadata.name,
          })),
          ...shared.map((s) => ({ diskIndex: s.diskIndex, file: s.file, claimName: s.copiedBy ?? '' })),
        ].sort((a, b) => a.diskIndex - b.diskIndex);
        return {
          vm,
          claims,
          needs: new Set(claims.map((c) => c.claimName)),
          own: own.map((dv) => dv.manifest.metadata.name),
          outcome: { vm: vm.name, name: vm.config?.targetName ?? vm.name, state: 'not-created' as const },
        };
      });
  }

  /** Plan VMs the run makes. */
  get count(): number {
    return this.entries.length;
  }

  /**
   * The plan's VMs that exist already (made by an earlier run), by source VM id: their disks are copied, whether or
   * not their DataVolumes are still there. Starts the watch that follows the VMs' status.
   */
  async start(): Promise<Set<string>> {
    if (this.entries.length === 0) return new Set();
    this.watch = this.ops.watch({
      onList: (items) => {
        this.latest.clear();
        for (const item of items) this.latest.set(item.metadata.name ?? '', item);
      },
      onEvent: (type, item) => {
        if (type === 'DELETED') this.latest.delete(item.metadata.name ?? '');
        else this.latest.set(item.metadata.name ?? '', item);
      },
      onBatch: () => this.checkReadiness(),
      onError: (error) => {
        this.failure ??= error;
        this.stop();
      },
    });
    const existing = await this.watch.start();
    for (const item of existing) this.latest.set(item.metadata.name ?? '', item);
    const vmIds = new Set(existing.map((vm) => vm.metadata.labels?.[DV_LABEL.vmId] ?? ''));
    return new Set(this.entries.filter((e) => vmIds.has(labelValue(e.vm.id))).map((e) => e.vm.id));
  }

  /** DataVolumes of VMs found made: their disks are done without a DataVolume. */
  claimsOf(vmIds: ReadonlySet<string>): string[] {
    return this.entries.filter((e) => vmIds.has(e.vm.id)).flatMap((e) => e.own);
  }

  /** A DataVolume Succeeded (or its VM exists): a VM whose disks are all done is made now. */
  diskDone(dataVolume: string): void {
    this.done.add(dataVolume);
    for (const entry of this.entries) {
      if (entry.started || this.stopped || !entry.needs.has(dataVolume)) continue;
      if ([...entry.needs].every((name) => this.done.has(name))) {
        entry.started = Promise.resolve();
        this.queue.push(entry);
      }
    }
    this.pump();
  }

  /** No more VMs are made; waits for readiness end at once (a stopped run does not wait for KubeVirt). */
  stop(): void {
    this.stopped = true;
    this.halt.abort();
    this.queue.length = 0;
    for (const entry of this.entries) entry.settle?.({ kind: 'stopped' });
    this.wakeIdle();
  }

  /** Ends everything at once (a run that failed): no more VMs, the status watch closed. Idempotent. */
  async abandon(): Promise<void> {
    this.stop();
    await this.watch?.stop();
  }

  /** Waits until every VM begun is made and settled; then the outcome of each plan VM. */
  async finish(): Promise<VmOutcome[]> {
    while (this.active > 0 || this.queue.length > 0 || this.waiting.size > 0) {
      await new Promise<void>((resolve) => this.idle.add(resolve));
    }
    await this.watch?.stop();
    if (this.failure !== undefined) throw this.failure;
    return this.entries.map((e) => e.outcome);
  }

  private pump(): void {
    while (!this.stopped && this.active < CONCURRENT_VMS && this.queue.length > 0) {
      const entry = this.queue.shift() as VmEntry;
      this.active++;
      entry.started = this.finishVm(entry)
        .catch((error) => {
          // a run that stops leaves a VM it was making for the next run to finish
          if (!this.stopped) this.vmFailed(entry, error instanceof Error ? error.message : String(error));
        })
        .finally(() => {
          this.active--;
          this.pump();
          this.wakeIdle();
        });
    }
  }

  private wakeIdle(): void {
    if (this.active > 0 || this.waiting.size > 0 || (this.queue.length > 0 && !this.stopped)) return;
    for (const resolve of this.idle) resolve();
    this.idle.clear();
  }

  private async finishVm(entry: VmEntry): Promise<void> {
    const { resolved, emit } = this.options;
    const vm = entry.vm;
    // the plan's VMs as the watch has them (listed before the first disk): a VM made since by another run is a 409 on
    // create, read back as this plan's
    const vmIdLabel = labelValue(vm.id);
    let made = [...this.latest.values()].find((object) => object.metadata.labels?.[DV_LABEL.vmId] === vmIdLabel);
    let adopted = made !== undefined;
    if (!made) {
      if (this.options.convert) {
        const failed = await this.options.convert.convert(vm, entry.claims, this.halt.signal);
        if (failed !== undefined) return this.vmFailed(entry, failed);
      }
      if (this.stopped) return;
      if (this.options.sourceReady) {
        try {
          await this.options.sourceReady(vm);
        } catch (error) {
          return this.vmFailed(entry, error instanceof Error ? error.message : String(error));
        }
      }
      const stored = await this.storedPowerState(entry);
      const decided = decideRunStrategy(resolved, vm, stored);
      const manifest = buildVirtualMachine(resolved, vm, { claims: entry.claims, runStrategy: decided.runStrategy });
      const created = await this.ops.create(manifest, vm.id);
      if (created.outcome === 'taken') {
        return this.vmFailed(
          entry,
          `VM name ${manifest.metadata.name} in namespace "${resolved.plan.targetNamespace}" is taken by ${created.by}`,
        );
      }
      made = created.object;
      adopted = created.outcome === 'exists';
      if (decided.haltedSourceOn) entry.outcome.haltedSourceOn = true;
      entry.outcome.reason = decided.why;
    }
    await this.options.convert?.done(vm);
    const name = made.metadata.name ?? entry.outcome.name;
    const runStrategy = made.spec?.runStrategy === 'Always' ? 'Always' : 'Halted';
    entry.runStrategy = runStrategy;
    entry.outcome = { ...entry.outcome, name, state: 'created', runStrategy };
    this.latest.set(name, this.latest.get(name) ?? made);
    emit({
      type: 'vm-created',
      time: this.time(),
      vm: vm.name,
      name,
      namespace: resolved.plan.targetNamespace,
      runStrategy,
      why: entry.outcome.reason ?? (adopted ? 'made by an earlier run' : ''),
      ...(adopted && { adopted: true as const }),
    });
    // the PVCs become the VM's before any DataVolume goes: a DataVolume deleted first would take its PVC with it
    await this.ops.own({ name, uid: made.metadata.uid ?? '' }, entry.own);
    await Promise.all(entry.own.map((dataVolume) => this.ops.release(dataVolume)));
    // the wait for KubeVirt holds no slot: the next VM is made meanwhile
    const ready = this.awaitReady(entry, name).finally(() => {
      this.waiting.delete(ready);
      this.wakeIdle();
    });
    this.waiting.add(ready);
  }

  /** The power state stored with the VM's first DataVolume when the run that created it began; else the inventory's. */
  private async storedPowerState(entry: VmEntry): Promise<string> {
    for (const dataVolume of entry.own) {
      const annotations = await this.ops.dataVolumeAnnotations(dataVolume);
      const stored = annotations?.[DV_ANNOTATION.sourcePowerState];
      if (stored) return stored;
    }
    return entry.vm.restorePowerState ?? entry.vm.powerState;
  }

  private async awaitReady(entry: VmEntry, name: string): Promise<void> {
    const reading = await new Promise<VmReading | { kind: 'timeout' | 'stopped' }>((resolve) => {
      const timer = setTimeout(() => resolve({ kind: 'timeout' }), this.options.readyTimeoutMs);
      entry.settle = (value) => {
        clearTimeout(timer);
        entry.settle = undefined;
        resolve(value);
      };
      if (this.stopped) entry.settle({ kind: 'stopped' });
      else this.checkReadiness();
    });
    const status = this.latest.get(name)?.status?.printableStatus;
    if (status !== undefined) entry.outcome.status = status;
    if (reading.kind === 'ready') {
      entry.outcome.state = 'ready';
      this.options.emit({ type: 'vm-ready', time: this.time(), vm: entry.vm.name, name, status: reading.status });
    } else if (reading.kind === 'failed') {
      this.vmFailed(entry, `KubeVirt reports ${reading.reason}`, name);
    } else if (reading.kind === 'timeout') {
      const wanted = entry.runStrategy === 'Always' ? 'Running' : 'Stopped';
      this.vmFailed(
        entry,
        `not ${wanted} ${Math.round(this.options.readyTimeoutMs / 1000)} s after it was made (status ${status ?? 'none'}); see kubectl describe vm ${name} -n ${this.options.resolved.plan.targetNamespace}`,
        name,
      );
    }
  }

  private checkReadiness(): void {
    for (const entry of this.entries) {
      if (!entry.settle || !entry.runStrategy) continue;
      const object = this.latest.get(entry.outcome.name);
      if (!object) continue;
      const reading = readVirtualMachine(object, entry.runStrategy);
      if (reading.kind !== 'waiting') entry.settle(reading);
    }
  }

  private vmFailed(entry: VmEntry, reason: string, name?: string): void {
    entry.outcome = { ...entry.outcome, state: 'failed', reason };
    this.options.emit({
      type: 'vm-failed',
      time: this.time(),
      vm: entry.vm.name,
      ...(name !== undefined && { name }),
      reason,
    });
  }

  private time(): string {
    return new Date(this.options.now()).toISOString();
  }
}

/**
 * The VM's runStrategy: the release's rule (vm-builder.ts runStrategyFor) from the stored power state, except that a
 * VM whose source is still powered on (copied crash-consistently with --allow-powered-on) is made Halted: two running
 * copies would share MACs and IPs.
 */
export function decideRunStrategy(
  resolved: ResolvedPlan,
  vm: ResolvedVm,
  storedPowerState: string,
): { runStrategy: 'Always' | 'Halted'; why: string; haltedSourceOn?: true } {
  const config = vm.config;
  if (!config) throw new Error(`VM ${vm.name} has no configuration to build a VirtualMachine from`);
  const sourceRunning = vm.powerState === 'poweredOn' && !vm.poweredOffByRun;
  const decided = runStrategyFor(resolved.mtvRelease.release, config, storedPowerState, { sourceRunning });
  return sourceRunning ? { ...decided, haltedSourceOn: true } : decided;
}
