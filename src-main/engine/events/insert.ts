import type { SqliteDb } from '../db/sqlite.js';
import { prepareFtsWriter, rowText } from './fts-index.js';
import { INSERT_COLUMNS, type EventRow } from './model.js';

/** Inserts rows into foxcular_events, ignoring span_ids already present; returns how many were new. */
export type RowInserter = (rows: readonly EventRow[]) => number;

/**
 * The one insert path of events.db, shared by the SQL persist mode, the syncer and the bulk
 * seed: INSERT OR IGNORE keyed on the UNIQUE span_id makes every ingest idempotent, and each new
 * row's text goes into the FTS5 index here rather than by trigger (see schema v2). The caller owns
 * the transaction (the syncer writes its offset in the same one), so the ids it gets are contiguous.
 */
export function prepareInserter(db: SqliteDb): RowInserter {
  const stmt = db.prepare(
    `INSERT OR IGNORE INTO foxcular_events (${INSERT_COLUMNS.join(', ')}) VALUES (${INSERT_COLUMNS.map(() => '?').join(', ')})`,
  );
  const fts = prepareFtsWriter(db);
  return (rows) => {
    let added = 0;
    let first = 0;
    let last = 0;
    for (const r of rows) {
      const res = stmt.run(r);
      if (res.changes === 0) continue;
      added++;
      const id = Number(res.lastInsertRowid);
      if (first === 0) first = id;
      last = id;
      const text = rowText(r);
      if (text !== null) fts.add(id, text);
    }
    if (added > 0) fts.advance(first, last);
    return added;
  };
}
