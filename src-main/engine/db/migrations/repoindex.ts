import type { Migration } from '../migrate.js';

/** The repoindex schema version the Go foxctl writes in `index_meta` and expects to read. */
export const REPOINDEX_SCHEMA_VERSION = '4';

/**
 * REPOINDEX (repoindex/<key>.db): the code graph of one repository — nodes (files, symbols),
 * edges between them, and `index_meta` key/values holding `schema_version` 4. The seed uses
 * INSERT OR IGNORE so an index the Go tool already stamped keeps its own value.
 */
export const REPOINDEX_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'index_meta, nodes, edges',
    sql: `
CREATE TABLE IF NOT EXISTS index_meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
INSERT OR IGNORE INTO index_meta (key, value) VALUES ('schema_version', '${REPOINDEX_SCHEMA_VERSION}');

CREATE TABLE IF NOT EXISTS nodes (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  path TEXT NOT NULL,
  language TEXT,
  start_line INTEGER,
  end_line INTEGER,
  signature TEXT,
  content_hash TEXT,
  metadata_json TEXT,
  updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_nodes_path ON nodes (path);
CREATE INDEX IF NOT EXISTS idx_nodes_name ON nodes (name);
CREATE INDEX IF NOT EXISTS idx_nodes_kind ON nodes (kind);

CREATE TABLE IF NOT EXISTS edges (
  src TEXT NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
  dst TEXT NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  metadata_json TEXT,
  PRIMARY KEY (src, dst, kind)
);
CREATE INDEX IF NOT EXISTS idx_edges_dst ON edges (dst, kind);
`,
    postgres: `
CREATE TABLE IF NOT EXISTS index_meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
INSERT INTO index_meta (key, value) VALUES ('schema_version', '${REPOINDEX_SCHEMA_VERSION}') ON CONFLICT DO NOTHING;

CREATE TABLE IF NOT EXISTS nodes (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  path TEXT NOT NULL,
  language TEXT,
  start_line BIGINT,
  end_line BIGINT,
  signature TEXT,
  content_hash TEXT,
  metadata_json TEXT,
  updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_nodes_path ON nodes (path);
CREATE INDEX IF NOT EXISTS idx_nodes_name ON nodes (name);
CREATE INDEX IF NOT EXISTS idx_nodes_kind ON nodes (kind);

CREATE TABLE IF NOT EXISTS edges (
  src TEXT NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
  dst TEXT NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  metadata_json TEXT,
  PRIMARY KEY (src, dst, kind)
);
CREATE INDEX IF NOT EXISTS idx_edges_dst ON edges (dst, kind);
`,
  },
];
