import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pooledRate, RateMeter, rateOfPooled } from '../src/adaptive/rate-meter.js';
import { Gi, Mi } from './hand-built-plans.js';

/** A meter with disk 0 on host 0 (`bytes` long) fed `readings` of [seconds, fraction]. */
function metered(bytes: number, readings: [number, number][]): RateMeter {
  const meter = new RateMeter();
  meter.start(0, 0, bytes);
  for (const [t, fraction] of readings) meter.reading(0, t, fraction);
  return meter;
}

describe('RateMeter: crossings', () => {
  it('measures from the first to the last change of fraction at or after `since`', () => {
    // 1000 bytes: 1% at 10 s, 3% at 20 s, 9% at 40 s
    const meter = metered(1000, [
      [10, 0.01],
      [20, 0.03],
      [40, 0.09],
    ]);
    expect(meter.rate(0, 0)).toBeCloseTo(80 / 30, 9);
    // a crossing exactly at `since` counts; the one before it does not
    expect(meter.rate(0, 20, 2)).toBeCloseTo(60 / 20, 9);
    expect(meter.rate(0, 20.5, 2)).toBeUndefined();
  });

  it('is undefined below minCrossings, and below two crossings whatever minCrossings says', () => {
    const meter = metered(1000, [
      [10, 0.01],
      [20, 0.02],
    ]);
    expect(meter.rate(0, 0, 3)).toBeUndefined();
    expect(meter.rate(0, 0, 2)).toBeCloseTo(1, 9);
    const single = metered(1000, [[10, 0.01]]);
    expect(single.rate(0, 0, 1)).toBeUndefined();
    expect(single.rate(0, 0, 0)).toBeUndefined();
  });

  it('adds no crossing for a reading that repeats the fraction: the time of the change counts, not of the reading', () => {
    const meter = metered(1000, [
      [10, 0.01],
      [12, 0.01],
      [14, 0.01],
      [20, 0.02],
      [28, 0.02],
    ]);
    // three readings at 1% are one crossing: two in all, not enough for three
    expect(meter.rate(0, 0, 3)).toBeUndefined();
    // 1% in the 10 s from 10 to 20, not in the 18 s from 10 to 28
    expect(meter.rate(0, 0, 2)).toBeCloseTo(1, 9);
    // the reading at 12 s is no crossing: since 11 s nothing but the 2% crossing is left
    expect(meter.rate(0, 11, 2)).toBeUndefined();
  });

  it('counts the first change away from an adopted fraction, not the fraction it started with', () => {
    const meter = new RateMeter();
    meter.start(0, 0, 1000, 0.5);
    meter.reading(0, 10, 0.5);
    meter.reading(0, 20, 0.52);
    meter.reading(0, 30, 0.54);
    expect(meter.rate(0, 0, 3)).toBeUndefined();
    expect(meter.rate(0, 0, 2)).toBeCloseTo(2, 9);
  });

  it('forgets a disk’s crossings when its fraction goes back (the importer restarted)', () => {
    const meter = metered(1000, [
      [10, 0.1],
      [20, 0.2],
      [30, 0.3],
    ]);
    expect(meter.rate(0, 0)).toBeCloseTo(10, 9);
    meter.reading(0, 40, 0.01);
    expect(meter.rate(0, 0, 2)).toBeUndefined();
    // the restart reading is no crossing; the climb after it is measured on its own
    meter.reading(0, 50, 0.02);
    expect(meter.rate(0, 0, 2)).toBeUndefined();
    meter.reading(0, 60, 0.05);
    expect(meter.rate(0, 0, 2)).toBeCloseTo(3, 9);
  });

  it('ignores readings of disks it does not meter and fractions that are not numbers or below zero', () => {
    const meter = metered(1000, [
      [10, 0.01],
      [20, 0.02],
    ]);
    meter.reading(0, 25, Number.NaN);
    meter.reading(0, 26, -0.5);
    meter.reading(7, 27, 0.5);
    expect(meter.has(7)).toBe(false);
    expect(meter.rate(7, 0, 2)).toBeUndefined();
    // neither the NaN nor the negative reading restarted the disk or made a crossing
    meter.reading(0, 30, 0.03);
    expect(meter.rate(0, 0, 3)).toBeCloseTo(1, 9);
  });

  it('keeps a run of 300 crossings of a steady disk exact', () => {
    const meter = new RateMeter();
    meter.start(0, 0, 100_000);
    for (let i = 1; i <= 300; i++) meter.reading(0, i, i / 1000);
    expect(meter.rate(0, 0)).toBeCloseTo(100, 6);
    expect(meter.rate(0, 290)).toBeCloseTo(100, 6);
  });
});

describe('RateMeter: disks in flight', () => {
  it('pools the disks of each host and forgets one that leaves, finished or given up', () => {
    const meter = new RateMeter();
    meter.start(0, 0, 1000);
    meter.start(1, 1, 1000);
    meter.start(2, 0, 1000);
    for (const t of [10, 20, 30]) for (const d of [0, 1, 2]) meter.reading(d, t, t / 100);
    expect(meter.pooled(0, 0, 2).fits).toBe(2);
    expect(meter.pooled(1, 0, 2).fits).toBe(1);
    expect(meter.pooled(2, 0, 2).fits).toBe(0);
    meter.leave(0, 35);
    meter.leave(1);
    expect(meter.has(0)).toBe(false);
    expect(meter.has(1)).toBe(false);
    expect(meter.rate(0, 0, 2)).toBeUndefined();
    expect(meter.pooled(0, 0, 2).fits).toBe(1);
    expect(meter.pooled(1, 0, 2).fits).toBe(0);
  });

  it("adds up a host's fits as pooledRate does, and works them out again only when something changed", () => {
    const meter = new RateMeter();
    meter.start(0, 0, 1000);
    meter.start(1, 0, 1000, 0.5);
    meter.start(2, 1, 1000);
    for (const t of [10, 20, 30, 40]) {
      meter.reading(0, t, (t * 2) / 1000);
      meter.reading(1, t === 40 ? 43 : t, 0.5 + (t * 2) / 1000);
      meter.reading(2, t, t / 1000);
    }
    const fits = [meter.fit(0, 0), meter.fit(1, 0)].filter((f) => f !== undefined);
    const pooled = meter.pooled(0, 0);
    expect(pooled.fits).toBe(2);
    expect(rateOfPooled(pooled)?.rate).toBeCloseTo(pooledRate(fits)?.rate ?? Number.NaN, 12);
    expect(rateOfPooled(pooled)?.relativeError).toBeCloseTo(pooledRate(fits)?.relativeError ?? Number.NaN, 12);
    // nothing changed on host 0 (a reading of host 1's disk at the same cadence): the same sums
    meter.reading(2, 50, 0.05);
    expect(meter.pooled(0, 0)).toBe(pooled);
    // other conditions, or another crossing of one of its disks: worked out again
    expect(meter.pooled(0, 0, 5).fits).toBe(0);
    meter.reading(0, 50, 0.1);
    expect(meter.pooled(0, 0).n).toBe(9);
  });

  it('starts a disk that enters flight again from nothing', () => {
    const meter = metered(1000, [
      [10, 0.1],
      [20, 0.2],
      [30, 0.3],
    ]);
    meter.start(0, 0, 1000);
    expect(meter.rate(0, 0, 2)).toBeUndefined();
  });
});

describe('RateMeter: whole percents seen late', () => {
  it('reads a 10 GiB disk copying at 100 MiB/s, published every 2 s in whole percents, within 2 s over the span', () => {
    const bytes = 10 * Gi;
    const rate = 100 * Mi;
    const meter = new RateMeter();
    meter.start(0, 0, bytes);
    const crossings: number[] = [];
    let last = 0;
    for (let t = 2; t <= 60; t += 2) {
      const fraction = Math.floor((100 * rate * t) / bytes) / 100;
      if (fraction !== last) crossings.push(t);
      last = fraction;
      meter.reading(0, t, fraction);
    }
    const span = (crossings.at(-1) as number) - crossings[0];
    const measured = meter.rate(0, 0) as number;
    expect(Math.abs(measured - rate)).toBeLessThanOrEqual((rate * 2) / span);
    // and the bound is not met by luck: a step of 1% is 1.024 s of copy, the readings 2 s apart
    expect(span).toBeGreaterThan(50);
  });

  it('gives the true rate within delay/span, whatever the step, the period and the phase of the readings', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }), // bytes per percent
        fc.integer({ min: 1, max: 5_000 }), // bytes/s
        fc.integer({ min: 1, max: 30 }), // seconds between readings
        fc.integer({ min: 0, max: 29 }), // phase of the first reading
        fc.integer({ min: 3, max: 200 }), // readings
        (perPercent, rate, period, phase, count) => {
          const bytes = 100 * perPercent;
          const meter = new RateMeter();
          meter.start(0, 0, bytes);
          const crossings: number[] = [];
          let last = 0;
          for (let i = 0; i < count; i++) {
            const t = (phase % period) + i * period + (phase % period === 0 ? period : 0);
            const fraction = Math.min(100, Math.floor((rate * t) / perPercent)) / 100;
            if (fraction !== last) crossings.push(t);
            last = fraction;
            meter.reading(0, t, fraction);
          }
          const measured = meter.rate(0, 0, 2);
          if (crossings.length < 2) {
            expect(measured).toBeUndefined();
            return;
          }
          // the copy reached each recorded fraction at most one period before the reading that showed it
          const span = (crossings.at(-1) as number) - crossings[0];
          expect(measured).toBeDefined();
          expect(Math.abs((measured as number) - rate)).toBeLessThanOrEqual((rate * period) / span + rate * 1e-9);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('RateMeter: least-squares lines', () => {
  it('fits one line through every crossing since `since`, under the same conditions as a span', () => {
    // 1000 bytes at 5 bytes/s, the 10% crossing seen 1 s late
    const meter = metered(1000, [
      [20, 0.1],
      [40, 0.2],
      [60, 0.3],
      [80, 0.4],
    ]);
    const fit = meter.fit(0, 0);
    expect(fit?.n).toBe(4);
    expect(pooledRate([fit as NonNullable<typeof fit>])?.rate).toBeCloseTo(5, 9);
    expect(pooledRate([fit as NonNullable<typeof fit>])?.relativeError).toBeCloseTo(0, 9);
    // the crossing before `since` is left out; below minCrossings there is no line, as there is no span
    expect(meter.fit(0, 30)?.n).toBe(3);
    expect(meter.fit(0, 50)).toBeUndefined();
    expect(meter.span(0, 50)).toBeUndefined();
  });

  it('pools disks with their own starting points into one rate, and says how uncertain it is', () => {
    const meter = new RateMeter();
    meter.start(0, 0, 1000);
    meter.start(1, 0, 1000, 0.5);
    for (const t of [10, 20, 30, 40]) {
      meter.reading(0, t, (t * 2) / 1000);
      meter.reading(1, t, 0.5 + (t * 2) / 1000);
    }
    const both = [meter.fit(0, 0), meter.fit(1, 0)].filter((f) => f !== undefined);
    expect(pooledRate(both)?.rate).toBeCloseTo(2, 9);
    // the same disks with the last reading of one seen 5 s late: the rate is off, and the error says so
    const late = new RateMeter();
    late.start(0, 0, 1000);
    late.start(1, 0, 1000);
    for (const t of [10, 20, 30, 40]) {
      late.reading(0, t, (t * 2) / 1000);
      late.reading(1, t === 40 ? 45 : t, (t * 2) / 1000);
    }
    const noisy = pooledRate([late.fit(0, 0), late.fit(1, 0)].filter((f) => f !== undefined));
    expect(noisy?.relativeError).toBeGreaterThan(0.03);
    // no degree of freedom left (two disks of two crossings each and one rate) or no positive rate: nothing
    expect(pooledRate([])).toBeUndefined();
    expect(pooledRate([{ n: 2, sxx: 50, sxy: 100, syy: 200 }])).toBeUndefined();
    expect(pooledRate([{ n: 5, sxx: 50, sxy: -100, syy: 200 }])).toBeUndefined();
  });

  it('counts no span shorter than minSpanSeconds of the caller’s clock, however many crossings it holds', () => {
    const meter = new RateMeter(3, 1);
    meter.start(0, 0, 1000);
    for (const t of [0.1, 0.3, 0.5, 0.7, 0.9]) meter.reading(0, t, t / 10);
    expect(meter.span(0, 0)).toBeUndefined();
    expect(meter.fit(0, 0)).toBeUndefined();
    meter.reading(0, 1.1, 0.11);
    // 1000 bytes x 0.1 per second of the clock
    expect(meter.rate(0, 0)).toBeCloseTo(100, 9);
  });
});
