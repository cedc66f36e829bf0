/**
 * What the warm part watches from the harness's side while the runner is killed and run again: every version of the
 * plan's warm record (which snapshot and changeIds each VM's round had), the last version of every DataVolume (the
 * runner deletes them, Orphan, once their VM is made), and the sandbox vCenter's snapshot trees, polled, so that two
 * kubectl-mtv snapshots of one VM at once are seen. From the record and the cluster it says which warm phase each VM
 * is in, which is where the kills aim.
 */
import { DATAVOLUMES, type KubeObject, SEED_NAMES, VIRTUALMACHINES } from '@kubectl-mtv/sandbox';
import { DV_LABEL, labelValue } from '../src/cluster/datavolume-builder.js';
import { planObjectName } from '../src/cluster/plan-record.js';
import { type WarmVmRecord, warmVmKey } from '../src/cluster/warm-record.js';
import type { ChaosCluster } from './cluster.js';

/** A warm VM's phases, in the order a VM goes through them (Forklift's warm itinerary, as the runner runs it). */
export const WARM_PHASES = [
  'initial snapshot',
  'initial copy',
  'paused',
  'precopy snapshot',
  'precopy copy',
  'cutover',
  'final snapshot',
  'final copy',
  'final snapshot removal',
  'VM creation',
] as const;
export type WarmPhase = (typeof WARM_PHASES)[number];
/** A VM's phase, or before its first record write (`queued`) and after its VM is ready (`done`). */
export type VmPhase = WarmPhase | 'queued' | 'done';

const CONFIGMAPS = 'configmaps';
const PVCS = 'persistentvolumeclaims';
/** How often the vCenter's snapshot trees are read (ms). */
const POLL_MS = 10;

/** One plan VM: the inventory's id and name, and the BIOS uuid vCenter finds it by. */
export interface WarmVm {
  id: string;
  name: string;
  uuid: string;
}

/** Per VM id, per round: every snapshot the record named for it, and the changeIds recorded with it. */
export type RoundHistory = Map<string, Map<number, { snapshots: Set<string>; deltas?: Record<string, string> }>>;

export class WarmWatch {
  readonly recordName: string;
  /** `kubectl-mtv-<first 8 of the plan uid>-`: the plan's own snapshots, as the runner names them. */
  readonly snapshotPrefix: string;
  readonly vms: WarmVm[];
  readonly rounds: RoundHistory = new Map();
  /** Every DataVolume of the target namespace as last seen (the deleted ones as they were deleted). */
  readonly dataVolumes = new Map<string, KubeObject>();
  /** Most kubectl-mtv snapshots one VM held at once, by VM name, over every poll. */
  readonly peakSnapshots = new Map<string, number>();
  /** Every snapshot MoRef vCenter showed under each of the plan's snapshot names, by VM name and snapshot name. */
  readonly moRefsByName = new Map<string, Set<string>>();
  polls = 0;
  readonly cluster: ChaosCluster;
  private unsubscribe: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(cluster: ChaosCluster) {
    this.cluster = cluster;
    const plan = cluster.sandbox.store.get('plans.forklift.konveyor.io', SEED_NAMES.forkliftNamespace, SEED_NAMES.plan);
    const uid = plan?.metadata.uid ?? '';
    this.recordName = planObjectName({ name: SEED_NAMES.plan, uid }, 'warm');
    this.snapshotPrefix = `kubectl-mtv-${uid.slice(0, 8)}-`;
    const names = new Set(cluster.scenario.vms.map((vm) => vm.name));
    this.vms = cluster.sandbox.vcenter.model
      .allVms()
      .filter((vm) => names.has(vm.name))
      .map((vm) => ({ id: vm.id, name: vm.name, uuid: vm.uuid }));
  }

  start(): void {
    this.unsubscribe = this.cluster.sandbox.store.subscribe((event) => {
      if (event.resource === DATAVOLUMES && event.object.metadata.namespace === SEED_NAMES.targetNamespace)
        this.dataVolumes.set(event.object.metadata.name ?? '', event.object);
      if (event.resource === CONFIGMAPS && event.object.metadata.name === this.recordName) this.remember(event.object);
    });
    this.timer = setInterval(() => this.snapshotCounts(), POLL_MS);
  }

  stop(): void {
    this.unsubscribe?.();
    clearInterval(this.timer);
  }

  /** The record's VM states now, by VM id. */
  records(): Map<string, WarmVmRecord> {
    return this.parse(this.cluster.sandbox.store.get(CONFIGMAPS, SEED_NAMES.forkliftNamespace, this.recordName));
  }

  /** Whether the warm record exists. */
  recordExists(): boolean {
    return this.cluster.sandbox.store.get(CONFIGMAPS, SEED_NAMES.forkliftNamespace, this.recordName) !== undefined;
  }

  /** Each VM's phase now, from the record, its DataVolumes and its VirtualMachine; by VM name. */
  phases(): Map<string, VmPhase> {
    const records = this.records();
    const store = this.cluster.sandbox.store;
    const dvs = store.list(DATAVOLUMES, SEED_NAMES.targetNamespace);
    const made = store.list(VIRTUALMACHINES, SEED_NAMES.targetNamespace);
    const phases = new Map<string, VmPhase>();
    for (const vm of this.vms) {
      const own = (object: KubeObject) => object.metadata.labels?.[DV_LABEL.vmId] === labelValue(vm.id);
      const ready = made.some((object) => own(object) && (object.status as { ready?: boolean } | undefined)?.ready);
      const exists = made.some(own);
      const copied = dvs
        .filter(own)
        .every((dv) => (dv.status as { phase?: string } | undefined)?.phase === 'Succeeded');
      phases.set(vm.name, phaseOf(records.get(vm.id), copied, ready, exists));
    }
    return phases;
  }

  /** The plan's snapshots each VM holds in vCenter now, by VM name (the sandbox's model, read as it stands). */
  snapshotCounts(): Map<string, number> {
    this.polls++;
    const model = this.cluster.sandbox.vcenter.model;
    const counts = new Map<string, number>();
    for (const vm of model.allVms()) {
      if (!this.vms.some((own) => own.id === vm.id)) continue;
      const ours = flatten(model.snapshotTree(vm).roots).filter((node) => node.name.startsWith(this.snapshotPrefix));
      counts.set(vm.name, ours.length);
      this.peakSnapshots.set(vm.name, Math.max(this.peakSnapshots.get(vm.name) ?? 0, ours.length));
      for (const node of ours) {
        const key = `${vm.name} ${node.name}`;
        this.moRefsByName.set(key, (this.moRefsByName.get(key) ?? new Set()).add(node.moRef));
      }
    }
    return counts;
  }

  /** Claims of the target namespace by name, with their owners' kinds. */
  claimOwners(): Map<string, string[]> {
    const claims = this.cluster.sandbox.store.list(PVCS, SEED_NAMES.targetNamespace);
    return new Map(
      claims.map((pvc) => [pvc.metadata.name ?? '', (pvc.metadata.ownerReferences ?? []).map((owner) => owner.kind)]),
    );
  }

  /** A version of the record: its VM states by VM id. */
  private parse(record: KubeObject | undefined): Map<string, WarmVmRecord> {
    const data = (record?.data ?? {}) as Record<string, string>;
    const states = new Map<string, WarmVmRecord>();
    for (const vm of this.vms) {
      const text = data[warmVmKey(vm.id)];
      if (text !== undefined) states.set(vm.id, JSON.parse(text) as WarmVmRecord);
    }
    return states;
  }

  private remember(record: KubeObject): void {
    for (const [id, state] of this.parse(record)) {
      if (!state.snapshot) continue;
      const byRound = this.rounds.get(id) ?? new Map();
      const round = byRound.get(state.round) ?? { snapshots: new Set<string>() };
      round.snapshots.add(state.snapshot);
      if (state.deltas) round.deltas = state.deltas;
      byRound.set(state.round, round);
      this.rounds.set(id, byRound);
    }
  }
}

/**
 * A VM's phase from its record (warm-loop.ts writes it before and after every vCenter call), whether its DataVolumes
 * are all Succeeded, and whether its VM exists and is ready. On MTV 2.12 the VM is made while the final snapshot is
 * removed (`finished` is recorded after both): a VM that exists and is not ready is being created either way.
 */
export function phaseOf(state: WarmVmRecord | undefined, copied: boolean, ready: boolean, made = false): VmPhase {
  if (!state) return 'queued';
  if (made && !ready) return 'VM creation';
  if (state.finished) return ready ? 'done' : 'VM creation';
  const taking = state.removing !== undefined || state.snapshot === undefined;
  if (state.final) {
    if (taking) return 'final snapshot';
    return copied ? 'final snapshot removal' : 'final copy';
  }
  if (state.cutoverAt) return 'cutover';
  if (taking) return state.round <= 1 ? 'initial snapshot' : 'precopy snapshot';
  if (state.roundEndedAt) return 'paused';
  return state.round <= 1 ? 'initial copy' : 'precopy copy';
}

interface Node {
  moRef: string;
  name: string;
  children: Node[];
}

function flatten(nodes: readonly Node[]): Node[] {
  return nodes.flatMap((node) => [node, ...flatten(node.children)]);
}
