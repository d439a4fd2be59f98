import fs from 'node:fs';
import path from 'node:path';
import { expandPath, type FoxConfig } from '../../config/resolve.js';
import { FoxError, isFoxError, toFoxError } from '../../errors.js';
import { listStoreKeys, storePath, type StorePathOptions } from '../../registry/paths.js';
import { lookupStore, type StoreDef } from '../../registry/stores.js';
import { sqliteSettings, storeDriverName } from '../connections.js';
import { assertSqliteFile } from '../sqlite.js';

/** A database to inspect: a store of the registry or any SQLite file. */
export interface DbTarget {
  /** Absolute path of the SQLite file. */
  file: string;
  /** The store, when the target named one. */
  store: StoreDef | null;
  /** The key of a keyed store (REPOINDEX, OBSIDIANINDEX). */
  key: string | null;
  /** How errors name it: `store MEMORY (/x/memory.db)` or the path. */
  subject: string;
  /** Busy timeout to use when reading it. */
  busyTimeoutMs: number;
}

const DB_EXT = /\.(db|sqlite|sqlite3|db3)$/i;

/** Whether the text names a file rather than a store (a separator, `~`, `.`, or a database extension). */
export function looksLikePath(target: string): boolean {
  return /[\\/]/.test(target) || target.startsWith('~') || target.startsWith('.') || DB_EXT.test(target);
}

/**
 * Resolves a store name (case-insensitive) or a path to a SQLite file that must exist. Keyed
 * stores need `repo` or `key`; the error lists the keys found on disk. Paths are relative to
 * `cwd` (default: the process's).
 */
export function resolveDbTarget(config: FoxConfig, target: string, opts: StorePathOptions & { cwd?: string } = {}, check: FileCheck = probeFile): DbTarget {
  const text = target.trim();
  if (text.length === 0) throw new FoxError('INVALID_INPUT', 'name a store (e.g. MEMORY) or a path to a .db file');
  const cwd = opts.cwd ?? process.cwd();
  if (looksLikePath(text) && opts.repo === undefined && opts.key === undefined) return fileTarget(expandPath(text, cwd, config.env), check);
  let store: StoreDef;
  try {
    store = lookupStore(text);
  } catch (err) {
    // A bare file name of the current directory still works when it is not a store name.
    const file = path.resolve(cwd, text);
    if (isFoxError(err, 'NOT_FOUND') && check(file)) return fileTarget(file, check);
    throw err;
  }
  const driver = storeDriverName(config, store);
  const storeSubject = `store ${store.name}`;
  if (driver !== 'sqlite') {
    throw new FoxError('UNSUPPORTED', `store ${store.name} uses the ${driver} driver: inspection reads SQLite files only`, { subject: storeSubject });
  }
  if (store.keyed && opts.repo === undefined && opts.key === undefined) {
    const keys = listStoreKeys(config, store);
    const how = store.name === 'REPOINDEX' ? '--repo DIR or --key KEY' : '--key KEY';
    throw new FoxError(
      'INVALID_INPUT',
      `store ${store.name} has one database per key: pass ${how}; ${keys.length ? `keys on disk: ${keys.join(', ')}` : 'none exists yet'}`,
      { subject: storeSubject },
    );
  }
  const file = storePath(config, store, opts);
  const key = store.keyed ? path.basename(file, '.db').replace(/^obsidianindex-/, '') : null;
  const subject = `${storeSubject}${key ? ` [${key}]` : ''} (${file})`;
  if (!check(file, subject)) {
    throw new FoxError('NOT_FOUND', `store ${store.name} has no database yet at ${file} (run foxctl init to create the stores)`, { subject });
  }
  return { file, store, key, subject, busyTimeoutMs: sqliteSettings(config, store).timeoutMs };
}

/** How a target's file is checked: false when it does not exist; throws when it is no database. */
export type FileCheck = (file: string, subject?: string) => boolean;

/** The full check: the file exists and SQLite reads its header and schema (a short read-only open). */
const probeFile: FileCheck = (file, subject) => assertSqliteFile(file, subject);

/**
 * Existence only (one stat, no open): for a caller that opens the file through SQLite right
 * after, which refuses a file that is not a database just as the probe would.
 */
export function fileExists(seen?: (st: fs.Stats) => void): FileCheck {
  return (file, subject = file) => {
    let st: fs.Stats;
    try {
      st = fs.statSync(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw toFoxError(err, subject);
    }
    if (!st.isFile()) throw new FoxError('INVALID_INPUT', `${file} is not a regular file, so not a SQLite database`, { subject });
    seen?.(st);
    return true;
  };
}

function fileTarget(file: string, check: FileCheck): DbTarget {
  if (!check(file)) throw new FoxError('NOT_FOUND', `${file} does not exist`, { subject: file });
  return { file, store: null, key: null, subject: file, busyTimeoutMs: 5000 };
}
