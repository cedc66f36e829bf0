import { describe, expect, it } from 'vitest';
import type { DataVolumeState } from '../../src/runner/datavolume-state.js';
import { DEFAULT_RATE, StuckDetector } from '../../src/runner/stuck-detector.js';

const MB = 1e6;
const TB = 1e12;
const MIN = 60_000;

/** A VDDK import as CDI reports it: whole percents, the importer running. */
const copying = (percent: number, restartCount = 0): DataVolumeState => ({
  phase: 'ImportInProgress',
  fraction: percent / 100,
  restartCount,
  running: true,
});

describe('StuckDetector', () => {
  it('keeps a healthy 2 TB disk on a busy host (250 MB/s shared by 10) unmarked with --stuck-after 10m', () => {
    const detector = new StuckDetector({ maxRestarts: 3, stuckAfterMs: 10 * MIN });
    const rate = 25 * MB;
    // 1% of 2 TB at 25 MB/s: 800 s between two readings that move
    const stepMs = ((TB * 2) / 100 / rate) * 1000;
    detector.track('big', 0, { host: 'esx-01', bytes: 2 * TB });
    const verdicts = new Set<string>();
    for (let percent = 0; percent <= 30; percent++) {
      // read every 30 s, as the runner's tick and watch events do
      for (let t = percent * stepMs; t < (percent + 1) * stepMs; t += 30_000) {
        verdicts.add(detector.check('big', copying(percent), t).kind);
      }
    }
    expect(stepMs).toBeGreaterThan(10 * MIN);
    expect([...verdicts]).toEqual(['ok']);
    // measured from its own percents: 25 MB/s
    expect(detector.slowestRate('esx-01')).toBeCloseTo(rate, -3);
    // 3 x the time 1% takes at that rate
    expect(detector.stallAfterMs('big')).toBeCloseTo(3 * stepMs, -1);
  });

  it('before a rate is measured on its host, judges a disk by its own rate since its creation, not 10 MiB/s', () => {
    const detector = new StuckDetector({ maxRestarts: 3, stuckAfterMs: 1000 });
    // 4 GB created at 0, seen at 49% after 20 s (start-up included): about 98 MB/s, so 1% takes about 0.4 s
    detector.track('d', 0, { host: 'esx-01', bytes: 4000 * MB });
    expect(detector.stallAfterMs('d')).toBeCloseTo((3 * 40 * MB * 1000) / DEFAULT_RATE, -1);
    expect(detector.check('d', copying(49), 20_000).kind).toBe('ok');
    expect(detector.stallAfterMs('d')).toBeCloseTo((3 * 40 * MB * 1000) / ((0.49 * 4000 * MB) / 20), -1);
    // then it stops: stalled once 3 x 1% at that rate (1.22 s) has passed
    expect(detector.check('d', copying(49), 21_100).kind).toBe('ok');
    expect(detector.check('d', copying(49), 21_300).kind).toBe('stalled');
    // that floor is the disk's alone: the host has no measured rate yet
    expect(detector.slowestRate('esx-01')).toBeUndefined();
    // an adopted copy (found at 30%) has no creation to count from
    detector.track('adopted', 0, { host: 'esx-02', bytes: 4000 * MB }, 0.3);
    detector.check('adopted', copying(49), 20_000);
    expect(detector.stallAfterMs('adopted')).toBeCloseTo((3 * 40 * MB * 1000) / DEFAULT_RATE, -1);
  });

  it('calls a started disk stalled only past max(--stuck-after, 3 x 1% at the slowest rate), and clears it when it moves', () => {
    const detector = new StuckDetector({ maxRestarts: 3, stuckAfterMs: 10 * MIN });
    // before any rate is measured on the host: 10 MiB/s
    detector.track('d', 0, { host: 'h', bytes: 100 * 2 ** 30 });
    const limit = (3 * (100 * 2 ** 30)) / 100 / DEFAULT_RATE;
    expect(detector.stallAfterMs('d')).toBe(Math.max(10 * MIN, limit * 1000));
    expect(detector.check('d', copying(5), 1000).kind).toBe('ok');
    const at = 1000 + detector.stallAfterMs('d');
    expect(detector.check('d', copying(5), at - 1).kind).toBe('ok');
    const stalled = detector.check('d', copying(5), at);
    expect(stalled).toMatchObject({ kind: 'stalled' });
    expect(stalled.kind === 'stalled' && stalled.reason).toMatch(
      /^no new percent for .* at 5% .*its slot stays taken$/,
    );
    expect(detector.check('d', copying(6), at + 1).kind).toBe('ok');
    // a small disk: --stuck-after rules
    detector.track('small', 0, { host: 'h2', bytes: 1 * MB });
    expect(detector.stallAfterMs('small')).toBe(10 * MIN);
  });

  it('takes a crash-looping importer out of the cap, whatever its progress', () => {
    const detector = new StuckDetector({ maxRestarts: 3, stuckAfterMs: 10 * MIN });
    detector.track('d', 0, { host: 'h', bytes: TB });
    expect(detector.check('d', copying(40, 2), 1000).kind).toBe('ok');
    expect(detector.check('d', { ...copying(41, 3), error: 'nbdkit exited' }, 2000)).toEqual({
      kind: 'stuck',
      reason: 'importer restarted 3 times (--max-restarts 3): nbdkit exited',
      holdsSlot: false,
    });
  });

  it('takes an importer that never started out of the cap after --stuck-after', () => {
    const detector = new StuckDetector({ maxRestarts: 3, stuckAfterMs: 10 * MIN });
    detector.track('d', 0, { host: 'h', bytes: TB });
    const pending: DataVolumeState = { phase: 'ImportScheduled', fraction: 0, restartCount: 0 };
    expect(detector.check('d', pending, 10 * MIN - 1).kind).toBe('ok');
    expect(detector.check('d', pending, 10 * MIN)).toEqual({
      kind: 'stuck',
      reason: 'importer not started after 10m (--stuck-after 10m; ImportScheduled)',
      holdsSlot: false,
    });
  });

  it('reports a blocked importer at its first reading; stuck after --stuck-after, its slot still counted', () => {
    const detector = new StuckDetector({ maxRestarts: 3, stuckAfterMs: 10 * MIN });
    detector.track('d', 0, { host: 'h', bytes: TB });
    const blocked: DataVolumeState = {
      phase: 'ImportScheduled',
      fraction: 0,
      restartCount: 0,
      blocked: 'CreateContainerConfigError: secret "x" not found',
    };
    expect(detector.check('d', blocked, 5 * MIN)).toEqual({
      kind: 'blocked',
      reason: 'importer cannot start: CreateContainerConfigError: secret "x" not found',
    });
    expect(detector.check('d', blocked, 15 * MIN - 1).kind).toBe('blocked');
    expect(detector.check('d', blocked, 15 * MIN)).toMatchObject({ kind: 'stuck', holdsSlot: true });
    // fixed in time: it starts and copies, and is judged as any started disk
    detector.track('e', 0, { host: 'h', bytes: TB });
    expect(detector.check('e', blocked, 1000).kind).toBe('blocked');
    expect(detector.check('e', copying(0), 2000).kind).toBe('ok');
    expect(detector.check('e', copying(0), 2000 + 20 * MIN).kind).toBe('ok');
  });
});
