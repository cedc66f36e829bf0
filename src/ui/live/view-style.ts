/** How the live views draw a row: the style of the terminal and the tones rows take, as Ink `<Text>` props. */
import type { RunOutcome } from '../../runner/run-events.js';

/** How the view draws: colours (false with NO_COLOR or off a terminal), ASCII bars, the terminal's width. */
export interface ViewStyle {
  color: boolean;
  ascii: boolean;
  /** Terminal width, columns. */
  columns: number;
}

export type Tone = 'warn' | 'bad' | 'good' | 'dim' | 'title' | 'selected';

/** Ink colour props for `tone`; none at all without colour. */
export function toneProps(color: boolean, tone: Tone | undefined): Record<string, unknown> {
  if (!color || tone === undefined) return {};
  switch (tone) {
    case 'warn':
      return { color: 'yellow' };
    case 'bad':
      return { color: 'red' };
    case 'good':
      return { color: 'green' };
    case 'dim':
      return { dimColor: true };
    case 'title':
      return { bold: true };
    case 'selected':
      return { bold: true, inverse: true };
  }
}

const OUTCOME_TONE: Partial<Record<RunOutcome, Tone>> = { completed: 'good', stuck: 'bad', 'lease-lost': 'bad' };

/** The tone of a run's verdict: green when completed, red when stuck or its Lease was lost, yellow otherwise. */
export function outcomeTone(outcome: RunOutcome | null): Tone {
  return (outcome !== null && OUTCOME_TONE[outcome]) || 'warn';
}
