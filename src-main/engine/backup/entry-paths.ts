import path from 'node:path';
import type { FoxConfig } from '../config/resolve.js';
import { FoxError } from '../errors.js';
import { storePath } from '../registry/paths.js';
import { lookupStore, STORES } from '../registry/stores.js';
import { isInside } from './fs-util.js';

/**
 * The directories a backup reads, each under a fixed archive prefix. With the default layout the
 * prefix is the directory's path relative to the home, so entries are "relative to the home" as
 * the Go foxctl writes them; a directory configured elsewhere (FOXCTL_STORAGE_ROOT=/tmp/x) keeps
 * its prefix, so an archive never holds `../` paths and restores into whatever the current
 * config says.
 */
export function archiveRoots(config: FoxConfig): { prefix: string; dir: string }[] {
  return [
    { prefix: 'storage', dir: config.storageRoot },
    { prefix: 'cas', dir: config.casDir },
    { prefix: 'jobs', dir: config.jobsDir },
    { prefix: 'observability', dir: config.obsDir },
    { prefix: 'memory', dir: path.join(config.home, 'memory') },
    { prefix: 'sessions', dir: path.join(config.home, 'sessions') },
  ];
}

/**
 * Checks an archive entry name and returns it normalised (posix, no `./`), or throws CORRUPT:
 * absolute paths, drive letters, backslashes, NUL and any `..` segment are refused, so no entry
 * can land outside the directory it is restored into.
 */
export function safeEntryPath(name: string): string {
  const bad = (why: string): never => {
    throw new FoxError('CORRUPT', `unsafe archive entry "${name}": ${why}`, { subject: name });
  };
  if (name.length === 0) bad('empty name');
  if (name.includes('\0')) bad('NUL in the name');
  if (name.includes('\\')) bad('backslash in the name');
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) bad('absolute path');
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) bad('".." climbs out of the restore directory');
  if (parts.length === 0) bad('empty name');
  return parts.join('/');
}

/** The registry store (and key) a database entry belongs to, inferred from its archive path. */
export function storeOfEntry(entryPath: string): { store: string; key?: string } | undefined {
  if (entryPath === 'observability/events.db') return { store: 'EVENTS' };
  if (!entryPath.startsWith('storage/')) return undefined;
  const rest = entryPath.slice('storage/'.length);
  const repo = /^repoindex\/([A-Za-z0-9][A-Za-z0-9._-]*)\.db$/.exec(rest);
  if (repo) return { store: 'REPOINDEX', key: repo[1]! };
  const obs = /^obsidianindex-([A-Za-z0-9][A-Za-z0-9._-]*)\.db$/.exec(rest);
  if (obs) return { store: 'OBSIDIANINDEX', key: obs[1]! };
  const def = STORES.find((s) => s.location.kind === 'storage' && s.location.file === rest);
  return def ? { store: def.name } : undefined;
}

/**
 * Where an entry is restored: under `target` as a home-shaped tree, or (live) at the current
 * config's place for it — a store's file (honouring FOXCTL_<STORE>_DB_PATH), the directory of
 * its prefix, else the home. The result is checked to stay inside its root.
 */
export function destinationOf(config: FoxConfig, entryPath: string, target?: string): string {
  const safe = safeEntryPath(entryPath);
  if (target !== undefined) {
    const dest = path.join(target, ...safe.split('/'));
    if (!isInside(dest, target)) throw new FoxError('CORRUPT', `unsafe archive entry "${entryPath}"`, { subject: entryPath });
    return dest;
  }
  const owner = storeOfEntry(safe);
  if (owner) return storePath(config, lookupStore(owner.store), owner.key === undefined ? {} : { key: owner.key });
  const [first, ...rest] = safe.split('/');
  const root = archiveRoots(config).find((r) => r.prefix === first);
  const base = root && rest.length > 0 ? root.dir : config.home;
  const dest = root && rest.length > 0 ? path.join(root.dir, ...rest) : path.join(config.home, ...safe.split('/'));
  if (!isInside(dest, base)) throw new FoxError('CORRUPT', `unsafe archive entry "${entryPath}"`, { subject: entryPath });
  return dest;
}

/** The archive entry path of a file under a root directory with the given prefix. */
export function entryPathOf(prefix: string, rootDir: string, file: string): string {
  // A file the walk found under rootDir starts with it: no path.relative per file (thousands of CAS objects).
  const rel = file.startsWith(rootDir + path.sep) && !rootDir.endsWith(path.sep) ? file.slice(rootDir.length + 1) : path.relative(rootDir, file);
  return [prefix, ...rel.split(path.sep)].join('/');
}
