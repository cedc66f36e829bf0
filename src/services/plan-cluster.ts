/**
 * What `migrate` and `simulate --from-cluster` share to read a plan where it lives: the connection to the cluster and
 * its Forklift inventory, the cluster's MTV release, and what earlier runs learned of the source Provider's hosts
 * (throughput-record.ts). Reading only: nothing here creates anything.
 */
import type { KnownThroughput, Workload } from '@kubectl-mtv/engine';
import { InventoryClient, type InventoryOptions, readCaFile } from '../cluster/inventory-client.js';
import { connectKube, type KubeClient, type KubeConnectionOptions } from '../cluster/kube-client.js';
import { type DetectedRelease, detectMtvRelease, type MtvRelease } from '../cluster/mtv-release.js';
import {
  knownThroughputOf,
  type ProviderRef,
  readThroughputRecord,
  type ThroughputReading,
  ThroughputRecord,
} from '../cluster/throughput-record.js';
import { DEFAULT_PLANNING_RATE, plannedWorkload } from '../runner/workload-of-datavolumes.js';

export interface PlanClusterOptions {
  connection: KubeConnectionOptions;
  inventory: InventoryOptions;
  /** --mtv-version; undefined: read from the Plan schema the cluster serves. */
  mtvVersion?: MtvRelease;
  debug?: boolean;
  signal?: AbortSignal;
}

/**
 * The cluster, its inventory and its MTV release; the inventory's waits (a provider syncing) are said on `stderr` as
 * `<command>: …`. A CA file that cannot serve is bad input, said before anything is asked of the cluster.
 */
export async function connectPlanCluster(
  options: PlanClusterOptions,
  stderr: { write(text: string): unknown },
  command: string,
): Promise<{ client: KubeClient; inventory: InventoryClient; mtvRelease: DetectedRelease }> {
  if (options.inventory.caFile !== undefined) readCaFile(options.inventory.caFile);
  const client = await connectKube(options.connection);
  const inventory = new InventoryClient(client, {
    ...options.inventory,
    progress: (line) => stderr.write(`${command}: ${line}\n`),
    ...(options.debug && { debug: (line: string) => stderr.write(`debug: ${line}\n`) }),
    ...(options.signal && { signal: options.signal }),
  });
  const mtvRelease = await detectMtvRelease(client, options.mtvVersion);
  return { client, inventory, mtvRelease };
}

/** The source Provider's throughput record as read: where it is, what was found, and what a run starts from. */
export interface LearnedThroughput {
  /** The ConfigMap. */
  record: { namespace: string; name: string };
  reading: ThroughputReading;
  /** What the engine plans with (read: the entries' bandwidths and limits, the importers' rate); else undefined. */
  known?: KnownThroughput;
}

/** Reads the record; a 403 or a ConfigMap not ours is a `reading`, not an error (the record helps, it is not needed). */
export async function readLearnedThroughput(client: KubeClient, provider: ProviderRef): Promise<LearnedThroughput> {
  const record = new ThroughputRecord(client, provider);
  const reading = await readThroughputRecord(record);
  return {
    record: { namespace: provider.namespace, name: record.name },
    reading,
    ...(reading.state === 'read' && { known: knownThroughputOf(reading.entries) }),
  };
}

/** What a plan's bandwidths are assumed to be, per host of its workload: learned from the record, or unknown. */
export interface BandwidthAssumption {
  /** `namespace/name` of the ConfigMap read, and what was found there. */
  record: string;
  state: ThroughputReading['state'];
  hosts: { name: string; bandwidth: number | null; limit: number | null; learnedAt: string | null }[];
  /** Bytes/s each importer is planned at, and whether the record's or the planning rate (assumed). */
  diskRate: number;
  diskRateLearned: boolean;
}

/**
 * The workload a run plans with, from its planning view (hosts uncapped, importers at the planning rate) and what the
 * record holds (runner/workload-of-datavolumes.ts plannedWorkload), and what that assumes of each host.
 */
export function learnedWorkload(
  view: Workload,
  learned: LearnedThroughput,
): { workload: Workload; assumed: BandwidthAssumption } {
  const workload = plannedWorkload(view, learned.known);
  const entries = learned.reading.state === 'read' ? learned.reading.entries : new Map();
  const hosts = workload.hosts.map((h) => {
    const entry = learned.known?.hosts[h.name] && entries.get(h.name);
    return {
      name: h.name,
      bandwidth: entry ? entry.bandwidth : null,
      limit: entry ? entry.limit : null,
      learnedAt: entry ? entry.updatedAt : null,
    };
  });
  const diskRate = learned.known?.diskRate;
  return {
    workload,
    assumed: {
      record: `${learned.record.namespace}/${learned.record.name}`,
      state: learned.reading.state,
      hosts,
      diskRate: diskRate ?? view.disks[0]?.rate ?? DEFAULT_PLANNING_RATE,
      diskRateLearned: diskRate !== undefined,
    },
  };
}
