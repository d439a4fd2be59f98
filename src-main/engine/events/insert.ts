import type { SqliteDb } from '../db/sqlite.js';
import { INSERT_COLUMNS, type EventRow } from './model.js';

/** Inserts rows into foxcular_events, ignoring span_ids already present; returns how many were new. */
export type RowInserter = (rows: readonly EventRow[]) => number;

/**
 * The one insert path of events.db, shared by the SQL persist mode, the syncer and the bulk
 * seed: INSERT OR IGNORE keyed on the UNIQUE span_id makes every ingest idempotent. The caller
 * owns the transaction (the syncer writes its offset in the same one).
 */
export function prepareInserter(db: SqliteDb): RowInserter {
  const stmt = db.prepare(
    `INSERT OR IGNORE INTO foxcular_events (${INSERT_COLUMNS.join(', ')}) VALUES (${INSERT_COLUMNS.map(() => '?').join(', ')})`,
  );
  return (rows) => {
    let added = 0;
    for (const r of rows) added += stmt.run(r).changes;
    return added;
  };
}
