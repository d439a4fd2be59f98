import type { SqliteDb } from '../db/sqlite.js';
import type { EventRow } from './model.js';

/** The data field a row's message lives in, NULL where data is not JSON. */
const MESSAGE_SQL = `json_extract(CASE WHEN json_valid(data) THEN data END, '$.message')`;
/**
 * The SQL text expression free-text search indexes for a row: its name (the `command` column, as
 * both writers fill it), the message kept in data, and the error fields.
 */
const TEXT_SQL = `concat_ws(' ', nullif(command, ''), ${MESSAGE_SQL}, error_type, error_code, error_message)`;
const HAS_TEXT_SQL = `(error_message IS NOT NULL OR error_type IS NOT NULL OR error_code IS NOT NULL
  OR nullif(command, '') IS NOT NULL OR ${MESSAGE_SQL} IS NOT NULL)`;

/**
 * The text a row is found by: name, message, error type, code and message; null when none.
 * `message`: data's message when the caller knows it (ftsMessage); undefined reads it from data.
 */
export function rowText(row: EventRow, message?: string | null): string | null {
  const parts: string[] = [];
  if (row[8] !== null && row[8] !== '') parts.push(row[8]);
  const data = row[20];
  if (message !== undefined) {
    if (message !== null) parts.push(message);
  } else if (data !== null && data.includes('"message"')) {
    const d = JSON.parse(data) as { message?: unknown };
    if (typeof d.message === 'string') parts.push(d.message);
  }
  for (const v of [row[16], row[17], row[18]]) if (v !== null) parts.push(v);
  return parts.length > 0 ? parts.join(' ') : null;
}

/** Keeps studio_events_fts in step with rows inserted by our code, inside the caller's transaction. */
export interface FtsWriter {
  /** Indexes the text of one row just inserted. */
  add(id: number, text: string): void;
  /** Moves the watermark over ids first..last when no row of another writer lies below them. */
  advance(first: number, last: number): void;
}

/** Prepares the FTS statements of one connection. */
export function prepareFtsWriter(db: SqliteDb): FtsWriter {
  const ins = db.prepare('INSERT INTO studio_events_fts (rowid, text) VALUES (?, ?)');
  const mark = db.prepare("UPDATE studio_event_meta SET value = ? WHERE key = 'fts_indexed_to' AND value = ?");
  return {
    add: (id, text) => void ins.run(id, text),
    advance: (first, last) => void mark.run(last, first - 1),
  };
}

/**
 * Indexes rows above the watermark that are not indexed yet: rows another tool (the Go foxctl's
 * SQL mode) inserted directly. Runs at the start of every sync pass, in its own transaction;
 * cheap when nothing is pending (one max(id) lookup).
 */
export function catchUpFts(db: SqliteDb): number {
  const wm = (db.prepare("SELECT value FROM studio_event_meta WHERE key = 'fts_indexed_to'").get() as { value: number } | undefined)?.value ?? 0;
  const hi = (db.prepare('SELECT max(id) AS m FROM foxcular_events').get() as { m: number | null }).m ?? 0;
  if (hi <= wm) return 0;
  return db.transaction(() => {
    const n = db
      .prepare(
        `INSERT INTO studio_events_fts (rowid, text) SELECT id, ${TEXT_SQL} FROM foxcular_events AS e
         WHERE id > ? AND id <= ? AND ${HAS_TEXT_SQL} AND NOT EXISTS (SELECT 1 FROM studio_events_fts WHERE rowid = e.id)`,
      )
      .run(wm, hi).changes;
    db.prepare("UPDATE studio_event_meta SET value = max(value, ?) WHERE key = 'fts_indexed_to'").run(hi);
    return n;
  }).immediate();
}
