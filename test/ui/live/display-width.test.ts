import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { cutToWidth, cutToWidthFromEnd, displayWidth, wrapToWidth } from '../../../src/ui/live/display-width.js';
import { helpLines, keyBar } from '../../../src/ui/live/run-rows.js';

describe('displayWidth', () => {
  it('counts what string-width counts, fast paths included', () => {
    const samples = [
      'app-01/0 plan-a-app-01-disk-0',
      '████▌░░░░░ ▏▎▍▋▊▉ ✓ ✗ … ↻2 ▶ ↑↓ ·',
      '仮想マシン-01/0',
      'vm-😀-01',
      'café',
      'e\u0301',
      ...helpLines({ top: true }),
      keyBar({ top: true, readOnly: false }),
    ];
    for (const text of samples) expect(displayWidth(text)).toBe(stringWidth(text));
    expect(displayWidth('仮想')).toBe(4);
    expect(displayWidth('😀')).toBe(2);
  });

  it('counts every character of the fast path as one column, as string-width does', () => {
    expect(displayWidth('◽')).toBe(2);
    const ranges: [number, number][] = [
      [0x2190, 0x21ff],
      [0x2500, 0x25fc],
    ];
    for (const [from, to] of ranges) {
      for (let code = from; code <= to; code++) {
        const char = String.fromCodePoint(code);
        expect([char, displayWidth(char)]).toEqual([char, stringWidth(char)]);
      }
    }
  });
});

describe('cutToWidth', () => {
  it('never cuts a wide character in half', () => {
    expect(cutToWidth('仮想マシン', 5)).toEqual({ text: '仮想', width: 4 });
    expect(cutToWidthFromEnd('仮想マシン', 5)).toEqual({ text: 'シン', width: 4 });
    expect(cutToWidth('app-01', 4)).toEqual({ text: 'app-', width: 4 });
    expect(cutToWidth('e\u0301e\u0301e\u0301', 2)).toEqual({ text: 'e\u0301e\u0301', width: 2 });
  });
});

describe('wrapToWidth', () => {
  it('breaks at spaces, and a word longer than the line where it must', () => {
    expect(wrapToWidth('completed: 92/92 disks transferred in 2h44m', 20)).toEqual([
      'completed: 92/92',
      'disks transferred in',
      '2h44m',
    ]);
    expect(wrapToWidth('abcdefghij kl', 4)).toEqual(['abcd', 'efgh', 'ij', 'kl']);
    expect(wrapToWidth('short', 80)).toEqual(['short']);
    expect(wrapToWidth('仮想マシン', 1)).toEqual(['仮', '想', 'マ', 'シ', 'ン']);
  });
});
