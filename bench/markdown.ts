/** Markdown rendering for the benchmark report: tables padded so they read the same on stdout and in the file. */

/** One section of the report: a title, the goal lines, the body (tables) and how to read it. */
export interface ReportSection {
  title: string;
  /** One line per goal, e.g. "max makespan ratio 1.004 (goal <= 1.01): met". */
  goals: string[];
  /** Markdown: tables and notes. */
  body: string;
  /** A short paragraph saying what the numbers mean. */
  howToRead: string;
}

/** A GitHub Markdown table; `right` marks the columns aligned right (numbers). */
export function markdownTable(headers: string[], rows: string[][], right: boolean[] = []): string {
  const widths = headers.map((h, c) => Math.max(3, h.length, ...rows.map((r) => r[c].length)));
  const pad = (cell: string, c: number) => (right[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c]));
  const line = (cells: string[]) => `| ${cells.map(pad).join(' | ')} |`;
  const rule = `| ${widths.map((w, c) => (right[c] ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

/** A section as Markdown: heading, goal bullets, body, then "How to read". */
export function renderSection(section: ReportSection): string {
  const goals = section.goals.map((g) => `- ${g}`).join('\n');
  return [`## ${section.title}`, goals, section.body, `**How to read.** ${section.howToRead}`]
    .filter((part) => part.length > 0)
    .join('\n\n');
}

/** A ratio with three decimals; Infinity as "inf". */
export function ratio(x: number): string {
  return Number.isFinite(x) ? x.toFixed(3) : 'inf';
}

/** Seconds as "12345 s (3h 25m)". */
export function seconds(s: number): string {
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const human =
    h > 0 ? `${h}h ${String(m).padStart(2, '0')}m` : `${m}m ${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.round(s)} s (${human})`;
}

/** "met" or "missed", for goal lines. */
export function verdict(ok: boolean): string {
  return ok ? 'met' : 'MISSED';
}

/**
 * The report `text` with the section titled like `rendered` (its "## " line) replaced by it, or appended when the
 * report has no such section; the other sections and the header stay as they are.
 */
export function replaceSection(text: string, rendered: string): string {
  const title = rendered.split('\n', 1)[0];
  const parts = text.trimEnd().split(/\n(?=## )/);
  const at = parts.findIndex((part) => part.split('\n', 1)[0] === title);
  if (at >= 0) parts[at] = rendered;
  else parts.push(rendered);
  return `${parts.map((part) => part.trimEnd()).join('\n\n')}\n`;
}
