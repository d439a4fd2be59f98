import { createHash } from 'node:crypto';
import { FoxError, toFoxError } from '../errors.js';
import { nowRfc3339 } from '../util/time.js';
import type { SqliteDb } from './sqlite.js';

/** One versioned schema change of a store. `sql` may hold several statements. */
export interface Migration {
  version: number;
  name: string;
  /** The SQLite/libSQL text (also used on PostgreSQL when `postgres` is absent). */
  sql: string;
  /** PostgreSQL DDL where the SQLite text does not run there (BLOB, AUTOINCREMENT, INSERT OR IGNORE, ...). */
  postgres?: string;
}

/** The dialects a migration is written for (same values as the drivers' SqlDialect). */
export type MigrationDialect = 'sqlite' | 'postgres';

/** The text of a migration for a dialect: its `postgres` DDL on PostgreSQL when given, else `sql`. */
export function migrationSql(m: Migration, dialect: MigrationDialect = 'sqlite'): string {
  return dialect === 'postgres' && m.postgres !== undefined ? m.postgres : m.sql;
}

/** What applyMigrations did. */
export interface MigrateResult {
  /** Versions applied by this call (empty when another process got there first). */
  applied: number[];
  /** The schema version after the call. */
  version: number;
}

/**
 * The checksum recorded for a migration: SHA-256 of its SQL for the dialect (see migrationSql)
 * with line endings normalised. Each dialect records the checksum of the text it ran.
 */
export function migrationChecksum(m: Migration, dialect: MigrationDialect = 'sqlite'): string {
  return createHash('sha256').update(migrationSql(m, dialect).replace(/\r\n/g, '\n').trim(), 'utf8').digest('hex');
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at TEXT NOT NULL,
  checksum TEXT
)`;

interface AppliedRow {
  version: number;
  name: string;
  checksum: string | null;
}

/** The highest applied migration version, or null when the database has no schema_migrations. */
export function schemaVersion(db: SqliteDb): number | null {
  const t = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'").get();
  if (!t) return null;
  const row = db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number | null };
  return row.v;
}

function validate(migrations: readonly Migration[], subject: string): void {
  let last = 0;
  for (const m of migrations) {
    if (!Number.isInteger(m.version) || m.version <= last) {
      throw new FoxError('INVALID_INPUT', `${subject}: migrations must have increasing versions (${m.version} after ${last})`, { subject });
    }
    last = m.version;
  }
}

/**
 * Applies pending migrations, each in its own `BEGIN IMMEDIATE` transaction, so that processes
 * starting at once apply each exactly once (the loser of the write lock re-reads and skips).
 * An applied migration whose checksum changed is refused with CONFLICT before anything runs.
 * Rows written by the Go foxctl (no checksum) are trusted as they are.
 */
export function applyMigrations(db: SqliteDb, subject: string, migrations: readonly Migration[]): MigrateResult {
  validate(migrations, subject);
  try {
    // Under the write lock from the start (BEGIN IMMEDIATE waits with the busy handler): a read
    // that later upgrades to a write fails at once with SQLITE_BUSY when another process starting
    // on the same new file wrote in between.
    db.transaction(() => {
      db.exec(CREATE_TABLE);
      const cols = db.prepare("SELECT name FROM pragma_table_info('schema_migrations')").all() as { name: string }[];
      if (!cols.some((c) => c.name === 'checksum')) db.exec('ALTER TABLE schema_migrations ADD COLUMN checksum TEXT');
    }).immediate();
  } catch (err) {
    throw toFoxError(err, subject);
  }

  const readApplied = (): Map<number, AppliedRow> =>
    new Map((db.prepare('SELECT version, name, checksum FROM schema_migrations').all() as AppliedRow[]).map((r) => [r.version, r]));

  const checkChecksums = (applied: Map<number, AppliedRow>): void => {
    for (const m of migrations) {
      const row = applied.get(m.version);
      if (row && row.checksum !== null && row.checksum !== migrationChecksum(m)) {
        throw new FoxError(
          'CONFLICT',
          `${subject}: migration ${m.version} (${row.name}) was changed after it was applied ` +
            `(recorded checksum ${row.checksum.slice(0, 12)}…, now ${migrationChecksum(m).slice(0, 12)}…); ` +
            'refusing to open: restore the original migration or migrate the data by hand',
          { subject },
        );
      }
    }
  };

  checkChecksums(readApplied());
  const applied: number[] = [];
  const insert = db.prepare('INSERT INTO schema_migrations (version, name, applied_at, checksum) VALUES (?, ?, ?, ?)');
  for (const m of migrations) {
    const run = db.transaction(() => {
      // Re-read under the write lock: another process may have applied it meanwhile.
      const exists = db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').get(m.version);
      if (exists) return false;
      db.exec(m.sql);
      insert.run(m.version, m.name, nowRfc3339(), migrationChecksum(m));
      return true;
    });
    try {
      if (run.immediate()) applied.push(m.version);
    } catch (err) {
      throw toFoxError(err, `${subject} migration ${m.version} (${m.name})`);
    }
  }
  checkChecksums(readApplied());
  return { applied, version: schemaVersion(db) ?? 0 };
}
