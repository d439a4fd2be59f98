import type { Migration } from '../migrate.js';
import { COMPANION_MIGRATIONS } from './companion.js';
import { CONTEXTVAR_MIGRATIONS } from './contextvar.js';
import { EVENTS_MIGRATIONS } from '../../events/schema.js';
import { CAS_MIGRATIONS } from '../../cas/sqlite-migrations.js';
import { JOBS_MIGRATIONS } from './jobs.js';
import { MEMORY_MIGRATIONS } from './memory.js';
import { withPostgresDdl } from './postgres-ddl.js';
import { REPOINDEX_MIGRATIONS } from './repoindex.js';
import { SESSIONS_MIGRATIONS } from './sessions.js';
import { TASKS_MIGRATIONS } from './tasks.js';

/**
 * The migrations of each store that has a schema of its own. Stores not listed are created on
 * first use with only `schema_migrations` (their tables belong to the Go foxctl). Each carries
 * PostgreSQL DDL where its SQLite text does not run there (see postgres-ddl.ts for CAS and EVENTS).
 */
export const STORE_MIGRATIONS: Readonly<Record<string, readonly Migration[]>> = {
  JOBS: JOBS_MIGRATIONS,
  CAS: withPostgresDdl('CAS', CAS_MIGRATIONS),
  EVENTS: withPostgresDdl('EVENTS', EVENTS_MIGRATIONS),
  MEMORY: MEMORY_MIGRATIONS,
  CONTEXTVAR: CONTEXTVAR_MIGRATIONS,
  COMPANION: COMPANION_MIGRATIONS,
  SESSIONS: SESSIONS_MIGRATIONS,
  TASKS: TASKS_MIGRATIONS,
  REPOINDEX: REPOINDEX_MIGRATIONS,
};

/** The migrations of a store (empty for stores without a schema of ours). */
export function migrationsFor(store: string): readonly Migration[] {
  return STORE_MIGRATIONS[store] ?? [];
}
