/**
 * The published form of a RunSnapshot: JSON in the run Lease's status annotation. `top` reads what any runner version
 * wrote there, so a text that is not a snapshot of this version is refused (undefined), never half-read.
 */
import { type RunSnapshot, SNAPSHOT_VERSION } from './run-snapshot.js';

export function encodeSnapshot(snapshot: RunSnapshot): string {
  return JSON.stringify(snapshot);
}

export function decodeSnapshot(text: string): RunSnapshot | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const s = value as Partial<Record<keyof RunSnapshot, unknown>>;
  const ok =
    s.version === SNAPSHOT_VERSION &&
    typeof s.plan === 'string' &&
    typeof s.namespace === 'string' &&
    typeof s.policy === 'string' &&
    typeof s.cap === 'number' &&
    typeof s.paused === 'boolean' &&
    typeof s.disks === 'number' &&
    typeof s.bytes === 'number' &&
    typeof s.bytesDone === 'number' &&
    typeof s.completed === 'number' &&
    typeof s.stuck === 'number' &&
    typeof s.failed === 'number' &&
    typeof s.queuedTotal === 'number' &&
    typeof s.updatedAt === 'string' &&
    Array.isArray(s.inFlight) &&
    Array.isArray(s.queued) &&
    Array.isArray(s.recent) &&
    Array.isArray(s.perHost);
  return ok ? (value as RunSnapshot) : undefined;
}
