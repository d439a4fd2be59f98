import type { Migration } from '../db/migrate.js';

/**
 * CAS (cas.db). `cas_objects` is the Go foxctl's table (whole objects inline in `content`); we
 * read its rows as they are. New objects larger than one chunk are stored in `studio_cas_chunks`
 * (content left empty) so memory stays bounded for objects of several GiB; `studio_cas_blobs`
 * maps an object to its chunks and records uploads in progress (digest NULL) for crash cleanup.
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
];
