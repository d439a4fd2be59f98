import type { Migration } from '../migrate.js';

/**
 * TASKS (tasks.db): tasks with a state machine, priority, assignee and dependencies between
 * them. Looked up by state, assignee, session and parent.
 */
export const TASKS_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'tasks, task_dependencies',
    sql: `
CREATE TABLE IF NOT EXISTS tasks (
  id TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  description TEXT,
  status TEXT NOT NULL DEFAULT 'pending',
  priority INTEGER NOT NULL DEFAULT 0,
  assignee TEXT,
  session_id TEXT,
  workspace TEXT NOT NULL DEFAULT '',
  parent_id TEXT REFERENCES tasks (id) ON DELETE SET NULL,
  metadata_json TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  completed_at TEXT
);
CREATE INDEX IF NOT EXISTS idx_tasks_status_priority ON tasks (status, priority DESC);
CREATE INDEX IF NOT EXISTS idx_tasks_assignee ON tasks (assignee) WHERE assignee IS NOT NULL;
CREATE INDEX IF NOT EXISTS idx_tasks_session ON tasks (session_id) WHERE session_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS idx_tasks_parent ON tasks (parent_id) WHERE parent_id IS NOT NULL;

CREATE TABLE IF NOT EXISTS task_dependencies (
  task_id TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  depends_on TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  created_at TEXT NOT NULL,
  PRIMARY KEY (task_id, depends_on),
  CHECK (task_id <> depends_on)
);
CREATE INDEX IF NOT EXISTS idx_task_dependencies_depends_on ON task_dependencies (depends_on);
`,
    postgres: `
CREATE TABLE IF NOT EXISTS tasks (
  id TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  description TEXT,
  status TEXT NOT NULL DEFAULT 'pending',
  priority BIGINT NOT NULL DEFAULT 0,
  assignee TEXT,
  session_id TEXT,
  workspace TEXT NOT NULL DEFAULT '',
  parent_id TEXT REFERENCES tasks (id) ON DELETE SET NULL,
  metadata_json TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  completed_at TEXT
);
CREATE INDEX IF NOT EXISTS idx_tasks_status_priority ON tasks (status, priority DESC);
CREATE INDEX IF NOT EXISTS idx_tasks_assignee ON tasks (assignee) WHERE assignee IS NOT NULL;
CREATE INDEX IF NOT EXISTS idx_tasks_session ON tasks (session_id) WHERE session_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS idx_tasks_parent ON tasks (parent_id) WHERE parent_id IS NOT NULL;

CREATE TABLE IF NOT EXISTS task_dependencies (
  task_id TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  depends_on TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  created_at TEXT NOT NULL,
  PRIMARY KEY (task_id, depends_on),
  CHECK (task_id <> depends_on)
);
CREATE INDEX IF NOT EXISTS idx_task_dependencies_depends_on ON task_dependencies (depends_on);
`,
  },
];
