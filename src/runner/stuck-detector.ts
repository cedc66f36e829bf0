/**
 * CDI never fails a crash-looping import (domain.md §3), so the runner decides when a disk is stuck: its importer
 * restarted at least `maxRestarts` times, or its progress has not moved for `stuckAfterMs`. Progress that goes
 * backwards after a restart counts as movement only when it passes the best seen.
 */
import type { DataVolumeState } from './datavolume-state.js';

export interface StuckRules {
  maxRestarts: number;
  /** Milliseconds without progress. */
  stuckAfterMs: number;
}

interface Watermark {
  best: number;
  /** When `best` last rose (ms). */
  movedAt: number;
}

export class StuckDetector {
  private readonly marks = new Map<string, Watermark>();

  constructor(private readonly rules: StuckRules) {}

  /** A disk enters flight at `now` (created, or adopted). */
  track(name: string, now: number, fraction = 0): void {
    this.marks.set(name, { best: fraction, movedAt: now });
  }

  forget(name: string): void {
    this.marks.delete(name);
  }

  /** Records a reading; returns why the disk is stuck, or undefined. */
  check(name: string, state: DataVolumeState | undefined, now: number): string | undefined {
    const mark = this.marks.get(name);
    if (!mark) return undefined;
    if (state && state.fraction > mark.best) {
      mark.best = state.fraction;
      mark.movedAt = now;
    }
    if (state && state.restartCount >= this.rules.maxRestarts) {
      const error = state.error ? `: ${state.error}` : '';
      return `importer restarted ${state.restartCount} times (--max-restarts ${this.rules.maxRestarts})${error}`;
    }
    if (now - mark.movedAt >= this.rules.stuckAfterMs) {
      const percent = Math.floor(mark.best * 100);
      return `no progress for ${Math.round((now - mark.movedAt) / 1000)}s at ${percent}% (--stuck-after ${Math.round(this.rules.stuckAfterMs / 1000)}s)`;
    }
    return undefined;
  }
}
