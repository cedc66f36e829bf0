import { useInput } from 'ink';
import { useEffect, useState } from 'react';
import { type LiveControls, READ_ONLY_HINT } from './live-controls.js';

/** How long a hint stays under the sections, ms. */
export const HINT_MS = 4000;

export interface LiveKeysOptions {
  /** Resolved when a key comes, not at the last render: a Tab just before `+` steers the plan Tab selected. */
  controls: LiveControls;
  /**
   * The run the keys steer, read when a key comes: its cap (so that `-` never asks for less than 1; null when no run
   * is shown), and why steering is refused for now (a stale plan, an ended run).
   */
  target(): { cap: number | null; refuse?: string };
  /** The furthest the queue scrolls, and a page of it (PgUp/PgDn). */
  maxOffset: number;
  page: number;
  /** Tab: the next plan (top). */
  onTab?(): void;
}

export interface LiveKeys {
  help: boolean;
  /** First queued disk shown. */
  offset: number;
  hint: string | null;
}

/** The live view's keys: they change only what the view shows, and report the rest through `controls`. */
export function useLiveKeys(options: LiveKeysOptions): LiveKeys {
  const { controls, target, maxOffset, page, onTab } = options;
  const [help, setHelp] = useState(false);
  const [rawOffset, setOffset] = useState(0);
  const [hint, setHint] = useState<{ text: string; at: number } | null>(null);
  const offset = Math.max(0, Math.min(rawOffset, maxOffset));

  useEffect(() => {
    if (hint === null) return;
    const timer = setTimeout(() => setHint(null), HINT_MS);
    return () => clearTimeout(timer);
  }, [hint]);

  const say = (text: string) => setHint({ text, at: Date.now() });
  // from the latest offset, not the last render's: keys can come faster than frames
  const scroll = (delta: number) =>
    setOffset((raw) => Math.max(0, Math.min(Math.min(raw, maxOffset) + delta, maxOffset)));

  useInput((input, key) => {
    if (input === 'q' || (key.ctrl && input === 'c')) controls.detach();
    else if (input === '?') setHelp((shown) => !shown);
    else if (key.escape) setHelp(false);
    else if (key.tab) onTab?.();
    else if (key.downArrow || input === 'j') scroll(1);
    else if (key.upArrow || input === 'k') scroll(-1);
    else if (key.pageDown) scroll(page);
    else if (key.pageUp) scroll(-page);
    else if (key.home) setOffset(0);
    else if (input === 'p') {
      const { refuse } = target();
      if (!controls.togglePause) say(READ_ONLY_HINT);
      else if (refuse) say(refuse);
      else controls.togglePause();
    } else if (input === '+' || input === '=' || input === '-') {
      const delta = input === '-' ? -1 : 1;
      const { cap, refuse } = target();
      if (!controls.changeCap) say(READ_ONLY_HINT);
      else if (refuse) say(refuse);
      else if (delta === -1 && (cap ?? 0) <= 1) say('the cap is 1: it goes no lower');
      else controls.changeCap(delta);
    }
  });

  return { help, offset, hint: hint?.text ?? null };
}
