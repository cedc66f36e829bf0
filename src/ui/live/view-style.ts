/** How the live views draw a row: the style of the terminal, the tones rows take, and their colours. */
import { Chalk } from 'chalk';
import type { RunOutcome } from '../../runner/run-events.js';

/** How the view draws: colours (false with NO_COLOR or off a terminal), ASCII bars, the terminal's width. */
export interface ViewStyle {
  color: boolean;
  ascii: boolean;
  /** Terminal width, columns. */
  columns: number;
}

export type Tone = 'warn' | 'bad' | 'good' | 'dim' | 'title' | 'selected';

/** The 16 basic colours, bold, dim and inverse are all the views use: every colour terminal has them. */
const painter = new Chalk({ level: 1 });

/** `text` in the colours of `tone`; unchanged without colour. */
export function paint(text: string, tone: Tone | undefined, color: boolean): string {
  if (!color || tone === undefined || text === '') return text;
  switch (tone) {
    case 'warn':
      return painter.yellow(text);
    case 'bad':
      return painter.red(text);
    case 'good':
      return painter.green(text);
    case 'dim':
      return painter.dim(text);
    case 'title':
      return painter.bold(text);
    case 'selected':
      return painter.bold.inverse(text);
  }
}

const OUTCOME_TONE: Partial<Record<RunOutcome, Tone>> = { completed: 'good', stuck: 'bad', 'lease-lost': 'bad' };

/** The tone of a run's verdict: green when completed, red when stuck or its Lease was lost, yellow otherwise. */
export function outcomeTone(outcome: RunOutcome | null): Tone {
  return (outcome !== null && OUTCOME_TONE[outcome]) || 'warn';
}
