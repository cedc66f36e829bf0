import { stripVTControlCharacters } from 'node:util';
import { Command, Errors, Flags, type Interfaces } from '@oclif/core';
import { ExitCode, UserError } from '../errors.js';

/**
 * What every kubectl-mtv command shares: the `--debug` flag and one way to fail. Whatever escapes `run` becomes ONE
 * line on stderr and a documented exit code: a UserError its own code, an oclif flag error 2, anything else 4 (a bug;
 * the stack only with --debug). oclif's `handle` then exits with the ExitError's code and prints nothing more.
 *
 * package.json's oclif.commands globPatterns leave this file out of command discovery.
 */
export abstract class BaseCommand extends Command {
  static override baseFlags = {
    debug: Flags.boolean({ description: 'Show the stack trace of an unexpected error.', helpGroup: 'GLOBAL' }),
  };

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
      this.printError(`error: ${oneLine(error.message)} (try: kubectl mtv ${this.commandWords()} --help)`);
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
  private commandWords(): string {
    return (this.id ?? '').split(':').join(' ');
  }
}

/** oclif's parse errors span lines ("The following error occurred:", "See more help with --help"); keep the facts. */
function oneLine(message: string): string {
  const facts = stripVTControlCharacters(message)
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !/^See more help with --help$/.test(line))
    .filter((line) => !/^The following errors? occurred:$/.test(line));
  return facts.length > 0 ? facts.join('; ') : 'unknown error';
}

/** Parses a flag that counts something: a whole number >= min. Throws a UserError naming the flag and the value. */
export function parseWholeNumber(flag: string, raw: string, min = 1): number {
  const value = /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min) {
    throw new UserError(`${flag}: "${raw}" must be a whole number >= ${min}`);
  }
  return value;
}

/** Parses a flag that names one of a fixed set, e.g. `--order largest`. */
export function parseChoice<T extends string>(flag: string, raw: string, choices: readonly T[], noun: string): T {
  const value = raw.trim();
  if (!(choices as readonly string[]).includes(value)) {
    const article = /^[aeiou]/.test(noun) ? 'an' : 'a';
    throw new UserError(`${flag}: "${raw}" is not ${article} ${noun} (choose from ${choices.join(', ')})`);
  }
  return value as T;
}

/** Parses a comma-separated list of choices, e.g. `--policy gang,disk`; keeps the given order, drops repeats. */
export function parseChoiceList<T extends string>(flag: string, raw: string, choices: readonly T[], noun: string): T[] {
  const names = raw
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (names.length === 0) {
    throw new UserError(`${flag}: "${raw}" names no ${noun} (choose from ${choices.join(', ')})`);
  }
  return [...new Set(names.map((name) => parseChoice(flag, name, choices, noun)))];
}
