import fs from 'node:fs';
import type { FoxConfig } from '../../config/resolve.js';
import { FoxError } from '../../errors.js';
import { storePath } from '../../registry/paths.js';
import { lookupStore, STORES, type StoreDef } from '../../registry/stores.js';

/** A store chosen for `db migrate`: its file, and why it is (or is not) copied. */
export interface SelectedStore {
  store: StoreDef;
  file: string;
  /** A line about its class (local_only: rebuildable or device-local; observability). */
  note?: string;
  /** Set when the store is listed but not copied (not on disk). */
  skipped_reason?: string;
}

/** Why copying a store of this class deserves a word in the report. */
function classNote(store: StoreDef): string | undefined {
  if (store.class === 'local_only') {
    return store.rebuildable
      ? 'local_only, rebuildable: copied because it was named; it can be rebuilt on the target device instead'
      : 'local_only, device-local: copied because it was named; its state belongs to this device';
  }
  if (store.class === 'observability') return 'observability: copied because it was named; events of this device';
  return undefined;
}

/**
 * The stores to copy, by class (issue 7): without names, every sync_critical and sync_useful store
 * (those not on disk are listed as skipped); named stores of any class but external (read-only,
 * never migrated: UNSUPPORTED) and keyed ones (one database per repository or vault, rebuildable:
 * UNSUPPORTED). A named store with no database file is NOT_FOUND.
 */
export function selectStores(config: FoxConfig, names: readonly string[] | undefined): SelectedStore[] {
  const wanted = (names ?? []).map((n) => n.trim()).filter((n) => n.length > 0);
  if (wanted.length === 0) {
    return STORES.filter((s) => s.class === 'sync_critical' || s.class === 'sync_useful').map((store) => {
      const file = storePath(config, store);
      return fs.existsSync(file) ? { store, file } : { store, file, skipped_reason: `no database file on disk (${file})` };
    });
  }
  const seen = new Set<string>();
  const out: SelectedStore[] = [];
  for (const name of wanted) {
    const store = lookupStore(name);
    if (seen.has(store.name)) continue;
    seen.add(store.name);
    const subject = `store ${store.name}`;
    if (store.class === 'external' || store.readOnly) {
      throw new FoxError('UNSUPPORTED', `store ${store.name} is external (owned by another tool, read-only here): it is never migrated`, { subject });
    }
    if (store.keyed) {
      throw new FoxError('UNSUPPORTED', `store ${store.name} is keyed (one database per ${store.name === 'REPOINDEX' ? 'repository' : 'vault'}) and rebuildable: it is not migrated; rebuild it on the target device`, { subject });
    }
    const file = storePath(config, store);
    if (!fs.existsSync(file)) throw new FoxError('NOT_FOUND', `store ${store.name} has no database file to copy (${file})`, { subject });
    const note = classNote(store);
    out.push(note === undefined ? { store, file } : { store, file, note });
  }
  return out;
}
