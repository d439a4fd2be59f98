import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FoxConfig } from '../config/resolve.js';
import type { DbInspector } from '../db/inspect/inspector.js';
import type { TableInfo } from '../db/inspect/tables.js';
import type { QueryCell } from '../db/query/run-query.js';
import { FoxError, throwIfAborted, toFoxError, type OpOptions } from '../errors.js';
import { normalizeStoreName } from '../registry/stores.js';
import { assertScanUsable } from './archive-reader.js';
import { resolveBackupSource, type BackupSource } from './backup-source.js';
import { materializeEntry } from './browse-materialize.js';
import { readManifest } from './catalog.js';
import { storeOfEntry } from './entry-paths.js';
import { snapshotAsManifest } from './repo/snapshot-as-manifest.js';
import { readSnapshot } from './repo/snapshot-file.js';
import type { Manifest } from './types.js';

/** One database a backup holds. */
export interface BrowseStore {
  store: string;
  /** The entry path, e.g. `storage/memory.db` (names one file of a keyed store). */
  path: string;
  size: number;
}

/** What a backup holds that can be browsed. */
export interface BrowseBackup {
  name: string;
  format: 'tar' | 'snapshot';
  created_at: string;
  stores: BrowseStore[];
}

/** The tables of one database of a backup. */
export interface BrowseTables extends BrowseStore {
  name: string;
  tables: TableInfo[];
}

/** A page of one table of one database of a backup. */
export interface BrowseRows extends BrowseStore {
  name: string;
  table: string;
  offset: number;
  limit: number;
  columns: string[];
  rows: QueryCell[][];
  /** More rows follow this page. */
  truncated: boolean;
}

/** Materialized databases kept at once: each may be as large as the store. */
const MAX_CACHED = 4;

/**
 * Reads a backup's stores, tables and rows without restoring anything: the one database asked
 * for is materialized (checked) into a private temp directory, kept there for the session per
 * (backup file, entry), and read through the read-only inspector. close() removes it all.
 */
export class BackupBrowser {
  private dir: string | undefined;
  private readonly cache = new Map<string, Promise<string>>();
  private seq = 0;

  constructor(
    private readonly config: FoxConfig,
    private readonly inspector: () => DbInspector,
  ) {}

  /** The databases a backup holds, by store. */
  async stores(name: string, opts: OpOptions = {}): Promise<BrowseBackup> {
    const source = resolveBackupSource(this.config, name);
    const manifest = await this.manifestOf(source, opts);
    return { name: source.name, format: source.kind, created_at: manifest.created_at, stores: databasesOf(manifest) };
  }

  /** The tables of one database of a backup, with row counts. */
  async tables(name: string, store: string, opts: OpOptions = {}): Promise<BrowseTables> {
    const { source, db, file } = await this.open(name, store, opts);
    return { name: source.name, ...db, tables: await this.inspector().tables(file, opts.signal ? { signal: opts.signal } : {}) };
  }

  /** A page of one table's rows (rowid order where it has one). */
  async rows(name: string, store: string, table: string, opts: OpOptions & { limit?: number; offset?: number } = {}): Promise<BrowseRows> {
    const limit = opts.limit ?? 100;
    const offset = opts.offset ?? 0;
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new FoxError('INVALID_INPUT', `limit must be a whole number from 1 to 10000 (got ${limit})`);
    const { source, db, file } = await this.open(name, store, opts);
    // One row more than the page says whether another page follows.
    const page = await this.inspector().browse(file, table, { limit: limit + 1, offset, ...(opts.signal ? { signal: opts.signal } : {}) });
    return { name: source.name, ...db, table, offset, limit, columns: page.columns, rows: page.rows.slice(0, limit), truncated: page.rows.length > limit };
  }

  /** Removes every materialized database. */
  close(): void {
    this.cache.clear();
    if (this.dir) fs.rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }

  private async manifestOf(source: BackupSource, opts: OpOptions): Promise<Manifest> {
    throwIfAborted(opts.signal, 'backup browse');
    if (source.kind === 'snapshot') return snapshotAsManifest(await readSnapshot(source.repo, source.name));
    const { manifest, problems } = await readManifest(source.path, opts.signal);
    return assertScanUsable({ entries: [], manifest, problems, archiveSize: 0 }, source.path);
  }

  /** The backup, the database `store` names in it, and its materialized file. */
  private async open(name: string, store: string, opts: OpOptions): Promise<{ source: BackupSource; db: BrowseStore; file: string }> {
    const source = resolveBackupSource(this.config, name);
    const db = pickDatabase(source.name, databasesOf(await this.manifestOf(source, opts)), store);
    const backupFile = source.kind === 'tar' ? source.path : source.file;
    let st: fs.Stats;
    try {
      st = fs.statSync(backupFile);
    } catch (err) {
      throw toFoxError(err, `backup ${source.name}`);
    }
    // A backup file replaced under the same name (a new snapshot, a pulled archive) is read again.
    const key = `${backupFile}\0${st.ino}:${st.size}:${st.mtimeMs}\0${db.path}`;
    let p = this.cache.get(key);
    if (!p) {
      this.dir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'foxctl-browse-'));
      const dest = path.join(this.dir, `${++this.seq}-${path.basename(db.path)}`);
      p = materializeEntry(source, db.path, dest, opts).then(() => dest);
      this.cache.set(key, p);
      p.catch(() => this.cache.delete(key));
      this.evict();
    }
    return { source, db, file: await p };
  }

  /** Drops the oldest materialized files beyond MAX_CACHED (a query reading one keeps its open file). */
  private evict(): void {
    while (this.cache.size > MAX_CACHED) {
      const [key, p] = this.cache.entries().next().value!;
      this.cache.delete(key);
      void p.then((f) => fs.rmSync(f, { force: true })).catch(() => undefined);
    }
  }
}

/** The databases of a manifest: files under a store's place ending in .db. */
function databasesOf(manifest: Manifest): BrowseStore[] {
  const out: BrowseStore[] = [];
  for (const f of manifest.files) {
    if (!f.path.endsWith('.db') || (f.checksum === '' && f.store === undefined)) continue;
    let store = f.store;
    try {
      store ??= storeOfEntry(f.path)?.store;
    } catch {
      continue;
    }
    if (store !== undefined) out.push({ store, path: f.path, size: f.size });
  }
  return out.sort((a, b) => (a.store === b.store ? (a.path < b.path ? -1 : 1) : a.store < b.store ? -1 : 1));
}

/** The database a user named by store (case-insensitive) or entry path; INVALID_INPUT when a store has several. */
function pickDatabase(name: string, dbs: BrowseStore[], wanted: string): BrowseStore {
  const w = wanted.trim();
  const byPath = dbs.find((d) => d.path === w);
  if (byPath) return byPath;
  const upper = normalizeStoreName(w);
  const matches = dbs.filter((d) => d.store === upper);
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) throw new FoxError('INVALID_INPUT', `backup ${name} holds ${matches.length} databases of store ${upper}: name one by path (${matches.map((d) => d.path).join(', ')})`);
  throw new FoxError('NOT_FOUND', `backup ${name} holds no database of store ${w} (it holds ${dbs.map((d) => d.store).join(', ') || 'none'})`, { subject: `store ${w}` });
}
