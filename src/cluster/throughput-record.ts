/**
 * What adaptive admission learned of a source Provider's ESXi hosts, kept in the cluster so that the next run, on any
 * workstation, starts settled where the last one ended (issue 18 "Remember"): ConfigMap
 * `kubectl-mtv-throughput-<provider>` in the Provider's namespace, one data key per host (the inventory host id the
 * runner plans by, workload-of-datavolumes.ts), each a JSON ThroughputEntry. Figures are bytes per second of the run's
 * clock: on a real cluster the wall clock; in the sandbox the simulated rate times its `--speed`, so a record written
 * at one sandbox speed is wrong at another (delete it). Nothing secret is kept: rates, limits, times, the plan's name
 * and the run's holder identity (as its Lease shows it).
 *
 * The ConfigMap is per Provider, not per plan: no plan-uid label, so `clean` of a plan leaves it; a user forgets it
 * with `kubectl delete configmap kubectl-mtv-throughput-<provider> -n <namespace>`. Writes are get + create/update
 * (PUT with the resourceVersion read), one at a time; a 409 is read again and retried.
 */
import { DV_LABEL, labelValue, MANAGED_BY } from './datavolume-builder.js';
import type { KubeClient } from './kube-client.js';
import { KubeApiError } from './kube-errors.js';
import { USE_LABEL } from './plan-record.js';
import { inNamespace, RESOURCES } from './resource-types.js';

export const THROUGHPUT_RECORD_USE = 'throughput';
/** The label naming the Provider a throughput record is for (its uid). */
export const PROVIDER_UID_LABEL = 'kubectl-mtv.konveyor.io/provider-uid';
export const PROVIDER_NAME_LABEL = 'kubectl-mtv.konveyor.io/provider-name';

export interface ProviderRef {
  name: string;
  namespace: string;
  uid: string;
}

/** One host as a run measured it. */
export interface ThroughputEntry {
  /** The host's name as the runner plans by (the inventory host id). */
  host: string;
  /** Bytes/s (of the run's clock) the host plateaued at. */
  bandwidth: number;
  /** Transfers in flight it settled at. */
  limit: number;
  /** Bytes/s one importer reached, when measured. */
  diskRate?: number;
  /** RFC 3339: when this entry was written. */
  updatedAt: string;
  /** The plan whose run measured it: `<namespace>/<name>`. */
  plan: string;
  /** The run that measured it: its Lease holder (`user@host/pid`). */
  run: string;
}

interface ConfigMapObject {
  metadata: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    resourceVersion?: string;
    [key: string]: unknown;
  };
  data?: Record<string, string>;
  [key: string]: unknown;
}

const PREFIX = 'kubectl-mtv-throughput-';

/** `kubectl-mtv-throughput-<provider>`, within a DNS-1123 subdomain's 253 characters. */
export function throughputRecordName(provider: { name: string }): string {
  return `${PREFIX}${provider.name}`.slice(0, 253).replace(/[-.]+$/, '');
}

/** A ConfigMap key for a host name (keys allow letters, digits, `-`, `_` and `.`). */
export function throughputHostKey(host: string): string {
  return host.replace(/[^A-Za-z0-9._-]/g, '_') || '_';
}

/** The record could not be used: a ConfigMap of its name not ours. */
export class ForeignThroughputRecord extends Error {}

export class ThroughputRecord {
  private readonly ref;
  readonly name: string;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly client: KubeClient,
    readonly provider: ProviderRef,
  ) {
    this.ref = inNamespace(RESOURCES.configMaps, provider.namespace);
    this.name = throughputRecordName(provider);
  }

  /**
   * The entries by host name; empty when there is no record. Keys that do not parse as an entry are left out (a hand
   * edit forgets that host). A ConfigMap of the name not ours: ForeignThroughputRecord. Errors of the API (a 403)
   * are the caller's.
   */
  async read(): Promise<Map<string, ThroughputEntry>> {
    const found = await this.client.get<ConfigMapObject>(this.ref, this.name);
    if (!found) return new Map();
    if (!this.isOurs(found)) throw this.foreign();
    return entriesOf(found.data ?? {});
  }

  /**
   * Sets the entries given (by host), beside the others; calls are taken one at a time, a 409 (someone else wrote
   * between the read and the write, or created it first) is read again and retried.
   */
  write(entries: readonly ThroughputEntry[]): Promise<void> {
    const done = this.queue.then(() => this.writeNow(entries));
    this.queue = done.catch(() => undefined);
    return done;
  }

  private async writeNow(entries: readonly ThroughputEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const patch = Object.fromEntries(entries.map((e) => [throughputHostKey(e.host), JSON.stringify(e)]));
    for (let attempt = 0; ; attempt++) {
      const current = await this.client.get<ConfigMapObject>(this.ref, this.name);
      if (current && !this.isOurs(current)) throw this.foreign();
      try {
        if (!current) {
          await this.client.create(this.ref, {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: this.name, namespace: this.provider.namespace, labels: this.labels() },
            data: patch,
          });
        } else {
          // the resourceVersion read makes a concurrent change a 409, not a lost write
          await this.client.replace(this.ref, this.name, {
            ...current,
            data: { ...(current.data ?? {}), ...patch },
          });
        }
        return;
      } catch (error) {
        if (error instanceof KubeApiError && error.status === 409 && attempt < 5) continue;
        throw error;
      }
    }
  }

  private labels(): Record<string, string> {
    return {
      [PROVIDER_UID_LABEL]: labelValue(this.provider.uid),
      [PROVIDER_NAME_LABEL]: labelValue(this.provider.name),
      [DV_LABEL.managedBy]: MANAGED_BY,
      [USE_LABEL]: THROUGHPUT_RECORD_USE,
    };
  }

  private foreign(): ForeignThroughputRecord {
    return new ForeignThroughputRecord(
      `ConfigMap "${this.name}" in namespace "${this.provider.namespace}" is not kubectl-mtv's throughput record`,
    );
  }

  /** Ours: managed by kubectl-mtv for throughput (a Provider deleted and made again under the name keeps its hosts). */
  private isOurs(object: ConfigMapObject): boolean {
    const labels = object.metadata.labels ?? {};
    return labels[DV_LABEL.managedBy] === MANAGED_BY && labels[USE_LABEL] === THROUGHPUT_RECORD_USE;
  }
}

function entriesOf(data: Record<string, string>): Map<string, ThroughputEntry> {
  const entries = new Map<string, ThroughputEntry>();
  for (const text of Object.values(data)) {
    let value: Partial<ThroughputEntry>;
    try {
      value = JSON.parse(text) as Partial<ThroughputEntry>;
    } catch {
      continue;
    }
    const { host, bandwidth, limit } = value;
    if (typeof host !== 'string' || !(typeof bandwidth === 'number' && bandwidth > 0)) continue;
    if (!(typeof limit === 'number' && Number.isInteger(limit) && limit >= 1)) continue;
    entries.set(host, value as ThroughputEntry);
  }
  return entries;
}

/**
 * What the engine starts from (KnownThroughput): each host's bandwidth and limit, and the importers' rate of the
 * entry written last that has one.
 */
export function knownThroughputOf(entries: ReadonlyMap<string, ThroughputEntry>): {
  hosts: Record<string, { bandwidth: number; limit: number }>;
  diskRate?: number;
} {
  const hosts: Record<string, { bandwidth: number; limit: number }> = {};
  let latest: ThroughputEntry | undefined;
  for (const [host, entry] of entries) {
    hosts[host] = { bandwidth: entry.bandwidth, limit: entry.limit };
    if (typeof entry.diskRate === 'number' && entry.diskRate > 0 && (!latest || entry.updatedAt > latest.updatedAt))
      latest = entry;
  }
  return { hosts, ...(latest?.diskRate !== undefined && { diskRate: latest.diskRate }) };
}

/**
 * What reading the record found, for those who only read it (migrate, simulate --from-cluster, the dry run): its
 * entries, none (no ConfigMap, or no host in it), or why it could not be used: a 403, or a ConfigMap of its name not
 * ours. Other errors of the API are the caller's.
 */
export type ThroughputReading =
  | { state: 'read'; entries: Map<string, ThroughputEntry> }
  | { state: 'missing' }
  | { state: 'forbidden' }
  | { state: 'foreign'; message: string }
  /** Any other error (a 5xx after retries, the connection lost): the record is a help, never a need. */
  | { state: 'failed'; message: string };

export async function readThroughputRecord(record: ThroughputRecord): Promise<ThroughputReading> {
  try {
    const entries = await record.read();
    return entries.size > 0 ? { state: 'read', entries } : { state: 'missing' };
  } catch (error) {
    if (error instanceof ForeignThroughputRecord) return { state: 'foreign', message: error.message };
    if (error instanceof KubeApiError && error.status === 403) return { state: 'forbidden' };
    return { state: 'failed', message: error instanceof Error ? error.message : String(error) };
  }
}
