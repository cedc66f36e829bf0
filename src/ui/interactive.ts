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
