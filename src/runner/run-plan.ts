/**
 * `migrate`'s shell around the engine: takes the plan's Lease, lists the plan's DataVolumes once and adopts them,
 * then runs the loop until every disk is transferred, stuck or failed, or a stop path (Ctrl-C, --timeout, a lost
 * lease, the controller taking the plan over) ends admission. No stop path deletes or stops a transfer.
 */
import type { PlannedDataVolume } from '../cluster/datavolume-builder.js';
import type { KubeClient } from '../cluster/kube-client.js';
import { acquireLease } from '../cluster/lease.js';
import type { ResolvedPlan } from '../cluster/resolved-plan.js';
import { KubeCalls } from '../cluster/retrying-calls.js';
import type { SchedulerOptions } from '../engine/model.js';
import { PlanRun } from './plan-run.js';
import type { RunEvent, RunSummary } from './run-events.js';

export interface RunOptions {
  client: KubeClient;
  resolved: ResolvedPlan;
  /** The DataVolumes to create, in plan order (buildDataVolumePlan). */
  dataVolumes: PlannedDataVolume[];
  scheduler: SchedulerOptions;
  /** Importer restarts that make a disk stuck (default 3). */
  maxRestarts?: number;
  /** Milliseconds without progress that make a disk stuck (default 600 000). */
  stuckAfterMs?: number;
  /** Milliseconds after which admission stops (outcome timeout). */
  timeoutMs?: number;
  /** Aborted on Ctrl-C or SIGTERM: admission stops, transfers go on, the Lease is released. */
  signal: AbortSignal;
  /** `user@host/pid`: the Lease's holderIdentity. */
  holder: string;
  /** Also take a live Lease held by the same user@host. */
  takeover: boolean;
  /** Milliseconds since the epoch (default Date.now), for tests. */
  now?: () => number;
  /** Milliseconds between two progress events of one disk (default 2000). */
  progressEveryMs?: number;
  /** Bytes/s one importer is assumed to reach, for planning only (default 100 MiB/s). */
  planningRate?: number;
  /** Lease timing, for tests (defaults 15 s and 5 s). */
  lease?: { durationSeconds?: number; renewEveryMs?: number };
}

/** Runs the plan; resolves with the summary (also emitted last), throws UserError for exit 3 and 5. */
export async function runPlan(options: RunOptions, emit: (e: RunEvent) => void): Promise<RunSummary> {
  const { resolved } = options;
  let run: PlanRun | undefined;
  const lease = await acquireLease(options.client, {
    plan: resolved.plan.name,
    namespace: resolved.plan.namespace,
    holder: options.holder,
    takeover: options.takeover,
    ...(options.now && { now: options.now }),
    ...options.lease,
    onLost: () => run?.stop('lease-lost'),
  });
  const stopping = new AbortController();
  const calls = new KubeCalls(options.client, stopping.signal);
  run = new PlanRun(options, calls, emit);
  try {
    const summary = await run.run();
    emit({ type: 'summary', time: new Date((options.now ?? Date.now)()).toISOString(), summary });
    return summary;
  } finally {
    stopping.abort();
    await lease.release();
  }
}
