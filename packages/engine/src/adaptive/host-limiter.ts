/**
 * One source host's learned limit on transfers in flight: a hill climb on the host's aggregate throughput. A level
 * is the number of the host's transfers in flight; the throughput at a level is measured once it has stayed at that
 * level long enough for its disks' rates to be read (rate-meter.ts). The limiter climbs one transfer at a time while
 * each added transfer still adds a meaningful share of a transfer's throughput, holds where the host plateaus (its
 * bandwidth is then known), backs off when throughput falls, and after a while probes one transfer more in case the
 * host got faster. Times are in the caller's seconds; no clock is read.
 */

export interface LimiterSettings {
  /** Transfers a host starts with before anything is measured (>= 1). */
  initial: number;
  /** A level is worth climbing to when it adds at least this share of one transfer's throughput (0-1). */
  gainShare: number;
  /** Throughput falling by more than this share from the level below backs off to that level (0-1). */
  fallShare: number;
  /** Seconds after settling before probing one transfer more; Infinity: never. */
  reprobeSeconds: number;
}

export const DEFAULT_LIMITER_SETTINGS: LimiterSettings = {
  initial: 2,
  gainShare: 0.5,
  fallShare: 0.15,
  reprobeSeconds: 900,
};

export type LimiterPhase = 'climbing' | 'holding' | 'probing';

/** Measurements kept per level; the median of them is the level's throughput. */
const KEPT = 5;

export class HostLimiter {
  private currentLimit: number;
  private currentPhase: LimiterPhase;
  /** Per level: the throughput each period at that level ended with (bytes/s), the latest last. */
  private readonly levels = new Map<number, number[]>();
  private levelCount = -1;
  private levelStart = 0;
  /** The running measurement of the level the host is at, once ready. */
  private levelValue: number | undefined;
  /** When the limiter settled (holding), for the next probe. */
  private settledAt = 0;
  /** Bytes/s the host plateaued at: its bandwidth, undefined until it saturated. */
  private plateau: number | undefined;

  constructor(
    private readonly settings: LimiterSettings = DEFAULT_LIMITER_SETTINGS,
    /** What an earlier run learned for this host: it starts settled there. */
    known?: { limit: number; bandwidth: number },
    t = 0,
  ) {
    if (known && known.limit >= 1 && known.bandwidth > 0) {
      this.currentLimit = known.limit;
      this.currentPhase = 'holding';
      this.plateau = known.bandwidth;
      this.settledAt = t;
    } else {
      this.currentLimit = Math.max(1, Math.floor(settings.initial));
      this.currentPhase = 'climbing';
    }
  }

  get limit(): number {
    return this.currentLimit;
  }

  get phase(): LimiterPhase {
    return this.currentPhase;
  }

  /**
   * The host's learned bandwidth (bytes/s), while the limiter holds at it: not while it probes, nor while it climbs
   * after a probe that gained (the host then does more than the plateau it had settled at).
   */
  get bandwidth(): number | undefined {
    return this.currentPhase === 'holding' ? this.plateau : undefined;
  }

  /** The last plateau measured, even while probing or climbing past it (for reports). */
  get measuredBandwidth(): number | undefined {
    return this.plateau;
  }

  /** The level the host is at and since when (seconds): the caller measures rates from then. */
  get level(): { count: number; since: number } {
    return { count: this.levelCount, since: this.levelStart };
  }

  /** The throughput measured at `count` transfers (median of the last periods), undefined if never. */
  throughputAt(count: number): number | undefined {
    const list = this.levels.get(count);
    if (!list || list.length === 0) return undefined;
    const sorted = [...list].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
  }

  /** The host's transfers in flight at `t`; a change starts a new level period. */
  enter(count: number, t: number): void {
    if (count === this.levelCount) return;
    this.closeLevel();
    this.levelCount = count;
    this.levelStart = t;
  }

  /**
   * A measurement of the current level (bytes/s, from the rates of its disks since the level began), at `t`.
   * `more`: whether the host has queued disks it could start; `diskRate`: the importers' rate where a host does not
   * hold them back, when known. Returns true when the limit or the bandwidth changed.
   */
  measure(throughput: number, t: number, more: boolean, diskRate?: number): boolean {
    if (!(throughput > 0)) return false;
    this.levelValue = throughput;
    const count = this.levelCount;
    if (count !== this.currentLimit) return false;
    const below = count > 1 ? this.throughputAt(count - 1) : undefined;
    const perTransfer = below !== undefined ? below / (count - 1) : undefined;
    // a level below whose transfers each moved at the importers' own rate (`diskRate`, when known) did not saturate
    // the host: throughput cannot really fall from it, a lower figure is the measurement's noise
    const belowSaturated =
      diskRate === undefined || perTransfer === undefined || perTransfer < (1 - this.settings.fallShare) * diskRate;
    if (below !== undefined && belowSaturated && throughput < below * (1 - this.settings.fallShare)) {
      // one transfer more made the host slower: back to the level below, which is its bandwidth
      return this.settle(count - 1, below, t);
    }
    const gains =
      below === undefined || perTransfer === undefined || throughput - below >= this.settings.gainShare * perTransfer;
    switch (this.currentPhase) {
      case 'climbing':
      case 'probing':
        if (gains) {
          this.currentPhase = 'climbing';
          if (!more) return false;
          this.currentLimit = count + 1;
          return true;
        }
        // a probe that gained nothing goes back to where the host had settled
        if (this.currentPhase === 'probing') return this.settle(count - 1, Math.max(throughput, below ?? 0), t);
        // a plateau: this level is as far as it is worth going (the planner may run fewer)
        return this.settle(count, Math.max(throughput, below ?? 0), t);
      case 'holding': {
        const changed = this.plateau === undefined || Math.abs(throughput - this.plateau) > 0.1 * this.plateau;
        this.plateau = this.throughputAtWith(count, throughput);
        if (more && t - this.settledAt >= this.settings.reprobeSeconds) {
          this.currentPhase = 'probing';
          this.currentLimit = count + 1;
          return true;
        }
        return changed;
      }
    }
  }

  /**
   * The host's level could not be measured while enough of its disks finished (they are too small or too fast for the
   * progress it reports): nothing says it saturates, so a climbing host climbs. Returns true when the limit moved.
   */
  unmeasured(more: boolean): boolean {
    if (this.currentPhase !== 'climbing' || this.levelCount !== this.currentLimit || !more) return false;
    this.currentLimit++;
    return true;
  }

  private settle(limit: number, bandwidth: number, t: number): boolean {
    this.currentLimit = Math.max(1, limit);
    this.currentPhase = 'holding';
    this.plateau = bandwidth;
    this.settledAt = t;
    return true;
  }

  /** The median of the level's periods with this running value as one of them. */
  private throughputAtWith(count: number, value: number): number {
    const list = [...(this.levels.get(count) ?? []), value].slice(-KEPT).sort((a, b) => a - b);
    return list[Math.floor(list.length / 2)];
  }

  private closeLevel(): void {
    if (this.levelValue === undefined || this.levelCount < 1) return;
    const list = this.levels.get(this.levelCount) ?? [];
    list.push(this.levelValue);
    if (list.length > KEPT) list.shift();
    this.levels.set(this.levelCount, list);
    this.levelValue = undefined;
  }
}
