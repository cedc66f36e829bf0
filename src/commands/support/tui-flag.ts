import { Flags } from '@oclif/core';
import { ExitCode, UserError } from '../../errors.js';
import type { TuiTerminal } from '../../services/migrate.js';
import { terminalStyle } from '../../ui/interactive.js';

/** `--tui` / `--no-tui` of the commands that run a plan. */
export const tuiFlag = Flags.boolean({
  description:
    'The live view on the terminal (keys: p pause, +/- cap, q detach, ? help). Default: on when stdin and stderr are ' +
    'terminals, CI is unset and TERM is not dumb; NO_COLOR drops the colours.',
  allowNo: true,
});

/** The terminal the live view takes, or undefined for plain lines: the flag decides, else the environment. */
export function tuiTerminal(flag: boolean | undefined, env: NodeJS.ProcessEnv = process.env): TuiTerminal | undefined {
  const style = terminalStyle(env);
  const able = process.stderr.isTTY === true && process.stdin.isTTY === true && !env.CI && style.canRedraw;
  if (!(flag ?? able)) return undefined;
  if (process.stdin.isTTY !== true) {
    throw new UserError('--tui needs a terminal on stdin: the live view reads its keys there', {
      exitCode: ExitCode.usage,
      hint: 'run it from a terminal, or pass --no-tui for plain lines',
    });
  }
  return { stream: process.stderr, stdin: process.stdin, color: style.color, ascii: style.ascii };
}
