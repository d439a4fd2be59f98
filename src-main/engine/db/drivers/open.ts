import type { FoxConfig } from '../../config/resolve.js';
import { FoxError } from '../../errors.js';
import { storePath, type StorePathOptions } from '../../registry/paths.js';
import { lookupStore } from '../../registry/stores.js';
import { sqliteSettings, storeDriverName, type DbDriverName } from '../connections.js';
import type { Migration } from '../migrate.js';
import { migrationsFor } from '../migrations/index.js';
import { libsqlStoreSettings, postgresStoreSettings, postgresTargetSettings, targetKind, tursoStoreSettings, tursoTargetSettings } from './settings.js';
import { SqliteStoreDriver } from './sqlite.js';
import type { StoreDriver } from './types.js';

/**
 * An explicit place to open a store at instead of its configured one (`db migrate --target-dsn`):
 * `postgres://`/`postgresql://` opens the postgres driver, `file:`/`libsql://`/`https://`/`http://`
 * the turso driver. `dsn` and `url` are the same thing under two names.
 */
export interface DriverTarget {
  dsn?: string;
  url?: string;
  /** libSQL auth token (else $FOXCTL_TURSO_TOKEN / $TURSO_AUTH_TOKEN). */
  token?: string;
  /** PostgreSQL schema (else $FOXCTL_<STORE>_POSTGRES_SCHEMA, else the store's name). */
  schema?: string;
}

/** Options of openStoreDriver. */
export interface OpenStoreDriverOptions extends StorePathOptions {
  /** Open here instead of where the store's configuration points. */
  target?: DriverTarget;
  /** The migrations `migrate()` applies (default: the store's own, migrationsFor). */
  migrations?: readonly Migration[];
  /** Apply pending migrations before returning (default false). */
  migrate?: boolean;
  /**
   * Open for reading only, as external stores always are: sqlite opens the file read-only (never
   * creating it), postgres creates no schema and sets default_transaction_read_only, writes fail
   * with UNSUPPORTED. For checks such as `db test`.
   */
  readOnly?: boolean;
}

/** The driver a target would use, without opening it. */
export function targetDriverName(target: DriverTarget): DbDriverName {
  const where = target.dsn ?? target.url;
  if (!where) throw new FoxError('INVALID_INPUT', 'the target needs a DSN or URL');
  return targetKind(where, 'the target');
}

/**
 * Opens a store's database through its driver: the configured one (FORMATS.md env chains) or an
 * explicit `target`. External stores open read-only (writes fail with UNSUPPORTED). Keyed stores
 * (REPOINDEX, OBSIDIANINDEX) are configured only as local SQLite files (an explicit target may
 * still name one: it gets one schema or file for the key it copies). Settings errors are INVALID_INPUT
 * naming the variable; connection errors UNAVAILABLE naming the store, secrets masked.
 */
export async function openStoreDriver(config: FoxConfig, storeName: string, opts: OpenStoreDriverOptions = {}): Promise<StoreDriver> {
  const store = lookupStore(storeName);
  const migrations = opts.migrations ?? migrationsFor(store.name);
  const target = opts.target;
  const where = target ? (target.dsn ?? target.url) : undefined;
  if (target && !where) throw new FoxError('INVALID_INPUT', 'the target needs a DSN or URL');
  const driverName: DbDriverName = where ? targetKind(where, 'the target') : storeDriverName(config, store);
  if (driverName !== 'sqlite' && store.keyed && !where) {
    throw new FoxError('UNSUPPORTED', `store ${store.name} is keyed (one database per ${store.name === 'REPOINDEX' ? 'repository' : 'vault'}) and lives only in local SQLite files, not on ${driverName}`, {
      subject: `store ${store.name}`,
    });
  }
  let driver: StoreDriver;
  switch (driverName) {
    case 'sqlite': {
      const file = storePath(config, store, opts);
      driver = new SqliteStoreDriver({ store, file, migrations, readOnly: opts.readOnly === true, ...sqliteSettings(config, store) });
      break;
    }
    case 'turso': {
      const settings = where ? tursoTargetSettings(config, where, target?.token) : tursoStoreSettings(config, store);
      // Each remote driver loads its module (and libSQL / pg) only when a store uses it.
      const { TursoStoreDriver } = await import('./turso.js');
      driver = await TursoStoreDriver.open(settings, store, migrations, opts.readOnly === true);
      break;
    }
    case 'libsql': {
      const { TursoStoreDriver } = await import('./turso.js');
      driver = await TursoStoreDriver.open(libsqlStoreSettings(config, store), store, migrations, opts.readOnly === true, 'libsql');
      break;
    }
    case 'postgres': {
      const settings = where ? postgresTargetSettings(config, store, where, target?.schema) : postgresStoreSettings(config, store);
      const { PostgresStoreDriver } = await import('./postgres.js');
      driver = new PostgresStoreDriver(settings, store, migrations, opts.readOnly === true);
      break;
    }
  }
  if (opts.migrate) {
    try {
      await driver.migrate();
    } catch (err) {
      await driver.close().catch(() => undefined);
      throw err;
    }
  }
  return driver;
}
