import { FoxError } from '../../errors.js';
import { nowRfc3339 } from '../../util/time.js';
import { migrationChecksum, type Migration, type MigrateResult } from '../migrate.js';
import type { DriverRow } from './types.js';

/** What the async SQLite-dialect migrator needs of a connection (a libSQL client, say). */
export interface AsyncSqliteConn {
  query<T extends DriverRow = DriverRow>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  exec(sql: string): Promise<void>;
  /** Runs `fn` in a write transaction (BEGIN IMMEDIATE): committed when it resolves. */
  writeTx<T>(fn: (tx: { query: AsyncSqliteConn['query']; exec(sql: string): Promise<void> }) => Promise<T>): Promise<T>;
}

interface AppliedRow extends DriverRow {
  version: number;
  name: string;
  checksum: string | null;
}

/** Refuses to go on when an applied migration's text changed (its recorded checksum differs). */
export function checkChecksums(subject: string, migrations: readonly Migration[], applied: readonly AppliedRow[], dialect: 'sqlite' | 'postgres'): void {
  const byVersion = new Map(applied.map((r) => [Number(r.version), r]));
  for (const m of migrations) {
    const row = byVersion.get(m.version);
    const now = migrationChecksum(m, dialect);
    if (row && row.checksum !== null && row.checksum !== now) {
      throw new FoxError(
        'CONFLICT',
        `${subject}: migration ${m.version} (${row.name}) was changed after it was applied (recorded checksum ${row.checksum.slice(0, 12)}…, now ${now.slice(0, 12)}…); ` +
          'refusing to open: restore the original migration or migrate the data by hand',
        { subject },
      );
    }
  }
}

/** Checks that versions increase. */
export function validateMigrations(migrations: readonly Migration[], subject: string): void {
  let last = 0;
  for (const m of migrations) {
    if (!Number.isInteger(m.version) || m.version <= last) {
      throw new FoxError('INVALID_INPUT', `${subject}: migrations must have increasing versions (${m.version} after ${last})`, { subject });
    }
    last = m.version;
  }
}

/**
 * applyMigrations for an async SQLite-dialect connection (libSQL): the same schema_migrations
 * table and checksums as the sqlite path, each migration in its own write transaction that
 * re-reads the table under the lock, so concurrent processes apply each exactly once.
 */
export async function applySqliteDialectMigrations(conn: AsyncSqliteConn, subject: string, migrations: readonly Migration[]): Promise<MigrateResult> {
  validateMigrations(migrations, subject);
  await conn.writeTx(async (tx) => {
    await tx.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL, checksum TEXT)');
    const cols = await tx.query<{ name: string }>("SELECT name FROM pragma_table_info('schema_migrations')");
    if (!cols.some((c) => c.name === 'checksum')) await tx.exec('ALTER TABLE schema_migrations ADD COLUMN checksum TEXT');
  });
  const readApplied = (): Promise<AppliedRow[]> => conn.query<AppliedRow>('SELECT version, name, checksum FROM schema_migrations');
  checkChecksums(subject, migrations, await readApplied(), 'sqlite');
  const applied: number[] = [];
  for (const m of migrations) {
    const did = await conn.writeTx(async (tx) => {
      const exists = await tx.query('SELECT 1 AS x FROM schema_migrations WHERE version = ?', [m.version]);
      if (exists.length > 0) return false;
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migrations (version, name, applied_at, checksum) VALUES (?, ?, ?, ?)', [m.version, m.name, nowRfc3339(), migrationChecksum(m, 'sqlite')]);
      return true;
    });
    if (did) applied.push(m.version);
  }
  const rows = await readApplied();
  checkChecksums(subject, migrations, rows, 'sqlite');
  return { applied, version: rows.reduce((mx, r) => Math.max(mx, Number(r.version)), 0) };
}
