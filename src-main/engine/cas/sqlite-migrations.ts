import type { Migration } from '../db/migrate.js';

/**
 * CAS (cas.db). `cas_objects` is the Go foxctl's table (whole objects inline in `content`, which
 * Go's SQLiteStore.Get returns as it is). `studio_cas_chunks` stages uploads in progress (their
 * `studio_cas_blobs` row has digest NULL, for crash cleanup) before the commit files them whole
 * in `content`; earlier versions of ours also kept finished objects there with `content` empty,
 * which the backend still reads and moves into `content` on open.
 *
 * Version 2 rebuilds `cas_objects` as the Go foxctl's migrateSQLiteSchema creates it
 * (internal/storage/cas/sqlite_store.go, commit 49701679): `tags` nullable (Go binds NULL for
 * no tags, so its untagged puts failed under our NOT NULL), `kind` and `pinned` without NOT NULL,
 * Go's three indexes, plus `last_put_at`, a column of ours that Go's statements never name (the
 * re-put time gc counts from, so `created_at` can stay the first put's, as Go keeps it). The
 * copy runs inside the migration's transaction; the CHECK on a temp row aborts it, leaving the
 * old table untouched, unless both tables hold the same number of rows.
 */
export const CAS_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'cas_objects_and_chunks',
    sql: `
CREATE TABLE IF NOT EXISTS cas_objects (
  digest TEXT PRIMARY KEY,
  size INTEGER NOT NULL,
  kind TEXT NOT NULL DEFAULT 'application/octet-stream',
  tags TEXT NOT NULL DEFAULT '[]',
  pinned INTEGER NOT NULL DEFAULT 0,
  content BLOB,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS studio_cas_blobs (
  blob_id INTEGER PRIMARY KEY,
  digest TEXT UNIQUE,
  chunk_size INTEGER NOT NULL,
  started_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS studio_cas_chunks (
  blob_id INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (blob_id, seq)
);
`,
  },
  {
    version: 2,
    name: 'cas_objects_as_go_creates_it',
    sql: `
CREATE TABLE cas_objects_go (
  digest TEXT PRIMARY KEY,
  size INTEGER NOT NULL,
  kind TEXT DEFAULT 'application/octet-stream',
  tags TEXT,
  pinned INTEGER DEFAULT 0,
  content BLOB,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  last_put_at TEXT
);
INSERT INTO cas_objects_go (digest, size, kind, tags, pinned, content, created_at, updated_at)
  SELECT digest, size, kind, tags, pinned, content, created_at, updated_at FROM cas_objects;
CREATE TEMP TABLE studio_cas_rebuild_check (ok INTEGER NOT NULL, CONSTRAINT cas_objects_rebuild_row_counts_match CHECK (ok = 1));
INSERT INTO studio_cas_rebuild_check SELECT (SELECT count(*) FROM cas_objects_go) = (SELECT count(*) FROM cas_objects);
DROP TABLE studio_cas_rebuild_check;
DROP TABLE cas_objects;
ALTER TABLE cas_objects_go RENAME TO cas_objects;
CREATE INDEX IF NOT EXISTS idx_cas_created ON cas_objects(created_at);
CREATE INDEX IF NOT EXISTS idx_cas_pinned ON cas_objects(pinned);
CREATE INDEX IF NOT EXISTS idx_cas_kind ON cas_objects(kind);
`,
  },
];
