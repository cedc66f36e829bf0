import { Args } from '@oclif/core';
import { migrate } from '../services/migrate.js';
import { BaseCommand } from './base.js';
import { migrateFlags, migrateOptions } from './support/migrate-flags.js';
import { nextStop, writeIfOpen } from './support/signals.js';

export default class Migrate extends BaseCommand {
  static override summary = "Copy a plan's disks with CDI DataVolumes, scheduled by cost, from this workstation.";

  static override description =
    'Resolves a cold vSphere plan, creates one DataVolume per disk in cost order, never more than --max-inflight in ' +
    'flight (policy disk; gang and forklift keep their rules: a VM wider than the cap starts alone, forklift caps ' +
    'each host), and follows them to the end. Re-runs adopt what a run left; Ctrl-C stops admitting, exits 130. ' +
    'Disks only: the VMs are not created yet.';

  static override examples = [
    'kubectl mtv migrate plan-a -n openshift-mtv',
    'kubectl mtv migrate plan-a --dry-run=client > plan-a-datavolumes.yaml',
    'kubectl mtv migrate plan-a --dry-run=server -o jsonpath=\'{range .items[*]}{.metadata.name}{"\\n"}{end}\'',
    'kubectl mtv migrate plan-a --max-inflight 10 --timeout 2h -o ndjson | jq -c "select(.type==\\"finished\\")"',
  ];

  static override args = { plan: Args.string({ description: 'The Forklift Plan.', required: true }) };

  static override flags = migrateFlags;

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Migrate);
    const aborter = new AbortController();
    const options = migrateOptions(args.plan, flags, process.env, aborter.signal);
    nextStop().then((cause) => {
      writeIfOpen(
        process.stderr,
        `migrate: ${cause.what}: no new disks start; running transfers go on; releasing the Lease\n`,
      );
      aborter.abort(cause);
    });
    const code = await migrate(options);
    if (code !== 0) this.exit(code);
  }
}
