/**
 * `kubectl mtv top`: the migrations running anywhere, found by their Leases, each as its runner publishes it (the
 * runner writes its own view into its Lease at most once a second; top never recomputes it, so both agree within the
 * publication period and a watch's latency). Live on a terminal (read-only unless --control), a snapshot with --once or
 * -o json, ndjson snapshots with --watch.
 */
import { randomUUID } from 'node:crypto';
import { checkAccess, topAccessChecks } from '../cluster/access-review.js';
import { connectKube, type KubeClient, type KubeConnectionOptions } from '../cluster/kube-client.js';
import { LEASES, type LeaseObject, leaseName, RUN_LEASE_SELECTOR } from '../cluster/lease.js';
import { listRunLeases, type RunLease, runLeaseOf, sendControlRequest } from '../cluster/lease-control.js';
import { ResourceWatch } from '../cluster/resource-watch.js';
import { KubeCalls } from '../cluster/retrying-calls.js';
import { ExitCode, type ExitCodeValue, UserError } from '../errors.js';
import { decodeSnapshot } from '../runner/snapshot-codec.js';
import type { TopControls } from '../ui/live/live-controls.js';
import type { TopEntry } from '../ui/live/top-entry.js';
import { formatTopJson, formatTopTable, topJsonPlans } from '../ui/live/top-table.js';
import { runnerIdentity } from './migrate.js';

export type TopOutput = 'table' | 'wide' | 'json';

export interface TopOptions {
  connection: KubeConnectionOptions;
  /** One plan; undefined = every run in scope. */
  plan?: string;
  allNamespaces: boolean;
  /** live: the terminal view; once: one snapshot; watch: ndjson snapshots until interrupted. */
  mode: 'live' | 'once' | 'watch';
  output: TopOutput;
  noHeaders: boolean;
  /** Let the live view's keys pause, resume and change the cap of the selected run. */
  control: boolean;
  signal: AbortSignal;
  /** The terminal for `live`. */
  terminal?: { stdout: NodeJS.WriteStream; stdin: NodeJS.ReadStream; color: boolean; ascii: boolean };
  streams?: { stdout: { write(text: string): unknown }; stderr: { write(text: string): unknown } };
  /** ms since the epoch, for tests. */
  now?: () => number;
}

export async function top(options: TopOptions): Promise<ExitCodeValue> {
  const streams = options.streams ?? { stdout: process.stdout, stderr: process.stderr };
  const client = await connectKube(options.connection);
  const namespace = options.allNamespaces ? undefined : client.namespace;
  const scope = namespace === undefined ? 'any namespace' : `namespace "${namespace}"`;
  const now = options.now ?? Date.now;
  if (options.mode === 'once') {
    const entries = entriesOf(await listRunLeases(client, namespace), options.plan, now());
    if (entries.length === 0) {
      if (options.plan !== undefined) {
        throw new UserError(`no kubectl-mtv migration of plan "${options.plan}" is running in ${scope}`, {
          exitCode: ExitCode.failed,
          hint: 'kubectl mtv top lists the running ones; kubectl mtv migrate PLAN starts one',
        });
      }
      streams.stderr.write(`No kubectl-mtv migration is running in ${scope}.\n`);
      if (options.output === 'json') streams.stdout.write(formatTopJson([]));
      return ExitCode.ok;
    }
    streams.stdout.write(
      options.output === 'json'
        ? formatTopJson(entries)
        : formatTopTable(entries, { wide: options.output === 'wide', noHeaders: options.noHeaders }),
    );
    return ExitCode.ok;
  }
  await checkAccess(client, topAccessChecks(namespace, options.control && options.mode === 'live'));
  if (options.mode === 'watch') {
    let last = '';
    await followLeases(client, namespace, options, (leases) => {
      const line = JSON.stringify({ plans: topJsonPlans(entriesOf(leases, options.plan, now())) });
      if (line === last) return;
      last = line;
      streams.stdout.write(`${line}\n`);
    });
    return ExitCode.ok;
  }
  return live(client, namespace, scope, options);
}

/** Runs the terminal view until `q` or Ctrl-C (exit 0: top only watches). */
async function live(
  client: KubeClient,
  namespace: string | undefined,
  scope: string,
  options: TopOptions,
): Promise<ExitCodeValue> {
  const terminal = options.terminal ?? {
    stdout: process.stdout,
    stdin: process.stdin,
    color: true,
    ascii: false,
  };
  const now = options.now ?? Date.now;
  const leaving = new AbortController();
  const onAbort = () => leaving.abort();
  options.signal.addEventListener('abort', onAbort);
  const controls: TopControls = { detach: () => leaving.abort() };
  let failure: unknown;
  if (options.control) {
    const ask = (entry: TopEntry, request: { action: 'pause' | 'resume' | 'cap'; maxInFlight?: number }) => {
      const lease = { name: leaseName(entry.snapshot.plan), namespace: entry.snapshot.namespace };
      const by = runnerIdentity();
      sendControlRequest(client, lease, {
        id: randomUUID(),
        by,
        time: new Date(now()).toISOString(),
        ...request,
      }).catch((error) => {
        failure ??= error;
        leaving.abort();
      });
    };
    controls.togglePause = (entry) => ask(entry, { action: entry.snapshot.paused ? 'resume' : 'pause' });
    controls.changeCap = (entry, delta) => {
      const cap = entry.snapshot.cap + delta;
      if (cap >= 1) ask(entry, { action: 'cap', maxInFlight: cap });
    };
  }
  const { startTopView } = await import('../ui/live/start-top-view.js');
  const view = await startTopView({
    stdout: terminal.stdout,
    stdin: terminal.stdin,
    color: terminal.color,
    ascii: terminal.ascii,
    controls,
    scope,
  });
  try {
    await followLeases(client, namespace, { ...options, signal: leaving.signal }, (leases) =>
      view.update(entriesOf(leases, options.plan, now())),
    );
  } finally {
    options.signal.removeEventListener('abort', onAbort);
    await view.close();
  }
  if (failure !== undefined) throw failure;
  return ExitCode.ok;
}

/**
 * Lists and watches the run Leases in scope until `options.signal` aborts, calling `show` with all of them after every
 * change and once a second (a Lease that stops being renewed turns stale without an event).
 */
async function followLeases(
  client: KubeClient,
  namespace: string | undefined,
  options: Pick<TopOptions, 'signal'>,
  show: (leases: RunLease[]) => void,
): Promise<void> {
  if (options.signal.aborted) return;
  const leases = new Map<string, RunLease>();
  const key = (lease: LeaseObject) => `${lease.metadata.namespace}/${lease.metadata.name}`;
  const shown = () =>
    show([...leases.values()].sort((a, b) => a.namespace.localeCompare(b.namespace) || a.plan.localeCompare(b.plan)));
  let failure: unknown;
  const ended = new Promise<void>((resolve) => {
    options.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  const stopped = new AbortController();
  const watch = new ResourceWatch<LeaseObject>(
    new KubeCalls(client, stopped.signal),
    { ...LEASES, ...(namespace !== undefined && { namespace }) },
    { labelSelector: RUN_LEASE_SELECTOR, list: true },
    {
      onList: (items) => {
        leases.clear();
        for (const item of items) leases.set(key(item), runLeaseOf(item));
      },
      onEvent: (type, item) => {
        if (type === 'DELETED') leases.delete(key(item));
        else leases.set(key(item), runLeaseOf(item));
      },
      onBatch: shown,
      onError: (error) => {
        failure = error;
        stopped.abort();
      },
    },
  );
  const ticker = setInterval(shown, 1000);
  try {
    for (const item of await watch.start()) leases.set(key(item), runLeaseOf(item));
    shown();
    await Promise.race([
      ended,
      new Promise<void>((resolve) => stopped.signal.addEventListener('abort', () => resolve())),
    ]);
  } finally {
    clearInterval(ticker);
    stopped.abort();
    await watch.stop();
  }
  if (failure !== undefined) throw failure;
}

/** The runs to show: each Lease's published status, stale when the Lease has expired; those of `plan` only if set. */
export function entriesOf(leases: readonly RunLease[], plan: string | undefined, now: number): TopEntry[] {
  const entries: TopEntry[] = [];
  for (const lease of leases) {
    if (plan !== undefined && lease.plan !== plan) continue;
    const snapshot = lease.status === undefined ? undefined : decodeSnapshot(lease.status);
    if (!snapshot) continue;
    const expiredFor = now - lease.expiresAt;
    const stale =
      expiredFor > 0
        ? `lease expired ${Math.round(expiredFor / 1000)}s ago: the runner ${lease.holder} is gone`
        : undefined;
    entries.push({ snapshot, ...(stale !== undefined && { stale }) });
  }
  return entries;
}
