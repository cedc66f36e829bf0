import type { Hook } from '@oclif/core';
import { ExitCode } from '../errors.js';
import { unknownCommandText } from '../ui/command-suggestions.js';

/**
 * What kubectl says when the words name no command: `unknown command "migrat" for "kubectl mtv"` with cobra's
 * `Did you mean this?` suggestions, or, after a command that takes no argument (oclif reads `simulate extra` as one
 * unknown command), `unknown command "extra" for "kubectl mtv simulate"`; a flag before any command is an unknown
 * flag. Always exit 2, nothing run.
 */
const hook: Hook<'command_not_found'> = async function (options) {
  const [word, ...rest] = options.id.split(':');
  const commands = options.config.commands
    .filter((command) => !command.hidden)
    .map((command) => command.id)
    .sort();
  let text: string;
  if (word.startsWith('--')) {
    text = `error: unknown flag: ${word.split('=')[0]} (try: kubectl mtv --help)\n`;
  } else if (word.startsWith('-') && word.length > 1) {
    text = `error: unknown shorthand flag: '${word[1]}' in ${word} (try: kubectl mtv --help)\n`;
  } else if (options.config.findCommand(word) && rest.length > 0) {
    text = `error: unknown command "${rest[0]}" for "kubectl mtv ${word}" (try: kubectl mtv ${word} --help)\n`;
  } else {
    text = unknownCommandText(word, 'kubectl mtv', commands);
  }
  process.stderr.write(text);
  this.exit(ExitCode.usage);
};

export default hook;
