/**
 * The command line read as kubectl (cobra, pflag) reads its own: each error is its one lowercase line with the
 * command's help as the hint, and what oclif is given keeps the last of a repeated flag.
 */
import { describe, expect, it } from 'vitest';
import { type CommandShape, checkCommandLine } from '../../src/commands/support/command-line.js';
import { UserError } from '../../src/errors.js';

const flags: CommandShape['flags'] = {
  output: { name: 'output', type: 'option', char: 'o' },
  namespace: { name: 'namespace', type: 'option', char: 'n' },
  policy: { name: 'policy', type: 'option' },
  yes: { name: 'yes', type: 'boolean' },
  tui: { name: 'tui', type: 'boolean', allowNo: true },
  'all-namespaces': { name: 'all-namespaces', type: 'boolean', char: 'A' },
  watch: { name: 'watch', type: 'boolean', char: 'w' },
  deny: { name: 'deny', type: 'option', multiple: true },
};
const migrate: CommandShape = { flags, args: { plan: { required: true } }, strict: true };
const top: CommandShape = { flags, args: { plan: {} }, strict: true };
const simulate: CommandShape = {
  flags: { ...flags, scenario: { name: 'scenario', type: 'option', required: true } },
  args: {},
  strict: true,
};
const completion: CommandShape = { flags, args: { shell: { required: true, options: ['bash', 'zsh'] } }, strict: true };

function line(shape: CommandShape, argv: string[]): string {
  try {
    checkCommandLine(shape, argv, 'kubectl mtv cmd');
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return `error: ${(error as UserError).line}`;
  }
  return 'no error';
}

describe('kubectl-style command line errors', () => {
  const hint = '(try: kubectl mtv cmd --help)';
  it.each<[string, CommandShape, string[], string]>([
    ['an unknown flag', migrate, ['p', '--x'], `error: unknown flag: --x ${hint}`],
    ['an unknown flag with a value', migrate, ['p', '--x=1'], `error: unknown flag: --x ${hint}`],
    ['an unknown shorthand', migrate, ['p', '-x'], `error: unknown shorthand flag: 'x' in -x ${hint}`],
    ['an unknown shorthand in a group', migrate, ['p', '-Ax'], `error: unknown shorthand flag: 'x' in -x ${hint}`],
    ['a flag without its value', migrate, ['p', '--policy'], `error: flag needs an argument: --policy ${hint}`],
    ['a shorthand without its value', migrate, ['p', '-o'], `error: flag needs an argument: 'o' in -o ${hint}`],
    ['a value that is a flag', migrate, ['p', '-n', '--yes'], `error: flag needs an argument: 'n' in -n ${hint}`],
    [
      'a boolean given a value',
      migrate,
      ['p', '--yes=maybe'],
      `error: invalid argument "maybe" for "--yes" flag: it takes true or false ${hint}`,
    ],
    ['no argument', migrate, [], `error: accepts 1 arg(s), received 0 ${hint}`],
    ['two arguments', migrate, ['a', 'b'], `error: accepts 1 arg(s), received 2 ${hint}`],
    ['too many optional arguments', top, ['a', 'b'], `error: accepts at most 1 arg(s), received 2 ${hint}`],
    [
      'an argument to a command without any',
      simulate,
      ['--scenario', 's', 'extra'],
      `error: unknown command "extra" for "kubectl mtv cmd" ${hint}`,
    ],
    ['a missing required flag', simulate, [], `error: required flag(s) "scenario" not set ${hint}`],
    [
      'an argument not among its choices',
      completion,
      ['tcsh'],
      `error: invalid argument "tcsh" for "kubectl mtv cmd" ${hint}`,
    ],
  ])('%s', (_title, shape, argv, expected) => {
    expect(line(shape, argv)).toBe(expected);
  });

  it('checks flags before arguments, and arguments before required flags, as cobra does', () => {
    expect(line(simulate, ['extra', '--x'])).toMatch(/^error: unknown flag: --x /);
    expect(line(simulate, ['extra'])).toMatch(/^error: unknown command "extra"/);
  });
});

describe('what oclif is given', () => {
  const given = (shape: CommandShape, argv: string[]) => checkCommandLine(shape, argv, 'kubectl mtv cmd');

  it('writes every option as --name=value, so that a value may start with a dash', () => {
    expect(given(migrate, ['p', '-o', 'json', '-njs', '--policy=disk', '-o=yaml', '--namespace', '-3'])).toEqual([
      'p',
      '--policy=disk',
      '--output=yaml',
      '--namespace=-3',
    ]);
  });

  it('keeps the last value of a repeated flag, as kubectl does, and every value of a repeatable one', () => {
    expect(given(migrate, ['p', '-o', 'json', '-o', 'yaml', '--deny', 'a', '--deny', 'b'])).toEqual([
      'p',
      '--output=yaml',
      '--deny=a',
      '--deny=b',
    ]);
  });

  it('reads --flag=true and --flag=false for booleans, and groups of shorthand booleans', () => {
    expect(given(migrate, ['p', '--yes=true', '--tui=false', '-Aw'])).toEqual([
      'p',
      '--yes',
      '--no-tui',
      '--all-namespaces',
      '--watch',
    ]);
    expect(given(migrate, ['p', '--yes=false'])).toEqual(['p']);
  });

  it('passes what follows -- as arguments, untouched', () => {
    expect(given(top, ['--', '--not-a-flag'])).toEqual(['--', '--not-a-flag']);
  });

  it('lets a command that takes anything take anything', () => {
    expect(given({ flags: {}, args: {}, strict: false }, ['a', 'b'])).toEqual(['a', 'b']);
  });
});
