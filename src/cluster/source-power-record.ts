/**
 * The source VMs' power states as they were before a run shut them down: Forklift's StorePowerState, which keeps
 * `restorePowerState` in the Plan's status.migration.vms[] (pkg/controller/plan/migration.go, cold itinerary
 * StorePowerState → PowerOffSource → WaitForPowerOff; warm: the same at cutover). Ours is a plan record
 * (plan-record.ts, `<plan>-power-<uid prefix>`, data `<vm id>: poweredOn`), written before the first shutdown and
 * never overwritten: a re-run after a crash, from any workstation, finds a VM it shut down still recorded as
 * poweredOn, and makes its KubeVirt VM Running.
 */
import type { KubeClient } from './kube-client.js';
import { PlanRecord, type PlanRef, planObjectName } from './plan-record.js';

export type { PlanRef } from './plan-record.js';

/** Marks the record among our objects. */
export const POWER_RECORD_USE = 'source-power';

/** The record's name: `<plan>-power-<first 8 of the uid>`, within a DNS-1123 subdomain's 253 characters. */
export function powerRecordName(plan: { name: string; uid: string }): string {
  return planObjectName(plan, 'power');
}

/** The plan's power-state record: read, added to (first value wins), deleted. */
export class SourcePowerRecord {
  private readonly record_: PlanRecord;
  readonly name: string;

  constructor(client: KubeClient, plan: PlanRef) {
    this.record_ = new PlanRecord(client, plan, 'power', POWER_RECORD_USE, 'power-state record');
    this.name = this.record_.name;
  }

  /** The recorded states by VM id; empty when there is no record. A ConfigMap of its name not ours: exit 2. */
  read(): Promise<Map<string, string>> {
    return this.record_.read();
  }

  /**
   * Records `state` for `vmId` unless a state is recorded already (the first, taken before any shutdown, is the one
   * to restore); returns the state that stands. Calls are taken one at a time (a run records many VMs at once).
   */
  async record(vmId: string, state: string): Promise<string> {
    const data = await this.record_.update((current) => (current[vmId] === undefined ? { [vmId]: state } : undefined));
    return data[vmId] ?? state;
  }

  /** Deletes the record; whether there was one of ours. */
  delete(): Promise<boolean> {
    return this.record_.delete();
  }
}
