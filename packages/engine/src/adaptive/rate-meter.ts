/**
 * Per-disk copy rates from progress readings. CDI reports a VDDK import's progress in whole percents (domain.md §4),
 * so a reading says little about the instant it is taken; the instant the percentage changes does. The meter keeps,
 * per disk in flight, the readings at which its fraction changed ("crossings"), and a disk's rate over a period is
 * the bytes between its first and last crossing in that period over the time between them: exact to the delay with
 * which a change is seen, whatever the step size. A fraction that goes back (the importer restarted from the start)
 * clears the disk's crossings. Times are in the caller's seconds; the meter reads no clock.
 */

/** A reading at which a disk's fraction changed. */
interface Crossing {
  t: number;
  fraction: number;
}

interface MeteredDisk {
  host: number;
  bytes: number;
  fraction: number;
  crossings: Crossing[];
}

/** Centred sums of a disk's crossings: seconds (x) against bytes copied (y), over n crossings. */
export interface Fit {
  n: number;
  sxx: number;
  sxy: number;
  syy: number;
}

/** The fits of several disks added up (`fits` of them): what one line through them all is read from. */
export interface PooledFit extends Fit {
  fits: number;
}

/**
 * The rate (bytes/s) of one line through several disks' fits, each its own intercept, and its standard error relative
 * to the rate: undefined while the fits leave no degree of freedom or the rate is not positive.
 */
export function pooledRate(fits: readonly Fit[]): { rate: number; relativeError: number } | undefined {
  const sum: PooledFit = { fits: fits.length, n: 0, sxx: 0, sxy: 0, syy: 0 };
  for (const f of fits) add(sum, f);
  return rateOfPooled(sum);
}

/** `pooledRate` of fits already added up (RateMeter.pooled). */
export function rateOfPooled(sum: PooledFit): { rate: number; relativeError: number } | undefined {
  const freedom = sum.n - sum.fits - 1;
  if (freedom < 1 || !(sum.sxx > 0)) return undefined;
  const rate = sum.sxy / sum.sxx;
  if (!(rate > 0)) return undefined;
  const residual = Math.max(0, sum.syy - rate * sum.sxy);
  return { rate, relativeError: Math.sqrt(residual / freedom / sum.sxx) / rate };
}

function add(into: Fit, fit: Fit): void {
  into.n += fit.n;
  into.sxx += fit.sxx;
  into.sxy += fit.sxy;
  into.syy += fit.syy;
}

/** Crossings kept per disk: enough for any period the limiter measures, bounded for 6 TB disks. */
const KEPT = 256;
/** Gaps between crossings kept for the cadence (the latest ones, over all disks). */
const GAPS = 64;

/**
 * A host's pooled fit as last computed, with what it was computed from: asked again with nothing changed, it is the
 * answer. A runner updates after every reading of any disk, many times a second with hundreds in flight, and most
 * updates change nothing on most hosts (a 10,000-disk run allocated gigabytes recomputing them).
 */
interface PooledEntry {
  since: number;
  minCrossings: number;
  changes: number;
  cadence: number | undefined;
  pooled: PooledFit;
}

export class RateMeter {
  private readonly disks = new Map<number, MeteredDisk>();
  /** The latest gaps (seconds) between two crossings of one disk, over all disks: a ring, `gapCount` of them filled. */
  private readonly gaps = new Float64Array(GAPS);
  private readonly sortedGaps = new Float64Array(GAPS);
  private gapCount = 0;
  private gapNext = 0;
  /** The median of `gaps`, worked out when asked after a new gap. */
  private cadenceValue: number | undefined;
  private cadenceStale = false;
  /** Per host: changes to its disks (a start, a crossing, a leave), which a pooled fit is current with. */
  private readonly hostChanges = new Map<number, number>();
  private readonly pooledByHost = new Map<number, PooledEntry>();

  /**
   * `minSpanCadences`: a disk's rate counts only over a span of at least this many cadences (the median gap between
   * two changes of one disk's percentage): where progress is seen in bursts (a cluster that reports every few percent,
   * a runner that read several reports at once), a short span says nothing.
   */
  constructor(
    private readonly minSpanCadences = 3,
    /**
     * A disk's rate counts only over a span of at least this many seconds: a reading is stamped when the runner reads
     * it, which a busy process or a slow watch delays by tens of milliseconds, and the sandbox's clock, many times
     * faster than real time, turns that delay into simulated seconds.
     */
    private readonly minSpanSeconds = 0,
  ) {}

  /** The median gap (seconds) between two crossings of one disk, once 8 were seen. */
  get cadence(): number | undefined {
    if (this.cadenceStale) {
      this.cadenceStale = false;
      const sorted = this.sortedGaps;
      sorted.set(this.gaps);
      // the unfilled slots of the ring sort last as +Infinity, so the first gapCount are the gaps in order
      sorted.fill(Number.POSITIVE_INFINITY, this.gapCount);
      sorted.sort();
      this.cadenceValue = sorted[Math.floor(this.gapCount / 2)];
    }
    return this.cadenceValue;
  }

  /** A disk entered flight with `fraction` already copied (0, or what an adopted copy had). */
  start(disk: number, host: number, bytes: number, fraction = 0): void {
    this.disks.set(disk, { host, bytes, fraction, crossings: [] });
    this.changed(host);
  }

  /** A progress reading of a disk in flight: a change of fraction is a crossing at `t`. */
  reading(disk: number, t: number, fraction: number): void {
    const d = this.disks.get(disk);
    if (!d || !(fraction >= 0) || fraction === d.fraction) return;
    this.changed(d.host);
    if (fraction < d.fraction) d.crossings = [];
    else {
      const last = d.crossings.at(-1);
      if (last && t > last.t) this.gap(t - last.t);
      d.crossings.push({ t, fraction });
      if (d.crossings.length > KEPT) d.crossings.splice(0, d.crossings.length - KEPT);
    }
    d.fraction = fraction;
  }

  /** A disk left flight: finished (`t` is the last crossing, at fraction 1) or given up (`t` undefined). */
  leave(disk: number, t?: number): void {
    if (t !== undefined) this.reading(disk, t, 1);
    const d = this.disks.get(disk);
    if (d) this.changed(d.host);
    this.disks.delete(disk);
  }

  /** Whether the disk is in flight as the meter knows it. */
  has(disk: number): boolean {
    return this.disks.has(disk);
  }

  /**
   * Bytes/s of a disk from its crossings at or after `since`: undefined until it has `minCrossings` of them (at least
   * two) spanning some time.
   */
  rate(disk: number, since: number, minCrossings = 3): number | undefined {
    const span = this.span(disk, since, minCrossings);
    return span && span.bytes / span.seconds;
  }

  /**
   * The bytes a disk moved between its first and last crossing at or after `since`, and the seconds between them:
   * undefined until it has `minCrossings` crossings (at least two) spanning some time. Summing spans over disks
   * weighs each rate by the time it was measured over, so that crossings seen in one burst count for little.
   */
  span(disk: number, since: number, minCrossings = 3): { bytes: number; seconds: number } | undefined {
    const d = this.disks.get(disk);
    const first = d ? this.firstMeasured(d, since, minCrossings) : -1;
    if (!d || first < 0) return undefined;
    const a = d.crossings[first];
    const b = d.crossings[d.crossings.length - 1];
    return { bytes: (b.fraction - a.fraction) * d.bytes, seconds: b.t - a.t };
  }

  /**
   * The least-squares line through a disk's crossings at or after `since` (time against bytes copied), as centred sums
   * that pool over disks (each disk its own intercept, one common rate): the same conditions as `span`. A rate read
   * from the line uses every crossing, not the first and last alone, and its residuals say how far it can be trusted.
   */
  fit(disk: number, since: number, minCrossings = 3): Fit | undefined {
    const d = this.disks.get(disk);
    const first = d ? this.firstMeasured(d, since, minCrossings) : -1;
    if (!d || first < 0) return undefined;
    const fit: Fit = { n: 0, sxx: 0, sxy: 0, syy: 0 };
    this.addFit(fit, d, first);
    return fit;
  }

  /**
   * The fits of every disk in flight on `host` that has one since `since` (as `fit`), added up: what one line through
   * them all is read from (`rateOfPooled`). The same object while nothing it depends on has changed; do not modify it.
   */
  pooled(host: number, since: number, minCrossings = 3): PooledFit {
    const changes = this.hostChanges.get(host) ?? 0;
    const cadence = this.cadence;
    const cached = this.pooledByHost.get(host);
    if (
      cached?.since === since &&
      cached.minCrossings === minCrossings &&
      cached.changes === changes &&
      cached.cadence === cadence
    ) {
      return cached.pooled;
    }
    const pooled: PooledFit = { fits: 0, n: 0, sxx: 0, sxy: 0, syy: 0 };
    for (const d of this.disks.values()) {
      if (d.host !== host) continue;
      const first = this.firstMeasured(d, since, minCrossings);
      if (first < 0) continue;
      pooled.fits++;
      this.addFit(pooled, d, first);
    }
    this.pooledByHost.set(host, { since, minCrossings, changes, cadence, pooled });
    return pooled;
  }

  /** Adds the centred sums of `d`'s crossings from index `first` into `into`. */
  private addFit(into: Fit, d: MeteredDisk, first: number): void {
    const list = d.crossings;
    const n = list.length - first;
    let sumT = 0;
    let sumF = 0;
    for (let i = first; i < list.length; i++) {
      sumT += list[i].t;
      sumF += list[i].fraction;
    }
    const meanT = sumT / n;
    const meanY = (sumF / n) * d.bytes;
    let sxx = 0;
    let sxy = 0;
    let syy = 0;
    for (let i = first; i < list.length; i++) {
      const x = list[i].t - meanT;
      const y = list[i].fraction * d.bytes - meanY;
      sxx += x * x;
      sxy += x * y;
      syy += y * y;
    }
    into.n += n;
    into.sxx += sxx;
    into.sxy += sxy;
    into.syy += syy;
  }

  /**
   * The index of `d`'s first crossing at or after `since` when those crossings can be measured (at least
   * `minCrossings` and two, spanning some time, `minSpanSeconds` and `minSpanCadences` cadences); -1 otherwise.
   */
  private firstMeasured(d: MeteredDisk, since: number, minCrossings: number): number {
    const list = d.crossings;
    let first = list.length;
    while (first > 0 && list[first - 1].t >= since) first--;
    if (list.length - first < Math.max(2, minCrossings)) return -1;
    const seconds = list[list.length - 1].t - list[first].t;
    if (!(seconds > 0) || seconds < this.minSpanSeconds) return -1;
    const cadence = this.cadence;
    if (cadence !== undefined && seconds < this.minSpanCadences * cadence) return -1;
    return first;
  }

  private gap(seconds: number): void {
    this.gaps[this.gapNext] = seconds;
    this.gapNext = (this.gapNext + 1) % GAPS;
    this.gapCount = Math.min(this.gapCount + 1, GAPS);
    if (this.gapCount >= 8) this.cadenceStale = true;
  }

  private changed(host: number): void {
    this.hostChanges.set(host, (this.hostChanges.get(host) ?? 0) + 1);
  }
}
