/**
 * What can reach a command (after Shopify/cli's AbortError and BugError): a UserError, which the user can act on (a
 * one-line message naming the object and the value, a "try" hint, and the documented exit code), or a BugError, which
 * only a programming error raises. Anything else that escapes a command is treated as a bug too: exit 70, the stack
 * with --debug.
 */

/** Exit codes every command documents. */
export const ExitCode = {
  ok: 0,
  /** A transfer failed or stalled (migrate). */
  failed: 1,
  /** Bad input: flags, scenario file, plan that cannot run. Nothing was created. */
  usage: 2,
  /** The cluster or the inventory cannot be reached or refuses us. */
  unreachable: 3,
  /** An unexpected error: a bug (sysexits' EX_SOFTWARE; 4 is migrate's timeout). */
  bug: 70,
  /** --timeout reached before every disk was transferred (migrate). */
  timeout: 4,
  /** The plan is locked by another runner's Lease (migrate). */
  locked: 5,
  /** Ctrl-C (SIGINT) stopped the run (migrate, demo). */
  interrupted: 130,
  /** SIGHUP stopped the run: its terminal closed (migrate, demo). */
  hangup: 129,
  /** SIGTERM stopped the run (migrate, demo). */
  terminated: 143,
  /** An output stream's reader went away (EPIPE, as SIGPIPE would: migrate, demo). */
  brokenPipe: 141,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** An error the user can fix; printed as one line plus an optional hint, never with a stack. */
export class UserError extends Error {
  readonly exitCode: ExitCodeValue;
  readonly hint?: string;

  constructor(message: string, options: { exitCode?: ExitCodeValue; hint?: string } = {}) {
    super(message);
    this.name = 'UserError';
    this.exitCode = options.exitCode ?? ExitCode.usage;
    this.hint = options.hint;
  }

  /** The line the user sees: `message (try: hint)`. */
  get line(): string {
    return this.hint ? `${this.message} (try: ${this.hint})` : this.message;
  }
}

/** A broken invariant of our own code: exit 70 and a request to report it. Never raised for what a user or server does. */
export class BugError extends Error {
  readonly exitCode = ExitCode.bug;

  constructor(message: string) {
    super(message);
    this.name = 'BugError';
  }
}
