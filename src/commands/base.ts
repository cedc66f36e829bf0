import { stripVTControlCharacters } from 'node:util';
import { Command, Errors, Flags, type Interfaces } from '@oclif/core';
import { ExitCode, UserError } from '../errors.js';
import { checkCommandLine, commandShapeOf } from './support/command-line.js';
import { guardOutputs, outputClosed } from './support/signals.js';

/**
 * What every kubectl-mtv command shares: the `--debug` flag, kubectl's reading of flags and arguments, and one way
 * to fail. The command line is checked as kubectl checks its own before oclif parses it (support/command-line.ts),
 * so a flag or argument error is one kubectl line. Whatever escapes `run` becomes ONE line on stderr and a documented
 * exit code: a UserError its own code, an oclif flag error 2, anything else 70 (a bug; the stack only with --debug).
 * oclif's `handle` then exits with the ExitError's code and prints nothing more.
 *
 * package.json's oclif.commands globPatterns leave this file out of command discovery.
 */
export abstract class BaseCommand extends Command {
  static override baseFlags = {
    debug: Flags.boolean({
      description: 'Show debug lines, and the stack trace of an unexpected error.',
      helpGroup: 'GLOBAL',
    }),
  };

  /** Before any output: a closed stdout or stderr must not crash the command (signals.ts guardOutputs). */
  public override async init(): Promise<void> {
    guardOutputs();
    await super.init();
  }

  /** A command whose output lost its reader ends 141 once its work is done, as kubectl does (SIGPIPE). */
  protected override async finally(error: Error | undefined): Promise<unknown> {
    const result = await super.finally(error);
    if (error === undefined && outputClosed()) this.exit(ExitCode.brokenPipe);
    return result;
  }

  protected override async parse<F extends OutputOf, B extends OutputOf, A extends OutputOf>(
    options?: Interfaces.Input<F, B, A>,
    argv: string[] = this.argv,
  ): Promise<Interfaces.ParserOutput<F, B, A>> {
    const shape = commandShapeOf(options ?? (this.ctor as unknown as Interfaces.Input<F, B, A>));
    return super.parse(options, checkCommandLine(shape, argv, `kubectl mtv ${this.commandWords()}`));
  }

  protected override async catch(error: Interfaces.CommandError): Promise<never> {
    // A deliberate this.exit(n) is already an exit: oclif's handle exits with n and prints nothing.
    if (error instanceof Errors.ExitError) throw error;
    // The flags may not have parsed, so --debug is read from the raw argv.
    const debug = this.argv.includes('--debug');
    if (error instanceof UserError) {
      this.printError(`error: ${error.line}`);
      if (debug && error.stack) this.printError(error.stack);
      this.exit(error.exitCode);
    }
    if (error instanceof Errors.CLIError) {
      const line = oneLine(error.message);
      // kubectl's errors start in lower case (`unknown flag: --x`); oclif's capitalise (`Flag --x expects a value`)
      const lower = `${line[0].toLowerCase()}${line.slice(1)}`;
      this.printError(`error: ${lower} (try: kubectl mtv ${this.commandWords()} --help)`);
      if (debug && error.stack) this.printError(error.stack);
      this.exit(ExitCode.usage);
    }
    const message = error instanceof Error ? error.message : String(error);
    this.printError(`error: ${oneLine(message)} (a bug: please report it; --debug shows the stack)`);
    if (debug) this.printError(error instanceof Error && error.stack ? error.stack : String(error));
    this.exit(ExitCode.bug);
  }

  /** Writes to stderr as is (logToStderr would run the text through util.format and turn `%%` into `%`). */
  private printError(text: string): void {
    process.stderr.write(`${text}\n`);
  }

  /** The command as the user types it after `kubectl mtv`, e.g. `simulate`. */
  protected commandWords(): string {
    return (this.id ?? '').split(':').join(' ');
  }
}

/** oclif's FlagOutput and ArgOutput (not exported by @oclif/core): parsed values by name. */
// biome-ignore lint/suspicious/noExplicitAny: the shape oclif's own parse signature constrains its generics to
type OutputOf = { [name: string]: any };

/** oclif's parse errors span lines ("The following error occurred:", "See more help with --help"); keep the facts. */
function oneLine(message: string): string {
  const facts = stripVTControlCharacters(message)
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !/^See more help with --help$/.test(line))
    .filter((line) => !/^The following errors? occurred:$/.test(line));
  if (facts.length === 0) return 'unknown error';
  // a heading lists its items below ("Missing 1 required arg:", "plan  The Forklift Plan."): keep the items' names
  const parts: string[] = [];
  let listing = false;
  for (const fact of facts) {
    const item = listing ? /^(\S+)(\s{2,}|$)/.exec(fact)?.[1] : undefined;
    if (item === undefined) {
      parts.push(fact);
      listing = fact.endsWith(':');
      continue;
    }
    const last = parts.length - 1;
    parts[last] += parts[last].endsWith(':') ? ` ${item}` : `, ${item}`;
  }
  return parts.join('; ');
}
