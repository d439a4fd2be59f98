import type { Migration } from '../migrate.js';

/**
 * SESSIONS (sessions.db): agent sessions — who ran them, in which workspace, their state and a
 * JSON bag of metadata. Looked up by workspace and by recency.
 */
export const SESSIONS_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'sessions',
    sql: `
CREATE TABLE IF NOT EXISTS sessions (
  id TEXT PRIMARY KEY,
  agent_id TEXT,
  workspace TEXT NOT NULL DEFAULT '',
  title TEXT,
  status TEXT NOT NULL DEFAULT 'active',
  parent_id TEXT REFERENCES sessions (id) ON DELETE SET NULL,
  metadata_json TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  ended_at TEXT
);
CREATE INDEX IF NOT EXISTS idx_sessions_workspace_updated ON sessions (workspace, updated_at DESC);
CREATE INDEX IF NOT EXISTS idx_sessions_agent ON sessions (agent_id);
CREATE INDEX IF NOT EXISTS idx_sessions_status ON sessions (status);
`,
  },
];
