import type { SqliteDb } from '../db/sqlite.js';
import { prepareFtsWriter, rowText } from './fts-index.js';
import { INSERT_COLUMNS, type EventRow } from './model.js';
import { COMPARED_COLUMNS, differingColumns, type StoredEvent } from './same-event.js';
import { timeOrder } from './time-order.js';

/** Told of a row whose span_id is stored with other content: its index in the batch and the columns that differ. */
export type ConflictListener = (index: number, columns: string[]) => void;

/**
 * Inserts rows into foxcular_events, ignoring span_ids already present; returns how many were new.
 * With `onConflict`, each ignored row is compared with the stored one, and a different one reported.
 */
export type RowInserter = (rows: readonly EventRow[], onConflict?: ConflictListener, messages?: readonly (string | null)[]) => number;

/**
 * The one insert path of events.db, shared by the SQL persist mode, the syncer and the bulk
 * seed: INSERT OR IGNORE keyed on the UNIQUE span_id makes every ingest idempotent, and each new
 * row's text goes into the FTS5 index here rather than by trigger (see schema v2). The caller owns
 * the transaction (the syncer writes its offset in the same one), so the ids it gets are contiguous.
 * The first row stored under a span_id stays; a later different one is the caller's to record.
 * A batch goes in in time order (time-order.ts), which keeps rows that arrive out of order cheap;
 * `onConflict` still gets the row's index in `rows`.
 */
export function prepareInserter(db: SqliteDb): RowInserter {
  const stmt = db.prepare(
    `INSERT OR IGNORE INTO foxcular_events (${INSERT_COLUMNS.join(', ')}) VALUES (${INSERT_COLUMNS.map(() => '?').join(', ')})`,
  );
  const fts = prepareFtsWriter(db);
  let stored: { get(spanId: string): unknown } | undefined;
  // `messages[i]`: row i's message as ftsMessage found it at parse time (else read from its data).
  return (rows, onConflict, messages) => {
    let added = 0;
    let first = 0;
    let last = 0;
    const order = timeOrder(rows);
    for (let k = 0; k < rows.length; k++) {
      const i = order === null ? k : order[k]!;
      const r = rows[i]!;
      const res = stmt.run(r);
      if (res.changes === 0) {
        if (onConflict) {
          stored ??= db.prepare(`SELECT ${COMPARED_COLUMNS.join(', ')} FROM foxcular_events WHERE span_id = ?`).raw(true);
          const row = stored.get(r[0]) as StoredEvent | undefined;
          const columns = row ? differingColumns(r, row) : [];
          if (columns.length > 0) onConflict(i, columns);
        }
        continue;
      }
      added++;
      const id = Number(res.lastInsertRowid);
      if (first === 0) first = id;
      last = id;
      const text = rowText(r, messages?.[i]);
      if (text !== null) fts.add(id, text);
    }
    if (added > 0) fts.advance(first, last);
    return added;
  };
}
