/**
 * A command's words checked the way kubectl's (cobra's, pflag's) are, before oclif parses them, so that every flag
 * and argument error is one kubectl line: `unknown flag: --x`, `unknown shorthand flag: 'x' in -x`, `flag needs an
 * argument: --x`, `accepts 1 arg(s), received 0`, `required flag(s) "scenario" not set`. Also kubectl's leniencies:
 * a repeated flag keeps its last value, and `--flag=true|false` works for booleans. Returns the words as oclif
 * reads them (`--name=value` for every option, so a value may start with `-`).
 */
import { UserError } from '../../errors.js';

/** What the check needs of an oclif flag definition. */
export interface FlagShape {
  name: string;
  type: 'boolean' | 'option';
  char?: string;
  allowNo?: boolean;
  multiple?: boolean;
  required?: boolean;
}

export interface CommandShape {
  flags: Record<string, FlagShape>;
  args: Record<string, { required?: boolean; options?: readonly string[] }>;
  /** false: any argument goes (`help`, `__complete`). */
  strict: boolean;
}

/** What the check needs of an oclif command's definition (its flags, base flags included, args and strictness). */
export function commandShapeOf(input: {
  flags?: object;
  baseFlags?: object;
  args?: object;
  strict?: boolean;
}): CommandShape {
  const flags = { ...input.baseFlags, ...input.flags } as Record<string, Omit<FlagShape, 'name'>>;
  return {
    flags: Object.fromEntries(Object.entries(flags).map(([name, flag]) => [name, { ...flag, name }])),
    args: (input.args ?? {}) as CommandShape['args'],
    strict: input.strict !== false,
  };
}

/** Checks `argv` for the command at `path` (`kubectl mtv migrate`); throws one UserError (exit 2) naming the fix. */
export function checkCommandLine(shape: CommandShape, argv: readonly string[], path: string): string[] {
  const fail = (message: string) => new UserError(message, { hint: `${path} --help` });
  const flags = Object.values(shape.flags);
  const long = (name: string) =>
    flags.find((flag) => flag.name === name) ??
    flags.find((flag) => flag.type === 'boolean' && flag.allowNo && `no-${flag.name}` === name);
  const short = (char: string) => flags.find((flag) => flag.char === char);
  const isFlag = (word: string) =>
    word.startsWith('--') ? long(word.slice(2)) !== undefined : /^-[^-]/.test(word) && short(word[1]) !== undefined;
  /** The words kept, by flag (a repeated flag drops its earlier words) or by position. */
  const kept: { flag?: string; words: string[] }[] = [];
  const give = (flag: FlagShape, words: string[]) => {
    if (!flag.multiple) {
      for (const entry of kept) if (entry.flag === flag.name) entry.words = [];
    }
    kept.push({ flag: flag.name, words });
  };
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    if (word === '--') {
      positionals.push(...argv.slice(i + 1));
      kept.push({ words: argv.slice(i) });
      break;
    }
    if (word === '-' || !word.startsWith('-') || /^-\d/.test(word)) {
      positionals.push(word);
      kept.push({ words: [word] });
      continue;
    }
    const valueAfter = (missing: string) => {
      const next = argv[i + 1];
      if (next === undefined || isFlag(next)) throw fail(`flag needs an argument: ${missing}`);
      i++;
      return next;
    };
    if (word.startsWith('--')) {
      const equals = word.indexOf('=');
      const name = equals === -1 ? word.slice(2) : word.slice(2, equals);
      const flag = long(name);
      if (!flag) throw fail(`unknown flag: --${name}`);
      if (flag.type === 'option') {
        give(flag, [`--${flag.name}=${equals === -1 ? valueAfter(`--${name}`) : word.slice(equals + 1)}`]);
        continue;
      }
      const value = equals === -1 ? 'true' : word.slice(equals + 1);
      if (value !== 'true' && value !== 'false') {
        throw fail(`invalid argument "${value}" for "--${name}" flag: it takes true or false`);
      }
      const on = (value === 'true') === (name === flag.name);
      give(flag, on ? [`--${flag.name}`] : flag.allowNo ? [`--no-${flag.name}`] : []);
      continue;
    }
    // -o json, -ojson, -o=json, and booleans together: -Aw
    for (let j = 1; j < word.length; j++) {
      const flag = short(word[j]);
      if (!flag) throw fail(`unknown shorthand flag: '${word[j]}' in -${word.slice(j)}`);
      if (flag.type === 'boolean') {
        give(flag, [`--${flag.name}`]);
        continue;
      }
      const inline = word.slice(j + 1).replace(/^=/, '');
      const missing = `'${word[j]}' in -${word.slice(j)}`;
      give(flag, [`--${flag.name}=${j + 1 < word.length ? inline : valueAfter(missing)}`]);
      break;
    }
  }
  if (shape.strict) checkArgs(shape, positionals, path, fail);
  const given = new Set(kept.filter((entry) => entry.words.length > 0).map((entry) => entry.flag));
  const missing = flags.filter((flag) => flag.required && !given.has(flag.name)).map((flag) => `"${flag.name}"`);
  if (missing.length > 0) throw fail(`required flag(s) ${missing.join(', ')} not set`);
  return kept.flatMap((entry) => entry.words);
}

/** cobra's NoArgs, ExactArgs, RangeArgs and MaximumNArgs messages, and OnlyValidArgs for fixed choices. */
function checkArgs(shape: CommandShape, given: readonly string[], path: string, fail: (m: string) => UserError) {
  const args = Object.values(shape.args);
  const required = args.filter((arg) => arg.required).length;
  if (args.length === 0 && given.length > 0) throw fail(`unknown command "${given[0]}" for "${path}"`);
  if (given.length < required || given.length > args.length) {
    if (required === args.length) throw fail(`accepts ${args.length} arg(s), received ${given.length}`);
    if (required === 0) throw fail(`accepts at most ${args.length} arg(s), received ${given.length}`);
    throw fail(`accepts between ${required} and ${args.length} arg(s), received ${given.length}`);
  }
  given.forEach((value, i) => {
    const options = args[i]?.options;
    if (options && !options.includes(value)) throw fail(`invalid argument "${value}" for "${path}"`);
  });
}
