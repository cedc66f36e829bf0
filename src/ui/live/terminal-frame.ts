/**
 * Writes the live views' frames to a terminal: the live lines at the bottom of the screen, redrawn in place, and
 * lines printed once above them (finished disks) that then scroll away into the terminal's history.
 *
 * Invariant: between frames the cursor sits at the start of the line below the live lines, and the live lines are the
 * last thing on the screen. A frame moves the cursor up to the first line that changed, writes the lines that changed
 * (each followed by clear-to-end-of-line when shorter than the terminal), steps down over the ones that did not, and
 * clears what is left below when the frame shrank. Lines are cut to the terminal's width by display width, so none
 * wraps and the frame's height is its number of lines; the views keep it below the terminal's height, or the cursor
 * could not climb back to its top. Each frame is one write, wrapped in synchronized output (DEC mode 2026), so the
 * terminal shows it whole; an unchanged frame writes nothing.
 */
import { type DrawnLine, drawLine, type ViewLine } from './view-line.js';

const ESC = '\u001B[';
export const HIDE_CURSOR = `${ESC}?25l`;
export const SHOW_CURSOR = `${ESC}?25h`;
export const SYNC_BEGIN = `${ESC}?2026h`;
export const SYNC_END = `${ESC}?2026l`;
/** Clear from the cursor to the end of the line. */
export const CLEAR_LINE_END = `${ESC}K`;
/** Clear from the cursor to the end of the screen. */
export const CLEAR_SCREEN_END = `${ESC}J`;
export const up = (n: number) => `${ESC}${n}A`;
export const down = (n: number) => `${ESC}${n}B`;

/** The terminal as the writer uses it: a stream with a size. */
export interface TerminalOutput {
  columns?: number;
  write(text: string): unknown;
}

export class TerminalFrame {
  /** The live lines on the screen, as written. */
  private drawn: DrawnLine[] = [];
  /** The width the drawn lines were cut to. */
  private drawnColumns = 0;

  constructor(
    private readonly out: TerminalOutput,
    private readonly color: boolean,
  ) {}

  /** Terminal width, columns; 80 when unknown. */
  get columns(): number {
    return Math.max(1, this.out.columns || 80);
  }

  /** Hides the cursor: the view draws where it stands. */
  start(): void {
    this.out.write(HIDE_CURSOR);
  }

  /** Draws `lines` as the live lines, writing only those that changed, after printing `above` once above them. */
  draw(lines: readonly ViewLine[], above: readonly ViewLine[] = []): void {
    this.render(lines, above);
  }

  /**
   * Draws `lines` whole after the terminal was resized. A terminal that reflows its lines (most do) wraps the lines
   * drawn for a wider one: the cursor climbs over the rows they take now, and everything from there down is cleared.
   */
  redraw(lines: readonly ViewLine[], above: readonly ViewLine[] = []): void {
    const columns = this.columns;
    const rows =
      columns < this.drawnColumns
        ? this.drawn.reduce((sum, line) => sum + Math.max(1, Math.ceil(line.width / columns)), 0)
        : this.drawn.length;
    this.render(lines, above, rows);
  }

  /** Writes the frame; with `clearRows`, from that many rows up, the screen cleared below first. */
  private render(lines: readonly ViewLine[], above: readonly ViewLine[], clearRows?: number): void {
    const columns = this.columns;
    const next = lines.map((line) => drawLine(line, columns, this.color));
    const printed = above.map((line) => drawLine(line, columns, this.color));
    // lines printed above push the live lines down: then every live line is written again, below them
    const whole = printed.length > 0 || clearRows !== undefined;
    let first = whole ? 0 : next.findIndex((line, i) => line.text !== this.drawn[i]?.text);
    if (first < 0) first = next.length;
    if (!whole && first === next.length && next.length === this.drawn.length) return;
    let out = SYNC_BEGIN + this.climb(clearRows ?? this.drawn.length - first);
    if (clearRows !== undefined) out += CLEAR_SCREEN_END;
    for (const line of printed) out += this.lineOut(line, columns);
    let skipped = 0;
    for (let i = first; i < next.length; i++) {
      if (!whole && next[i].text === this.drawn[i]?.text) {
        skipped++;
        continue;
      }
      if (skipped > 0) out += down(skipped);
      skipped = 0;
      out += this.lineOut(next[i], columns);
    }
    if (skipped > 0) out += down(skipped);
    if (clearRows === undefined && printed.length + next.length < this.drawn.length) out += CLEAR_SCREEN_END;
    this.out.write(out + SYNC_END);
    this.drawn = next;
    this.drawnColumns = columns;
  }

  /** Leaves the last frame on the screen, the cursor below it and shown. */
  stop(): void {
    this.out.write(SHOW_CURSOR);
  }

  /** Up `rows` lines, to the start of the line. */
  private climb(rows: number): string {
    return rows > 0 ? `\r${up(rows)}` : '\r';
  }

  private lineOut(line: DrawnLine, columns: number): string {
    // a line as wide as the terminal leaves the cursor on its last column: clearing from there would erase that column
    return `${line.text}${line.width < columns ? CLEAR_LINE_END : ''}\n`;
  }
}
