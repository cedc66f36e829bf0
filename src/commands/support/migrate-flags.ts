import { Flags } from '@oclif/core';
import type { KubeConnectionOptions } from '../../cluster/kube-client.js';
import { parseDuration } from './flag-values.js';
import { tuiFlag } from './tui-flag.js';

/** The --policy choices `migrate` runs (legacy is the old controller's, for `simulate` only). */
export const MIGRATE_POLICIES = ['disk', 'gang', 'forklift'] as const;
export const MIGRATE_OUTPUTS = ['table', 'ndjson', 'json'] as const;
export const DRY_RUN_MODES = ['client', 'server'] as const;

/** The cluster connection, shared by `migrate` and `clean`; values as strings, checked in flag-values.ts. */
export const connectionFlags = {
  namespace: Flags.string({
    char: 'n',
    description: "The plan's namespace. Default: the context's namespace.",
    helpValue: 'NS',
  }),
  kubeconfig: Flags.string({
    description: 'The kubeconfig file. Default: $KUBECONFIG (every file, merged), else ~/.kube/config.',
    helpValue: 'FILE',
  }),
  context: Flags.string({ description: 'The kubeconfig context. Default: its current-context.', helpValue: 'NAME' }),
  'request-timeout': Flags.string({
    description: 'How long one API request may take (e.g. 30s, 1m); 0 waits forever.',
    default: '30s',
    helpValue: 'DURATION',
  }),
};

/** `kubectl mtv migrate`'s flags, as strings: src/commands/support/flag-values.ts checks their values. */
export const migrateFlags = {
  ...connectionFlags,
  'max-inflight': Flags.string({
    description:
      'Most disks in flight over the whole plan (forklift: per host, as the controller). Default: $MAX_VM_INFLIGHT, else 20.',
    helpValue: 'N',
  }),
  'max-inflight-per-host': Flags.string({
    description: 'Most disks in flight per ESXi host. Default: none.',
    helpValue: 'N',
  }),
  policy: Flags.string({
    description: `How disks are scheduled (${MIGRATE_POLICIES.join(', ')}).`,
    default: 'disk',
    helpValue: MIGRATE_POLICIES.join('|'),
  }),
  order: Flags.string({
    description: 'Which queued disks start first under gang and disk.',
    default: 'largest',
    helpValue: 'largest|smallest|plan',
  }),
  timeout: Flags.string({
    description: 'Stop admitting disks after this long (e.g. 90m, 2h) and exit 4. Default: none.',
    helpValue: 'DURATION',
  }),
  'dry-run': Flags.string({
    description:
      'client: print the schedule and the DataVolumes as YAML; server: send them with dryRun=All. Nothing is created.',
    helpValue: DRY_RUN_MODES.join('|'),
  }),
  output: Flags.string({
    char: 'o',
    description: 'Output format on stdout.',
    default: 'table',
    helpValue: 'table|ndjson|json',
  }),
  tui: tuiFlag,
  report: Flags.string({
    description:
      "At the end, write the run's Gantt chart (the engine's plan, then the run as it happened) as SVG to FILE. A path " +
      'that cannot be written stops the command at once (exit 2).',
    helpValue: 'FILE.svg',
  }),
  'vddk-secret': Flags.string({
    description: 'The VDDK Secret in the target namespace. Default: <source provider>-vddk.',
    helpValue: 'NAME',
  }),
  'inventory-url': Flags.string({
    description: 'The Forklift inventory. Default: $MTV_INVENTORY_URL, else the forklift-inventory Route.',
    helpValue: 'URL',
  }),
  'inventory-ca': Flags.string({
    description: "A PEM CA the inventory's certificate may chain to.",
    helpValue: 'FILE',
  }),
  'inventory-insecure-skip-tls-verify': Flags.boolean({ description: "Do not verify the inventory's certificate." }),
  'allow-powered-on': Flags.boolean({
    description: 'Copy the disks of VMs that are powered on (a crash-consistent copy).',
  }),
  'max-restarts': Flags.string({
    description: 'Mark a disk stuck once its importer pod has restarted this many times.',
    default: '3',
    helpValue: 'N',
  }),
  'stuck-after': Flags.string({
    description: 'Mark a disk stuck once its progress has not moved for this long.',
    default: '10m',
    helpValue: 'DURATION',
  }),
  takeover: Flags.boolean({
    description: "Take the plan's Lease even when live, if this user@host holds it (a crashed run).",
  }),
};

/** The connection flags as the cluster adapter takes them. */
export function connectionOptions(flags: {
  namespace?: string;
  kubeconfig?: string;
  context?: string;
  'request-timeout': string;
}): KubeConnectionOptions {
  return {
    kubeconfig: flags.kubeconfig,
    context: flags.context,
    namespace: flags.namespace,
    requestTimeoutMs: parseDuration('--request-timeout', flags['request-timeout'], { allowZero: true }),
  };
}
