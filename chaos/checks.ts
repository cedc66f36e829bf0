/** What every chaos part returns: its figures (printed and recorded) and its checks, each passed or failed. */

/** One assertion about the cluster or the runner, with what was seen. */
export interface Check {
  name: string;
  pass: boolean;
  /** What was measured, e.g. `0 duplicates`. */
  detail: string;
}

/** A part's result: figures as label/value rows, the checks, its wall time. */
export interface PartResult {
  /** Issue item number (1..9, 5 is not ours; 8 is the warm migration's kills, 9 adaptive state's). */
  item: number;
  title: string;
  figures: [string, string][];
  /** Lines printed as they are (not indented) after the figures, and kept in the report, e.g. a goal's own line. */
  lines?: string[];
  checks: Check[];
  seconds: number;
}

export function check(name: string, pass: boolean, detail: string): Check {
  return { name, pass, detail };
}

export function passed(part: PartResult): boolean {
  return part.checks.length > 0 && part.checks.every((c) => c.pass);
}

/** The printed lines of a part: its figures, its checks and the PASS/FAIL line. */
export function partLines(part: PartResult): string[] {
  const lines = [`== ${part.item}. ${part.title} (${part.seconds.toFixed(1)} s)`];
  for (const [label, value] of part.figures) lines.push(`   ${label}: ${value}`);
  lines.push(...(part.lines ?? []));
  for (const c of part.checks) lines.push(`   [${c.pass ? 'ok' : 'FAILED'}] ${c.name}: ${c.detail}`);
  lines.push(`${passed(part) ? 'PASS' : 'FAIL'} ${part.item}. ${part.title}`);
  return lines;
}

/** The last line a process printed (its error, for a check's detail). */
export function lastLine(text: string): string {
  return text.trim().split('\n').at(-1) ?? '';
}

/**
 * The three checks of a part that kills runs and resumes them: every planned kill landed (or the plan ended first), no
 * run ended otherwise than by its kill, and the last run ended by itself with exit 0.
 */
export function killRunChecks(run: {
  planned: number;
  kills: number;
  endedEarly: boolean;
  unexpected: string[];
  final: { code: number | null; stderr: string };
}): Check[] {
  const { planned, kills, endedEarly, unexpected, final } = run;
  return [
    check(
      `${planned} kills landed, or the plan ended first`,
      kills === planned || endedEarly,
      `${kills} kills${endedEarly ? ', the plan ended before the last' : ''}`,
    ),
    check('no run failed other than by the kill', unexpected.length === 0, unexpected.join('; ') || 'none'),
    check(
      'the last run exits 0',
      final.code === 0,
      `exit ${final.code}${final.code ? `: ${lastLine(final.stderr)}` : ''}`,
    ),
  ];
}
