import type { Migration } from '../migrate.js';
import { JOBS_MIGRATIONS } from './jobs.js';

/**
 * The migrations of each store that has a schema of its own. Stores not listed are created on
 * first use with only `schema_migrations` (their tables belong to the Go foxctl).
 */
export const STORE_MIGRATIONS: Readonly<Record<string, readonly Migration[]>> = {
  JOBS: JOBS_MIGRATIONS,
};

/** The migrations of a store (empty for stores without a schema of ours). */
export function migrationsFor(store: string): readonly Migration[] {
  return STORE_MIGRATIONS[store] ?? [];
}
