/**
 * The run Lease as a channel between a runner and `kubectl mtv top`: the runner writes its view into the status
 * annotation (lease.ts) and watches its Lease for a request annotation that `top --control` patches in. The payloads
 * are JSON; this module knows the request's shape and the Leases' liveness, not what a status says.
 */
import { Ajv, type JSONSchemaType } from 'ajv';
import type { KubeClient } from './kube-client.js';
import { KubeApiError } from './kube-errors.js';
import {
  LEASE_PLAN_LABEL,
  type LeaseObject,
  leaseTimes,
  REQUEST_ANNOTATION,
  RUN_LEASE_SELECTOR,
  STATUS_ANNOTATION,
} from './lease.js';
import { inNamespace, RESOURCES } from './resource-types.js';

/** What a `top --control` user asks of a runner. */
export interface ControlRequest {
  /** Unique per request: a runner applies each id once. */
  id: string;
  /** `user@host/pid` of the asker. */
  by: string;
  /** RFC 3339. */
  time: string;
  action: 'pause' | 'resume' | 'cap' | 'cutover';
  /** The new cap, for `cap`. */
  maxInFlight?: number;
  /** A warm run's new cutover time (RFC 3339), for `cutover` (`kubectl mtv cutover`). */
  cutover?: string;
}

const requestSchema: JSONSchemaType<ControlRequest> = {
  type: 'object',
  properties: {
    id: { type: 'string', minLength: 1, maxLength: 100 },
    // printed by the runner's view: a user@host/pid, nothing a terminal would interpret
    by: { type: 'string', pattern: '^[\\w.@/:+-]{1,253}$' },
    time: { type: 'string', maxLength: 40 },
    action: { type: 'string', enum: ['pause', 'resume', 'cap', 'cutover'] },
    maxInFlight: { type: 'integer', minimum: 1, maximum: 100_000, nullable: true },
    cutover: { type: 'string', maxLength: 40, nullable: true },
  },
  required: ['id', 'by', 'time', 'action'],
  additionalProperties: true,
};

const validateRequest = new Ajv().compile(requestSchema);

/** The request a lease carries, or undefined when it has none or it is not one (a runner ignores it). */
export function readControlRequest(lease: LeaseObject): ControlRequest | undefined {
  const text = lease.metadata.annotations?.[REQUEST_ANNOTATION];
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (!validateRequest(value)) return undefined;
    if (value.action === 'cap' && value.maxInFlight === undefined) return undefined;
    if (value.action === 'cutover' && !Number.isFinite(Date.parse(value.cutover ?? ''))) return undefined;
    return value;
  } catch {
    return undefined;
  }
}

/** A run Lease as `top` lists it. */
export interface RunLease {
  name: string;
  namespace: string;
  /** The plan's name (the Lease's `plan` label). */
  plan: string;
  holder: string;
  /** Milliseconds since the epoch of the last renewal. */
  renewedAt: number;
  /** Milliseconds since the epoch when it expires unless renewed. */
  expiresAt: number;
  /** The runner's status annotation, unparsed; undefined before its first publication. */
  status?: string;
  /** The Lease is gone: the run ended (its last status says how). */
  ended?: boolean;
}

export function runLeaseOf(lease: LeaseObject): RunLease {
  const { renewedAt, expiresAt } = leaseTimes(lease);
  const status = lease.metadata.annotations?.[STATUS_ANNOTATION];
  return {
    name: lease.metadata.name,
    namespace: lease.metadata.namespace,
    plan: lease.metadata.labels?.[LEASE_PLAN_LABEL] ?? lease.metadata.name.replace(/^kubectl-mtv-/, ''),
    holder: lease.spec.holderIdentity ?? '',
    renewedAt,
    expiresAt,
    ...(status !== undefined && { status }),
  };
}

/** The run Leases of a namespace (or of all namespaces when `namespace` is undefined), by namespace and plan. */
export async function listRunLeases(client: KubeClient, namespace: string | undefined): Promise<RunLease[]> {
  const leases = await client.list<LeaseObject>(inNamespace(RESOURCES.leases, namespace), {
    labelSelector: RUN_LEASE_SELECTOR,
  });
  return leases.map(runLeaseOf).sort((a, b) => a.namespace.localeCompare(b.namespace) || a.plan.localeCompare(b.plan));
}

/**
 * Asks the runner holding `lease` to pause, resume or change its cap: a merge patch of the request annotation (no
 * resourceVersion: the runner's renewals re-read on conflict). Resolves once the API server has it (`sent`; the runner
 * shows the change in its next status), or `ended` when the Lease is gone: that run is over.
 */
export async function sendControlRequest(
  client: KubeClient,
  lease: Pick<RunLease, 'name' | 'namespace'>,
  request: ControlRequest,
): Promise<'sent' | 'ended'> {
  try {
    await client.mergePatch(inNamespace(RESOURCES.leases, lease.namespace), lease.name, {
      metadata: { annotations: { [REQUEST_ANNOTATION]: JSON.stringify(request) } },
    });
    return 'sent';
  } catch (error) {
    if (error instanceof KubeApiError && error.status === 404) return 'ended';
    throw error;
  }
}
