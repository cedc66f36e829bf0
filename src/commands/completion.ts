import { Args } from '@oclif/core';
import { COMPLETION_SHELLS, completionScript } from '../ui/completion-scripts.js';
import { BaseCommand } from './base.js';

export default class Completion extends BaseCommand {
  static override summary = 'Print a shell completion script for bash, zsh or fish.';

  static override description =
    'The script completes commands, flags and their values for kubectl-mtv by asking `kubectl-mtv __complete`. ' +
    '`kubectl mtv <TAB>` is completed by kubectl itself (1.26 or newer) through the kubectl_complete-mtv helper ' +
    'next to kubectl-mtv on the PATH: no script is needed for it.';

  static override examples = [
    'source <(kubectl mtv completion bash)',
    'kubectl mtv completion zsh > ~/.zfunc/_kubectl-mtv   # a directory of $fpath',
    'kubectl mtv completion fish > ~/.config/fish/completions/kubectl-mtv.fish',
  ];

  static override args = {
    shell: Args.string({ description: 'The shell.', required: true, options: [...COMPLETION_SHELLS] }),
  };

  async run(): Promise<void> {
    const { args } = await this.parse(Completion);
    process.stdout.write(completionScript(args.shell as (typeof COMPLETION_SHELLS)[number]));
  }
}
