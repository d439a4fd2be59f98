import type { Migration } from '../migrate.js';

/**
 * MEMORY (memory.db): named memory entries, the embedding model each workspace was indexed
 * with, and indexer progress. Column names follow the tables the Go foxctl creates, and every
 * statement is `IF NOT EXISTS`, so a memory.db the Go tool made is adopted as it is. Older Go
 * builds made named_memory without session_id / embedding columns: indexes here name only columns
 * every version has, or adopting such a file would fail.
 */
export const MEMORY_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'named_memory, embedding_metadata, indexer_state',
    sql: `
CREATE TABLE IF NOT EXISTS named_memory (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  workspace TEXT NOT NULL,
  session_id TEXT,
  summary TEXT,
  result BLOB NOT NULL,
  digests TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  last_accessed TEXT NOT NULL,
  access_count INTEGER NOT NULL DEFAULT 0,
  embedding BLOB,
  embedding_model TEXT,
  UNIQUE (name, workspace)
);
CREATE INDEX IF NOT EXISTS idx_named_memory_ws_updated ON named_memory (workspace, updated_at DESC);

CREATE TABLE IF NOT EXISTS embedding_metadata (
  workspace TEXT PRIMARY KEY,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  dimensions INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS indexer_state (
  workspace TEXT NOT NULL,
  indexer_id TEXT NOT NULL,
  last_indexed_head_sha TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (workspace, indexer_id)
);
CREATE INDEX IF NOT EXISTS idx_indexer_state_ws ON indexer_state (workspace);
`,
    postgres: `
CREATE TABLE IF NOT EXISTS named_memory (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  workspace TEXT NOT NULL,
  session_id TEXT,
  summary TEXT,
  result BYTEA NOT NULL,
  digests TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  last_accessed TEXT NOT NULL,
  access_count BIGINT NOT NULL DEFAULT 0,
  embedding BYTEA,
  embedding_model TEXT,
  UNIQUE (name, workspace)
);
CREATE INDEX IF NOT EXISTS idx_named_memory_ws_updated ON named_memory (workspace, updated_at DESC);

CREATE TABLE IF NOT EXISTS embedding_metadata (
  workspace TEXT PRIMARY KEY,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  dimensions BIGINT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS indexer_state (
  workspace TEXT NOT NULL,
  indexer_id TEXT NOT NULL,
  last_indexed_head_sha TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (workspace, indexer_id)
);
CREATE INDEX IF NOT EXISTS idx_indexer_state_ws ON indexer_state (workspace);
`,
  },
];
