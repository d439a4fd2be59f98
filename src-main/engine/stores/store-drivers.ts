import { editConfig, readConfigValue, type ConfigEditChange } from '../config/edit.js';
import { storeDriverKey } from '../config/keys.js';
import type { ConfigValue, Env, FoxConfig } from '../config/resolve.js';
import { DB_DRIVERS, type DbDriverName } from '../db/connections.js';
import { libsqlStoreSettings, postgresStoreSettings, tursoStoreSettings } from '../db/drivers/settings.js';
import { FoxError, toFoxError } from '../errors.js';
import { lookupStore, STORE_CLASSES, STORES, type StoreClass, type StoreDef } from '../registry/stores.js';
import { listStores } from './list-stores.js';

/** Where a store's driver comes from: its env variable, its config key, or the default driver (`db.driver`). */
export type StoreDriverSource = 'env' | 'file' | 'default';

/** One writable store's driver, as the Settings view's "Store drivers" card shows it. */
export interface StoreDriverRow {
  store: string;
  class: StoreClass;
  keyed: boolean;
  /** The effective driver, or null when its value is invalid (see `error`). */
  driver: string | null;
  source: StoreDriverSource;
  /** What decides, for a reader: `$FOXCTL_MEMORY_DB_DRIVER`, `stores.memory.driver`, `db.driver (default)`. */
  from: string;
  /** The value saved in config.yaml (`stores.<store>.driver`), or null. */
  saved: string | null;
  /** The env variable that sets this store's driver and wins over the saved value. */
  envVar: string;
  /** The config key of this store's driver. */
  key: string;
  /** Drivers this store can use (keyed stores: sqlite only). */
  allowed: DbDriverName[];
  /** Where it points (secrets masked), as `stores list` shows it. */
  location: string | null;
  /** A local_only store on a shared remote database (the rule of `stores list`). */
  warning: string | null;
  /** Why the driver or its settings cannot be used. */
  error: string | null;
}

/** Every writable store's driver and the default driver. */
export interface StoreDriversInfo {
  /** `db.driver`: the driver of every store without one of its own. */
  defaultDriver: string;
  /** Where `db.driver` comes from: `default`, `config file`, `$FOXCTL_DB_DRIVER`. */
  defaultFrom: string;
  stores: StoreDriverRow[];
  /** Stores owned by another tool: read-only, no driver to choose. */
  external: string[];
}

const setIn = (env: Env, name: string): string | undefined => {
  const v = env[name]?.trim();
  return v ? v : undefined;
};

/** A short label of where `db.driver` comes from. */
function sourceLabel(v: ConfigValue | undefined): string {
  if (!v || v.source.kind === 'default') return 'default';
  return v.source.kind === 'file' ? 'config file' : `$${v.source.variable}`;
}

/** The value of a store's key in config.yaml, as text (null when absent or the file is unreadable). */
function savedValue(configFile: string, key: string): string | null {
  try {
    const raw = readConfigValue(configFile, key);
    return raw === undefined || raw === null || String(raw).trim() === '' ? null : String(raw).trim();
  } catch {
    return null; // A broken file is reported by the config itself.
  }
}

/**
 * The driver of every writable store, with its source and, like `stores list`, where it points,
 * the local_only warning and settings errors. `config` is the engine's (layered env), `fresh` the
 * config resolved from the real env and the file, `baseEnv` the real environment.
 */
export async function storeDrivers(config: FoxConfig, fresh: FoxConfig, baseEnv: Env): Promise<StoreDriversInfo> {
  const listed = await listStores(config);
  const dflt = fresh.values.find((v) => v.key === 'db.driver');
  const defaultFrom = sourceLabel(dflt);
  const ordered = STORES.filter((s) => !s.readOnly).sort((a, b) => STORE_CLASSES.indexOf(a.class) - STORE_CLASSES.indexOf(b.class));
  const stores = ordered.map((store): StoreDriverRow => {
    const key = storeDriverKey(store.name);
    const envVar = `FOXCTL_${store.name}_DB_DRIVER`;
    const saved = savedValue(fresh.configFile, key);
    const fromEnv = setIn(baseEnv, envVar);
    const source: StoreDriverSource = fromEnv ? 'env' : saved ? 'file' : 'default';
    const from = fromEnv ? `$${envVar}` : saved ? key : `db.driver (${defaultFrom})`;
    const row = listed.find((r) => r.name === store.name);
    return {
      store: store.name,
      class: store.class,
      keyed: store.keyed,
      driver: row?.driver ?? null,
      source,
      from,
      saved,
      envVar,
      key,
      allowed: store.keyed ? ['sqlite'] : [...DB_DRIVERS],
      location: row?.location ?? null,
      warning: row?.warning ?? null,
      error: row?.error ?? null,
    };
  });
  return { defaultDriver: fresh.dbDriver, defaultFrom, stores, external: STORES.filter((s) => s.readOnly).map((s) => s.name) };
}

/** Checks that the settings of a remote driver are there for this store; INVALID_INPUT naming what is missing. */
function checkDriverSettings(config: FoxConfig, store: StoreDef, driver: DbDriverName): void {
  try {
    if (driver === 'postgres') postgresStoreSettings(config, store);
    if (driver === 'turso') tursoStoreSettings(config, store);
    if (driver === 'libsql') libsqlStoreSettings(config, store);
  } catch (err) {
    const form = driver === 'postgres' ? 'the PostgreSQL form (postgres.dsn)' : 'the Turso / libSQL form (turso.url)';
    throw new FoxError('INVALID_INPUT', `${store.name} was not switched to ${driver}: ${toFoxError(err).message}; save ${form} first`, { subject: `store ${store.name}` });
  }
}

/**
 * Checks a store's own driver before it is saved and returns the config edit
 * (`stores.<store>.driver`; null removes it: back to `db.driver`). Refuses unknown stores and
 * drivers, external (read-only) stores, keyed stores on a remote driver, and turso/postgres while
 * their URL/DSN is not saved or set.
 */
export function storeDriverEdit(config: FoxConfig, storeName: string, driver: string | null): { key: string; value: DbDriverName | null } {
  const store = lookupStore(storeName);
  if (store.readOnly) {
    throw new FoxError('UNSUPPORTED', `store ${store.name} is ${store.class}: owned by another tool and read-only here, so it has no driver to choose`, { subject: `store ${store.name}` });
  }
  const key = storeDriverKey(store.name);
  if (driver === null || driver.trim() === '') return { key, value: null };
  const name = driver.trim().toLowerCase();
  if (!(DB_DRIVERS as readonly string[]).includes(name)) {
    throw new FoxError('INVALID_INPUT', `unknown database driver "${driver}" for store ${store.name}; valid drivers: ${DB_DRIVERS.join(', ')}`, { subject: `store ${store.name}` });
  }
  const chosen = name as DbDriverName;
  if (store.keyed && chosen !== 'sqlite') {
    throw new FoxError('UNSUPPORTED', `store ${store.name} is keyed and lives only in local SQLite files: the ${chosen} driver does not apply to it`, { subject: `store ${store.name}` });
  }
  checkDriverSettings(config, store, chosen);
  return { key, value: chosen };
}

/** The store a `stores.<store>.driver` key names, or null for any other key. */
export function storeOfDriverKey(key: string): string | null {
  const m = /^stores\.([^.]+)\.driver$/.exec(key);
  return m ? m[1]!.toUpperCase() : null;
}

/**
 * Saves a store's own driver in config.yaml after storeDriverEdit's checks (nothing is written
 * when one fails). The engine applies it after `reloadSettings()`; `FOXCTL_<STORE>_DB_DRIVER`
 * still wins (`overriddenBy` names it).
 */
export function setStoreDriver(config: FoxConfig, baseEnv: Env, storeName: string, driver: string | null): ConfigEditChange {
  return editConfig(config.configFile, [storeDriverEdit(config, storeName, driver)], { env: baseEnv }).changes[0]!;
}
