/**
 * The run's lock: a coordination.k8s.io/v1 Lease `kubectl-mtv-<plan>` in the plan's namespace, held by
 * `user@host/pid`, 15 s long and renewed every 5 s with optimistic concurrency (PUT with the resourceVersion read).
 * Renewals are urgent requests (connections of their own, one attempt, a deadline of half a renewal period); one that
 * fails is tried again a second later, as client-go's leader election does with its RetryPeriod.
 * An expired lease is taken at once; a live one held by someone else refuses the run (exit 5) unless `takeover` is
 * set and it is held by the same user@host (a crashed run of this workstation). Losing it (another holder, a conflict
 * that a re-read does not explain, or no renewal for a whole lease duration) calls `onLost` once.
 */
import { ExitCode, UserError } from '../errors.js';
import type { KubeClient } from './kube-client.js';
import { KubeApiError } from './kube-errors.js';
import { apiVersionOf, inNamespace, RESOURCES } from './resource-types.js';

export const LEASE_DURATION_SECONDS = 15;
export const LEASE_RENEW_MS = 5_000;
/** After a failed renewal, the next attempt comes this soon rather than a whole renewal period later. */
export const LEASE_RETRY_MS = 1_000;

/** Reads and writes racing another runner before the lease counts as held by it. */
const MAX_ACQUIRE_ATTEMPTS = 5;

/** The label every run Lease carries; `top` finds runs by it. */
export const RUN_LEASE_SELECTOR = 'app.kubernetes.io/managed-by=kubectl-mtv';
/** The runner's published view of its run (JSON, written with renewals, at most about once a second). */
/** The plan a run Lease belongs to (our key: Forklift deletes by `plan`, see FORKLIFT_SELECTOR_KEYS). */
export const LEASE_PLAN_LABEL = 'kubectl-mtv.konveyor.io/plan-name';

export const STATUS_ANNOTATION = 'kubectl-mtv.konveyor.io/status';
/** A `top --control` user's request to the runner (JSON; see lease-control.ts). */
export const REQUEST_ANNOTATION = 'kubectl-mtv.konveyor.io/request';

export interface LeaseObject {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: {
    name: string;
    namespace: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    resourceVersion?: string;
  };
  spec: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

export interface LeaseOptions {
  plan: string;
  namespace: string;
  /** `user@host/pid`. */
  holder: string;
  /** Also take a live lease held by the same user@host. */
  takeover: boolean;
  /** Milliseconds since the epoch (default Date.now). */
  now?: () => number;
  durationSeconds?: number;
  renewEveryMs?: number;
  /** Called once when the lease is lost. */
  onLost?: (reason: string) => void;
}

export function leaseName(plan: string): string {
  return `kubectl-mtv-${plan}`.slice(0, 253);
}

/** Kubernetes MicroTime: RFC 3339 with microseconds. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** The user@host part of a holder identity. */
function userAtHost(holder: string): string {
  const slash = holder.lastIndexOf('/');
  return slash < 0 ? holder : holder.slice(0, slash);
}

/** When a Lease was last renewed and when it expires unless renewed again (ms since the epoch, on the writer's clock). */
export interface LeaseTimes {
  renewedAt: number;
  expiresAt: number;
}

/**
 * The one reading of a Lease's liveness (acquire, clean, top): renewed at renewTime (else acquireTime), live for
 * leaseDurationSeconds after it (a Lease without one counts LEASE_DURATION_SECONDS, what our runners write).
 */
export function leaseTimes(lease: Pick<LeaseObject, 'spec'> | { spec?: LeaseObject['spec'] }): LeaseTimes {
  const spec = lease.spec ?? {};
  const renewedAt = Date.parse(spec.renewTime ?? spec.acquireTime ?? '') || 0;
  return { renewedAt, expiresAt: renewedAt + (spec.leaseDurationSeconds ?? LEASE_DURATION_SECONDS) * 1000 };
}

/** Whether someone holds `lease` at `now`: a holder, and not yet expired. */
export function isLeaseHeld(lease: Pick<LeaseObject, 'spec'> | { spec?: LeaseObject['spec'] }, now: number): boolean {
  return (lease.spec?.holderIdentity ?? '') !== '' && leaseTimes(lease).expiresAt > now;
}

/** A held lease: renewed until `release`. */
export class HeldLease {
  private timer: NodeJS.Timeout | undefined;
  /** The attempt after a failed renewal. */
  private retryTimer: NodeJS.Timeout | undefined;
  /** The lease's writes: urgent (see the file's header). */
  private readonly writer: KubeClient;
  private lost = false;
  private renewing: Promise<void> | undefined;
  /** The status annotation every renewal writes. */
  private status: string | undefined;
  /** Renewals sent (PUTs after the acquiring one), for reports that leave them out. */
  renewals = 0;
  /**
   * Taken while another runner still held it (--takeover of a live run): that runner admits until its next renewal
   * fails, so the caller waits one renewal period before admitting (the cap is never passed by the two together).
   */
  tookLive = false;

  constructor(
    private readonly client: KubeClient,
    private lease: LeaseObject,
    private readonly options: LeaseOptions,
    private lastRenewed: number,
  ) {
    const every = options.renewEveryMs ?? LEASE_RENEW_MS;
    // The API server's objective for a write is 1 s at the 99th percentile: half a renewal period (2.5 s) leaves
    // room for two attempts or more before the lease is given up. Tests renew every few ms: at least 1 s still.
    this.writer = client.urgently(Math.max(every / 2, 1_000));
    this.timer = setInterval(() => this.tick(), every);
  }

  /** A renewal, unless one is on its way; or, once it is too late for one, the lease given up. */
  private tick(): void {
    // Stop one renewal period before another runner may take the lease: two runners never admit together, even
    // when a renewal hangs.
    if (this.now() - this.lastRenewed >= this.safeMs()) {
      this.loseWith(`lease ${this.name} could not be renewed in time`);
      return;
    }
    this.renewing ??= this.flush().finally(() => {
      this.renewing = undefined;
    });
  }

  get name(): string {
    return this.lease.metadata.name;
  }

  get isLost(): boolean {
    return this.lost;
  }

  /** How long after its last renewal the lease still counts as ours: its duration less one renewal period. */
  private safeMs(): number {
    const duration = (this.options.durationSeconds ?? LEASE_DURATION_SECONDS) * 1000;
    return duration - (this.options.renewEveryMs ?? LEASE_RENEW_MS);
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private loseWith(reason: string): void {
    if (this.lost) return;
    this.lost = true;
    this.stopTimers();
    this.options.onLost?.(reason);
  }

  /**
   * Writes `status` into the lease's status annotation with a renewal, now unless a renewal is on its way (the next
   * one carries it). The caller throttles.
   */
  publish(status: string): void {
    if (this.lost || status === this.status) return;
    this.status = status;
    this.renewing ??= this.flush().finally(() => {
      this.renewing = undefined;
    });
  }

  /** Resolves once the writes on their way (a renewal, a publication) have landed or failed. */
  async settled(): Promise<void> {
    while (this.renewing) await this.renewing;
  }

  /** Renews; once more when the status changed while the first write was on its way. */
  private async flush(): Promise<void> {
    const status = this.status;
    await this.renew();
    if (this.status !== status) await this.renew();
  }

  /**
   * The lease as a watch saw it: when it is still ours, later writes start from it (a `top --control` request patched
   * it), so that they need no conflict to learn its resourceVersion.
   */
  observe(lease: LeaseObject): void {
    if (this.lost || lease.spec.holderIdentity !== this.options.holder) return;
    const seen = Number(lease.metadata.resourceVersion);
    const known = Number(this.lease.metadata.resourceVersion);
    if (Number.isFinite(seen) && Number.isFinite(known) && seen <= known) return;
    this.lease = lease;
  }

  /** One renewal: a conflict is re-read and tried once more; another holder means the lease is lost. */
  async renew(retry = true): Promise<void> {
    if (this.lost) return;
    const now = this.now();
    const status = this.status;
    const annotations =
      status === undefined
        ? this.lease.metadata.annotations
        : { ...this.lease.metadata.annotations, [STATUS_ANNOTATION]: status };
    const next: LeaseObject = {
      ...this.lease,
      metadata: { ...this.lease.metadata, ...(annotations && { annotations }) },
      spec: { ...this.lease.spec, renewTime: microTime(now) },
    };
    try {
      this.renewals++;
      this.lease = await this.writer.replace<LeaseObject>(this.ref(), this.name, next);
      this.lastRenewed = now;
    } catch (error) {
      if (error instanceof KubeApiError && (error.status === 409 || error.status === 404)) {
        const current = await this.writer.get<LeaseObject>(this.ref(), this.name).catch(() => 'unreadable' as const);
        if (current === 'unreadable') {
          // the re-read failed (a timeout, a 5xx): as transient as the write itself
          this.giveUpIfLate();
          return;
        }
        if (current?.spec.holderIdentity === this.options.holder) {
          // our own write landed, or someone annotated it (a control request): go on from what is there
          this.lease = current;
          if (retry) await this.renew(false);
          return;
        }
        this.loseWith(
          current?.spec.holderIdentity
            ? `lease ${this.name} is now held by ${current.spec.holderIdentity}`
            : `lease ${this.name} was removed`,
        );
        return;
      }
      if (error instanceof KubeApiError && error.status === 422 && status !== undefined && retry) {
        // the status does not fit in the lease (annotations hold 256 KiB): renew without it rather than lose the lease
        this.status = undefined;
        await this.renew(false);
        return;
      }
      // transient: try again at the next tick, unless another runner could take the lease before then
      this.giveUpIfLate();
    }
  }

  /** After a transient failure: the lease given up if it is too late, else another attempt a retry period later. */
  private giveUpIfLate(): void {
    if (this.now() - this.lastRenewed >= this.safeMs()) {
      this.loseWith(`lease ${this.name} could not be renewed in time`);
      return;
    }
    const retry = Math.min(LEASE_RETRY_MS, this.options.renewEveryMs ?? LEASE_RENEW_MS);
    this.retryTimer ??= setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.lost) this.tick();
    }, retry);
  }

  private stopTimers(): void {
    clearInterval(this.timer);
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  /** Stops renewing and deletes the lease if it is still ours (precondition on its resourceVersion). */
  async release(): Promise<void> {
    this.stopTimers();
    await this.renewing;
    // a renewal that failed on its way may have set up its retry
    this.stopTimers();
    if (this.lost) return;
    this.lost = true;
    const remove = (resourceVersion: string | undefined) =>
      this.client.delete(this.ref(), this.name, { resourceVersion });
    try {
      await remove(this.lease.metadata.resourceVersion);
    } catch (error) {
      if (!(error instanceof KubeApiError && error.status === 409)) return;
      // annotated since our last write (a control request): delete it if it is still ours
      const current = await this.client.get<LeaseObject>(this.ref(), this.name).catch(() => undefined);
      if (current?.spec.holderIdentity === this.options.holder) {
        await remove(current.metadata.resourceVersion).catch(() => undefined);
      }
    }
  }

  private ref() {
    return inNamespace(RESOURCES.leases, this.options.namespace);
  }
}

/** Takes the plan's lease or throws UserError exit 5 naming the holder and the lease's age. */
export async function acquireLease(client: KubeClient, options: LeaseOptions, attempt = 1): Promise<HeldLease> {
  const now = (options.now ?? Date.now)();
  const name = leaseName(options.plan);
  const ref = inNamespace(RESOURCES.leases, options.namespace);
  const duration = options.durationSeconds ?? LEASE_DURATION_SECONDS;
  const spec = {
    holderIdentity: options.holder,
    leaseDurationSeconds: duration,
    acquireTime: microTime(now),
    renewTime: microTime(now),
  };
  const current = await client.get<LeaseObject>(ref, name);
  if (!current) {
    const created = await client
      .create<LeaseObject>(ref, {
        apiVersion: apiVersionOf(RESOURCES.leases),
        kind: RESOURCES.leases.kind,
        metadata: {
          name,
          namespace: options.namespace,
          labels: { 'app.kubernetes.io/managed-by': 'kubectl-mtv', [LEASE_PLAN_LABEL]: options.plan },
        },
        spec: { ...spec, leaseTransitions: 0 },
      })
      .catch((error) => {
        if (error instanceof KubeApiError && error.status === 409) return undefined;
        throw error;
      });
    // another runner created it between our read and our create: it holds it
    if (!created) return acquireLease(client, options, attempt + 1);
    return new HeldLease(client, created, options, now);
  }
  const holder = current.spec.holderIdentity ?? '';
  const { renewedAt: renewed } = leaseTimes(current);
  const live = isLeaseHeld(current, now);
  const ours = holder === options.holder;
  const sameMachine = options.takeover && userAtHost(holder) === userAtHost(options.holder);
  if (live && !ours && !sameMachine) {
    const acquired = Date.parse(current.spec.acquireTime ?? '') || renewed;
    throw new UserError(
      `plan "${options.plan}" is being migrated by ${holder} (lease ${name} in namespace "${options.namespace}", held for ${seconds(now - acquired)}, renewed ${seconds(now - renewed)} ago)`,
      {
        exitCode: ExitCode.locked,
        hint:
          userAtHost(holder) === userAtHost(options.holder)
            ? 'if that run has crashed, run again with --takeover'
            : `wait for it to end; the lease expires ${current.spec.leaseDurationSeconds ?? LEASE_DURATION_SECONDS}s after its last renewal`,
      },
    );
  }
  // an earlier run's status and request are not this run's
  const {
    [STATUS_ANNOTATION]: _status,
    [REQUEST_ANNOTATION]: _request,
    ...annotations
  } = current.metadata.annotations ?? {};
  const taken: LeaseObject = {
    ...current,
    metadata: {
      ...current.metadata,
      labels: {
        ...current.metadata.labels,
        'app.kubernetes.io/managed-by': 'kubectl-mtv',
        [LEASE_PLAN_LABEL]: options.plan,
      },
      annotations,
    },
    spec: { ...spec, leaseTransitions: (current.spec.leaseTransitions ?? 0) + (ours ? 0 : 1) },
  };
  try {
    const updated = await client.replace<LeaseObject>(ref, name, taken);
    const held = new HeldLease(client, updated, options, now);
    held.tookLive = live && !ours;
    return held;
  } catch (error) {
    // someone else renewed or took it between our read and our write: read again and decide again
    const raced = error instanceof KubeApiError && (error.status === 409 || error.status === 404);
    if (raced && attempt < MAX_ACQUIRE_ATTEMPTS) return acquireLease(client, options, attempt + 1);
    throw error;
  }
}

function seconds(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s >= 120 ? `${Math.round(s / 60)}m` : `${s}s`;
}
