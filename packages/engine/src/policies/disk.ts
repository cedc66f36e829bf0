import type { DiskStatus } from '../model.js';
import type { Caps, Policy } from '../policy.js';
import type { DiskPlanner, DiskStrategy } from './disk-planner.js';

/**
 * `disk`: disk granularity in disk-cost order, both caps, never exceeded, run by the strategy its planner chose
 * (disk-planner.ts). The engine is deterministic, so the plan it picks from the same simulations is the plan it runs.
 */
export class DiskPolicy implements Policy {
  readonly strategy: DiskStrategy;
  /** Simulations the choice was made from, of the planner's total. */
  readonly planned: { done: number; total: number };
  private readonly inner: Policy;

  /** The policy of `planner`'s choice among the simulations it has run (run them all with `planner.finish()`). */
  constructor(planner: DiskPlanner) {
    this.strategy = planner.choose();
    this.planned = { done: planner.done, total: planner.total };
    this.inner = planner.build(this.strategy);
  }

  get queuedCount(): number {
    return this.inner.queuedCount;
  }
  admit(): number[] {
    return this.inner.admit();
  }
  finish(disk: number): void {
    this.inner.finish(disk);
  }
  adopt(disk: number): void {
    this.inner.adopt(disk);
  }
  setCaps(caps: Caps): void {
    this.inner.setCaps(caps);
  }
  status(disk: number): DiskStatus {
    return this.inner.status(disk);
  }
  queued(limit: number): number[] {
    return this.inner.queued(limit);
  }
}
