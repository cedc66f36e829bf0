import { describe, expect, it } from 'vitest';
import {
  down,
  CLEAR_SCREEN_END as ED,
  CLEAR_LINE_END as EL,
  HIDE_CURSOR,
  SHOW_CURSOR,
  SYNC_BEGIN,
  SYNC_END,
  TerminalFrame,
  up,
} from '../../../src/ui/live/terminal-frame.js';
import { type ViewLine, viewLine } from '../../../src/ui/live/view-line.js';

/** A terminal that keeps each write. */
class FakeTerminal {
  writes: string[] = [];
  constructor(public columns: number) {}
  write(text: string) {
    this.writes.push(text);
    return true;
  }
}

const lines = (...texts: string[]): ViewLine[] => texts.map((text) => viewLine(text));
const frame = (body: string) => SYNC_BEGIN + body + SYNC_END;

function setUp(columns = 10, color = false) {
  const terminal = new FakeTerminal(columns);
  return { terminal, writer: new TerminalFrame(terminal, color) };
}

describe('TerminalFrame', () => {
  it('writes the first frame whole, each line cleared to its end and ended by a newline', () => {
    const { terminal, writer } = setUp();
    writer.draw(lines('abc', 'de'));
    expect(terminal.writes).toEqual([frame(`\rabc${EL}\nde${EL}\n`)]);
  });

  it('rewrites only a line that changed: up to it, the line, down over the rest', () => {
    const { terminal, writer } = setUp();
    writer.draw(lines('a', 'b', 'c', 'd'));
    writer.draw(lines('a', 'B', 'c', 'd'));
    expect(terminal.writes[1]).toBe(frame(`\r${up(3)}B${EL}\n${down(2)}`));
    writer.draw(lines('a', 'B', 'c', 'D'));
    expect(terminal.writes[2]).toBe(frame(`\r${up(1)}D${EL}\n`));
  });

  it('writes nothing for a frame that did not change', () => {
    const { terminal, writer } = setUp();
    writer.draw(lines('a', 'b'));
    writer.draw(lines('a', 'b'));
    expect(terminal.writes).toHaveLength(1);
  });

  it('clears the lines left over when the frame shrinks, and adds lines when it grows', () => {
    const { terminal, writer } = setUp();
    writer.draw(lines('a', 'b', 'c'));
    writer.draw(lines('a'));
    expect(terminal.writes[1]).toBe(frame(`\r${up(2)}${ED}`));
    writer.draw(lines('a', 'b'));
    expect(terminal.writes[2]).toBe(frame(`\rb${EL}\n`));
    writer.draw(lines('x'));
    expect(terminal.writes[3]).toBe(frame(`\r${up(2)}x${EL}\n${ED}`));
  });

  it('prints lines once above the live lines, then the live lines again below them', () => {
    const { terminal, writer } = setUp();
    writer.draw(lines('live', 'keys'));
    writer.draw(lines('live', 'keys'), lines('done'));
    expect(terminal.writes[1]).toBe(frame(`\r${up(2)}done${EL}\nlive${EL}\nkeys${EL}\n`));
    writer.draw(lines('live', 'keys'));
    expect(terminal.writes).toHaveLength(2);
  });

  it('cuts lines to the width by display width, and clears nothing after a full line', () => {
    const { terminal, writer } = setUp(5);
    writer.draw(lines('abcdefgh', '仮想マシン', 'abcde', 'ab'));
    expect(terminal.writes[0]).toBe(frame(`\rabcd…\n仮想…\nabcde\nab${EL}\n`));
  });

  it('paints the tones when colour is on, and only then', () => {
    const { terminal, writer } = setUp(20, true);
    writer.draw([viewLine('Queued (3)', 'title'), [{ text: 'plan' }, { text: ' PAUSED', tone: 'warn' }]]);
    expect(terminal.writes[0]).toBe(
      frame(`\r\u001B[1mQueued (3)\u001B[22m${EL}\nplan\u001B[33m PAUSED\u001B[39m${EL}\n`),
    );
  });

  it('drops control characters, so that a name never moves the cursor', () => {
    const { terminal, writer } = setUp(20);
    writer.draw(lines('vm\n\u001B[2J-01'));
    expect(terminal.writes[0]).toBe(frame(`\rvm[2J-01${EL}\n`));
  });

  it('redraws whole after a resize: up over the rows the old lines take once reflowed, clears, writes all', () => {
    const { terminal, writer } = setUp(10);
    writer.draw(lines('0123456789', 'abc'));
    terminal.columns = 5;
    writer.redraw(lines('01234', 'abc'));
    expect(terminal.writes[1]).toBe(frame(`\r${up(3)}${ED}01234\nabc${EL}\n`));
    terminal.columns = 20;
    writer.redraw(lines('0123456789', 'abc'));
    expect(terminal.writes[2]).toBe(frame(`\r${up(2)}${ED}0123456789${EL}\nabc${EL}\n`));
  });

  it('hides the cursor when it starts and shows it when it stops, the last frame left in place', () => {
    const { terminal, writer } = setUp();
    writer.start();
    writer.draw(lines('verdict'));
    writer.stop();
    expect(terminal.writes).toEqual([HIDE_CURSOR, frame(`\rverdict${EL}\n`), SHOW_CURSOR]);
  });
});
