/**
 * `kubectl mtv top`: the migrations running anywhere, found by their Leases, each as its runner publishes it (the
 * runner writes its own view into its Lease at most once a second; top never recomputes it, so both agree within the
 * publication period and a watch's latency). Live on a terminal (read-only unless --control), a snapshot with --once or
 * -o json, ndjson snapshots with --watch.
 */
import { randomUUID } from 'node:crypto';
import { checkAccess, topAccessChecks } from '../cluster/access-review.js';
import { connectKube, type KubeClient, type KubeConnectionOptions } from '../cluster/kube-client.js';
import { type LeaseObject, leaseName, RUN_LEASE_SELECTOR } from '../cluster/lease.js';
import { listRunLeases, type RunLease, runLeaseOf, sendControlRequest } from '../cluster/lease-control.js';
import { inNamespace, RESOURCES } from '../cluster/resource-types.js';
import { ExitCode, type ExitCodeValue, UserError } from '../errors.js';
import { decodeSnapshot } from '../runner/snapshot-codec.js';
import type { TopControls } from '../ui/live/live-controls.js';
import type { TopEntry } from '../ui/live/top-entry.js';
import { topJsonPlans } from '../ui/live/top-table.js';
import type { TemplateOutput } from '../ui/template-output.js';
import { formatTopOutput, printsEmptySnapshot, type TopOutput } from '../ui/top-output.js';
import { runnerIdentity } from './migrate.js';

export type { TopOutput } from '../ui/top-output.js';

export interface TopOptions {
  connection: KubeConnectionOptions;
  /** One plan; undefined = every run in scope. */
  plan?: string;
  allNamespaces: boolean;
  /** live: the terminal view; once: one snapshot; watch: ndjson snapshots until interrupted. */
  mode: 'live' | 'once' | 'watch';
  /** The snapshot's format; a template reads the `-o json` object, or makes a row per run. */
  output: TopOutput | TemplateOutput;
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
      if (printsEmptySnapshot(options.output)) streams.stdout.write(formatTopOutput([], options.output, false));
      return ExitCode.ok;
    }
    streams.stdout.write(formatTopOutput(entries, options.output, options.noHeaders));
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
    // what this top asked last, per Lease: a second key press before the runner's next status builds on it
    const asked = new Map<string, { at: number; paused?: boolean; cap?: number }>();
    const leaseOf = (entry: TopEntry) =>
      entry.lease ?? { name: leaseName(entry.snapshot.plan), namespace: entry.snapshot.namespace };
    const ask = (
      entry: TopEntry,
      request: { action: 'pause' | 'resume' | 'cap' | 'cutover'; maxInFlight?: number; cutover?: string },
    ) => {
      const lease = leaseOf(entry);
      const key = `${lease.namespace}/${lease.name}`;
      const at = now();
      asked.set(key, {
        ...asked.get(key),
        at,
        ...(request.action === 'cap'
          ? { cap: request.maxInFlight }
          : request.action === 'cutover'
            ? {}
            : { paused: request.action === 'pause' }),
      });
      const by = runnerIdentity().replace(/[^\w.@/:+-]/g, '_');
      // a run that has ended meanwhile (its Lease is gone) leaves the view with the watch's next event
      sendControlRequest(client, lease, { id: randomUUID(), by, time: new Date(at).toISOString(), ...request }).catch(
        (error) => {
          failure ??= error;
          leaving.abort();
        },
      );
    };
    /** The state to build on: this top's own last request while the runner has not published since. */
    const current = (entry: TopEntry) => {
      const lease = leaseOf(entry);
      const mine = asked.get(`${lease.namespace}/${lease.name}`);
      const fresh = mine !== undefined && Date.parse(entry.snapshot.updatedAt) < mine.at && now() - mine.at < 5_000;
      return {
        paused: fresh && mine.paused !== undefined ? mine.paused : entry.snapshot.paused,
        cap: fresh && mine.cap !== undefined ? mine.cap : entry.snapshot.cap,
      };
    };
    controls.togglePause = (entry) => ask(entry, { action: current(entry).paused ? 'resume' : 'pause' });
    controls.cutoverNow = (entry) => ask(entry, { action: 'cutover', cutover: new Date(now()).toISOString() });
    controls.changeCap = (entry, delta) => {
      const cap = current(entry).cap + delta;
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
  // When each Lease's renewTime last changed, on this workstation's clock: a runner's clock may be off by more than
  // a lease's duration, so expiry is judged from what this top saw, not from the runner's timestamps.
  const seen = new Map<string, { renewedAt: number; at: number }>();
  const local = (item: LeaseObject): RunLease => {
    const lease = runLeaseOf(item);
    const k = key(item);
    const last = seen.get(k);
    // first sight: the runner's own timestamp (a long-dead runner shows stale at once); later renewals: this clock
    const at = last
      ? last.renewedAt === lease.renewedAt
        ? last.at
        : Date.now()
      : Math.min(Date.now(), lease.renewedAt);
    seen.set(k, { renewedAt: lease.renewedAt, at });
    return { ...lease, expiresAt: at + (lease.expiresAt - lease.renewedAt) };
  };
  const shown = () =>
    show([...leases.values()].sort((a, b) => a.namespace.localeCompare(b.namespace) || a.plan.localeCompare(b.plan)));
  let failure: unknown;
  const ended = new Promise<void>((resolve) => {
    options.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  const stopped = new AbortController();
  const watch = client.stoppingWith(stopped.signal).watch<LeaseObject>(
    inNamespace(RESOURCES.leases, namespace),
    { labelSelector: RUN_LEASE_SELECTOR, list: true },
    {
      onList: (items) => {
        leases.clear();
        for (const item of items) leases.set(key(item), local(item));
      },
      onEvent: (type, item) => {
        // a run that ended deletes its Lease after publishing how it ended: keep that last view until the user leaves
        if (type === 'DELETED') leases.set(key(item), { ...local(item), ended: true });
        else leases.set(key(item), local(item));
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
    for (const item of await watch.start()) leases.set(key(item), local(item));
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
      !lease.ended && expiredFor > 0
        ? `lease expired ${Math.round(expiredFor / 1000)}s ago: the runner ${lease.holder} is gone`
        : undefined;
    entries.push({
      snapshot,
      lease: { name: lease.name, namespace: lease.namespace },
      ...(stale !== undefined && { stale }),
    });
  }
  return entries;
}
