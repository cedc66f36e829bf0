import { describe, expect, it } from 'vitest';
import { withGlyphBar } from '../../../src/ui/live/flight-row.js';
import { progressBar } from '../../../src/ui/live/live-format.js';

describe('withGlyphBar', () => {
  const row = (bar: string) => `  app-01/0 plan-a-app-01-disk-0 esx-01 ${bar}  45% 312 MiB/s`;
  const at = row('').indexOf('esx-01 ') + 'esx-01 '.length;

  it('puts the unicode bar where the row has its ASCII stand-in', () => {
    const line = withGlyphBar(row(progressBar(0.45, 10, true)), at, progressBar(0.45, 10, false));
    expect(line).toBe(row('████▌░░░░░'));
  });

  it('counts from after the colour a tone put before the row', () => {
    const yellow = `\u001B[33m${row(progressBar(0.45, 10, true))}\u001B[39m`;
    expect(withGlyphBar(yellow, at, progressBar(0.45, 10, false))).toBe(`\u001B[33m${row('████▌░░░░░')}\u001B[39m`);
  });

  it('leaves a line alone when the stand-in is not where the row put it', () => {
    const cut = row(progressBar(0.45, 10, true)).slice(0, at + 4);
    expect(withGlyphBar(cut, at, progressBar(0.45, 10, false))).toBe(cut);
    const moved = ` ${row(progressBar(0.45, 10, true))}`;
    expect(withGlyphBar(moved, at + 5, progressBar(0.45, 10, false))).toBe(moved);
  });
});
