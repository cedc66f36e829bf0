import { describe, expect, it } from 'vitest';
import { HostLimiter, type LimiterSettings } from '../src/adaptive/host-limiter.js';

/** Settings the expectations below are worked out with (the defaults, spelled out). */
const SETTINGS: LimiterSettings = { initial: 2, gainShare: 0.5, fallShare: 0.15, reprobeSeconds: 900 };

/** The host goes to `count` transfers at `t` and its throughput there is measured at `t + 10`. */
function period(limiter: HostLimiter, count: number, t: number, throughput: number, more = true): boolean {
  limiter.enter(count, t);
  return limiter.measure(throughput, t + 10, more);
}

/** A limiter that climbed 2 -> 3 -> 4 on a host of 300 (100 per transfer) and settled at 4 at t = 30. */
function settledAtFour(): HostLimiter {
  const limiter = new HostLimiter(SETTINGS);
  period(limiter, 2, 0, 200);
  period(limiter, 3, 10, 300);
  period(limiter, 4, 20, 300);
  return limiter;
}

describe('HostLimiter: climbing', () => {
  it('starts climbing at `initial` transfers, knowing no bandwidth', () => {
    const limiter = new HostLimiter(SETTINGS);
    expect(limiter.limit).toBe(2);
    expect(limiter.phase).toBe('climbing');
    expect(limiter.bandwidth).toBeUndefined();
    expect(limiter.measuredBandwidth).toBeUndefined();
    expect(new HostLimiter({ ...SETTINGS, initial: 0.4 }).limit).toBe(1);
    expect(new HostLimiter({ ...SETTINGS, initial: 3.9 }).limit).toBe(3);
  });

  it('climbs one transfer at a time while each adds at least gainShare of a transfer’s throughput', () => {
    const limiter = new HostLimiter(SETTINGS);
    expect(period(limiter, 2, 0, 200)).toBe(true);
    expect(limiter.limit).toBe(3);
    // 300 at 3: 100 more, a whole transfer's worth
    expect(period(limiter, 3, 10, 300)).toBe(true);
    expect(limiter.limit).toBe(4);
    // 350 at 4: 50 more, exactly half of the 100 a transfer brought at 3
    expect(period(limiter, 4, 20, 350)).toBe(true);
    expect(limiter.limit).toBe(5);
    expect(limiter.phase).toBe('climbing');
    expect(limiter.bandwidth).toBeUndefined();
    expect(limiter.throughputAt(2)).toBe(200);
    expect(limiter.throughputAt(3)).toBe(300);
  });

  it('settles at the plateau, the plateau’s throughput being the host’s bandwidth', () => {
    const limiter = settledAtFour();
    expect(limiter.limit).toBe(4);
    expect(limiter.phase).toBe('holding');
    expect(limiter.bandwidth).toBe(300);
    expect(limiter.measuredBandwidth).toBe(300);
  });

  it('settles where the gain falls just short of gainShare, with the better of the two levels as bandwidth', () => {
    const limiter = new HostLimiter(SETTINGS);
    period(limiter, 2, 0, 200);
    period(limiter, 3, 10, 300);
    // 349 at 4: 49 more, under half of 100
    expect(period(limiter, 4, 20, 349)).toBe(true);
    expect(limiter.limit).toBe(4);
    expect(limiter.phase).toBe('holding');
    expect(limiter.bandwidth).toBe(349);

    const lower = new HostLimiter(SETTINGS);
    period(lower, 2, 0, 200);
    period(lower, 3, 10, 300);
    // 290 at 4: a little slower than 3 (not by more than fallShare): the host does 300
    period(lower, 4, 20, 290);
    expect(lower.limit).toBe(4);
    expect(lower.bandwidth).toBe(300);
  });

  it('does not climb while the host has nothing more to start, and climbs once it has', () => {
    const limiter = new HostLimiter(SETTINGS);
    expect(period(limiter, 2, 0, 200, false)).toBe(false);
    expect(limiter.limit).toBe(2);
    expect(limiter.phase).toBe('climbing');
    expect(limiter.measure(200, 20, true)).toBe(true);
    expect(limiter.limit).toBe(3);
  });

  it('is not moved by measurements at a level other than its limit, but remembers them', () => {
    const limiter = new HostLimiter(SETTINGS);
    // one transfer in flight under a limit of 2: measured, not acted on
    expect(period(limiter, 1, 0, 100)).toBe(false);
    expect(limiter.limit).toBe(2);
    expect(period(limiter, 3, 10, 300)).toBe(false);
    expect(limiter.limit).toBe(2);
    expect(limiter.throughputAt(1)).toBe(100);
    // at its limit, 2 transfers doing 140 against 100 for one: 40 is under half a transfer: it settles there
    expect(period(limiter, 2, 20, 140)).toBe(true);
    expect(limiter.limit).toBe(2);
    expect(limiter.bandwidth).toBe(140);
  });

  it('ignores a throughput that is zero or not a number', () => {
    const limiter = new HostLimiter(SETTINGS);
    limiter.enter(2, 0);
    expect(limiter.measure(0, 10, true)).toBe(false);
    expect(limiter.measure(Number.NaN, 10, true)).toBe(false);
    expect(limiter.limit).toBe(2);
    // nor is either remembered for the level
    limiter.enter(1, 20);
    expect(limiter.throughputAt(2)).toBeUndefined();
  });

  it('measures a level as the median of its last five periods', () => {
    const limiter = new HostLimiter({ ...SETTINGS, initial: 5 });
    const values = [1000, 100, 900, 300, 200, 800];
    values.forEach((v, i) => {
      period(limiter, 3, 20 * i, v);
      limiter.enter(0, 20 * i + 15);
    });
    // the last five: 100, 900, 300, 200, 800 (with the first, 1000, the median would be 800)
    expect(limiter.throughputAt(3)).toBe(300);
    expect(limiter.throughputAt(4)).toBeUndefined();
    expect(limiter.level).toEqual({ count: 0, since: 115 });
  });
});

describe('HostLimiter: backing off', () => {
  it('goes back one level, with that level’s throughput as bandwidth, when one more transfer is slower by more than fallShare', () => {
    const limiter = new HostLimiter(SETTINGS);
    period(limiter, 2, 0, 200);
    period(limiter, 3, 10, 300);
    // 250 at 4 is 16.7% below 300
    expect(period(limiter, 4, 20, 250)).toBe(true);
    expect(limiter.limit).toBe(3);
    expect(limiter.phase).toBe('holding');
    expect(limiter.bandwidth).toBe(300);
  });

  it('does not back off to a level whose transfers each moved at the importers’ rate: that level did not saturate', () => {
    const noisy = (diskRate?: number) => {
      const limiter = new HostLimiter(SETTINGS);
      period(limiter, 2, 0, 200);
      period(limiter, 3, 10, 300);
      // 250 at 4 after 300 at 3, each of the 3 at the importers' 100: a noisy reading, not a slower host
      limiter.enter(4, 20);
      limiter.measure(250, 30, true, diskRate);
      return limiter;
    };
    expect(noisy(100).limit).toBe(4);
    expect(noisy(100).phase).toBe('holding');
    // importers of 200 would have made 600 at 3: that level was saturated, and the fall is believed
    expect(noisy(200).limit).toBe(3);
    expect(noisy(undefined).limit).toBe(3);
  });

  it('does not back off for a fall of fallShare or less', () => {
    const limiter = new HostLimiter(SETTINGS);
    period(limiter, 2, 0, 200);
    period(limiter, 3, 10, 300);
    // 255 at 4 is exactly 15% below 300: a plateau, not a fall
    period(limiter, 4, 20, 255);
    expect(limiter.limit).toBe(4);
  });

  it('backs off from a settled level when the host slows down under it', () => {
    const limiter = settledAtFour();
    // 3 -> 4 again at t = 40: the host now does 240 with 4
    expect(period(limiter, 3, 40, 300)).toBe(false);
    expect(period(limiter, 4, 60, 240)).toBe(true);
    expect(limiter.limit).toBe(3);
    expect(limiter.phase).toBe('holding');
  });
});

describe('HostLimiter: holding and probing', () => {
  it('follows the plateau while holding, telling when it moved by more than a tenth', () => {
    const limiter = settledAtFour();
    expect(limiter.measure(310, 100, true)).toBe(false);
    expect(limiter.bandwidth).toBe(310);
    expect(limiter.measure(360, 110, true)).toBe(true);
    expect(limiter.bandwidth).toBe(360);
    expect(limiter.limit).toBe(4);
  });

  it('probes one transfer more reprobeSeconds after settling, and only then', () => {
    const limiter = settledAtFour();
    // settled at t = 30
    expect(limiter.measure(300, 929, true)).toBe(false);
    expect(limiter.phase).toBe('holding');
    expect(limiter.measure(300, 930, true)).toBe(true);
    expect(limiter.phase).toBe('probing');
    expect(limiter.limit).toBe(5);
    // what it measured is kept for reports, but the bandwidth is not known while the probe runs
    expect(limiter.bandwidth).toBeUndefined();
    expect(limiter.measuredBandwidth).toBe(300);
  });

  it('does not probe while the host has nothing more to start, nor ever with reprobeSeconds Infinity', () => {
    const limiter = settledAtFour();
    expect(limiter.measure(300, 5000, false)).toBe(false);
    expect(limiter.limit).toBe(4);
    const never = new HostLimiter({ ...SETTINGS, reprobeSeconds: Infinity });
    period(never, 2, 0, 200);
    period(never, 3, 10, 300);
    period(never, 4, 20, 300);
    expect(never.measure(300, 1e9, true)).toBe(false);
    expect(never.phase).toBe('holding');
  });

  it('goes back to where it settled when the probe gains nothing, and waits reprobeSeconds again', () => {
    const limiter = settledAtFour();
    limiter.measure(300, 930, true);
    expect(period(limiter, 5, 940, 305)).toBe(true);
    expect(limiter.limit).toBe(4);
    expect(limiter.phase).toBe('holding');
    expect(limiter.bandwidth).toBe(305);
    // settled again at 950: no probe before 1850
    limiter.enter(4, 960);
    expect(limiter.measure(300, 1849, true)).toBe(false);
    expect(limiter.measure(300, 1850, true)).toBe(true);
    expect(limiter.limit).toBe(5);
  });

  it('climbs on when the probe gains, the old plateau no longer the host’s bandwidth', () => {
    const limiter = settledAtFour();
    limiter.measure(300, 930, true);
    // the host got faster: 5 transfers do 400 where 4 did 300
    expect(period(limiter, 5, 940, 400)).toBe(true);
    expect(limiter.limit).toBe(6);
    expect(limiter.phase).toBe('climbing');
    expect(limiter.bandwidth).toBeUndefined();
    // 6 do 420: a plateau again, at the new bandwidth
    expect(period(limiter, 6, 960, 420)).toBe(true);
    expect(limiter.limit).toBe(6);
    expect(limiter.phase).toBe('holding');
    expect(limiter.bandwidth).toBe(420);
  });
});

describe('HostLimiter: what an earlier run learned', () => {
  it('starts settled at the known limit and bandwidth, probing reprobeSeconds after it began', () => {
    const limiter = new HostLimiter(SETTINGS, { limit: 5, bandwidth: 500 }, 100);
    expect(limiter.limit).toBe(5);
    expect(limiter.phase).toBe('holding');
    expect(limiter.bandwidth).toBe(500);
    limiter.enter(5, 100);
    // the first measurement replaces the remembered figure
    expect(limiter.measure(480, 200, true)).toBe(false);
    expect(limiter.bandwidth).toBe(480);
    expect(limiter.measure(480, 999, true)).toBe(false);
    expect(limiter.measure(480, 1000, true)).toBe(true);
    expect(limiter.phase).toBe('probing');
    expect(limiter.limit).toBe(6);
  });

  it('climbs from `initial` when what is known is no limit or no bandwidth', () => {
    for (const known of [
      { limit: 0, bandwidth: 500 },
      { limit: 4, bandwidth: 0 },
    ]) {
      const limiter = new HostLimiter(SETTINGS, known);
      expect(limiter.limit).toBe(2);
      expect(limiter.phase).toBe('climbing');
      expect(limiter.bandwidth).toBeUndefined();
    }
  });
});
