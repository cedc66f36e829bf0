import type { DiskStatus, Workload } from '../model.js';
import { type Caps, hostCap, type Policy } from '../policy.js';

/** How the next host to serve is chosen when several could start a disk. */
export type HostPick = 'rank' | 'critical';

/** One way of running a disk-granular list schedule; the `disk` policy's planner compares several. */
export interface DiskListConfig {
  /** Rank of each disk id: the lower, the sooner. Within a host disks start strictly in rank order. */
  ranks: Int32Array;
  /** `rank`: the best-ranked head among the hosts that can start; `critical`: the host furthest from finishing. */
  hostPick: HostPick;
  /**
   * 0: a host (or the network) admits a disk only while every in-flight disk keeps its full rate (at least one).
   * Otherwise a host (or the network) stops admitting once the rates of its in-flight disks add up to `saturation` times its
   * bandwidth: 1 starts just enough disks to saturate it; Infinity never holds a disk back for bandwidth.
   */
  saturation: number;
  /** Per host index, a saturation that replaces `saturation` for that host (the network keeps `saturation`). */
  hostSaturation?: readonly number[];
}

/** Disk-granular list scheduling under a run cap, an optional per-host cap and bandwidth saturation. */
export class DiskListPolicy implements Policy {
  private caps: Caps;
  private readonly hostQueue: number[][];
  private readonly hostHead: number[];
  private readonly hostInFlight: number[];
  /** Per host: sum of the nominal rates of its in-flight disks (bytes/s). */
  private readonly hostDemand: number[];
  /** Per host: bytes of disks not finished yet. */
  private readonly hostUnfinished: number[];
  /** Per host: the fastest disk rate on it (bytes/s). */
  private readonly hostRate: number[];
  private netDemand = 0;
  private inFlight = 0;
  private readonly started: Uint8Array;
  private readonly byRank: number[];
  private rankCursor = 0;
  private queuedDisks: number;

  constructor(
    private readonly workload: Workload,
    private readonly config: DiskListConfig,
    caps: Caps,
  ) {
    this.caps = caps;
    const { ranks } = config;
    this.byRank = workload.disks.map((d) => d.id).sort((a, b) => ranks[a] - ranks[b]);
    this.hostQueue = workload.hosts.map(() => []);
    for (const d of this.byRank) this.hostQueue[workload.disks[d].host].push(d);
    this.hostHead = workload.hosts.map(() => 0);
    this.hostInFlight = workload.hosts.map(() => 0);
    this.hostDemand = workload.hosts.map(() => 0);
    this.hostUnfinished = workload.hosts.map(() => 0);
    this.hostRate = workload.hosts.map(() => 0);
    for (const d of workload.disks) {
      this.hostUnfinished[d.host] += d.bytes;
      this.hostRate[d.host] = Math.max(this.hostRate[d.host], d.rate);
    }
    this.started = new Uint8Array(workload.disks.length);
    this.queuedDisks = workload.disks.length;
  }

  get queuedCount(): number {
    return this.queuedDisks;
  }

  setCaps(caps: Caps): void {
    this.caps = caps;
  }

  /**
   * Whether a constraint (a host, or the network) with `count` disks in flight whose rates add up to `demand` takes
   * no more disks of rate `rate` (bytes/s) under this strategy's saturation.
   */
  private saturated(demand: number, count: number, rate: number, capacity: number, saturation: number): boolean {
    if (saturation > 0) return demand >= saturation * capacity;
    return count > 0 && demand + rate > capacity * (1 + 1e-12);
  }

  private hostSaturated(h: number, rate: number): boolean {
    const saturation = this.config.hostSaturation?.[h] ?? this.config.saturation;
    return this.saturated(this.hostDemand[h], this.hostInFlight[h], rate, this.workload.hosts[h].bandwidth, saturation);
  }

  private networkSaturated(rate: number): boolean {
    return this.saturated(this.netDemand, this.inFlight, rate, this.workload.networkBandwidth, this.config.saturation);
  }

  /** Whether host `h` may start its next disk now, apart from the run cap. */
  private hostOpen(h: number): boolean {
    if (this.head(h) < 0) return false;
    if (this.hostInFlight[h] >= hostCap(this.caps, h)) return false;
    const rate = this.workload.disks[this.head(h)].rate;
    return !this.hostSaturated(h, rate) && !this.networkSaturated(rate);
  }

  /** Seconds host `h` would still need at its current throughput (Infinity when idle). */
  private remainingTime(h: number): number {
    const throughput = Math.min(this.workload.hosts[h].bandwidth, this.hostInFlight[h] * this.hostRate[h]);
    return this.hostUnfinished[h] / throughput;
  }

  private pickHost(): number {
    let best = -1;
    for (let h = 0; h < this.hostQueue.length; h++) {
      if (!this.hostOpen(h)) continue;
      if (best < 0 || this.better(h, best)) best = h;
    }
    return best;
  }

  // better() runs for every pair of open hosts at every admission of every simulation the planner runs: it makes no
  // closures (each was an allocation: 0.6 GiB of them when the planner weighs a 10,000-disk plan).
  private better(h: number, than: number): boolean {
    if (this.config.hostPick === 'critical') {
      // Hosts that gain throughput from one more disk first, then the one furthest from finishing at its current pace.
      const gains = this.gains(h);
      if (gains !== this.gains(than)) return gains;
      const a = this.remainingTime(h);
      const b = this.remainingTime(than);
      if (a !== b) return a > b;
    }
    return this.config.ranks[this.head(h)] < this.config.ranks[this.head(than)];
  }

  /** Whether host `h` moves faster with one more disk in flight. */
  private gains(h: number): boolean {
    return this.hostDemand[h] < this.workload.hosts[h].bandwidth;
  }

  admit(): number[] {
    const out: number[] = [];
    while (this.inFlight < this.caps.maxInFlight) {
      const h = this.pickHost();
      if (h < 0) break;
      const d = this.head(h);
      this.start(d);
      out.push(d);
    }
    return out;
  }

  /** The next disk host `h` would start, skipping adopted ones; -1 when its queue is empty. */
  private head(h: number): number {
    const queue = this.hostQueue[h];
    while (this.hostHead[h] < queue.length && this.started[queue[this.hostHead[h]]]) this.hostHead[h]++;
    return this.hostHead[h] < queue.length ? queue[this.hostHead[h]] : -1;
  }

  private start(d: number): void {
    const { host, rate } = this.workload.disks[d];
    this.started[d] = 1;
    this.inFlight++;
    this.hostInFlight[host]++;
    this.hostDemand[host] += rate;
    this.netDemand += rate;
    this.queuedDisks--;
  }

  adopt(disk: number): void {
    if (!this.started[disk]) this.start(disk);
  }

  finish(disk: number): void {
    const d = this.workload.disks[disk];
    this.inFlight--;
    this.hostInFlight[d.host]--;
    this.hostDemand[d.host] -= d.rate;
    this.netDemand -= d.rate;
    this.hostUnfinished[d.host] -= d.bytes;
    // Sums of floats drift; an idle host or network has no demand.
    if (this.hostInFlight[d.host] === 0) this.hostDemand[d.host] = 0;
    if (this.inFlight === 0) this.netDemand = 0;
  }

  status(disk: number): DiskStatus {
    const d = this.workload.disks[disk];
    const host = this.workload.hosts[d.host];
    const { maxInFlight } = this.caps;
    const perHost = hostCap(this.caps, d.host);
    if (this.inFlight >= maxInFlight) return { kind: 'wait', reason: `cap ${this.inFlight}/${maxInFlight}` };
    if (this.hostInFlight[d.host] >= perHost) {
      const learned = perHost < (this.caps.perHost ?? Infinity) ? ' (learned)' : '';
      return { kind: 'wait', reason: `host ${host.name} at ${this.hostInFlight[d.host]}/${perHost}${learned}` };
    }
    if (this.hostSaturated(d.host, d.rate)) return { kind: 'wait', reason: `host ${host.name} saturated` };
    if (this.networkSaturated(d.rate)) return { kind: 'wait', reason: 'network saturated' };
    if (this.head(d.host) === disk) return { kind: 'start' };
    return { kind: 'wait', reason: `behind earlier disks on host ${host.name}` };
  }

  queued(limit: number): number[] {
    while (this.rankCursor < this.byRank.length && this.started[this.byRank[this.rankCursor]]) this.rankCursor++;
    const out: number[] = [];
    for (let i = this.rankCursor; i < this.byRank.length && out.length < limit; i++) {
      if (!this.started[this.byRank[i]]) out.push(this.byRank[i]);
    }
    return out;
  }
}
