import { ORDER_NAMES } from '@kubectl-mtv/engine';
import { Args } from '@oclif/core';
import { type MigrateOptions, migrate } from '../services/migrate.js';
import { BaseCommand } from './base.js';
import { parseChoice, parseDuration, parseWholeNumber } from './support/flag-values.js';
import {
  connectionOptions,
  DRY_RUN_MODES,
  MIGRATE_OUTPUTS,
  MIGRATE_POLICIES,
  migrateFlags,
} from './support/migrate-flags.js';
import { nextStop, writeIfOpen } from './support/signals.js';
import { tuiTerminal } from './support/tui-flag.js';

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
    'kubectl mtv migrate plan-a --max-inflight 10 --timeout 2h -o ndjson | jq -c "select(.type==\\"finished\\")"',
  ];

  static override args = { plan: Args.string({ description: 'The Forklift Plan.', required: true }) };

  static override flags = migrateFlags;

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Migrate);
    const envCap = process.env.MAX_VM_INFLIGHT;
    const cap = flags['max-inflight'] ?? envCap;
    const perHost = flags['max-inflight-per-host'];
    const dryRun = flags['dry-run'];
    const aborter = new AbortController();
    const options: MigrateOptions = {
      connection: connectionOptions(flags),
      inventory: {
        url: flags['inventory-url'],
        caFile: flags['inventory-ca'],
        insecureSkipTlsVerify: flags['inventory-insecure-skip-tls-verify'],
      },
      plan: args.plan,
      vddkSecret: flags['vddk-secret'],
      allowPoweredOn: flags['allow-powered-on'],
      scheduler: {
        policy: parseChoice('--policy', flags.policy, MIGRATE_POLICIES, 'policy'),
        maxInFlight:
          cap === undefined
            ? 20
            : parseWholeNumber(flags['max-inflight'] === undefined ? 'MAX_VM_INFLIGHT' : '--max-inflight', cap),
        maxInFlightPerHost: perHost === undefined ? undefined : parseWholeNumber('--max-inflight-per-host', perHost),
        order: parseChoice('--order', flags.order, ORDER_NAMES, 'order'),
      },
      maxRestarts: parseWholeNumber('--max-restarts', flags['max-restarts']),
      stuckAfterMs: parseDuration('--stuck-after', flags['stuck-after']),
      timeoutMs: flags.timeout === undefined ? undefined : parseDuration('--timeout', flags.timeout),
      dryRun: dryRun === undefined ? undefined : parseChoice('--dry-run', dryRun, DRY_RUN_MODES, 'dry-run mode'),
      output: parseChoice('--output', flags.output, MIGRATE_OUTPUTS, 'output format'),
      tui: tuiTerminal(flags.tui),
      ...(flags.report !== undefined && { reportPath: flags.report }),
      takeover: flags.takeover,
      signal: aborter.signal,
    };
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
