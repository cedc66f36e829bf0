/**
 * The published form of a RunSnapshot: JSON in the run Lease's status annotation. `top` reads what any runner version
 * wrote there, so a text that is not a snapshot of this version is refused (undefined), never half-read.
 */
import { type RunSnapshot, SNAPSHOT_VERSION } from './run-snapshot.js';

// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to remove them
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/g;

/** What a published status lists at most (a Lease's annotations hold 256 KiB): disks in flight, queued, recent, hosts. */
export const PUBLISHED_LIMITS = { inFlight: 300, queued: 20, recent: 10, hosts: 50 };
/** The largest status a runner writes into its Lease (JSON characters). */
export const STATUS_MAX_BYTES = 64 * 1024;

export function encodeSnapshot(snapshot: RunSnapshot): string {
  return JSON.stringify(snapshot);
}

/**
 * The status a runner publishes: the snapshot (taken with PUBLISHED_LIMITS), its disks in flight cut until the text
 * fits in STATUS_MAX_BYTES; undefined when even none in flight would not fit.
 */
export function encodeStatus(snapshot: RunSnapshot): string | undefined {
  let inFlight = Math.min(snapshot.inFlight.length, PUBLISHED_LIMITS.inFlight);
  let text = encodeSnapshot({ ...snapshot, inFlight: snapshot.inFlight.slice(0, inFlight) });
  while (text.length > STATUS_MAX_BYTES && inFlight > 0) {
    inFlight = Math.floor(inFlight / 2);
    text = encodeSnapshot({ ...snapshot, inFlight: snapshot.inFlight.slice(0, inFlight) });
  }
  return text.length <= STATUS_MAX_BYTES ? text : undefined;
}

export function decodeSnapshot(text: string): RunSnapshot | undefined {
  let value: unknown;
  try {
    // another user's runner wrote it: no control character of it may reach a terminal
    value = JSON.parse(text, (_, v) => (typeof v === 'string' ? v.replace(CONTROL_CHARACTERS, '') : v));
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
  if (!ok) return undefined;
  const snapshot = value as RunSnapshot;
  const disk = (d: unknown) => {
    const x = d as Record<string, unknown> | null;
    return (
      typeof x === 'object' &&
      x !== null &&
      typeof x.vm === 'string' &&
      typeof x.index === 'number' &&
      typeof x.name === 'string' &&
      typeof x.host === 'string' &&
      typeof x.bytes === 'number'
    );
  };
  const items =
    snapshot.inFlight.every((d) => disk(d) && typeof d.progress === 'number' && typeof d.phase === 'string') &&
    snapshot.queued.every((d) => disk(d) && typeof d.reason === 'string') &&
    snapshot.recent.every((d) => disk(d) && typeof d.outcome === 'string') &&
    snapshot.perHost.every((h) => typeof h?.host === 'string' && typeof h.inFlight === 'number');
  // the VMs arrived after version 1 was published: absent is fine, present must be well formed
  const vms =
    snapshot.vms === undefined ||
    (Array.isArray(snapshot.vms) &&
      snapshot.vms.every(
        (vm) =>
          typeof vm?.vm === 'string' &&
          typeof vm.name === 'string' &&
          ['copying', 'paused', 'cutting-over', 'shutting-down', 'converting', 'created', 'ready', 'failed'].includes(
            vm.state,
          ),
      ));
  const cutover = snapshot.cutover === undefined || snapshot.cutover === null || typeof snapshot.cutover === 'string';
  // the learned hosts arrived later still: absent is fine (a --no-adaptive run, an older runner)
  const rate = (r: unknown) => r === null || typeof r === 'number';
  const learned = snapshot.learned;
  const hosts =
    learned === undefined ||
    (typeof learned === 'object' &&
      learned !== null &&
      Array.isArray(learned.hosts) &&
      typeof learned.hostsTotal === 'number' &&
      rate(learned.diskRate) &&
      learned.hosts.every(
        (h) =>
          typeof h?.name === 'string' &&
          typeof h.inFlight === 'number' &&
          typeof h.limit === 'number' &&
          ['climbing', 'holding', 'probing'].includes(h.phase) &&
          rate(h.bandwidth) &&
          rate(h.throughput),
      ));
  return items && vms && cutover && hosts ? snapshot : undefined;
}
