import fs from 'node:fs';
import path from 'node:path';
import type { FoxConfig } from '../../config/resolve.js';
import { FoxError } from '../../errors.js';
import { lookupStore, type StoreDef } from '../../registry/stores.js';
import { storeDriverName } from '../connections.js';
import { openStoreDriver } from '../drivers/open.js';
import { libsqlStoreSettings, tursoStoreSettings } from '../drivers/settings.js';
import { localFileOfUrl } from '../drivers/file-url.js';
import type { QueryHost } from '../query/query-host.js';
import { LibsqlInspection } from './libsql-inspection.js';
import { PostgresInspection } from './postgres-inspection.js';
import type { StoreInspection } from './store-inspection.js';
import { looksLikePath } from './target.js';

/**
 * The store a target names when that store is on a driver other than sqlite, else null (a path,
 * a SQLite store, or a name that is no store: the file-based inspector answers those). An unknown
 * driver name is an error here as everywhere.
 */
export function remoteStoreOf(config: FoxConfig, target: string, opts: { repo?: string; key?: string } = {}): StoreDef | null {
  const text = target.trim();
  if (text.length === 0 || (looksLikePath(text) && opts.repo === undefined && opts.key === undefined)) return null;
  let store: StoreDef;
  try {
    store = lookupStore(text);
  } catch {
    return null;
  }
  return storeDriverName(config, store) === 'sqlite' ? null : store;
}

/**
 * Opens a store's driver read-only (no schema or file is created) and its inspection. A local
 * libSQL file that does not exist is NOT_FOUND, as a missing SQLite store is: looking never creates it.
 */
export async function openInspection(config: FoxConfig, store: StoreDef, host?: QueryHost): Promise<{ inspection: StoreInspection; close(): Promise<void> }> {
  const driverName = storeDriverName(config, store);
  if (driverName === 'turso' || driverName === 'libsql') {
    const s = driverName === 'turso' ? tursoStoreSettings(config, store) : libsqlStoreSettings(config, store);
    if (s.url.startsWith('file:') && !s.replicaPath) {
      const file = path.resolve(localFileOfUrl(s.url));
      // A stat, not an open: no descriptor of a database file is opened or closed here.
      if (!fs.existsSync(file)) {
        throw new FoxError('NOT_FOUND', `store ${store.name} has no database yet at ${s.location} (run foxctl init to create the stores)`, { subject: `store ${store.name}` });
      }
    }
  }
  const driver = await openStoreDriver(config, store.name, { readOnly: true });
  try {
    const inspection = driver.dialect === 'postgres' ? new PostgresInspection(driver) : new LibsqlInspection(driver, host);
    return { inspection, close: () => driver.close() };
  } catch (err) {
    await driver.close().catch(() => undefined);
    throw err;
  }
}
