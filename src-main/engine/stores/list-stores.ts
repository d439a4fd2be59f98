import type { FoxConfig } from '../config/resolve.js';
import { storeDriverName } from '../db/connections.js';
import { postgresStoreSettings, tursoStoreSettings } from '../db/drivers/settings.js';
import { schemaVersion } from '../db/migrate.js';
import { openSqlite, sqliteFileSize } from '../db/sqlite.js';
import { isFoxError, throwIfAborted, toFoxError, type OpOptions } from '../errors.js';
import { listStoreKeys, repoIndexDir, storePath } from '../registry/paths.js';
import { STORE_CLASSES, STORES, type StoreClass, type StoreDef } from '../registry/stores.js';

/** One row of `stores list`: a store (one per key found on disk for keyed stores). */
export interface StoreStatus {
  name: string;
  class: StoreClass;
  description: string;
  /** sqlite / turso / postgres, or null when the configured driver is invalid (see `error`). */
  driver: string | null;
  /** The key of a keyed store's database, null otherwise. */
  key: string | null;
  keyed: boolean;
  /** The SQLite file (for a keyed store without databases: its pattern); null for remote drivers. */
  path: string | null;
  /**
   * Where the store points, safe to print: the SQLite file, or the turso URL / PostgreSQL DSN with
   * its password or token masked; null when the driver's settings are invalid (see `error`).
   */
  location: string | null;
  /** PostgreSQL: the store's schema; null for other drivers. */
  schema: string | null;
  /** A configuration worth a second look, e.g. a local_only store on a shared remote database. */
  warning: string | null;
  exists: boolean;
  /** Main file + -wal + -shm, 0 when absent. */
  size_bytes: number;
  wal_bytes: number;
  /** Highest applied migration, null when absent or without schema_migrations. */
  schema_version: number | null;
  backed_up_by_default: boolean;
  rebuildable: boolean;
  read_only: boolean;
  /** Why the store could not be read (not SQLite, invalid driver, ...). */
  error: string | null;
}

/**
 * The status of every store of the registry, ordered by class (sync_critical first) and then
 * registry order. Reads each existing file through a read-only connection that is closed at
 * once, so listing never blocks a writer or changes a file.
 */
export async function listStores(config: FoxConfig, opts: OpOptions = {}): Promise<StoreStatus[]> {
  const rows: StoreStatus[] = [];
  const ordered = [...STORES].sort((a, b) => STORE_CLASSES.indexOf(a.class) - STORE_CLASSES.indexOf(b.class));
  for (const store of ordered) {
    throwIfAborted(opts.signal, 'stores list');
    if (!store.keyed) {
      rows.push(statusOf(config, store, null));
      continue;
    }
    const keys = listStoreKeys(config, store);
    if (keys.length === 0) rows.push(statusOf(config, store, null));
    for (const key of keys) rows.push(statusOf(config, store, key));
  }
  return rows;
}

function statusOf(config: FoxConfig, store: StoreDef, key: string | null): StoreStatus {
  const base: StoreStatus = {
    name: store.name,
    class: store.class,
    description: store.description,
    driver: null,
    key,
    keyed: store.keyed,
    path: null,
    location: null,
    schema: null,
    warning: null,
    exists: false,
    size_bytes: 0,
    wal_bytes: 0,
    schema_version: null,
    backed_up_by_default: store.backedUpByDefault,
    rebuildable: store.rebuildable,
    read_only: store.readOnly,
    error: null,
  };
  try {
    base.driver = storeDriverName(config, store);
  } catch (err) {
    return { ...base, error: toFoxError(err).message };
  }
  if (base.driver !== 'sqlite') return remoteStatus(config, store, base);
  if (store.keyed && key === null) {
    base.path = store.location.kind === 'repoindex' ? `${repoIndexDir(config)}/<key>.db` : `${config.storageRoot}/obsidianindex-<key>.db`;
    base.location = base.path;
    return base;
  }
  const file = storePath(config, store, key === null ? {} : { key });
  const size = sqliteFileSize(file);
  Object.assign(base, { path: file, location: file, exists: size.exists, size_bytes: size.bytes, wal_bytes: size.walBytes });
  if (!size.exists) return base;
  try {
    const db = openSqlite(file, { readonly: true, subject: `store ${store.name}` });
    try {
      base.schema_version = schemaVersion(db);
    } finally {
      db.close();
    }
  } catch (err) {
    base.error = isFoxError(err) ? err.message : toFoxError(err, file).message;
  }
  return base;
}

/**
 * A store on turso or postgres: where it points (masked), never connecting (listing stays fast
 * and offline; `foxctl db test STORE` connects). Settings errors go to `error`. A local_only store
 * on a shared server gets a warning: it is device-local or rebuildable and must not be shared.
 */
function remoteStatus(config: FoxConfig, store: StoreDef, base: StoreStatus): StoreStatus {
  if (store.keyed) {
    base.error = `store ${store.name} is keyed and lives only in local SQLite files: the ${base.driver} driver does not apply to it (set FOXCTL_${store.name}_DB_DRIVER=sqlite)`;
    return base;
  }
  let shared: string | null = null;
  try {
    if (base.driver === 'postgres') {
      const s = postgresStoreSettings(config, store);
      base.location = s.location;
      base.schema = s.schema;
      shared = 'a PostgreSQL database';
    } else {
      const s = tursoStoreSettings(config, store);
      base.location = s.replicaPath ? `${s.location} (replica ${s.replicaPath})` : s.location;
      if (!s.url.startsWith('file:')) shared = 'a remote libSQL database';
    }
  } catch (err) {
    base.error = toFoxError(err).message;
    return base;
  }
  if (shared && store.class === 'local_only') {
    const why = store.rebuildable ? 'rebuildable' : 'device-local';
    base.warning = `${store.name} is local_only (${why}) but points at ${shared} other devices may share; keep it on sqlite: FOXCTL_${store.name}_DB_DRIVER=sqlite`;
  }
  return base;
}
