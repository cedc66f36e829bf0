/**
 * When a live view draws. A frame costs CPU however little changed, and CDI reports a disk's progress about every
 * 2 s, so progress and the clock are drawn at most every `periodMs`; what a person waits to see (a disk starting or
 * leaving flight, a pause or a cap, a key, the run's start) within `urgentMs`. One timer at a time, none when idle.
 */
export interface RedrawPacerOptions {
  /** Progress and the clock: at most this often, ms. */
  periodMs: number;
  /** An urgent change shows within this, ms; urgent frames are this far apart at least. */
  urgentMs: number;
  /** ms; Date.now by default. */
  now?: () => number;
}

export class RedrawPacer {
  private lastAt = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;
  private dueAt = Number.POSITIVE_INFINITY;
  private ticking = false;
  private stopped = false;

  constructor(
    private readonly draw: () => void,
    private readonly options: RedrawPacerOptions,
  ) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** Something the next periodic frame shows changed (progress, the queue). */
  soon(): void {
    this.schedule(this.lastAt + this.options.periodMs);
  }

  /** Something a person waits to see changed. */
  urgent(): void {
    this.schedule(Math.max(this.now(), this.lastAt + this.options.urgentMs));
  }

  /** While on, a frame every `periodMs` even with nothing new: the clock moves. */
  tick(on: boolean): void {
    this.ticking = on;
    if (on) this.soon();
  }

  /** Draws now, whatever is due. */
  drawNow(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.dueAt = Number.POSITIVE_INFINITY;
    this.lastAt = this.now();
    this.draw();
    if (this.ticking) this.soon();
  }

  /** No frame from now on. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(at: number): void {
    if (this.stopped || at >= this.dueAt) return;
    clearTimeout(this.timer);
    this.dueAt = at;
    this.timer = setTimeout(() => this.drawNow(), Math.max(0, at - this.now()));
    this.timer.unref();
  }
}
