import type { Migration } from '../migrate.js';

/**
 * CONTEXTVAR (contextvar.db): scoped key/value context variables (JSON values, optional expiry)
 * and named monotonic sequences. `IF NOT EXISTS` so a Go-made file is adopted as it is.
 */
export const CONTEXTVAR_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'context_variables, context_sequences',
    sql: `
CREATE TABLE IF NOT EXISTS context_variables (
  scope TEXT NOT NULL,
  name TEXT NOT NULL,
  value_json TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1,
  session_id TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  expires_at TEXT,
  PRIMARY KEY (scope, name)
);
CREATE INDEX IF NOT EXISTS idx_context_variables_session ON context_variables (session_id) WHERE session_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS idx_context_variables_expires ON context_variables (expires_at) WHERE expires_at IS NOT NULL;

CREATE TABLE IF NOT EXISTS context_sequences (
  scope TEXT NOT NULL,
  name TEXT NOT NULL,
  value INTEGER NOT NULL DEFAULT 0,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (scope, name)
);
`,
    postgres: `
CREATE TABLE IF NOT EXISTS context_variables (
  scope TEXT NOT NULL,
  name TEXT NOT NULL,
  value_json TEXT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1,
  session_id TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  expires_at TEXT,
  PRIMARY KEY (scope, name)
);
CREATE INDEX IF NOT EXISTS idx_context_variables_session ON context_variables (session_id) WHERE session_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS idx_context_variables_expires ON context_variables (expires_at) WHERE expires_at IS NOT NULL;

CREATE TABLE IF NOT EXISTS context_sequences (
  scope TEXT NOT NULL,
  name TEXT NOT NULL,
  value BIGINT NOT NULL DEFAULT 0,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (scope, name)
);
`,
  },
];
