import { Args } from '@oclif/core';
import { ExitCode, UserError } from '../errors.js';
import { type TopOptions, top } from '../services/top.js';
import { isInteractive, terminalStyle } from '../ui/interactive.js';
import { BaseCommand } from './base.js';
import { connectionOptions } from './support/migrate-flags.js';
import { parseOutput } from './support/output-flags.js';
import { nextStop } from './support/signals.js';
import { TOP_OUTPUTS, topFlags } from './support/top-flags.js';

export default class Top extends BaseCommand {
  static override summary = 'Watch running kubectl-mtv migrations, live, from any workstation.';

  static override description =
    'Finds the runs by their Leases and shows each as its runner publishes it (about once a second): disks in flight ' +
    'with rate and ETA, the queue with the reason each disk waits, completions. On a terminal the view is live and ' +
    'read-only; --control lets p pause or resume and +/- change the cap of the selected run (Tab selects). Elsewhere, ' +
    'or with --once, one snapshot; --watch streams snapshots as ndjson.';

  static override examples = [
    'kubectl mtv top -n openshift-mtv',
    'kubectl mtv top plan-a --control',
    'kubectl mtv top -A --once -o wide',
    'kubectl mtv top --once -o json | jq ".plans[].inFlight[].name"',
    'kubectl describe $(kubectl mtv top -o name)',
    'kubectl mtv top plan-a --watch | jq -c ".plans[0].completed"',
  ];

  static override args = { plan: Args.string({ description: 'Only this plan. Default: every run in scope.' }) };

  static override flags = topFlags;

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Top);
    const output = parseOutput(flags.output, TOP_OUTPUTS);
    const style = terminalStyle();
    const terminal = isInteractive() && style.canRedraw;
    const tabular = output === 'table' || output === 'wide';
    const mode = flags.once ? 'once' : flags.watch ? 'watch' : terminal && tabular ? 'live' : 'once';
    if (flags.once && flags.watch) throw usage('--once and --watch cannot be used together', 'pick one');
    if (flags.control && mode !== 'live') {
      throw usage(
        '--control needs the live view on a terminal',
        'it steers with keys: run it on a terminal, without --once, --watch or an -o other than table or wide',
      );
    }
    const aborter = new AbortController();
    const options: TopOptions = {
      connection: connectionOptions(flags),
      ...(args.plan !== undefined && { plan: args.plan }),
      allNamespaces: flags['all-namespaces'],
      mode,
      output,
      noHeaders: flags['no-headers'],
      control: flags.control,
      signal: aborter.signal,
      terminal: { stdout: process.stdout, stdin: process.stdin, color: style.color, ascii: style.ascii },
    };
    // top only watches: however it is stopped, it exits 0
    nextStop().then(() => aborter.abort());
    const code = await top(options);
    if (code !== ExitCode.ok) this.exit(code);
  }
}

function usage(message: string, fix: string): UserError {
  return new UserError(message, { exitCode: ExitCode.usage, hint: fix });
}
