import type { Migration } from '../migrate.js';

/**
 * COMPANION (companion.db): the six SPEC tables of the companion's hybrid memory — turns, the
 * canonical event stream, hard state (append-only facts), soft episodes, evidence snippets and
 * the assumptions ledger. Columns follow the Go foxctl's tables; `IF NOT EXISTS` adopts its files.
 */
export const COMPANION_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'companion hybrid memory tables',
    sql: `
CREATE TABLE IF NOT EXISTS companion_turns (
  id TEXT PRIMARY KEY,
  conversation_id TEXT NOT NULL,
  role TEXT NOT NULL,
  content TEXT NOT NULL,
  token_count INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  tool_calls TEXT
);
CREATE INDEX IF NOT EXISTS idx_turns_conv_created ON companion_turns (conversation_id, created_at);

CREATE TABLE IF NOT EXISTS companion_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  conversation_id TEXT NOT NULL,
  event_type TEXT NOT NULL,
  turn_id TEXT,
  tool_name TEXT,
  tool_run_id TEXT,
  parent_tool_call_id INTEGER,
  payload_json TEXT,
  payload_ref TEXT,
  token_count INTEGER,
  content_hash TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_events_conv ON companion_events (conversation_id, id);
CREATE INDEX IF NOT EXISTS idx_events_tool_run ON companion_events (conversation_id, tool_run_id) WHERE tool_run_id IS NOT NULL;

CREATE TABLE IF NOT EXISTS companion_hard_state_entries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  conversation_id TEXT NOT NULL,
  entry_type TEXT NOT NULL,
  key TEXT NOT NULL,
  value_json TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'active',
  source_event_id INTEGER NOT NULL,
  confidence REAL NOT NULL DEFAULT 0.8,
  metadata_json TEXT,
  supersedes INTEGER,
  created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_hard_entries_conv ON companion_hard_state_entries (conversation_id, entry_type, key, status);
CREATE INDEX IF NOT EXISTS idx_hard_entries_max ON companion_hard_state_entries (conversation_id, id DESC);

CREATE TABLE IF NOT EXISTS companion_soft_episodes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  conversation_id TEXT NOT NULL,
  episode_type TEXT NOT NULL,
  start_event_id INTEGER NOT NULL,
  end_event_id INTEGER NOT NULL,
  summary TEXT NOT NULL DEFAULT '',
  needs_summary INTEGER NOT NULL DEFAULT 0,
  assumption_ids TEXT NOT NULL DEFAULT '[]',
  token_count INTEGER DEFAULT 0,
  boundary_hash TEXT NOT NULL,
  created_at TEXT NOT NULL,
  deleted_at TEXT,
  UNIQUE (conversation_id, boundary_hash)
);
CREATE INDEX IF NOT EXISTS idx_soft_episodes_conv ON companion_soft_episodes (conversation_id, end_event_id DESC);

CREATE TABLE IF NOT EXISTS companion_evidence_snippets (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  conversation_id TEXT NOT NULL,
  source_event_id INTEGER NOT NULL,
  event_type TEXT NOT NULL,
  fact_text TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  confidence REAL NOT NULL DEFAULT 0.5,
  bucket TEXT NOT NULL DEFAULT 'default',
  ttl_days INTEGER,
  created_at TEXT NOT NULL,
  expires_at TEXT,
  UNIQUE (conversation_id, content_hash)
);
CREATE INDEX IF NOT EXISTS idx_evidence_conv ON companion_evidence_snippets (conversation_id, created_at DESC);
CREATE INDEX IF NOT EXISTS idx_evidence_expires ON companion_evidence_snippets (expires_at) WHERE expires_at IS NOT NULL;

CREATE TABLE IF NOT EXISTS companion_assumptions_ledger (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  conversation_id TEXT NOT NULL,
  assumption TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'active',
  reason TEXT,
  source_event_id INTEGER NOT NULL,
  confidence REAL NOT NULL DEFAULT 0.5,
  created_at TEXT NOT NULL,
  retracted_at TEXT,
  retracted_by_event_id INTEGER,
  retraction_reason TEXT
);
CREATE INDEX IF NOT EXISTS idx_assumptions_conv ON companion_assumptions_ledger (conversation_id, status);
`,
  },
];
