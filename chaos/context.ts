/** What every part gets: its size, the seed, the shared transcript and the secrets the last part greps for. */

import { SEED_NAMES } from '@kubectl-mtv/sandbox';
import { seededRandom } from '@kubectl-mtv/test-support';
import type { ChaosCluster } from './cluster.js';
import type { Transcript } from './plugin.js';

export interface ChaosContext {
  short: boolean;
  seed: number;
  transcript: Transcript;
  /** Every sandbox token and Secret value seen, which no output may contain. */
  secrets: Set<string>;
  log(line: string): void;
}

/** A part's own random stream: the run's seed and the part's number give the same draws on every run. */
export function partRandom(ctx: ChaosContext, item: number): () => number {
  return seededRandom((ctx.seed * 31 + item) >>> 0);
}

/**
 * Remembers a cluster's bearer token and the values (and their base64) of the Secrets it seeded: the Provider's and
 * the ESXi hosts' (their Host CRs name them).
 */
export function rememberSecrets(ctx: ChaosContext, cluster: ChaosCluster): void {
  ctx.secrets.add(cluster.sandbox.token);
  const secrets = cluster.sandbox.store.list('secrets', SEED_NAMES.forkliftNamespace) as {
    data?: Record<string, string>;
  }[];
  for (const secret of secrets) {
    for (const [key, encoded] of Object.entries(secret.data ?? {})) {
      // vCenter's certificate thumbprint is public: the Provider's status.fingerprint carries it, and Forklift's
      // DataVolumes must name it (spec.source.vddk.thumbprint)
      if (key === 'thumbprint') continue;
      ctx.secrets.add(encoded);
      ctx.secrets.add(Buffer.from(encoded, 'base64').toString('utf8'));
    }
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
