/**
 * The one place that decides whether a human watches: stdout and stdin are terminals and CI is unset. Not
 * interactive means no live redraw, no spinner, no colour, no prompt.
 */
export function isInteractive(
  stdout: { isTTY?: boolean } = process.stdout,
  stdin: { isTTY?: boolean } = process.stdin,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  return stdout.isTTY === true && stdin.isTTY === true && !env.CI;
}

/** How a live view may draw on a terminal. */
export interface TerminalStyle {
  /** The terminal can redraw in place: not `TERM=dumb`. */
  canRedraw: boolean;
  /** Colours allowed: NO_COLOR unset or empty (no-color.org), and not `TERM=dumb`. */
  color: boolean;
  /** Box and block characters only under a UTF-8 locale; `#` and `-` otherwise. */
  ascii: boolean;
}

export function terminalStyle(env: NodeJS.ProcessEnv = process.env): TerminalStyle {
  const dumb = env.TERM === 'dumb';
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG || '';
  return {
    canRedraw: !dumb,
    color: !dumb && !env.NO_COLOR,
    ascii: locale !== '' && !/utf-?8/i.test(locale),
  };
}
