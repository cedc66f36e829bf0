import { LeftmostFit } from '../leftmost-fit.js';
import type { DiskStatus, Workload } from '../model.js';
import type { Caps, Policy } from '../policy.js';

/**
 * The Forklift controller's vSphere scheduler (kubev2v/forklift release-2.12,
 * pkg/controller/plan/scheduler/vsphere/scheduler.go: `schedulable()` and `cost()`), per ESXi host:
 * a host whose in-flight cost is at or above the cap starts nothing; otherwise the first VM in plan order whose
 * cost fits (`inFlight + cost <= cap`) starts, or, on an idle host, the first VM whatever its cost (MTV-1573); repeat
 * (every schedulable VM starts in one reconcile, MTV-1774). All disks of a started VM start together.
 *
 * `forklift` (2.7.2+, MTV-1537): a running VM costs its disks minus its finished disks.
 * `legacy` (before 2.7.2): a running VM costs all its disks until every one has finished.
 *
 * The cap is the controller's MAX_VM_INFLIGHT, one figure per host: `perHost` if set, else `maxInFlight`; nothing
 * caps the whole run (the controller has no such cap). Holding it as the controller does means: a host runs at most
 * the cap, but for one VM wider than the cap that started while the host was idle, which runs whole, and alone until
 * its cost falls under the cap. `simulate` and `migrate` run this same rule: `forklift` is the yardstick.
 */
export class VmCostPolicy implements Policy {
  private cap: number;
  /** Per host: the VMs (plan order) and a first-fit index over their disk counts. */
  private readonly hostVms: number[][];
  private readonly hostQueue: LeftmostFit[];
  /** Per host: the cost of its running VMs. */
  private readonly hostCost: number[];
  /** Per VM: disks not finished yet. */
  private readonly vmLeft: number[];
  private readonly vmStarted: Uint8Array;
  private readonly diskStarted: Uint8Array;
  /** Disks of adopted VMs that do not exist yet: a started VM's disks start together, so these go first. */
  private pending: number[] = [];
  private queuedDisks: number;

  constructor(
    private readonly workload: Workload,
    private readonly mode: 'legacy' | 'forklift',
    caps: Caps,
  ) {
    this.cap = caps.perHost ?? caps.maxInFlight;
    this.hostVms = workload.hosts.map(() => []);
    workload.vms.forEach((vm, v) => {
      if (vm.disks.length > 0) this.hostVms[vm.host].push(v);
    });
    this.hostQueue = this.hostVms.map((vms) => new LeftmostFit(vms.map((v) => workload.vms[v].disks.length)));
    this.hostCost = workload.hosts.map(() => 0);
    this.vmLeft = workload.vms.map((vm) => vm.disks.length);
    this.vmStarted = new Uint8Array(workload.vms.length);
    this.diskStarted = new Uint8Array(workload.disks.length);
    this.queuedDisks = workload.disks.length;
  }

  get queuedCount(): number {
    return this.queuedDisks;
  }

  setCaps(caps: Caps): void {
    this.cap = caps.perHost ?? caps.maxInFlight;
  }

  admit(): number[] {
    const started: number[] = this.pending;
    this.pending = [];
    for (const d of started) this.diskStarted[d] = 1;
    this.queuedDisks -= started.length;
    for (let h = 0; h < this.hostQueue.length; h++) {
      const queue = this.hostQueue[h];
      while (this.hostCost[h] < this.cap && !queue.empty) {
        // On an idle host every VM is a candidate (MTV-1573): the first in plan order starts.
        const room = this.hostCost[h] === 0 ? Infinity : this.cap - this.hostCost[h];
        const position = queue.first(room);
        if (position < 0) break;
        queue.take(position);
        const v = this.hostVms[h][position];
        const disks = this.workload.vms[v].disks;
        this.vmStarted[v] = 1;
        this.hostCost[h] += disks.length;
        this.queuedDisks -= disks.length;
        for (const d of disks) this.diskStarted[d] = 1;
        started.push(...disks);
      }
    }
    return started;
  }

  adopt(disk: number): void {
    if (this.diskStarted[disk]) return;
    const { vm, host } = this.workload.disks[disk];
    if (!this.vmStarted[vm]) {
      // The controller charges a started VM all its disks at once.
      this.vmStarted[vm] = 1;
      this.hostQueue[host].take(this.hostVms[host].indexOf(vm));
      this.hostCost[host] += this.workload.vms[vm].disks.length;
      for (const other of this.workload.vms[vm].disks)
        if (other !== disk && !this.diskStarted[other]) this.pending.push(other);
    } else if (this.pending.includes(disk)) {
      this.pending.splice(this.pending.indexOf(disk), 1);
    }
    this.diskStarted[disk] = 1;
    this.queuedDisks--;
  }

  finish(disk: number): void {
    const d = this.workload.disks[disk];
    const v = d.vm;
    this.vmLeft[v]--;
    if (this.mode === 'forklift') this.hostCost[d.host]--;
    else if (this.vmLeft[v] === 0) this.hostCost[d.host] -= this.workload.vms[v].disks.length;
  }

  status(disk: number): DiskStatus {
    if (this.pending.includes(disk)) return { kind: 'start' };
    const d = this.workload.disks[disk];
    const vm = this.workload.vms[d.vm];
    const host = this.workload.hosts[d.host].name;
    const inFlight = this.hostCost[d.host];
    const cost = vm.disks.length;
    if (inFlight >= this.cap) return { kind: 'wait', reason: `host ${host} at ${inFlight}/${this.cap}` };
    if (inFlight === 0 || inFlight + cost <= this.cap) {
      const position = this.hostVms[d.host].indexOf(d.vm);
      const room = inFlight === 0 ? Infinity : this.cap - inFlight;
      if (this.hostQueue[d.host].first(room) === position) return { kind: 'start' };
      return { kind: 'wait', reason: `behind an earlier VM in plan order on host ${host}` };
    }
    if (cost > this.cap)
      return {
        kind: 'wait',
        reason: `VM ${vm.name} costs ${cost} > cap ${this.cap}; waits for host ${host} to be idle`,
      };
    return { kind: 'wait', reason: `VM ${vm.name} costs ${cost}; host ${host} at ${inFlight}/${this.cap}` };
  }

  queued(limit: number): number[] {
    // Disks of adopted VMs first, then plan order over all VMs not started.
    const out: number[] = this.pending.slice(0, limit);
    for (let v = 0; v < this.workload.vms.length && out.length < limit; v++) {
      if (this.vmStarted[v]) continue;
      for (const d of this.workload.vms[v].disks) if (out.length < limit) out.push(d);
    }
    return out;
  }
}
