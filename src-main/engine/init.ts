import fs from 'node:fs';
import type { Engine } from './engine.js';
import { storeDriverName } from './db/connections.js';
import { openStoreDriver } from './db/drivers/open.js';
import { schemaVersion } from './db/migrate.js';
import { migrationsFor } from './db/migrations/index.js';
import { openSqlite } from './db/sqlite.js';
import { throwIfAborted, toFoxError, type ErrorCode, type OpOptions } from './errors.js';
import { repoIndexDir, storePath } from './registry/paths.js';
import { STORES } from './registry/stores.js';
import { ensureDirSync } from './util/ensure-dir.js';

/** What init did to one store. */
export interface InitStoreResult {
  name: string;
  path: string | null;
  /** created: a new file (or schema); migrated: new migrations applied; ok: already current; skipped / error. */
  status: 'created' | 'migrated' | 'ok' | 'skipped' | 'error';
  /** The store's driver (null when its name is not a driver). */
  driver: string | null;
  /** Where it lives, safe to print: the file, or the URL/DSN with its secret masked and the schema. */
  location: string | null;
  schema_version: number | null;
  /** Why it was skipped or failed. */
  note: string | null;
  /** The error code when it failed. */
  code?: ErrorCode;
}

/** What `foxctl init` did. */
export interface InitResult {
  home: string;
  /** Directories that did not exist and were created. */
  created_dirs: string[];
  stores: InitStoreResult[];
  /** Stores that failed (their error is in `note`). */
  errors: number;
}

/**
 * Creates a foxctl home: its directories and every store that is neither external nor keyed,
 * each migrated through its driver (a remote store's schema or database too). Idempotent: a second run creates nothing. A store that cannot be opened (a file
 * that is not SQLite, a changed migration) is reported and left as it is; the others go on.
 */
export async function initHome(engine: Engine, opts: OpOptions = {}): Promise<InitResult> {
  const c = engine.config;
  const created: string[] = [];
  for (const dir of [c.home, c.storageRoot, repoIndexDir(c), c.casDir, c.cacheDir, c.jobsDir, c.obsDir, c.backupsDir]) {
    if (fs.existsSync(dir)) continue;
    ensureDirSync(dir, `the foxctl home (${dir})`);
    created.push(dir);
  }
  const stores: InitStoreResult[] = [];
  for (const store of STORES) {
    throwIfAborted(opts.signal, 'init');
    if (store.readOnly || store.keyed) continue;
    let file: string | null = null;
    let driver: string | null = null;
    let location: string | null = null;
    try {
      driver = storeDriverName(c, store);
      if (driver !== 'sqlite') {
        // Through its driver: PostgreSQL under the schema's advisory lock, libSQL under its write lock.
        const d = await openStoreDriver(c, store.name);
        try {
          location = d.schema ? `${d.location} schema ${d.schema}` : d.location;
          const { applied, version } = await d.migrate();
          const status = applied.length === 0 ? 'ok' : applied[0] === firstVersion(store.name) ? 'created' : 'migrated';
          stores.push({ name: store.name, path: null, status, schema_version: version, driver, location, note: null });
        } finally {
          await d.close();
        }
        continue;
      }
      file = storePath(c, store);
      location = file;
      const existed = fs.existsSync(file);
      const before = existed ? readVersion(file) : null;
      const db = engine.stores.get(store.name);
      const after = schemaVersion(db);
      const status = !existed ? 'created' : after !== before ? 'migrated' : 'ok';
      stores.push({ name: store.name, path: file, status, schema_version: after, driver, location, note: null });
    } catch (err) {
      const fe = toFoxError(err);
      stores.push({ name: store.name, path: file, status: 'error', schema_version: null, driver, location, note: fe.message, code: fe.code });
    }
  }
  return { home: c.home, created_dirs: created, stores, errors: stores.filter((s) => s.status === 'error').length };
}

/** The first migration of a store: applying it means the store was created now. */
function firstVersion(storeName: string): number | undefined {
  return migrationsFor(storeName)[0]?.version;
}

/** The schema version of an existing store file before migrating (null when unreadable or none). */
function readVersion(file: string): number | null {
  try {
    const db = openSqlite(file, { readonly: true });
    try {
      return schemaVersion(db);
    } finally {
      db.close();
    }
  } catch {
    // Unreadable here means the writable open below fails too, with the error worth reporting.
    return null;
  }
}
