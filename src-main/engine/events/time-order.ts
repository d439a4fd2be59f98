import type { EventRow } from './model.js';

/**
 * The order in which to insert a batch of rows: by `ts`, so that every index of events.db (all
 * but one lead with or end in the time key, and span_ids are ULIDs of the event's time) takes
 * the batch as one forward sweep instead of a random walk. With lines out of time order that is
 * what keeps a batch cheap: each B-tree page is visited once, while it is in the cache, instead
 * of once per row (measured: half the CPU of file order on shuffled lines, see bench/events.ts).
 *
 * Rows carry `ts` normalised (UTC, nine fraction digits: model.ts), so text order is time order.
 * The sort is stable, and a span_id met twice sorts at its first row's place, so rows sharing a
 * span_id keep their file order and the first one is still the one stored.
 * Returns the indexes of `rows` in insert order (none for a batch already in order).
 */
export function timeOrder(rows: readonly EventRow[]): number[] | null {
  let sorted = true;
  for (let i = 1; i < rows.length; i++) {
    if (rows[i]![3] < rows[i - 1]![3]) {
      sorted = false;
      break;
    }
  }
  if (sorted) return null;
  const first = new Map<string, string>();
  const keys = new Array<string>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const k = first.get(r[0]);
    if (k === undefined) {
      first.set(r[0], r[3]);
      keys[i] = r[3];
    } else keys[i] = k;
  }
  const order = Array.from({ length: rows.length }, (_, i) => i);
  // Array.prototype.sort is stable: equal keys (a span_id's rows) keep their file order.
  order.sort((a, b) => (keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : 0));
  return order;
}
