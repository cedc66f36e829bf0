import type { Command } from '@oclif/core';
import type { CompletionCommand, CompletionFlag } from '../../services/completion.js';

/**
 * A helpValue that lists its values (`table|wide|json`) names the flag's choices; a `jsonpath=TEMPLATE` among them
 * is offered as `jsonpath`, as kubectl offers its -o values; a placeholder among them (`N|auto`) is not offered, the
 * literal values are. `FILE` or `PATH` names a path.
 */
const CHOICES = /^[\w-]+(=[A-Z]+)?(\|[\w-]+(=[A-Z]+)?)+$/;
const PATH = /FILE|PATH/;

/** The visible commands as completion sees them, from oclif's manifest (no command module is imported). */
export function completionModel(commands: readonly Command.Loadable[]): CompletionCommand[] {
  return commands
    .filter((command) => !command.hidden)
    .map((command) => ({
      id: command.id.split(':').join(' '),
      summary: command.summary ?? command.description,
      flags: Object.values(command.flags)
        .filter((flag) => !flag.hidden)
        .map(completionFlag),
      args: Object.values(command.args).map((arg) => ({
        name: arg.name,
        ...(arg.options && { choices: arg.options }),
      })),
    }))
    .sort((a, b) => a.id.localeCompare(b.id));
}

function completionFlag(flag: Command.Flag.Cached): CompletionFlag {
  const common = { name: flag.name, ...(flag.char && { char: flag.char }), summary: flag.summary ?? flag.description };
  if (flag.type === 'boolean') return { ...common, takesValue: false, ...(flag.allowNo && { allowNo: true }) };
  const helpValue = typeof flag.helpValue === 'string' ? flag.helpValue : '';
  const literal = CHOICES.test(helpValue)
    ? helpValue
        .split('|')
        .map((choice) => choice.replace(/=.*$/, ''))
        .filter((choice) => !/^[A-Z_]+$/.test(choice))
    : [];
  const listed = literal.length > 0 ? literal : undefined;
  const choices = flag.options ?? listed;
  return {
    ...common,
    takesValue: true,
    ...(choices && { choices }),
    ...(PATH.test(helpValue) && { path: true }),
    ...(flag.multiple && { multiple: true }),
  };
}
