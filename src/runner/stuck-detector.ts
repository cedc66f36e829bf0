/**
 * What the runner makes of a disk in flight that does not move, at CDI's granularity (domain.md §3; issue: real MTV).
 * CDI never fails a crash-looping import, and its VDDK importer reports progress in whole percents
 * (containerized-data-importer pkg/importer/vddk-datasource_amd64.go, the progress loop of TransferFile:
 * `uint(100.0 * currentProgressBytes / vs.Size)`, published only when it grows), so "no new percent for ten minutes"
 * is normal for a large disk on a busy host.
 *
 * Four verdicts:
 * - `stuck` (its slot is freed): the importer restarted at least `maxRestarts` times (a crash loop), or it never
 *   started: no importer running, no progress, no reason to wait for, for `stuckAfterMs`.
 * - `blocked` (reported at once, its slot kept): the importer's container cannot start (CreateContainerConfigError for a
 *   missing Secret or key, an image that cannot be pulled, an unschedulable pod) and would start as soon as someone
 *   fixes that; after `stuckAfterMs` still blocked it is `stuck`, and its slot stays counted (`holdsSlot`): the
 *   importer may yet start.
 * - `stalled` (reported, its slot kept, cleared when it moves): it started and its percent has not moved for
 *   max(`stuckAfterMs`, 3 x the time 1% of its size takes at the slowest per-disk rate measured on its host, or,
 *   before any is, at its own rate from its creation to its first new percent, else DEFAULT_RATE). Its importer still runs: freeing its slot would put more than the cap in
 *   flight.
 * - `ok`.
 *
 * Progress that goes backwards after a restart counts as movement only when it passes the best seen.
 */
import type { DataVolumeState } from './datavolume-state.js';

export interface StuckRules {
  maxRestarts: number;
  /** Milliseconds without progress (or without a start) before a disk is looked at. */
  stuckAfterMs: number;
}

/** The per-disk rate assumed for a host before one is measured there: 10 MiB/s. */
export const DEFAULT_RATE = 10 * 2 ** 20;

export type Verdict =
  | { kind: 'ok' }
  | { kind: 'stuck'; reason: string; holdsSlot: boolean }
  | { kind: 'blocked'; reason: string }
  | { kind: 'stalled'; reason: string };

/** The verdict of every disk that moves, shared (never modified). */
const OK: Verdict = Object.freeze({ kind: 'ok' });

interface Watermark {
  host: string;
  bytes: number;
  best: number;
  /** When `best` last rose (ms). */
  movedAt: number;
  /** The first rise seen by this run: fraction and time, the start of its measured rate. */
  first?: { fraction: number; at: number };
  /** When the importer was first seen blocked (ms), while it is. */
  blockedSince?: number;
  /** Whether the importer was ever seen running or copying. */
  started: boolean;
  /** When this run created its DataVolume (ms); undefined for an adopted copy. */
  createdAt?: number;
  /** Bytes/s from its creation to its first rise: a floor of its rate (its importer's start-up included). */
  ownRate?: number;
}

export class StuckDetector {
  private readonly marks = new Map<string, Watermark>();
  /** The slowest per-disk rate measured on each host (bytes/s), finished disks included. */
  private readonly slowest = new Map<string, number>();

  constructor(private readonly rules: StuckRules) {}

  /** A disk enters flight at `now` (created, or adopted at `fraction`). */
  track(name: string, now: number, disk: { host: string; bytes: number }, fraction = 0): void {
    this.marks.set(name, {
      host: disk.host,
      bytes: disk.bytes,
      best: fraction,
      movedAt: now,
      started: fraction > 0,
      ...(fraction === 0 && { createdAt: now }),
    });
  }

  forget(name: string): void {
    this.marks.delete(name);
  }

  /** The slowest per-disk rate measured on `host` so far (bytes/s), or undefined. */
  slowestRate(host: string): number | undefined {
    return this.slowest.get(host);
  }

  /** Milliseconds a started disk may keep its percent before it is stalled. */
  stallAfterMs(name: string): number {
    const mark = this.marks.get(name);
    if (!mark) return this.rules.stuckAfterMs;
    // before a rate is measured on its host, the disk's own since its creation (not kept for the host: it counts the
    // importer's start-up, which would stretch every other disk's limit)
    const rate = this.slowest.get(mark.host) ?? mark.ownRate ?? DEFAULT_RATE;
    return Math.max(this.rules.stuckAfterMs, (3 * (mark.bytes / 100) * 1000) / rate);
  }

  /** Records a reading at `now` and judges the disk. */
  check(name: string, state: DataVolumeState | undefined, now: number): Verdict {
    const mark = this.marks.get(name);
    if (!mark) return OK;
    if (state && state.fraction > mark.best) this.moved(mark, state.fraction, now);
    if (state?.running || state?.phase === 'ImportInProgress' || mark.best > 0) mark.started = true;
    if (state && state.restartCount >= this.rules.maxRestarts) {
      const error = state.error ? `: ${state.error}` : '';
      return {
        kind: 'stuck',
        reason: `importer restarted ${state.restartCount} times (--max-restarts ${this.rules.maxRestarts})${error}`,
        holdsSlot: false,
      };
    }
    if (state?.blocked !== undefined && !state.running) {
      mark.blockedSince ??= now;
      if (now - mark.blockedSince >= this.rules.stuckAfterMs) {
        return {
          kind: 'stuck',
          reason: `importer cannot start for ${seconds(now - mark.blockedSince)} (--stuck-after ${seconds(this.rules.stuckAfterMs)}): ${state.blocked}`,
          holdsSlot: true,
        };
      }
      return { kind: 'blocked', reason: `importer cannot start: ${state.blocked}` };
    }
    mark.blockedSince = undefined;
    const quiet = now - mark.movedAt;
    if (!mark.started) {
      if (quiet < this.rules.stuckAfterMs) return OK;
      const phase = state?.phase || 'no DataVolume status';
      return {
        kind: 'stuck',
        reason: `importer not started after ${seconds(quiet)} (--stuck-after ${seconds(this.rules.stuckAfterMs)}; ${phase})`,
        holdsSlot: false,
      };
    }
    const limit = this.stallAfterMs(name);
    if (quiet < limit) return OK;
    return {
      kind: 'stalled',
      reason: `no new percent for ${seconds(quiet)} at ${Math.floor(mark.best * 100)}% (expected within ${seconds(limit)}); its importer runs, its slot stays taken`,
    };
  }

  private moved(mark: Watermark, fraction: number, now: number): void {
    mark.best = fraction;
    mark.movedAt = now;
    if (!mark.first) {
      mark.first = { fraction, at: now };
      if (mark.createdAt !== undefined && now > mark.createdAt) {
        mark.ownRate = (fraction * mark.bytes) / ((now - mark.createdAt) / 1000);
      }
      return;
    }
    const elapsed = (now - mark.first.at) / 1000;
    if (elapsed <= 0) return;
    const rate = ((fraction - mark.first.fraction) * mark.bytes) / elapsed;
    const slowest = this.slowest.get(mark.host);
    if (rate > 0 && (slowest === undefined || rate < slowest)) this.slowest.set(mark.host, rate);
  }
}

/** `90s`, `12m`, `2h5m`: whole seconds, minutes or hours as --stuck-after spells them. */
function seconds(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s}s`;
  const m = Math.round(s / 60);
  if (m < 120) return `${m}m`;
  return `${Math.floor(m / 60)}h${m % 60 ? `${m % 60}m` : ''}`;
}
