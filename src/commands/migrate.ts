import { Args } from '@oclif/core';
import { migrate } from '../services/migrate.js';
import { BaseCommand } from './base.js';
import { migrateFlags, migrateOptions } from './support/migrate-flags.js';
import { nextStop, writeIfOpen } from './support/signals.js';

export default class Migrate extends BaseCommand {
  static override summary = "Copy a plan's disks with CDI DataVolumes, scheduled by cost, from this workstation.";

  static override description =
    'Resolves a vSphere plan, creates one DataVolume per disk in cost order, never more than --max-inflight in ' +
    'flight (disk and gang, a VM wider than the cap included; forklift caps each host, as the controller), ' +
    'follows them to the end and makes each VM from its copied disks. A warm plan is copied in precopy ' +
    'rounds from vCenter snapshots until --cutover (or kubectl mtv cutover), then its sources are shut down and ' +
    'copied a last time. Re-runs adopt what a run left; Ctrl-C stops admitting, exits 130.';

  static override examples = [
    'kubectl mtv migrate plan-a -n openshift-mtv',
    'kubectl mtv migrate plan-a --dry-run=client > plan-a-datavolumes.yaml',
    'kubectl mtv migrate plan-a --dry-run=server -o jsonpath=\'{range .items[*]}{.metadata.name}{"\\n"}{end}\'',
    'kubectl mtv migrate plan-a --max-inflight 10 --timeout 2h -o ndjson | jq -c "select(.type==\\"finished\\")"',
    'kubectl mtv migrate plan-warm --precopy-interval 30m --cutover 2026-12-05T22:00:00Z',
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
