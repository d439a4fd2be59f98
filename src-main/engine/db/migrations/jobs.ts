import type { Migration } from '../migrate.js';

/**
 * JOBS (jobs.db): the Studio's record of long work. The Go foxctl keeps its own tables in this
 * file; ours are prefixed `studio_` so the two never collide.
 */
export const JOBS_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'studio_jobs',
    sql: `
CREATE TABLE IF NOT EXISTS studio_jobs (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  title TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'ok', 'error', 'canceled')),
  progress TEXT NOT NULL,
  result TEXT,
  error TEXT,
  created_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT,
  pid INTEGER,
  host TEXT
);
CREATE INDEX IF NOT EXISTS studio_jobs_created ON studio_jobs (created_at DESC);
CREATE INDEX IF NOT EXISTS studio_jobs_state ON studio_jobs (state);
`,
    postgres: `
CREATE TABLE IF NOT EXISTS studio_jobs (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  title TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'ok', 'error', 'canceled')),
  progress TEXT NOT NULL,
  result TEXT,
  error TEXT,
  created_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT,
  pid BIGINT,
  host TEXT
);
CREATE INDEX IF NOT EXISTS studio_jobs_created ON studio_jobs (created_at DESC);
CREATE INDEX IF NOT EXISTS studio_jobs_state ON studio_jobs (state);
`,
  },
];
