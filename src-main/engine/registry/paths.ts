import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { FoxConfig } from '../config/resolve.js';
import { expandPath } from '../config/resolve.js';
import { FoxError } from '../errors.js';
import type { StoreDef } from './stores.js';

/**
 * The REPOINDEX key of a repository root: its basename reduced to ASCII letters and digits
 * (or `repo` when nothing is left), `-repoindex-`, and the first 8 bytes of SHA-256 of the
 * absolute root as 16 lower-case hex digits — as the Go foxctl names them.
 */
export function repoIndexKey(repoRoot: string): string {
  const abs = path.resolve(repoRoot);
  const base = path.basename(abs).replace(/[^A-Za-z0-9]/g, '') || 'repo';
  const hash = createHash('sha256').update(abs, 'utf8').digest('hex').slice(0, 16);
  return `${base}-repoindex-${hash}`;
}

/** The directory holding REPOINDEX databases: `FOXCTL_REPOINDEX_DB_DIR`, else `<root>/repoindex`. */
export function repoIndexDir(config: FoxConfig): string {
  const dir = config.env.FOXCTL_REPOINDEX_DB_DIR;
  return dir && dir.trim() ? expandPath(dir, config.home, config.env) : path.join(config.storageRoot, 'repoindex');
}

/** What selects the file of a keyed store. */
export interface StorePathOptions {
  /** REPOINDEX: the repository root the index belongs to. */
  repo?: string;
  /** REPOINDEX or OBSIDIANINDEX: the key itself (as found on disk). */
  key?: string;
}

const KEY_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * The SQLite file of a store: `FOXCTL_<STORE>_DB_PATH` when set, else its place under the
 * storage root (or the observability dir for EVENTS). Keyed stores need a repo or a key.
 */
export function storePath(config: FoxConfig, store: StoreDef, opts: StorePathOptions = {}): string {
  const override = config.env[`FOXCTL_${store.name}_DB_PATH`];
  if (override && override.trim() && !store.keyed) return expandPath(override, config.home, config.env);
  const loc = store.location;
  switch (loc.kind) {
    case 'storage':
      return path.join(config.storageRoot, loc.file);
    case 'observability':
      return path.join(config.obsDir, loc.file);
    case 'repoindex': {
      const key = opts.key ?? (opts.repo !== undefined ? repoIndexKey(opts.repo) : undefined);
      if (key === undefined) {
        throw new FoxError('INVALID_INPUT', 'store REPOINDEX needs a repository: pass --repo DIR', { subject: 'store REPOINDEX' });
      }
      if (!KEY_RE.test(key)) throw new FoxError('INVALID_INPUT', `invalid REPOINDEX key "${key}"`, { subject: 'store REPOINDEX' });
      return path.join(repoIndexDir(config), `${key}.db`);
    }
    case 'obsidianindex': {
      if (opts.key === undefined) {
        throw new FoxError('INVALID_INPUT', 'store OBSIDIANINDEX needs a key (the part after obsidianindex-)', { subject: 'store OBSIDIANINDEX' });
      }
      if (!KEY_RE.test(opts.key)) throw new FoxError('INVALID_INPUT', `invalid OBSIDIANINDEX key "${opts.key}"`, { subject: 'store OBSIDIANINDEX' });
      return path.join(config.storageRoot, `obsidianindex-${opts.key}.db`);
    }
  }
}

/** The keys of a keyed store's databases present on disk (e.g. every repoindex/*.db). */
export function listStoreKeys(config: FoxConfig, store: StoreDef): string[] {
  const read = (dir: string): string[] => {
    try {
      return fs.readdirSync(dir);
    } catch {
      return [];
    }
  };
  if (store.location.kind === 'repoindex') {
    return read(repoIndexDir(config))
      .filter((f) => f.endsWith('.db'))
      .map((f) => f.slice(0, -3))
      .sort();
  }
  if (store.location.kind === 'obsidianindex') {
    return read(config.storageRoot)
      .filter((f) => f.startsWith('obsidianindex-') && f.endsWith('.db'))
      .map((f) => f.slice('obsidianindex-'.length, -3))
      .sort();
  }
  return [];
}
