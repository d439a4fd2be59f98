import { readConfigValue } from '../config/edit.js';
import { storeDriverKey } from '../config/keys.js';
import type { FoxConfig } from '../config/resolve.js';
import { FoxError } from '../errors.js';
import { storePath, type StorePathOptions } from '../registry/paths.js';
import { lookupStore, type StoreDef } from '../registry/stores.js';
import { applyMigrations } from './migrate.js';
import { migrationsFor } from './migrations/index.js';
import { openSqlite, type SqliteDb } from './sqlite.js';
import { closeWithoutCheckpoint, onceMoreAfterIoError, registerHolder, shmIdentity } from './sqlite-holders.js';

/** The database drivers a store can use. */
export const DB_DRIVERS = ['sqlite', 'turso', 'postgres', 'libsql'] as const;

/** One of DB_DRIVERS. */
export type DbDriverName = (typeof DB_DRIVERS)[number];

/**
 * The driver of a store: `FOXCTL_<STORE>_DB_DRIVER`, else `FOXCTL_DB_DRIVER` / `db.driver`, else
 * sqlite. An unknown name is an error, never a silent fallback.
 */
export function storeDriverName(config: FoxConfig, store: StoreDef): DbDriverName {
  const variable = `FOXCTL_${store.name}_DB_DRIVER`;
  const perStore = config.env[variable]?.trim();
  const name = (perStore || config.dbDriver).toLowerCase();
  if (!(DB_DRIVERS as readonly string[]).includes(name)) {
    const from = perStore ? perStoreOrigin(config, store, variable, perStore) : 'db.driver';
    throw new FoxError('INVALID_INPUT', `unknown database driver "${name}" for store ${store.name} (from ${from}); valid drivers: ${DB_DRIVERS.join(', ')}`, {
      subject: `store ${store.name}`,
    });
  }
  return name as DbDriverName;
}

/**
 * Where a bad per-store driver name came from, for its error: config.yaml's `stores.<store>.driver`
 * reaches the drivers as the variable, so the file is named when it holds that value.
 */
function perStoreOrigin(config: FoxConfig, store: StoreDef, variable: string, value: string): string {
  const key = storeDriverKey(store.name);
  try {
    if (String(readConfigValue(config.configFile, key) ?? '').trim() === value) return `${key} in ${config.configFile}`;
  } catch {
    // A config.yaml that does not parse is reported on its own; the variable is all we know.
  }
  return `$${variable}`;
}

/** Parses a boolean env value (`true`/`false`/`1`/`0`), or undefined when unset. */
function envBool(config: FoxConfig, variable: string): boolean | undefined {
  const v = config.env[variable]?.trim().toLowerCase();
  if (v === undefined || v === '') return undefined;
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new FoxError('INVALID_INPUT', `$${variable} must be true or false (got "${v}")`);
}

/** The SQLite settings of a store from `FOXCTL_<STORE>_DB_WAL` and `_DB_TIMEOUT`. */
export function sqliteSettings(config: FoxConfig, store: StoreDef): { wal: boolean; timeoutMs: number } {
  const wal = envBool(config, `FOXCTL_${store.name}_DB_WAL`) ?? true;
  const rawTimeout = config.env[`FOXCTL_${store.name}_DB_TIMEOUT`]?.trim();
  const timeoutMs = rawTimeout ? Number(rawTimeout) : 5000;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 0) {
    throw new FoxError('INVALID_INPUT', `$FOXCTL_${store.name}_DB_TIMEOUT must be a whole number of milliseconds (got "${rawTimeout}")`);
  }
  return { wal, timeoutMs };
}

/**
 * The engine's open SQLite connections to stores: one writable connection per file, opened on
 * first use with the store's migrations applied, closed on demand (restore) or at shutdown.
 */
export class StoreConnections {
  private readonly open = new Map<string, { store: StoreDef; db: SqliteDb; shm: string | null; unregister: () => void }>();
  private readonly incidentListeners = new Set<(message: string) => void>();
  private closed = false;

  constructor(private readonly config: FoxConfig) {}

  /** The writable, migrated connection to a store (created on first use). */
  get(name: string, opts: StorePathOptions = {}): SqliteDb {
    if (this.closed) throw new FoxError('UNAVAILABLE', 'the engine is closed');
    const store = lookupStore(name);
    if (store.readOnly) {
      throw new FoxError('UNSUPPORTED', `store ${store.name} is ${store.class}: read-only here, never written`, { subject: `store ${store.name}` });
    }
    const driver = storeDriverName(this.config, store);
    if (driver !== 'sqlite') {
      // The engine's local features (events sync, jobs, the sqlite CAS, inspection) run on synchronous
      // SQLite connections; remote stores are reached through the async drivers (engine/db/drivers).
      throw new FoxError(
        'UNSUPPORTED',
        `store ${store.name} uses the ${driver} driver: the Studio's local features (inspection, events sync, jobs) work on sqlite stores only; ` +
          `check the connection with foxctl db test ${store.name.toLowerCase()}, copy data with foxctl db migrate`,
        { subject: `store ${store.name}` },
      );
    }
    const file = storePath(this.config, store, opts);
    const cached = this.open.get(file);
    if (cached && !this.isDetached(file)) return cached.db;
    if (cached) this.dropCutOff(file);
    const subject = `store ${store.name} (${file})`;
    const db = openSqlite(file, { ...sqliteSettings(this.config, store), subject });
    try {
      applyMigrations(db, `store ${store.name}`, migrationsFor(store.name));
    } catch (err) {
      db.close();
      throw err;
    }
    // A fresh connection of ours that hits an I/O error on this file closes this one first (see
    // retryAfterIoError): the next get() opens a new one.
    const unregister = registerHolder(file, { release: () => (this.isDetached(file) ? this.dropCutOff(file) : this.drop(file)), detached: () => this.isDetached(file) });
    this.open.set(file, { store, db, shm: shmIdentity(file), unregister });
    return db;
  }

  /**
   * Runs `fn` on a store's connection; after a SQLite I/O error the connection is replaced
   * (reset) and `fn` runs once more, and a second failure says so (onceMoreAfterIoError).
   */
  run<T>(name: string, fn: (db: SqliteDb) => T, opts: StorePathOptions = {}): T {
    return onceMoreAfterIoError(() => fn(this.get(name, opts)), () => this.reset(name, opts), `store ${lookupStore(name).name}`);
  }

  /**
   * Closes a store's connection after it failed, without a checkpoint: it may have lost its
   * -wal to another process (closeWithoutCheckpoint). The next get() opens a fresh one.
   */
  reset(name: string, opts: StorePathOptions = {}): void {
    this.drop(storePath(this.config, lookupStore(name), opts));
  }

  /** Subscribes to connection incidents (a connection found cut off and reopened); the engine reports them. */
  onIncident(listener: (message: string) => void): () => void {
    this.incidentListeners.add(listener);
    return () => this.incidentListeners.delete(listener);
  }

  private incident(message: string): void {
    if (this.incidentListeners.size === 0) process.stderr.write(`foxctl: ${message}\n`);
    for (const l of this.incidentListeners) l(message);
  }

  /** Whether the connection to `file` lost its -shm (one stat: cheap enough for every get). */
  private isDetached(file: string): boolean {
    const entry = this.open.get(file);
    return entry !== undefined && entry.shm !== null && shmIdentity(file) !== entry.shm;
  }

  /** Drops a connection that lost its -shm to another process, and says so. */
  private dropCutOff(file: string): void {
    const name = this.open.get(file)?.store.name ?? file;
    this.drop(file);
    this.incident(
      `store ${name} (${file}): this process's connection had lost its -wal and -shm to another process (something in this process closed a ` +
        `descriptor of the file, which drops SQLite's locks); it was closed without a checkpoint and reopened. What it committed since then was not kept.`,
    );
  }

  private drop(file: string): void {
    const entry = this.open.get(file);
    if (!entry) return;
    this.open.delete(file);
    entry.unregister();
    closeWithoutCheckpoint(entry.db, file);
  }

  /** Closes every connection to a store (all keys of a keyed store); true when one was open. */
  closeStore(name: string): boolean {
    const store = lookupStore(name);
    let any = false;
    for (const [file, entry] of this.open) {
      if (entry.store.name === store.name) {
        entry.unregister();
        entry.db.close();
        this.open.delete(file);
        any = true;
      }
    }
    return any;
  }

  /** Closes the connection to one file, if open. */
  closeFile(file: string): boolean {
    const entry = this.open.get(file);
    if (!entry) return false;
    entry.unregister();
    entry.db.close();
    this.open.delete(file);
    return true;
  }

  /** The files with an open connection. */
  openFiles(): string[] {
    return [...this.open.keys()];
  }

  /** Closes everything; later calls fail with UNAVAILABLE. */
  closeAll(): void {
    for (const { db, unregister } of this.open.values()) {
      unregister();
      db.close();
    }
    this.open.clear();
    this.closed = true;
  }
}
