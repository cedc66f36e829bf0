/**
 * How many rows each section of a run gets, so that the live frame never grows past the terminal: the writer redraws
 * a frame by moving the cursor up to its top, which it cannot do once the frame's top has scrolled off the screen.
 */
import type { RunSnapshot } from '../../runner/run-snapshot.js';

/** Rows the queue keeps however many disks are in flight (when it has that many). */
export const QUEUE_MIN_ROWS = 3;
/** Recent completions `top` shows per plan at most. */
export const RECENT_MAX_ROWS = 5;
/** Learned hosts the hosts panel lists at most (`… and N more hosts` says the rest). */
export const HOSTS_MAX_ROWS = 5;
/** Rows the hosts panel keeps however many disks are in flight (when it has that many hosts). */
export const HOSTS_MIN_ROWS = 2;

/** The rows of a run's sections: learned hosts, disks in flight, queued disks, recent completions (top only). */
export interface SectionRows {
  /** Learned hosts listed (adaptive admission's panel). */
  hosts: number;
  /** True when `… and N more hosts` takes a row. */
  hostsMore: boolean;
  inFlight: number;
  /** True when `… and N more in flight` takes a row. */
  inFlightMore: boolean;
  queue: number;
  /** The first queued disk shown: the scroll offset, clamped. */
  queueOffset: number;
  /** True when a row is kept for `… and N more` (shown when disks are left below the rows shown). */
  queueMore: boolean;
  recent: number;
}

/**
 * Splits `available` rows (titles aside) between the sections: disks in flight first, keeping for the queue at least
 * QUEUE_MIN_ROWS and for the learned hosts HOSTS_MIN_ROWS; then the hosts up to HOSTS_MAX_ROWS, then recent
 * completions (top), then the rest of the queue, up to `queueMax`.
 */
export function sectionRows(
  snapshot: Pick<RunSnapshot, 'inFlight' | 'queued' | 'queuedTotal' | 'recent' | 'learned'>,
  available: number,
  options: { offset?: number; recent?: boolean; queueMax?: number } = {},
): SectionRows {
  let left = Math.max(0, available);
  const head = snapshot.queued.length;
  const queueMin = Math.min(head, QUEUE_MIN_ROWS);
  // the queue's reserve: its minimum rows and, when the head does not cover the queue, the `… and N more` row
  const queueReserve = queueMin + (snapshot.queuedTotal > queueMin ? 1 : 0);

  // the hosts' reserve likewise: their minimum rows, and `… and N more hosts` when they do not cover every host
  const hostCount = snapshot.learned?.hostsTotal ?? 0;
  const hostsListed = Math.min(snapshot.learned?.hosts.length ?? 0, HOSTS_MAX_ROWS);
  const hostsMin = Math.min(hostsListed, HOSTS_MIN_ROWS);
  const hostsReserve = hostsMin + (hostCount > hostsMin ? 1 : 0);

  const wantFlight = snapshot.inFlight.length;
  let inFlight = Math.min(wantFlight, Math.max(0, left - queueReserve - hostsReserve));
  const inFlightMore = inFlight < wantFlight;
  if (inFlightMore) inFlight = Math.max(0, inFlight - 1);
  left -= inFlight + (inFlightMore ? 1 : 0);

  const hostRoom = Math.max(0, left - queueReserve);
  let hosts = Math.min(hostsListed, hostRoom);
  const hostsMore = hosts < hostCount && hostRoom > 0;
  if (hostsMore && hosts + 1 > hostRoom) hosts = hostRoom - 1;
  left -= hosts + (hostsMore ? 1 : 0);

  const recentWant = options.recent ? Math.min(snapshot.recent.length, RECENT_MAX_ROWS) : 0;
  const recent = Math.min(recentWant, Math.max(0, left - queueReserve));
  left -= recent;

  let queue = Math.min(head, left, Math.max(queueMin, options.queueMax ?? head));
  // `… and N more` (below the rows shown) is reserved whenever the rows do not show the whole queue
  const queueMore = snapshot.queuedTotal > queue && left > 0;
  if (queueMore && queue + 1 > left) queue = left - 1;
  const queueOffset = Math.max(0, Math.min(options.offset ?? 0, head - queue));
  return { hosts, hostsMore, inFlight, inFlightMore, queue, queueOffset, queueMore, recent };
}
