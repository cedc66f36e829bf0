import type { AdaptiveSettings, KnownThroughput, SchedulerOptions } from '@kubectl-mtv/engine';
import type { DiskDataVolume, SkippedDisk } from '../cluster/datavolume-builder.js';
import type { KubeClient } from '../cluster/kube-client.js';
import type { ResolvedPlan } from '../cluster/resolved-plan.js';
import type { RunController } from './run-controller.js';
import type { SourcePowerOptions } from './source-power.js';
import type { RememberOptions } from './throughput-memory.js';
import type { WarmRunOptions } from './warm-options.js';

/** What a run of a plan's transfers needs (runTransfers), and what its loop reads (TransferLoop). */
export interface RunOptions {
  /** The host cluster: the plan, its Migrations, the run's Lease. */
  client: KubeClient;
  /** The destination cluster of a remote plan: its DataVolumes and VDDK Secret (default `client`). */
  destination?: KubeClient;
  resolved: ResolvedPlan;
  /** The DataVolumes to create, in plan order (buildPlanDataVolumes). */
  dataVolumes: DiskDataVolume[];
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
  /** Milliseconds `disk` may plan before its first admission (default DEFAULT_PLANNING_BUDGET_MS). */
  planningBudgetMs?: number;
  /** Bytes/s one importer is assumed to reach, for planning only (default 100 MiB/s). */
  planningRate?: number;
  /**
   * Adaptive admission (cold `disk` runs): each host's transfers in flight limited to what its measured throughput
   * rewards, the rest re-planned with the learned bandwidths; `known`: what an earlier run learned. Absent: admits up
   * to the caps, learning nothing (--no-adaptive, and the other policies). `remember`: where what this run learns is
   * written (throughput-memory.ts); absent: it is not kept.
   */
  adaptive?: { settings?: AdaptiveSettings; known?: KnownThroughput; remember?: Omit<RememberOptions, 'warn'> };
  /** Lease timing, for tests (defaults 15 s and 5 s). */
  lease?: { durationSeconds?: number; renewEveryMs?: number };
  /** Milliseconds between two publications of the run's status in its Lease (default 1000). */
  statusEveryMs?: number;
  /**
   * Making the VMs from the copied disks (vm-finisher.ts); absent with --disks-only. `skipped`: the disks with no
   * DataVolume of their own (buildPlanDataVolumes), whose claims are another VM's.
   */
  vms?: { readyTimeoutMs: number; skipped: readonly SkippedDisk[] };
  /**
   * --power-off-source: each VM's source is shut down (recorded first) before its first DataVolume is made
   * (source-power.ts); absent: VMs are copied as they are.
   */
  sourcePower?: Omit<SourcePowerOptions, 'emit' | 'now'>;
  /**
   * A warm plan's run (warm-loop.ts): vCenter's snapshots, the record, the interval and the cutover. `sourcePower`
   * is then required: each source is shut down at its cutover, not before its first copy.
   */
  warm?: Omit<WarmRunOptions, 'source'>;
  /** Called once the run has begun, with the handle that pauses it or changes its caps (the TUI's keys). */
  onController?: (controller: RunController) => void;
}
