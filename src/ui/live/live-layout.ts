/**
 * How many rows each section of a run gets, so that the live frame never grows past the terminal: the writer redraws
 * a frame by moving the cursor up to its top, which it cannot do once the frame's top has scrolled off the screen.
 */
import type { RunSnapshot } from '../../runner/run-snapshot.js';

/** Rows the queue keeps however many disks are in flight (when it has that many). */
export const QUEUE_MIN_ROWS = 3;
/** Recent completions `top` shows per plan at most. */
export const RECENT_MAX_ROWS = 5;

/** The rows of a run's sections: disks in flight, queued disks, recent completions (top only). */
export interface SectionRows {
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
 * Splits `available` rows (titles aside) between the sections: disks in flight first, the queue then gets what is
 * left but at least QUEUE_MIN_ROWS, then recent completions (top), then the rest of the queue, up to `queueMax`.
 */
export function sectionRows(
  snapshot: Pick<RunSnapshot, 'inFlight' | 'queued' | 'queuedTotal' | 'recent'>,
  available: number,
  options: { offset?: number; recent?: boolean; queueMax?: number } = {},
): SectionRows {
  let left = Math.max(0, available);
  const head = snapshot.queued.length;
  const queueMin = Math.min(head, QUEUE_MIN_ROWS);
  // the queue's reserve: its minimum rows and, when the head does not cover the queue, the `… and N more` row
  const queueReserve = queueMin + (snapshot.queuedTotal > queueMin ? 1 : 0);

  const wantFlight = snapshot.inFlight.length;
  let inFlight = Math.min(wantFlight, Math.max(0, left - queueReserve));
  const inFlightMore = inFlight < wantFlight;
  if (inFlightMore) inFlight = Math.max(0, inFlight - 1);
  left -= inFlight + (inFlightMore ? 1 : 0);

  const recentWant = options.recent ? Math.min(snapshot.recent.length, RECENT_MAX_ROWS) : 0;
  const recent = Math.min(recentWant, Math.max(0, left - queueReserve));
  left -= recent;

  let queue = Math.min(head, left, Math.max(queueMin, options.queueMax ?? head));
  // `… and N more` (below the rows shown) is reserved whenever the rows do not show the whole queue
  const queueMore = snapshot.queuedTotal > queue && left > 0;
  if (queueMore && queue + 1 > left) queue = left - 1;
  const queueOffset = Math.max(0, Math.min(options.offset ?? 0, head - queue));
  return { inFlight, inFlightMore, queue, queueOffset, queueMore, recent };
}
