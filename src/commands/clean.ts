import { Args, Flags } from '@oclif/core';
import { type CleanOptions, clean } from '../services/clean.js';
import { OBJECT_OUTPUTS } from '../ui/object-output.js';
import { BaseCommand } from './base.js';
import { connectionFlags, connectionOptions } from './support/migrate-flags.js';
import { noHeadersFlag, outputFlag, parseOutput, withTemplates } from './support/output-flags.js';

export default class Clean extends BaseCommand {
  static override summary = "List, or delete with --yes, a plan's DataVolumes so that their disks can be copied again.";

  static override description =
    'Lists the DataVolumes `migrate` created for the plan (all, or with --stuck those it marked stuck). With --yes it ' +
    'deletes them: deleting a DataVolume deletes its PVC and the disk copied into it. A plan a runner holds is left alone.';

  static override examples = [
    'kubectl mtv clean plan-a --stuck',
    'kubectl mtv clean plan-a --stuck --yes && kubectl mtv migrate plan-a',
    'kubectl mtv clean plan-a -o name',
    'kubectl mtv clean plan-a -o custom-columns=NAME:.metadata.name,PHASE:.status.phase,PROGRESS:.status.progress',
  ];

  static override args = { plan: Args.string({ description: 'The Forklift Plan.', required: true }) };

  static override flags = {
    ...connectionFlags,
    stuck: Flags.boolean({ description: 'Only the DataVolumes annotated kubectl-mtv/stuck.' }),
    yes: Flags.boolean({ description: 'Delete them (and their disks); without it they are only listed.' }),
    vms: Flags.boolean({
      description:
        'Also the VMs migrate made from the plan (left alone otherwise); with --yes they go with their PVCs.',
    }),
    'destination-context': Flags.string({
      description: 'For a plan whose destination is a remote cluster: the kubeconfig context that reaches it.',
      helpValue: 'NAME',
    }),
    'use-provider-credentials': Flags.boolean({
      description: "For a plan whose destination is a remote cluster: reach it with the destination provider's Secret.",
    }),
    output: outputFlag(
      withTemplates(OBJECT_OUTPUTS),
      'table',
      'How the DataVolumes are printed (json, yaml and jsonpath read them as a v1 List); with --yes, name prints bare names.',
    ),
    'no-headers': noHeadersFlag,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Clean);
    const options: CleanOptions = {
      connection: connectionOptions(flags),
      plan: args.plan,
      stuckOnly: flags.stuck,
      yes: flags.yes,
      vms: flags.vms,
      output: parseOutput(flags.output, OBJECT_OUTPUTS),
      noHeaders: flags['no-headers'],
      destination: {
        ...(flags['destination-context'] !== undefined && { context: flags['destination-context'] }),
        ...(flags['use-provider-credentials'] && { useProviderCredentials: true }),
      },
    };
    const code = await clean(options);
    if (code !== 0) this.exit(code);
  }
}
