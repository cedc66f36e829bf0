/**
 * A warm run's state, kept in the cluster so that a run killed at any phase resumes on any workstation without a
 * second snapshot or a lost checkpoint: what Forklift keeps in the Plan's status.migration.vms[].warm (precopies with
 * their snapshot, task ids and deltas; pkg/controller/plan/migration.go, plan/vm.go), which is Forklift's to write, so
 * ours is a plan record (plan-record.ts, `<plan>-warm-<uid prefix>`): key `run` (the cutover time and the interval)
 * and one key per VM, `vm.<id>`, each a JSON WarmVmRecord. Every vCenter call that creates something is recorded
 * before it is made and its answer right after.
 */
import type { KubeClient } from './kube-client.js';
import { PlanRecord, type PlanRef } from './plan-record.js';

export const WARM_RECORD_USE = 'warm-state';

/** The run's settings as last given. */
export interface WarmRunRecord {
  /** RFC 3339; absent: no cutover set yet. */
  cutover?: string;
  precopyIntervalSeconds: number;
}

/** One VM's warm state. Snapshots by MoRef value (`snapshot-12`). */
export interface WarmVmRecord {
  /** The source VM's MoRef value in vCenter (`vm-42`): where `clean` finds its snapshots. */
  vm?: string;
  /** The VM's round: 1 initial, 2… precopies; the final round has `final`. */
  round: number;
  final?: boolean;
  /** The round's snapshot, once its task succeeded. */
  snapshot?: string;
  /** Per backing file (trimmed as Forklift does), the changeId of `snapshot`: the next round's `previous`. */
  deltas?: Record<string, string>;
  /** The previous round's changeIds: this round's checkpoints' `previous`. */
  previous?: Record<string, string>;
  /** The snapshot being taken: its name (unique per round, found again by name) and task, once sent. */
  creating?: { name: string; task?: string };
  /** The previous snapshot, until its removal is done. */
  removing?: string;
  /** When the VM's initial snapshot was taken (RFC 3339): its age at the end of the first copy is reported. */
  firstSnapshotAt?: string;
  /** When the round's copies all ended (not final): the next precopy is due an interval later. */
  roundEndedAt?: string;
  /** When the cutover began for this VM (its source asked to shut down): its downtime starts there. */
  cutoverAt?: string;
  /** The final snapshot is removed and the VM's disks are handed to VM creation. */
  finished?: boolean;
}

const RUN_KEY = 'run';
const VM_PREFIX = 'vm.';

export class WarmRecord {
  private readonly record: PlanRecord;
  readonly name: string;

  constructor(client: KubeClient, plan: PlanRef) {
    this.record = new PlanRecord(client, plan, 'warm', WARM_RECORD_USE, 'warm-migration record');
    this.name = this.record.name;
  }

  /** The run's settings and, by warmVmKey(vm id), each VM's state; empty when there is no record. */
  async read(): Promise<{ run?: WarmRunRecord; vms: Map<string, WarmVmRecord> }> {
    const data = await this.record.read();
    const vms = new Map<string, WarmVmRecord>();
    for (const [key, value] of data) {
      if (key.startsWith(VM_PREFIX)) vms.set(key, parse<WarmVmRecord>(value, key));
    }
    const run = data.get(RUN_KEY);
    return { ...(run !== undefined && { run: parse<WarmRunRecord>(run, RUN_KEY) }), vms };
  }

  async setRun(run: WarmRunRecord): Promise<void> {
    await this.record.update(() => ({ [RUN_KEY]: JSON.stringify(run) }));
  }

  /** Writes one VM's state (whole). */
  async setVm(vmId: string, state: WarmVmRecord): Promise<void> {
    await this.record.update(() => ({ [warmVmKey(vmId)]: JSON.stringify(state) }));
  }

  delete(): Promise<boolean> {
    return this.record.delete();
  }
}

/** The prefix of every snapshot a run takes for the plan: `kubectl-mtv-<first 8 of the plan uid>-`, then the round. */
export function warmSnapshotPrefix(planUid: string): string {
  return `kubectl-mtv-${planUid.slice(0, 8)}-`;
}

/** A ConfigMap key for a VM id (keys allow letters, digits, `-`, `_` and `.`). */
export function warmVmKey(vmId: string): string {
  return `${VM_PREFIX}${vmId.replace(/[^A-Za-z0-9._-]/g, '_')}`;
}

function parse<T>(text: string, key: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`the warm-migration record's key ${key} is not JSON; delete the record to start the plan over`);
  }
}
