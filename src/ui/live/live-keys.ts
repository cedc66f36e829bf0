/**
 * What the live views' keys do: they change only what the view shows (help, the queue's scroll, a hint), and report
 * the rest through `controls`. Every key of a read counts: `---` typed fast, or a held key, lowers the cap by 3.
 */
import { type LiveControls, READ_ONLY_HINT } from './live-controls.js';

/** How long a hint stays under the sections, ms. */
export const HINT_MS = 4000;

/** A key as readline's keypress events give it: the character typed, or the name of a special key. */
export interface KeyPress {
  /** The character (`q`, `+`, `?`); undefined for most special keys. */
  input?: string;
  /** `up`, `down`, `pageup`, `pagedown`, `home`, `tab`, `escape`, or the letter of a letter key. */
  name?: string;
  ctrl?: boolean;
}

/** How far the queue scrolls now, from the last frame's layout. */
export interface QueueScroll {
  /** The furthest the queue scrolls. */
  maxOffset: number;
  /** A page of it (PgUp/PgDn). */
  page: number;
}

export interface LiveKeysOptions {
  /** Resolved when a key comes: a Tab just before `+` steers the plan Tab selected. */
  controls: LiveControls;
  /**
   * The run the keys steer, read when a key comes: its cap (so that `-` never asks for less than 1; null when no run
   * is shown), and why steering is refused for now (a stale plan, an ended run).
   */
  target(): { cap: number | null; refuse?: string; warm?: boolean };
  /** The queue's scroll as the last frame laid it out. */
  scroll(): QueueScroll;
  /** Tab: the next plan (top). */
  onTab?(): void;
  /** What the view shows changed: draw it (a hint shown or gone, help, the scroll). */
  changed(): void;
}

/** The view state the keys own. */
export class LiveKeys {
  help = false;
  hint: string | null = null;
  private rawOffset = 0;
  private hintTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: LiveKeysOptions) {}

  /** The first queued disk shown, within the queue as the last frame laid it out. */
  offset(maxOffset = this.options.scroll().maxOffset): number {
    return Math.max(0, Math.min(this.rawOffset, maxOffset));
  }

  press(key: KeyPress): void {
    const { input, name } = key;
    if (input === 'q' || (key.ctrl && name === 'c')) {
      this.options.controls.detach();
      return;
    }
    if (key.ctrl) return;
    if (input === '?') this.help = !this.help;
    else if (name === 'escape') this.help = false;
    else if (name === 'tab') this.options.onTab?.();
    else if (name === 'down' || input === 'j') this.scroll(1);
    else if (name === 'up' || input === 'k') this.scroll(-1);
    else if (name === 'pagedown') this.scroll(this.options.scroll().page);
    else if (name === 'pageup') this.scroll(-this.options.scroll().page);
    else if (name === 'home') this.rawOffset = 0;
    else if (input === 'p') this.steer(() => this.options.controls.togglePause?.(), !this.options.controls.togglePause);
    else if (input === '+' || input === '=' || input === '-') this.changeCap(input === '-' ? -1 : 1);
    else if (input === 'C') this.cutover();
    else return;
    this.options.changed();
  }

  /** Calls `ask` unless the view is read-only or the run refuses (a hint says why). */
  private steer(ask: () => void, readOnly: boolean, refuse = this.options.target().refuse): void {
    if (readOnly) this.say(READ_ONLY_HINT);
    else if (refuse) this.say(refuse);
    else ask();
  }

  private changeCap(delta: 1 | -1): void {
    const { controls, target } = this.options;
    const { cap, refuse } = target();
    const floor = delta === -1 && (cap ?? 0) <= 1 ? 'the cap is 1: it goes no lower' : undefined;
    this.steer(() => controls.changeCap?.(delta), !controls.changeCap, refuse ?? floor);
  }

  /** `C`: a warm run's cutover now; a cold run has none. */
  private cutover(): void {
    const { controls, target } = this.options;
    const { refuse, warm } = target();
    this.steer(
      () => controls.cutoverNow?.(),
      !controls.cutoverNow,
      refuse ?? (warm ? undefined : 'a cold run has no cutover'),
    );
  }

  /** Stops the hint's timer. */
  close(): void {
    clearTimeout(this.hintTimer);
  }

  private scroll(delta: number): void {
    const { maxOffset } = this.options.scroll();
    this.rawOffset = Math.max(0, Math.min(this.offset(maxOffset) + delta, maxOffset));
  }

  private say(text: string): void {
    this.hint = text;
    clearTimeout(this.hintTimer);
    this.hintTimer = setTimeout(() => {
      this.hint = null;
      this.options.changed();
    }, HINT_MS);
    this.hintTimer.unref();
  }
}
