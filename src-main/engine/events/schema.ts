import type { Migration } from '../db/migrate.js';
import { TS_KEY } from './ts-key.js';

/** The text free-text search looks at: the event's name and message (kept in data) and its error fields. */
const FTS_TEXT = `concat_ws(' ', json_extract(new.data, '$.name'), json_extract(new.data, '$.message'), new.error_type, new.error_code, new.error_message)`;

/** A field of `data`, NULL where data is not JSON (json_extract would fail the statement). */
const dataField = (path: string): string => `json_extract(CASE WHEN json_valid(data) THEN data END, '${path}')`;
const dataType = (path: string): string => `json_type(CASE WHEN json_valid(data) THEN data END, '${path}')`;
/** A NULL where the Go writer binds '' (it never writes NULL into these): a row of ours. */
const NULL_SOMEWHERE = `(${['parent_id', 'version', 'component', 'subtype', 'session_id', 'agent_id', 'workspace_id', 'job_id', 'error_type', 'error_code', 'error_message'].map((c) => `${c} IS NULL`).join(' OR ')})`;
/** Rows named the Go way only: a command that is not also the name kept in data. */
const GO_NAMED = `command IS NOT NULL AND command <> '' AND command IS NOT ${dataField('$.name')}`;

/**
 * EVENTS (events.db in the observability dir). `foxcular_events` is exactly the table of the
 * foxctl docs (FORMATS.md), created only if absent so a Go-written file keeps its own. Our
 * additions are prefixed `studio_`: composite indexes that make the viewer's "filter X, newest
 * first" a single index range (X, ts, id) — the status one partial (failed events only: "ok" is
 * most rows, where the ts index already serves, and every index costs the syncer write I/O) — a contentless FTS5 index (kept by our insert code since
 * v2, with a catch-up for rows other tools write; a delete trigger drops entries of deleted rows), the syncer's per-file state and its rejects.
 * v3 and v4 (see their comments) follow the Go writer: `command` from the event's name, and time
 * compared as an instant whatever form `ts` is written in.
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
  {
    // Our older code filled `command` from data.command; the Go writer (EventStore.Insert) fills it
    // from the event's name, which our rows keep in data.name. Our rows are told from Go's by a
    // NULL in a text column (Go binds '' for every absent string, never NULL) and by still having
    // command = data.command. Left as they are: Go rows, rows whose data is not JSON or whose
    // data.name is not text, and a row of ours with every text column filled (nothing tells it
    // from a Go row). Go rows, whose name is in `command` only, get their name indexed for free
    // text (the index reads `command` from now on).
    version: 3,
    name: 'command_from_name',
    sql: `
UPDATE foxcular_events SET command = ${dataField('$.name')}
WHERE ${NULL_SOMEWHERE}
  AND command IS ${dataField('$.command')}
  AND (${dataType('$.name')} = 'text' OR ${dataType('$.name')} IS NULL)
  AND command IS NOT ${dataField('$.name')};
DELETE FROM studio_events_fts WHERE rowid IN (SELECT id FROM foxcular_events WHERE ${GO_NAMED});
INSERT INTO studio_events_fts (rowid, text)
  SELECT id, concat_ws(' ', command, ${dataField('$.message')}, error_type, error_code, error_message) FROM foxcular_events WHERE ${GO_NAMED};
`,
    // Events on PostgreSQL are a copy made by \`db migrate\` (queries run on SQLite only): nothing to redo.
    postgres: 'SELECT 1;',
  },
  {
    // Go writes ts as RFC 3339 with its own zone and trailing zeros trimmed: text order is not
    // time order. The viewer's indexes move from ts to the instant key (ts-key.ts), an expression
    // of built-in functions, so no other writer needs to know of it.
    version: 4,
    name: 'ts_key_indexes',
    sql: `
DROP INDEX IF EXISTS studio_events_ts;
DROP INDEX IF EXISTS studio_events_trace;
DROP INDEX IF EXISTS studio_events_operation;
DROP INDEX IF EXISTS studio_events_command;
DROP INDEX IF EXISTS studio_events_failed;
DROP INDEX IF EXISTS studio_events_session;
DROP INDEX IF EXISTS studio_events_agent;
DROP INDEX IF EXISTS studio_events_workspace;
CREATE INDEX IF NOT EXISTS studio_events_tk ON foxcular_events (${TS_KEY});
CREATE INDEX IF NOT EXISTS studio_events_trace_tk ON foxcular_events (trace_id, ${TS_KEY});
CREATE INDEX IF NOT EXISTS studio_events_operation_tk ON foxcular_events (operation, ${TS_KEY});
CREATE INDEX IF NOT EXISTS studio_events_command_tk ON foxcular_events (command, ${TS_KEY});
CREATE INDEX IF NOT EXISTS studio_events_failed_tk ON foxcular_events (status, ${TS_KEY}) WHERE status <> 'ok';
CREATE INDEX IF NOT EXISTS studio_events_session_tk ON foxcular_events (session_id, ${TS_KEY});
CREATE INDEX IF NOT EXISTS studio_events_agent_tk ON foxcular_events (agent_id, ${TS_KEY});
CREATE INDEX IF NOT EXISTS studio_events_workspace_tk ON foxcular_events (workspace_id, ${TS_KEY});
`,
    // PostgreSQL keeps its ts indexes: the events copy there is not queried by the viewer.
    postgres: 'SELECT 1;',
  },
];
