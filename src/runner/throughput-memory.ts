/**
 * Remembering what adaptive admission learned (issue 18 "Remember"): the run hands each step's learned hosts here,
 * and a host that settled (holding, with a bandwidth), or whose bandwidth moved by more than a tenth or whose limit
 * moved since it was last written, is written to the store (migrate: the Provider's throughput record,
 * cluster/throughput-record.ts). At most one write every `everyMs`, one at a time, and whatever is left at the run's
 * end. The memory never fails the run: a 403 or a ConfigMap not ours is one warning and no more writes; any other
 * error is one warning and later writes try again.
 */
import type { Learned } from '@kubectl-mtv/engine';
import { KubeApiError } from '../cluster/kube-errors.js';
import { ForeignThroughputRecord, type ThroughputEntry } from '../cluster/throughput-record.js';

/** Where learned throughput goes; `write` sets the entries given, beside the others. */
export interface ThroughputStore {
  /** What it is, for the warnings: `ConfigMap "kubectl-mtv-throughput-vcenter" in "openshift-mtv"`. */
  readonly description: string;
  write(entries: readonly ThroughputEntry[]): Promise<void>;
}

export interface RememberOptions {
  store: ThroughputStore;
  /** One line, said when the store cannot be written. */
  warn: (line: string) => void;
  /** Milliseconds between two writes (default 30 000). */
  everyMs?: number;
}

export const REMEMBER_EVERY_MS = 30_000;
/** A host's bandwidth moving by more than this share from the one written is written again. */
const MOVED_SHARE = 0.1;

export class ThroughputMemory {
  /** Per host: what the store holds from this run (or from the run `known` came from). */
  private readonly written = new Map<string, { bandwidth: number; limit: number }>();
  private lastWriteAt = -Infinity;
  private writing: Promise<void> | undefined;
  private off = false;
  private warnedRetry = false;

  constructor(
    private readonly options: RememberOptions,
    /** Who measured: the plan (`namespace/name`) and the run (its Lease holder). */
    private readonly by: { plan: string; run: string },
    /** What the store held at the start (the run was given it as known). */
    known?: Readonly<Record<string, { bandwidth: number; limit: number }>>,
  ) {
    for (const [host, value] of Object.entries(known ?? {})) this.written.set(host, { ...value });
  }

  /** A step's learned hosts: written when something moved and the last write is `everyMs` old. */
  observe(now: number, learned: Learned): void {
    if (this.off || this.writing || now - this.lastWriteAt < (this.options.everyMs ?? REMEMBER_EVERY_MS)) return;
    const changed = this.changed(now, learned);
    if (changed.length === 0) return;
    this.lastWriteAt = now;
    this.start(changed);
  }

  /** At the run's end: what moved since the last write is written (after the one in flight); never rejects. */
  async flush(now: number, learned: Learned): Promise<void> {
    await this.writing;
    if (this.off) return;
    const changed = this.changed(now, learned);
    if (changed.length > 0) await this.start(changed);
  }

  private start(entries: ThroughputEntry[]): Promise<void> {
    const write = this.options.store.write(entries).then(
      () => {
        for (const e of entries) this.written.set(e.host, { bandwidth: e.bandwidth, limit: e.limit });
      },
      (error: unknown) => this.failed(error),
    );
    this.writing = write.finally(() => {
      this.writing = undefined;
    });
    return this.writing;
  }

  private failed(error: unknown): void {
    const { description } = this.options.store;
    if (error instanceof KubeApiError && error.status === 403) {
      this.off = true;
      this.options.warn(
        `cannot write the learned throughput to ${description} (forbidden: needs get/create/update on configmaps there); it is not remembered`,
      );
    } else if (error instanceof ForeignThroughputRecord) {
      this.off = true;
      this.options.warn(`${error.message}: the learned throughput is not remembered`);
    } else if (!this.warnedRetry) {
      this.warnedRetry = true;
      const message = error instanceof Error ? error.message : String(error);
      this.options.warn(`cannot write the learned throughput to ${description} (${message}); retrying later`);
    }
  }

  private changed(now: number, learned: Learned): ThroughputEntry[] {
    const updatedAt = new Date(now).toISOString();
    const entries: ThroughputEntry[] = [];
    for (const host of learned.hosts) {
      if (host.phase !== 'holding' || host.bandwidth === null || !(host.bandwidth > 0)) continue;
      const last = this.written.get(host.name);
      const moved =
        !last || Math.abs(host.bandwidth - last.bandwidth) > MOVED_SHARE * last.bandwidth || host.limit !== last.limit;
      if (!moved) continue;
      entries.push({
        host: host.name,
        bandwidth: Math.round(host.bandwidth),
        limit: host.limit,
        ...(learned.diskRate !== null && learned.diskRate > 0 && { diskRate: Math.round(learned.diskRate) }),
        updatedAt,
        plan: this.by.plan,
        run: this.by.run,
      });
    }
    return entries;
  }
}
