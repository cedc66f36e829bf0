import { loadHelpClass } from '@oclif/core';
import { ExitCode } from '../errors.js';
import { unknownCommandText } from '../ui/command-suggestions.js';
import { BaseCommand } from './base.js';

/**
 * `kubectl mtv help [COMMAND]`, as kubectl's `help`: the command's `--help` (the plugin's without one). Hidden, as
 * cobra hides its help command from the command list and from suggestions. The words are read raw, never parsed.
 */
export default class Help extends BaseCommand {
  static override hidden = true;
  static override strict = false;
  static override summary = 'Help about any command.';
  static override examples = ['kubectl mtv help migrate'];

  async run(): Promise<void> {
    const [word] = this.argv.filter((arg) => !arg.startsWith('-'));
    const Help = await loadHelpClass(this.config);
    const help = new Help(this.config, this.config.pjson.oclif.helpOptions);
    if (word === undefined) return help.showHelp([]);
    if (this.config.findCommand(word) === undefined) {
      const commands = this.config.commands.filter((command) => !command.hidden).map((command) => command.id);
      process.stderr.write(unknownCommandText(word, 'kubectl mtv', commands.sort()));
      this.exit(ExitCode.usage);
    }
    await help.showHelp([word]);
  }
}
