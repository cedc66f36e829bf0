/**
 * Adaptive admission: what a run learns of its source hosts while it copies, and the limits and plan it derives.
 * The runner (and `simulate --blind`) tells it when disks start, report progress and finish, in its own seconds; it
 * answers each host's limit on transfers in flight (host-limiter.ts) and, once a host's bandwidth or the importers'
 * rate is known or has moved, asks for a re-plan on the workload as learned so far (the `disk` planner then orders
 * the rest with the real bandwidths: the longest transfers at full speed, the small ones around them). Pure: no
 * clock, no I/O; measured facts come in as calls.
 */
import type { Workload } from '../model.js';
import { DEFAULT_LIMITER_SETTINGS, HostLimiter, type LimiterPhase, type LimiterSettings } from './host-limiter.js';
import { RateMeter, rateOfPooled } from './rate-meter.js';

export interface AdaptiveSettings extends LimiterSettings {
  /** Changes of a disk's percentage it needs within a level before its rate counts (>= 2). */
  minCrossings: number;
  /** Share of a host's transfers whose rates must be known before its level is measured (0-1]. */
  measuredShare: number;
  /** A disk's rate counts only over at least this many cadences (rate-meter.ts). */
  minSpanCadences: number;
  /** ... and over at least this many seconds of the caller's clock (rate-meter.ts). */
  minSpanSeconds: number;
  /** A learned figure moving by more than this share from the one planned with asks for a re-plan. */
  replanShare: number;
  /**
   * A level counts as measured once the standard error of its rate (the least-squares line through its disks'
   * crossings) is at most this share of the rate: progress seen late or in bursts widens it, and more crossings narrow it.
   */
  maxError: number;
}

export const DEFAULT_ADAPTIVE_SETTINGS: AdaptiveSettings = {
  ...DEFAULT_LIMITER_SETTINGS,
  minCrossings: 3,
  measuredShare: 0.5,
  minSpanCadences: 3,
  minSpanSeconds: 1,
  replanShare: 0.1,
  maxError: 0.03,
};

/** What an earlier run learned, by host name (bytes/s), and the importers' rate. */
export interface KnownThroughput {
  hosts: Readonly<Record<string, { bandwidth: number; limit: number }>>;
  diskRate?: number;
}

/** One host as learned so far. */
export interface LearnedHost {
  name: string;
  /** Transfers it may have in flight now. */
  limit: number;
  phase: LimiterPhase;
  /** Bytes/s it plateaued at (its bandwidth), once it saturated. */
  bandwidth: number | null;
  /** Bytes/s measured at its current level, once measured. */
  throughput: number | null;
  /** Transfers in flight at that measurement. */
  inFlight: number;
}

export interface Learned {
  hosts: LearnedHost[];
  /** Bytes/s one importer reaches on a host that does not hold it back, once measured. */
  diskRate: number | null;
}

/** What changed at an update: the host limits (apply them), or what the plan was made with (re-plan). */
export interface AdaptiveChange {
  limits: boolean;
  replan: boolean;
}

export class AdaptiveAdmission {
  private readonly meter: RateMeter;
  private readonly limiters: HostLimiter[];
  /** Per host: disks finished since its level began (a level nothing could be measured at climbs after enough). */
  private readonly finishedAtLevel: number[];
  private readonly throughputs: (number | undefined)[];
  /** Host bandwidths and disk rate the current plan was made with (undefined: unknown, planned uncapped). */
  private planned: { bandwidths: (number | undefined)[]; diskRate: number | undefined };
  private knownDiskRate: number | undefined;

  constructor(
    /** The run's planning view (hosts uncapped, disks at an assumed rate). */
    private readonly workload: Workload,
    private readonly settings: AdaptiveSettings = DEFAULT_ADAPTIVE_SETTINGS,
    known?: KnownThroughput,
    t = 0,
  ) {
    this.meter = new RateMeter(settings.minSpanCadences, settings.minSpanSeconds);
    this.limiters = workload.hosts.map((h) => new HostLimiter(settings, known?.hosts[h.name], t));
    this.finishedAtLevel = workload.hosts.map(() => 0);
    this.throughputs = workload.hosts.map(() => undefined);
    this.knownDiskRate = known?.diskRate;
    this.planned = { bandwidths: this.limiters.map(() => undefined), diskRate: undefined };
  }

  /** A disk entered flight (admitted, or adopted with `fraction` copied). */
  started(disk: number, fraction = 0): void {
    const d = this.workload.disks[disk];
    this.meter.start(disk, d.host, d.bytes, fraction);
  }

  /** A progress reading (fraction copied, 0-1) of a disk in flight. */
  progress(disk: number, t: number, fraction: number): void {
    this.meter.reading(disk, t, fraction);
  }

  /** A disk finished at `t`, or left flight otherwise (`t` undefined: failed, stuck, stopped). */
  left(disk: number, t?: number): void {
    this.meter.leave(disk, t);
    if (t !== undefined) this.finishedAtLevel[this.workload.disks[disk].host]++;
  }

  /**
   * After the readings of an instant: each host's transfers in flight and whether it has more queued. Measures the
   * levels that can be measured and moves the limits.
   */
  update(t: number, inFlight: readonly number[], queued: readonly boolean[]): AdaptiveChange {
    let limits = false;
    this.limiters.forEach((limiter, h) => {
      if (inFlight[h] !== limiter.level.count) this.finishedAtLevel[h] = 0;
      limiter.enter(inFlight[h], t);
      const throughput = this.levelThroughput(h, limiter.level);
      this.throughputs[h] = throughput;
      if (throughput === undefined) {
        // as many disks as the level holds finished and none could be measured: no sign of saturation
        if (this.finishedAtLevel[h] >= Math.max(2, inFlight[h]) && limiter.unmeasured(queued[h])) {
          this.finishedAtLevel[h] = 0;
          limits = true;
        }
        return;
      }
      const before = limiter.limit;
      limiter.measure(throughput, t, queued[h], this.diskRate());
      if (limiter.limit !== before) limits = true;
    });
    return { limits, replan: this.replanDue() };
  }

  /** Each host's limit on transfers in flight, by host index. */
  hostCaps(): number[] {
    return this.limiters.map((l) => l.limit);
  }

  /**
   * The workload to plan the rest with: learned bandwidths on hosts that saturated and hold there (uncapped on the
   * others, on hosts being probed and on hosts climbing past a probe), the learned importer rate on every disk once
   * known. Marks it as planned.
   */
  planningWorkload(): Workload {
    const bandwidths = this.limiters.map((l) => l.bandwidth);
    const diskRate = this.diskRate();
    this.planned = { bandwidths, diskRate };
    return {
      ...this.workload,
      hosts: this.workload.hosts.map((h, i) => ({ ...h, bandwidth: bandwidths[i] ?? Infinity })),
      disks: diskRate === undefined ? this.workload.disks : this.workload.disks.map((d) => ({ ...d, rate: diskRate })),
    };
  }

  learned(): Learned {
    return {
      hosts: this.limiters.map((l, h) => ({
        name: this.workload.hosts[h].name,
        limit: l.limit,
        phase: l.phase,
        bandwidth: l.measuredBandwidth ?? null,
        throughput: this.throughputs[h] ?? null,
        inFlight: Math.max(0, l.level.count),
      })),
      diskRate: this.diskRate() ?? null,
    };
  }

  /**
   * Bytes/s at a host's level: the rate of its disks measured since the level began (one least-squares line through
   * their crossings, each disk its own intercept), times the transfers in flight; undefined until enough of them are
   * measured and the rate's standard error is within `maxError`.
   */
  private levelThroughput(h: number, level: { count: number; since: number }): number | undefined {
    if (level.count < 1) return undefined;
    const fits = this.meter.pooled(h, level.since, this.settings.minCrossings);
    if (fits.fits === 0 || fits.fits < Math.ceil(this.settings.measuredShare * level.count)) return undefined;
    const pooled = rateOfPooled(fits);
    if (pooled === undefined || pooled.relativeError > this.settings.maxError) return undefined;
    return pooled.rate * level.count;
  }

  /**
   * Bytes/s one importer reaches where its host does not hold it back: the best per-transfer throughput at levels
   * below a host's plateau, or an earlier run's figure; undefined until one is known.
   */
  private diskRate(): number | undefined {
    let best: number | undefined;
    this.limiters.forEach((l, h) => {
      const top = l.phase === 'climbing' ? Math.max(0, l.level.count) : l.limit - 1;
      for (let k = 1; k <= top; k++) {
        const at = l.throughputAt(k);
        if (at !== undefined && (best === undefined || at / k > best)) best = at / k;
      }
      // a climbing host's current level is not saturated as far as anyone knows
      const now = this.throughputs[h];
      if (l.phase === 'climbing' && now !== undefined && l.level.count > 0) {
        const per = now / l.level.count;
        if (best === undefined || per > best) best = per;
      }
    });
    return best ?? this.knownDiskRate;
  }

  private replanDue(): boolean {
    const moved = (a: number | undefined, b: number | undefined) =>
      a === undefined || b === undefined ? a !== b : Math.abs(a - b) > this.settings.replanShare * b;
    if (this.limiters.some((l, h) => moved(l.bandwidth, this.planned.bandwidths[h]))) return true;
    // with every host uncapped the importers' rate changes no order: it matters once a bandwidth is known
    return this.limiters.some((l) => l.bandwidth !== undefined) && moved(this.diskRate(), this.planned.diskRate);
  }
}
