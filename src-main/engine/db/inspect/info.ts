import { throwIfAborted, type OpOptions } from '../../errors.js';
import { schemaVersion } from '../migrate.js';
import { sqliteFileSize } from '../sqlite.js';
import { withReadOnly } from './read.js';
import type { DbTarget } from './target.js';

/** What `db info` shows about one database. */
export interface DbInfo {
  /** The driver that answered: sqlite for files, else the store's (turso, libsql, postgres). */
  driver: string;
  /** The file, or the server's masked location (PostgreSQL: with the schema). */
  path: string;
  store: string | null;
  class: string | null;
  key: string | null;
  /** Main file + -wal + -shm. */
  size_bytes: number;
  wal_bytes: number;
  page_size: number;
  page_count: number;
  freelist_count: number;
  journal_mode: string;
  encoding: string;
  user_version: number;
  /** Highest version in schema_migrations, null when the file has none. */
  schema_version: number | null;
  /** `index_meta.schema_version` of a repoindex database, when present. */
  index_schema_version: string | null;
  tables: number;
  indexes: number;
  views: number;
  triggers: number;
  /** SQLite's version; empty on PostgreSQL. */
  sqlite_version: string;
  /** What answered: "SQLite 3.x", "libSQL (SQLite 3.x)", "PostgreSQL 15.x". */
  server_version: string;
}

/** Reads a database's vital statistics (pragmas and sqlite_schema counts only: instant on any size). */
export async function dbInfo(target: DbTarget, opts: OpOptions = {}): Promise<DbInfo> {
  throwIfAborted(opts.signal, 'db info');
  const size = sqliteFileSize(target.file);
  return withReadOnly(target, (db) => {
    const pragma = <T>(name: string): T => db.pragma(name, { simple: true }) as T;
    const counts = new Map(
      (db.prepare("SELECT type, count(*) AS n FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' GROUP BY type").all() as { type: string; n: number }[]).map(
        (r) => [r.type, r.n],
      ),
    );
    const hasIndexMeta = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'index_meta'").get() !== undefined;
    let indexSchema: string | null = null;
    if (hasIndexMeta) {
      try {
        const row = db.prepare("SELECT value FROM index_meta WHERE key = 'schema_version'").get() as { value: unknown } | undefined;
        indexSchema = row ? String(row.value) : null;
      } catch {
        indexSchema = null; // an index_meta of another shape is not a repoindex: nothing to report
      }
    }
    const sqliteVersion = (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
    return {
      driver: 'sqlite',
      path: target.file,
      store: target.store?.name ?? null,
      class: target.store?.class ?? null,
      key: target.key,
      size_bytes: size.bytes,
      wal_bytes: size.walBytes,
      page_size: pragma<number>('page_size'),
      page_count: pragma<number>('page_count'),
      freelist_count: pragma<number>('freelist_count'),
      journal_mode: pragma<string>('journal_mode'),
      encoding: pragma<string>('encoding'),
      user_version: pragma<number>('user_version'),
      schema_version: schemaVersion(db),
      index_schema_version: indexSchema,
      tables: counts.get('table') ?? 0,
      indexes: counts.get('index') ?? 0,
      views: counts.get('view') ?? 0,
      triggers: counts.get('trigger') ?? 0,
      sqlite_version: sqliteVersion,
      server_version: `SQLite ${sqliteVersion}`,
    };
  });
}
