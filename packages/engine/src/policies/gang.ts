import { LeftmostFit } from '../leftmost-fit.js';
import type { DiskStatus, OrderName, Workload } from '../model.js';
import { type DiskCost, vmOrder } from '../ordering.js';
import { type Caps, hostCap, type Policy } from '../policy.js';

/**
 * How much of a VM must fit before it starts, in split mode: all of it as far as the caps allow (`caps`), or only as
 * many disks as saturate its host's bandwidth (`host-saturation`), so that the host never idles waiting for a VM.
 */
export type GangSplit = 'caps' | 'host-saturation';

function splitWidth(workload: Workload, host: number, caps: Caps, split: GangSplit): number {
  const capped = Math.min(caps.maxInFlight, hostCap(caps, host));
  if (split === 'caps') return capped;
  let fastest = 0;
  for (const d of workload.disks) if (d.host === host) fastest = Math.max(fastest, d.rate);
  const bandwidth = workload.hosts[host].bandwidth;
  return fastest > 0 && Number.isFinite(bandwidth) ? Math.min(capped, Math.ceil(bandwidth / fastest)) : capped;
}

/** How a GangPolicy runs; every field is optional. */
export interface GangOptions {
  /**
   * A host (or the network) starts no VM once the rates of its in-flight disks add up to this many times its
   * bandwidth (default Infinity: never held back for bandwidth).
   */
  saturation?: number;
  /**
   * A VM may start once min(its width, the split width) of its disks fit; it starts as many as the caps allow (the
   * longest first) and the rest follow, ahead of any other VM, as slots free: no cap is ever exceeded. Undefined
   * (warm plans, whose VMs must start all their disks together): a VM always starts whole, and one wider than a cap
   * starts when nothing is in flight under that cap.
   */
  split?: GangSplit;
  /** What a disk costs when VMs are ordered and split: its bytes (default) or the seconds it takes alone. */
  cost?: DiskCost;
}

/**
 * `gang`: all disks of a VM start together (as warm migration needs), each disk frees its slot when it finishes.
 * VMs in cost order, first fit; both caps hold. How a VM wider than a cap runs depends on `split` (GangOptions):
 * split, it takes the whole cap once the cap is free and its other disks follow first; unsplit, it starts whole
 * when nothing is in flight under that cap (the whole run for maxInFlight, its host for perHost).
 */
export class GangPolicy implements Policy {
  private caps: Caps;
  /** Per host: its VMs in cost order, and a first-fit index over their widths. */
  private readonly hostVms: number[][];
  private hostQueue: LeftmostFit[] = [];
  /** Position of each VM in its host's list. */
  private readonly vmPosition: Int32Array;
  private readonly hostInFlight: number[];
  private inFlight = 0;
  /** Rank of each VM in cost order. */
  private readonly vmRank: Int32Array;
  private readonly sequence: number[];
  private readonly vmStarted: Uint8Array;
  private readonly diskStarted: Uint8Array;
  private queuedDisks: number;
  /** Per host: sum of the nominal rates of its in-flight disks (bytes/s); and the same over all hosts. */
  private readonly hostDemand: number[];
  private netDemand = 0;
  private readonly saturation: number;
  private readonly split?: GangSplit;
  private readonly cost: DiskCost;
  /** Per host: disks of started VMs still waiting for a slot (split mode only), first in line. */
  private readonly leftovers: number[][];

  constructor(
    private readonly workload: Workload,
    order: OrderName,
    caps: Caps,
    options: GangOptions = {},
  ) {
    this.saturation = options.saturation ?? Infinity;
    this.split = options.split;
    this.cost = options.cost ?? 'bytes';
    this.caps = caps;
    this.sequence = vmOrder(workload, order, this.cost).filter((v) => workload.vms[v].disks.length > 0);
    this.vmRank = new Int32Array(workload.vms.length);
    this.sequence.forEach((v, r) => {
      this.vmRank[v] = r;
    });
    this.hostVms = workload.hosts.map(() => []);
    this.vmPosition = new Int32Array(workload.vms.length);
    for (const v of this.sequence) this.vmPosition[v] = this.hostVms[workload.vms[v].host].push(v) - 1;
    this.vmStarted = new Uint8Array(workload.vms.length);
    this.diskStarted = new Uint8Array(workload.disks.length);
    this.buildQueues();
    this.leftovers = workload.hosts.map(() => []);
    this.hostInFlight = workload.hosts.map(() => 0);
    this.hostDemand = workload.hosts.map(() => 0);
    this.queuedDisks = workload.disks.length;
  }

  get queuedCount(): number {
    return this.queuedDisks;
  }

  setCaps(caps: Caps): void {
    this.caps = caps;
    // Split widths follow the caps: a VM must never wait for more slots than the caps allow.
    if (this.split) this.buildQueues();
  }

  /** First-fit indexes over the widths VMs not started yet need free (Infinity for started ones). */
  private buildQueues(): void {
    this.hostQueue = this.hostVms.map((vms, h) => {
      const widest = this.split === undefined ? Infinity : splitWidth(this.workload, h, this.caps, this.split);
      return new LeftmostFit(
        vms.map((v) => (this.vmStarted[v] ? Infinity : Math.min(widest, this.workload.vms[v].disks.length))),
      );
    });
  }

  /** The widest VM host `h` may start now (Infinity where an idle constraint lets a wide VM through). */
  private room(h: number): number {
    if (this.hostDemand[h] >= this.saturation * this.workload.hosts[h].bandwidth) return -1;
    if (this.netDemand >= this.saturation * this.workload.networkBandwidth) return -1;
    const idle = (n: number) => n === 0 && !this.split;
    const global = idle(this.inFlight) ? Infinity : this.caps.maxInFlight - this.inFlight;
    const perHost = hostCap(this.caps, h);
    const host =
      perHost === Infinity ? Infinity : idle(this.hostInFlight[h]) ? Infinity : perHost - this.hostInFlight[h];
    return Math.min(global, host);
  }

  /** What a disk costs: its bytes, or the seconds it takes alone. */
  private costOf(d: number): number {
    const disk = this.workload.disks[d];
    return this.cost === 'bytes' ? disk.bytes : disk.bytes / disk.rate;
  }

  private startDisk(d: number, h: number, started: number[]): void {
    this.diskStarted[d] = 1;
    this.inFlight++;
    this.hostInFlight[h]++;
    this.queuedDisks--;
    this.hostDemand[h] += this.workload.disks[d].rate;
    this.netDemand += this.workload.disks[d].rate;
    started.push(d);
  }

  admit(): number[] {
    const started: number[] = [];
    for (let h = 0; h < this.leftovers.length; h++) {
      const rest = this.leftovers[h];
      while (rest.length > 0 && this.inFlight < this.caps.maxInFlight && this.hostInFlight[h] < hostCap(this.caps, h)) {
        this.startDisk(rest.shift() as number, h, started);
      }
    }
    for (;;) {
      let best = -1;
      let bestHost = -1;
      let bestPosition = -1;
      for (let h = 0; h < this.hostQueue.length; h++) {
        const position = this.hostQueue[h].first(this.room(h));
        if (position < 0) continue;
        const v = this.hostVms[h][position];
        if (best < 0 || this.vmRank[v] < this.vmRank[best]) {
          best = v;
          bestHost = h;
          bestPosition = position;
        }
      }
      if (best < 0) return started;
      const disks = this.workload.vms[best].disks;
      const room = this.split
        ? Math.min(this.caps.maxInFlight - this.inFlight, hostCap(this.caps, bestHost) - this.hostInFlight[bestHost])
        : Infinity;
      this.hostQueue[bestHost].take(bestPosition);
      this.vmStarted[best] = 1;
      const bySize = this.split ? [...disks].sort((a, b) => this.costOf(b) - this.costOf(a) || a - b) : disks;
      bySize.forEach((d, i) => {
        if (i < room) this.startDisk(d, bestHost, started);
        else this.leftovers[bestHost].push(d);
      });
    }
  }

  adopt(disk: number): void {
    if (this.diskStarted[disk]) return;
    const { vm, host } = this.workload.disks[disk];
    const rest = this.leftovers[host];
    if (!this.vmStarted[vm]) {
      // The VM has started in the cluster: its other disks go first, as a started gang's leftovers do.
      this.vmStarted[vm] = 1;
      this.hostQueue[host].take(this.vmPosition[vm]);
      for (const other of this.workload.vms[vm].disks) if (other !== disk && !this.diskStarted[other]) rest.push(other);
    } else if (rest.includes(disk)) {
      rest.splice(rest.indexOf(disk), 1);
    }
    this.startDisk(disk, host, []);
  }

  finish(disk: number): void {
    const d = this.workload.disks[disk];
    this.inFlight--;
    this.hostInFlight[d.host]--;
    this.hostDemand[d.host] = this.hostInFlight[d.host] === 0 ? 0 : this.hostDemand[d.host] - d.rate;
    this.netDemand = this.inFlight === 0 ? 0 : this.netDemand - d.rate;
  }

  status(disk: number): DiskStatus {
    const d = this.workload.disks[disk];
    const vm = this.workload.vms[d.vm];
    const width = this.hostQueue[d.host].width(this.vmPosition[d.vm]);
    const host = this.workload.hosts[d.host].name;
    const rest = this.leftovers[d.host];
    if (rest.includes(disk)) {
      const slot = this.inFlight < this.caps.maxInFlight && this.hostInFlight[d.host] < hostCap(this.caps, d.host);
      if (slot && rest[0] === disk) return { kind: 'start' };
      return { kind: 'wait', reason: `next for VM ${vm.name}, whose other disks have started; waits for a slot` };
    }
    if (width <= this.room(d.host)) return { kind: 'start' };
    const { maxInFlight } = this.caps;
    const perHost = hostCap(this.caps, d.host);
    if (this.inFlight >= maxInFlight) return { kind: 'wait', reason: `cap ${this.inFlight}/${maxInFlight}` };
    if (this.hostInFlight[d.host] >= perHost) {
      const learned = perHost < (this.caps.perHost ?? Infinity) ? ' (learned)' : '';
      return { kind: 'wait', reason: `host ${host} at ${this.hostInFlight[d.host]}/${perHost}${learned}` };
    }
    if (this.hostDemand[d.host] >= this.saturation * this.workload.hosts[d.host].bandwidth) {
      return { kind: 'wait', reason: `host ${host} saturated` };
    }
    if (this.netDemand >= this.saturation * this.workload.networkBandwidth)
      return { kind: 'wait', reason: 'network saturated' };
    if (width < vm.disks.length) {
      return {
        kind: 'wait',
        reason: `waits for ${width} free slots to start VM ${vm.name}'s first ${width} of ${vm.disks.length} disks`,
      };
    }
    return { kind: 'wait', reason: `waits for VM ${vm.name}'s gang of ${width} disks to fit` };
  }

  queued(limit: number): number[] {
    const out: number[] = this.leftovers.flat().slice(0, limit);
    for (const v of this.sequence) {
      if (out.length >= limit) break;
      if (this.vmStarted[v]) continue;
      for (const d of this.workload.vms[v].disks) if (out.length < limit) out.push(d);
    }
    return out;
  }
}
