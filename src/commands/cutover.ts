import { Args, Flags } from '@oclif/core';
import { cutover } from '../services/cutover.js';
import { BaseCommand } from './base.js';
import { parseCutover } from './support/flag-values.js';
import { connectionFlags, connectionOptions } from './support/migrate-flags.js';

export default class Cutover extends BaseCommand {
  static override summary = "Set or move a warm plan's cutover: now, or at a time.";

  static override description =
    'A run that holds the plan is asked through its Lease (as top --control asks) and applies the new time between ' +
    "two rounds: a copy is never interrupted. With no run holding the plan, the time goes into the plan's warm record " +
    '(ConfigMap <plan>-warm-<uid>), where the next `kubectl mtv migrate` finds it.';

  static override examples = [
    'kubectl mtv cutover plan-a',
    'kubectl mtv cutover plan-a --at 2026-12-05T22:00:00Z',
    'kubectl mtv cutover plan-a --at 2h',
  ];

  static override args = { plan: Args.string({ description: 'The warm Forklift Plan.', required: true }) };

  static override flags = {
    ...connectionFlags,
    at: Flags.string({
      description: 'When the cutover may begin: RFC 3339, `now`, or a duration from now (2h).',
      default: 'now',
      helpValue: 'TIME',
    }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Cutover);
    const code = await cutover({
      connection: connectionOptions(flags),
      plan: args.plan,
      at: parseCutover('--at', flags.at, Date.now()),
    });
    if (code !== 0) this.exit(code);
  }
}
