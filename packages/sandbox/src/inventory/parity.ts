/**
 * A provider whose inventory is still syncing, as Forklift answers it. Forklift release-2.12
 * pkg/controller/provider/web/base/handler.go Handler.setProvider calls pkg/lib/inventory/web/handler.go
 * Parity.EnsureParity(collector, 10s) for every request that names a provider: the request waits up to 10 s for the
 * collector to reach parity with vCenter, then is answered 206 Partial Content with no body (the handlers write only
 * the status; base/utils.go SetForkliftError adds nothing for a nil error). Requests that name no provider
 * (`/providers`, `/providers/vsphere`) never wait. Forklift's own client reads a 206 as ProviderNotReadyError
 * (web/client.go ProviderClient.asError). The same wait and answer hold in release-2.8 to release-2.12.
 */
import { setTimeout as delay } from 'node:timers/promises';

/** Forklift's EnsureParity wait, in ms. */
export const FORKLIFT_PARITY_WAIT_MS = 10_000;

export interface InventorySyncOptions {
  /** The first N requests that name the provider find it syncing. */
  requests?: number;
  /** The provider syncs for this many seconds after the inventory starts. */
  seconds?: number;
  /** How long a request waits for parity before its 206, in ms (default Forklift's 10 s). */
  parityWaitMs?: number;
}

/** Whether each provider request finds parity; either option alone makes the provider syncing. */
export class InventorySync {
  private seen = 0;
  private readonly requests: number;
  private readonly untilMs: number;
  private readonly waitMs: number;

  constructor(
    options: InventorySyncOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    const { requests = 0, seconds = 0, parityWaitMs = FORKLIFT_PARITY_WAIT_MS } = options;
    if (!(Number.isSafeInteger(requests) && requests >= 0)) {
      throw new RangeError(`InventorySync: requests must be a whole number >= 0, got ${requests}`);
    }
    if (!(Number.isFinite(seconds) && seconds >= 0)) {
      throw new RangeError(`InventorySync: seconds must be >= 0, got ${seconds}`);
    }
    if (!(Number.isFinite(parityWaitMs) && parityWaitMs >= 0)) {
      throw new RangeError(`InventorySync: parityWaitMs must be >= 0, got ${parityWaitMs}`);
    }
    this.requests = requests;
    this.untilMs = now() + seconds * 1000;
    this.waitMs = parityWaitMs;
  }

  /** Resolves true once the provider has parity, false (answer 206) when the wait ran out before it. */
  async parity(): Promise<boolean> {
    this.seen++;
    const remaining = this.untilMs - this.now();
    if (this.seen > this.requests && remaining <= 0) return true;
    // counted requests sync until their wait is over; a syncing period may end during the wait (then 200)
    const byCount = this.seen <= this.requests;
    const wait = byCount ? this.waitMs : Math.min(this.waitMs, remaining);
    if (wait > 0) await delay(wait);
    // a sync that ends within the wait has ended once it is over (not read back from the clock: a timer may fire a
    // millisecond before Date.now() reaches the end)
    return !byCount && remaining <= this.waitMs;
  }
}
