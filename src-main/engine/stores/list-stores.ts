import type { FoxConfig } from '../config/resolve.js';
import { storeDriverName } from '../db/connections.js';
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
  if (base.driver !== 'sqlite') return base;
  if (store.keyed && key === null) {
    base.path = store.location.kind === 'repoindex' ? `${repoIndexDir(config)}/<key>.db` : `${config.storageRoot}/obsidianindex-<key>.db`;
    return base;
  }
  const file = storePath(config, store, key === null ? {} : { key });
  const size = sqliteFileSize(file);
  Object.assign(base, { path: file, exists: size.exists, size_bytes: size.bytes, wal_bytes: size.walBytes });
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
