import { complete, formatCompletion, planNames } from '../services/completion.js';
import { BaseCommand } from './base.js';
import { completionModel } from './support/completion-model.js';

/**
 * cobra's `__complete` protocol, for the scripts of `kubectl mtv completion` and for kubectl's own completion of
 * `kubectl mtv ...` (through `kubectl_complete-mtv`). The words are read raw, never parsed as flags: they are what
 * the user typed so far, `--po` included. Callers put `--` first so that oclif does not take `--help` for itself.
 * A plan argument is completed from the cluster (the -n, --kubeconfig and --context typed so far), within 2 s.
 */
export default class Complete extends BaseCommand {
  static override hidden = true;
  static override strict = false;
  static override summary = 'Answer shell completion: candidates one a line, then :<directive>.';

  async run(): Promise<void> {
    const words = this.argv[0] === '--' ? this.argv.slice(1) : this.argv;
    const answer = complete(completionModel(this.config.commands), words);
    if (answer.plans) answer.candidates = await planNames(answer.plans);
    process.stdout.write(formatCompletion(answer));
  }
}
