import fs from 'node:fs';
import path from 'node:path';
import type { FoxConfig } from '../config/resolve.js';
import { assertSqliteFile } from '../db/sqlite.js';
import type { DbDriverName } from '../db/connections.js';
import { isFoxError } from '../errors.js';
import { storePath } from '../registry/paths.js';
import { lookupStore, STORES, type StoreDef } from '../registry/stores.js';
import { archiveRoots, entryPathOf, storeOfEntry } from './entry-paths.js';
import { isInside } from './fs-util.js';
import { remoteStoreSources } from './remote-sources.js';
import type { BackupProblem, Component, SkippedStore } from './types.js';

/** One file to put in an archive: a SQLite database to snapshot, or a plain file to stream. */
export interface Source {
  kind: 'sqlite' | 'file';
  /** Absolute path of the live file. */
  src: string;
  entryPath: string;
  component: Component;
  store?: string;
  /** Size estimate in bytes (a database's file plus its -wal), for progress. */
  size: number;
  mtime: Date;
  /** A store on a server: copied through its driver into a SQLite file, not read from `src`. */
  remote?: { driver: DbDriverName };
}

/** What a create will read, and what it leaves out. */
export interface SourcePlan {
  components: Component[];
  sources: Source[];
  skipped: SkippedStore[];
  warnings: string[];
  /** Registered store files that are not usable SQLite databases (archived as they are). */
  problems?: BackupProblem[];
}

const SIDE_FILE_RE = /-(wal|shm|journal)$/;

/** Walks a directory without following symlinks; skips excluded dirs, dot-named temps and special files. */
function walk(dir: string, exclude: string[], warnings: string[], out: string[] = []): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') warnings.push(`cannot read ${dir}: ${(err as Error).message}`);
    return out;
  }
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = path.join(dir, e.name);
    // Our own temps and staging dirs start with "." and end in .tmp or a pid; never archive them.
    if (e.name.startsWith('.') && (e.name.endsWith('.tmp') || /^\.(staging|verify|rehearse)-/.test(e.name))) continue;
    if (e.isDirectory()) {
      if (!exclude.some((x) => x === p)) walk(p, exclude, warnings, out);
    } else if (e.isFile()) out.push(p);
    else if (e.isSymbolicLink()) warnings.push(`skipped symlink ${p} (links are never archived)`);
    else warnings.push(`skipped special file ${p}`);
  }
  return out;
}

function statOf(file: string): { size: number; mtime: Date } | undefined {
  try {
    const st = fs.statSync(file);
    // Only a database has a -wal (no ENOENT thrown and caught for each of thousands of CAS files).
    const wal = file.endsWith('.db') ? (fs.statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0) : 0;
    return { size: st.size + wal, mtime: st.mtime };
  } catch {
    return undefined;
  }
}

/**
 * A .db file becomes a snapshot when it is SQLite; anything else is copied as it is: a problem
 * when it is a registered store's file (a broken store), a warning for an unregistered file.
 */
function dbSource(file: string, entryPath: string, component: Component, store: string | undefined, notes: { warnings: string[]; problems: BackupProblem[] }): Source | undefined {
  const st = statOf(file);
  if (!st) return undefined;
  let kind: Source['kind'] = 'sqlite';
  try {
    if (!assertSqliteFile(file, store ? `store ${store}` : file)) return undefined;
  } catch (err) {
    // Only a file SQLite refuses to read is copied byte for byte: no connection can hold it, so
    // reading it with plain file calls drops no lock. A store another process keeps locked past
    // the busy timeout is left out and named (the other stores are still backed up); any other
    // error stops the backup.
    if (isFoxError(err, 'UNAVAILABLE') && store) {
      notes.problems.push({ kind: 'store_unavailable', store, path: entryPath, detail: `UNAVAILABLE: ${err.message}` });
      return undefined;
    }
    if (!isFoxError(err, 'CORRUPT')) throw err;
    const why = `${file} is not a usable SQLite database (${err.message}); archived as it is`;
    if (store) notes.problems.push({ kind: 'store', store, path: entryPath, detail: why });
    else notes.warnings.push(why);
    kind = 'file';
  }
  return { kind, src: file, entryPath, component, ...(store ? { store } : {}), size: st.size, mtime: st.mtime };
}

/** Why the class policy leaves a store out, or undefined when it is included. */
function policySkip(def: StoreDef, includeLocalOnly: boolean, casSelected: boolean): string | undefined {
  if (def.class === 'external') return 'external: owned by another tool, never backed up';
  if (def.name === 'CAS' && casSelected) return undefined;
  if (def.class === 'local_only' && !includeLocalOnly) return 'local_only: rebuildable or device-local; include it with --local-only';
  return undefined;
}

/**
 * Lists what a backup of `components` reads. Databases: every store .db under the storage root
 * (and stores moved elsewhere by FOXCTL_<STORE>_DB_PATH) by class policy — sync_critical and
 * sync_useful always, local_only only with includeLocalOnly, external never — plus unregistered
 * .db files (their class is unknown, so they are kept). cas: the file backend's tree (without
 * uploads in progress) and cas.db. memory, sessions: those dirs of the home. jobs: paths.jobs.
 * observability: NDJSON streams and events.db.
 */
export function collectSources(config: FoxConfig, components: Component[], includeLocalOnly: boolean): SourcePlan {
  const warnings: string[] = [];
  const problems: BackupProblem[] = [];
  const notes = { warnings, problems };
  const skipped: SkippedStore[] = [];
  const byEntry = new Map<string, Source>();
  const roots = archiveRoots(config);
  const rootOf = (prefix: string): string => roots.find((r) => r.prefix === prefix)!.dir;
  const others = (dir: string): string[] => [config.backupsDir, ...roots.map((r) => r.dir)].filter((d) => d !== dir && isInside(d, dir));
  const add = (s: Source | undefined): void => {
    if (s) byEntry.set(s.entryPath, s);
  };
  const casSelected = components.includes('cas');

  if (components.includes('databases') || casSelected) {
    const root = config.storageRoot;
    const remote = components.includes('databases')
      ? remoteStoreSources(config, (def) => policySkip(def, includeLocalOnly, casSelected) !== undefined, (entryPath) => fs.existsSync(path.join(root, entryPath.slice('storage/'.length))))
      : undefined;
    if (remote) {
      for (const s of remote.sources) add(s);
      problems.push(...remote.problems);
      warnings.push(...remote.warnings);
    }
    const consider = (file: string, entryPath: string): void => {
      if (remote?.claimed.has(entryPath)) return;
      const owner = storeOfEntry(entryPath);
      if (!owner) {
        if (components.includes('databases')) add(dbSource(file, entryPath, 'databases', undefined, notes));
        return;
      }
      const def = lookupStore(owner.store);
      const component: Component = def.name === 'CAS' ? 'cas' : 'databases';
      if (!components.includes(component)) return;
      const why = policySkip(def, includeLocalOnly, casSelected);
      if (why) skipped.push({ store: def.name, class: def.class, file: entryPath, reason: why });
      else add(dbSource(file, entryPath, component, def.name, notes));
    };
    for (const file of walk(root, others(root), warnings)) {
      if (file.endsWith('.db')) consider(file, entryPathOf('storage', root, file));
    }
    // Stores moved out of the storage root keep their canonical entry path.
    for (const def of STORES) {
      if (def.location.kind !== 'storage' || !config.env[`FOXCTL_${def.name}_DB_PATH`]?.trim()) continue;
      const file = storePath(config, def);
      if (!isInside(file, root) && fs.existsSync(file)) consider(file, `storage/${def.file}`);
    }
  }

  for (const component of ['cas', 'memory', 'sessions', 'jobs', 'observability'] as const) {
    if (!components.includes(component)) continue;
    const prefix = component === 'cas' ? 'cas' : component;
    const dir = rootOf(prefix);
    const exclude = [...others(dir), ...(component === 'cas' ? [path.join(dir, 'tmp')] : [])];
    for (const file of walk(dir, exclude, warnings)) {
      if (SIDE_FILE_RE.test(file)) continue;
      const entryPath = entryPathOf(prefix, dir, file);
      if (file.endsWith('.db')) {
        add(dbSource(file, entryPath, component, storeOfEntry(entryPath)?.store, notes));
        continue;
      }
      const st = statOf(file);
      if (st) add({ kind: 'file', src: file, entryPath, component, size: st.size, mtime: st.mtime });
    }
  }
  const eventsFile = storePath(config, lookupStore('EVENTS'));
  if (components.includes('observability') && !isInside(eventsFile, config.obsDir) && fs.existsSync(eventsFile)) {
    add(dbSource(eventsFile, 'observability/events.db', 'observability', 'EVENTS', notes));
  }
  // Databases first: they are snapshotted together before any plain file is read, and NDJSON
  // streams are read after events.db so they hold at least what its sync offsets point at.
  const sources = [...byEntry.values()].sort((a, b) => (a.kind === b.kind ? (a.entryPath < b.entryPath ? -1 : 1) : a.kind === 'sqlite' ? -1 : 1));
  return { components, sources, skipped, warnings, problems };
}
