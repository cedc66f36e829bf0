import { Args, Flags } from '@oclif/core';
import { type CleanOptions, clean } from '../services/clean.js';
import { OBJECT_OUTPUTS } from '../ui/object-output.js';
import { BaseCommand } from './base.js';
import { parseChoice } from './support/flag-values.js';
import { connectionFlags, connectionOptions } from './support/migrate-flags.js';
import { noHeadersFlag, outputFlag } from './support/output-flags.js';

export default class Clean extends BaseCommand {
  static override summary = "List, or delete with --yes, a plan's DataVolumes so that their disks can be copied again.";

  static override description =
    'Lists the DataVolumes `migrate` created for the plan (all, or with --stuck those it marked stuck). With --yes it ' +
    'deletes them: deleting a DataVolume deletes its PVC and the disk copied into it. A plan a runner holds is left alone.';

  static override examples = [
    'kubectl mtv clean plan-a --stuck',
    'kubectl mtv clean plan-a --stuck --yes && kubectl mtv migrate plan-a',
    'kubectl mtv clean plan-a -o name',
  ];

  static override args = { plan: Args.string({ description: 'The Forklift Plan.', required: true }) };

  static override flags = {
    ...connectionFlags,
    stuck: Flags.boolean({ description: 'Only the DataVolumes annotated kubectl-mtv/stuck.' }),
    yes: Flags.boolean({ description: 'Delete them (and their disks); without it they are only listed.' }),
    output: outputFlag(OBJECT_OUTPUTS, 'table', 'How the DataVolumes are printed; with --yes, name prints bare names.'),
    'no-headers': noHeadersFlag,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Clean);
    const options: CleanOptions = {
      connection: connectionOptions(flags),
      plan: args.plan,
      stuckOnly: flags.stuck,
      yes: flags.yes,
      output: parseChoice('--output', flags.output, OBJECT_OUTPUTS, 'output format'),
      noHeaders: flags['no-headers'],
    };
    const code = await clean(options);
    if (code !== 0) this.exit(code);
  }
}
