import type { Migration } from '../db/migrate.js';

/** The text free-text search looks at: the event's name and message (kept in data) and its error fields. */
const FTS_TEXT = `concat_ws(' ', json_extract(new.data, '$.name'), json_extract(new.data, '$.message'), new.error_type, new.error_code, new.error_message)`;

/**
 * EVENTS (events.db in the observability dir). `foxcular_events` is exactly the table of the
 * foxctl docs (FORMATS.md), created only if absent so a Go-written file keeps its own. Our
 * additions are prefixed `studio_`: composite indexes that make the viewer's "filter X, newest
 * first" a single index range (X, ts, id) — the status one partial (failed events only: "ok" is
 * most rows, where the ts index already serves, and every index costs the syncer write I/O) — a contentless FTS5 index (kept by our insert code since
 * v2, with a catch-up for rows other tools write; a delete trigger drops entries of deleted rows), the syncer's per-file state and its rejects.
 */
export const EVENTS_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'foxcular_events',
    sql: `
CREATE TABLE IF NOT EXISTS foxcular_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  span_id TEXT NOT NULL UNIQUE,
  trace_id TEXT NOT NULL,
  parent_id TEXT,
  ts TEXT NOT NULL,
  service TEXT NOT NULL,
  version TEXT,
  component TEXT,
  operation TEXT NOT NULL,
  command TEXT,
  subtype TEXT,
  session_id TEXT,
  agent_id TEXT,
  workspace_id TEXT,
  job_id TEXT,
  status TEXT NOT NULL,
  duration_ms INTEGER,
  error_type TEXT,
  error_code TEXT,
  error_message TEXT,
  retriable INTEGER,
  data TEXT,
  created_at TEXT DEFAULT (datetime('now'))
);
CREATE INDEX IF NOT EXISTS studio_events_ts ON foxcular_events (ts);
CREATE INDEX IF NOT EXISTS studio_events_trace ON foxcular_events (trace_id, ts);
CREATE INDEX IF NOT EXISTS studio_events_operation ON foxcular_events (operation, ts);
CREATE INDEX IF NOT EXISTS studio_events_command ON foxcular_events (command, ts);
CREATE INDEX IF NOT EXISTS studio_events_failed ON foxcular_events (status, ts) WHERE status <> 'ok';
CREATE INDEX IF NOT EXISTS studio_events_session ON foxcular_events (session_id, ts);
CREATE INDEX IF NOT EXISTS studio_events_agent ON foxcular_events (agent_id, ts);
CREATE INDEX IF NOT EXISTS studio_events_workspace ON foxcular_events (workspace_id, ts);

CREATE VIRTUAL TABLE IF NOT EXISTS studio_events_fts USING fts5(text, content='', contentless_delete=1);
CREATE TRIGGER IF NOT EXISTS studio_events_fts_insert AFTER INSERT ON foxcular_events
WHEN new.error_message IS NOT NULL OR new.error_type IS NOT NULL OR new.error_code IS NOT NULL
  OR (new.data IS NOT NULL AND (json_extract(new.data, '$.message') IS NOT NULL OR json_extract(new.data, '$.name') IS NOT NULL))
BEGIN
  INSERT INTO studio_events_fts (rowid, text) VALUES (new.id, ${FTS_TEXT});
END;
CREATE TRIGGER IF NOT EXISTS studio_events_fts_delete AFTER DELETE ON foxcular_events BEGIN
  DELETE FROM studio_events_fts WHERE rowid = old.id;
END;
INSERT INTO studio_events_fts (rowid, text)
  SELECT id, ${FTS_TEXT.replace(/new\./g, '')} FROM foxcular_events
  WHERE error_message IS NOT NULL OR error_type IS NOT NULL OR error_code IS NOT NULL
     OR json_extract(data, '$.message') IS NOT NULL OR json_extract(data, '$.name') IS NOT NULL;

CREATE TABLE IF NOT EXISTS studio_event_sync_files (
  file TEXT PRIMARY KEY,
  offset INTEGER NOT NULL DEFAULT 0,
  dev TEXT,
  ino TEXT,
  head_len INTEGER NOT NULL DEFAULT 0,
  head_hash TEXT,
  synced_total INTEGER NOT NULL DEFAULT 0,
  duplicate_total INTEGER NOT NULL DEFAULT 0,
  rejected_total INTEGER NOT NULL DEFAULT 0,
  resets INTEGER NOT NULL DEFAULT 0,
  last_reset TEXT,
  registered_by TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS studio_event_rejects (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  file TEXT NOT NULL,
  offset INTEGER NOT NULL,
  length INTEGER NOT NULL,
  error TEXT NOT NULL,
  excerpt TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS studio_event_rejects_file ON studio_event_rejects (file, offset);
`,
  },
  {
    // An AFTER INSERT trigger, even one that does nothing, costs SQLite ~50 µs per inserted row
    // here: three times the cost of the row and its eight indexes. The insert code now indexes
    // text itself; rows written by other tools are caught up from a watermark (fts-index.ts).
    version: 2,
    name: 'fts_without_insert_trigger',
    sql: `
DROP TRIGGER IF EXISTS studio_events_fts_insert;
CREATE TABLE IF NOT EXISTS studio_event_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR REPLACE INTO studio_event_meta (key, value) VALUES ('fts_indexed_to', coalesce((SELECT max(id) FROM foxcular_events), 0));
`,
  },
];
