import fs from 'node:fs';
import type { FoxConfig } from '../config/resolve.js';
import { storeDriverName } from '../db/connections.js';
import { FoxError, isFoxError } from '../errors.js';
import { lookupStore, normalizeStoreName } from '../registry/stores.js';
import { destinationOf, safeEntryPath, storeOfEntry } from './entry-paths.js';
import { isGoManifest, parseComponents } from './manifest.js';
import type { Manifest, RestoreFile, RestoreOptions } from './types.js';

/** Why a file a Go create listed but could not add is skipped. */
export const NOT_ADDED_REASON = 'not in the archive: the Go foxctl could not add it when it made this backup';

/** The store of a manifest file: recorded by us, inferred from the path for Go archives. */
function storeOf(f: Manifest['files'][number]): string | undefined {
  if (f.store !== undefined) return f.store;
  try {
    return storeOfEntry(safeEntryPath(f.path))?.store;
  } catch {
    return undefined;
  }
}

/** The store names of `--store` options (comma lists allowed), canonical; undefined when none given. */
export function selectedStores(opts: RestoreOptions): string[] | undefined {
  return opts.stores?.flatMap((s) => s.split(',')).filter((s) => s.trim() !== '').map((s) => lookupStore(s).name);
}

/**
 * Whether a store's driver decides its file's fate: on a remote driver it is replaced there (with
 * force) and noted as `through`; a driver name that is not valid skips it with the reason, since
 * which copy is the store's cannot be told. False for a store in a local SQLite file.
 */
function remoteDriverOf(config: FoxConfig, store: string, rec: RestoreFile, force: boolean): boolean {
  let def;
  try {
    def = lookupStore(store);
  } catch {
    return false; // Not a registered store: a plain file of the home.
  }
  if (def.keyed || def.location.kind !== 'storage' || def.name === 'CAS') return false;
  try {
    const driver = storeDriverName(config, def);
    if (driver === 'sqlite') return false;
    rec.through = driver;
    // The store's data is on its server now: that is what a restore replaces.
    rec.action = force ? 'would-replace' : 'would-skip';
    if (!force) rec.reason = `store ${store} is on ${driver} (pass --force to replace its tables there)`;
  } catch (err) {
    if (!isFoxError(err, 'INVALID_INPUT')) throw err;
    rec.action = 'would-skip';
    rec.reason = `${err.message}; not restored`;
  }
  return true;
}

/**
 * Decides what happens to each file of the manifest: filtered by components and stores, mapped
 * to its destination, and marked would-create / would-replace (force) / would-skip. Read-only
 * (external) stores are never written.
 */
export function planRestore(config: FoxConfig, manifest: Manifest, opts: RestoreOptions, target: string | undefined): RestoreFile[] {
  const components = parseComponents(opts.components);
  const stores = selectedStores(opts);
  for (const c of components ?? []) {
    if (!manifest.components.includes(c)) throw new FoxError('NOT_FOUND', `the backup has no "${c}" component (it has ${manifest.components.join(', ')})`);
  }
  const out: RestoreFile[] = [];
  for (const f of manifest.files) {
    if (components && !components.includes(f.component)) continue;
    const store = storeOf(f);
    if (stores && (store === undefined || !stores.includes(normalizeStoreName(store)))) continue;
    const destination = destinationOf(config, f.path, target);
    const rec: RestoreFile = { path: safeEntryPath(f.path), destination, component: f.component, size: f.size, action: 'would-create' };
    if (store !== undefined) rec.store = store;
    if (f.checksum === '' && isGoManifest(manifest)) {
      // Go's Create lists a file it failed to add with checksum "": nothing to restore.
      rec.action = 'would-skip';
      rec.reason = NOT_ADDED_REASON;
    } else if (store !== undefined && target === undefined && lookupStore(store).readOnly) {
      rec.action = 'would-skip';
      rec.reason = `store ${store} belongs to another tool and is never written`;
    } else if (store !== undefined && target === undefined && f.path.endsWith('.db') && remoteDriverOf(config, store, rec, opts.force === true)) {
      // Decided by the store's driver.
    } else if (fs.existsSync(destination)) {
      rec.action = opts.force ? 'would-replace' : 'would-skip';
      if (!opts.force) rec.reason = 'exists (pass --force to replace it)';
    }
    out.push(rec);
  }
  for (const s of stores ?? []) {
    if (!out.some((f) => f.store === s)) throw new FoxError('NOT_FOUND', `the backup holds no database of store ${s}`, { subject: `store ${s}` });
  }
  return out;
}
