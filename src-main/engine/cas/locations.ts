import fs from 'node:fs';
import path from 'node:path';
import { expandPath, type FoxConfig } from '../config/resolve.js';
import { openSqlite } from '../db/sqlite.js';
import { toFoxError, throwIfAborted, type OpOptions } from '../errors.js';
import { storePath } from '../registry/paths.js';
import { lookupStore } from '../registry/stores.js';
import { createFileBackend } from './file-backend.js';
import { CasStore } from './guarded-store.js';
import { mapLimit } from './map-limit.js';
import type { CasStats } from './types.js';

/**
 * Where CAS objects of one home may be. The Go foxctl keeps two stores at once (joshka0/foxctl,
 * internal/storage/cas/config.go LoadConfig and factory.go OpenDefault, commit b748e422e0): its
 * components open a sqlite CAS at `$FOXCTL_CAS_DB_PATH`, default `<home>/storage/cas.db`
 * (FOXCTL_CAS_DRIVER defaults to sqlite there), while its `cas` CLI (cmd/agentctl/cmd/cas.go)
 * and its runtime's output limit use the file store at `paths.cas`. `FOXCTL_CAS_PATH` is the
 * file store of Go components under FOXCTL_CAS_DRIVER=file and the source of their
 * auto-migration into sqlite (FOXCTL_CAS_AUTO_MIGRATE, default true).
 */
export interface CasPlace {
  backend: string;
  location: string;
  /** Who reads and writes it, for people. */
  used_by: string[];
  /** The backend this engine is configured for. */
  active: boolean;
}

/** A place with what it holds. */
export interface CasLocation extends CasPlace, CasStats {
  /** Whether anything is there (a missing place holds nothing and is not created by looking). */
  exists: boolean;
  /** Why its totals could not be read (unreadable, not a CAS); totals are then 0. */
  error: string | null;
  /**
   * Objects here that the active store lacks (what a merge would copy; Go's CheckMigration
   * PendingMigration); 0 for the active store, null when there are too many to check.
   */
  pending: number | null;
}

/** Places with more objects than this are not compared object by object. */
const MAX_COMPARED = 50_000;

/** Go's default sqlite CAS of Go components: `$FOXCTL_CAS_DB_PATH`, else `<home>/storage/cas.db`. */
export function goSqliteCasPath(config: FoxConfig): string {
  const raw = config.env.FOXCTL_CAS_DB_PATH?.trim();
  return raw ? expandPath(raw, config.home, config.env) : path.join(config.home, 'storage', 'cas.db');
}

/** Every place of the home, the active backend first, each once. */
export function casPlaces(config: FoxConfig, active: { name: string; location: string }): CasPlace[] {
  const places: CasPlace[] = [];
  const add = (backend: string, location: string, who: string, isActive = false): void => {
    const found = places.find((p) => p.backend === backend && path.resolve(p.location) === path.resolve(location));
    if (found) {
      if (!found.used_by.includes(who)) found.used_by.push(who);
      found.active ||= isActive;
    } else places.push({ backend, location, used_by: [who], active: isActive });
  };
  add(active.name, active.location, `Storage Studio (cas.driver ${active.name})`, true);
  add('file', config.casDir, 'the Go foxctl cas CLI and its output limit (paths.cas)');
  const goFile = config.env.FOXCTL_CAS_PATH?.trim();
  if (goFile) add('file', expandPath(goFile, config.home, config.env), 'Go components with FOXCTL_CAS_DRIVER=file; their auto-migration source ($FOXCTL_CAS_PATH)');
  add('sqlite', goSqliteCasPath(config), 'Go components (cas.OpenDefault: sqlite by default)');
  add('sqlite', storePath(config, lookupStore('CAS')), 'Storage Studio with cas.driver sqlite ($FOXCTL_CAS_DB_PATH)');
  return places;
}

const EMPTY: CasStats = { objects: 0, bytes: 0, pinned: 0, pinned_bytes: 0 };

/** Totals of a file store, without creating it: no `sha256/` directory means nothing there. */
async function fileTotals(dir: string, opts: OpOptions): Promise<{ exists: boolean; stats: CasStats; digests: string[] | null }> {
  const st = await fs.promises.stat(path.join(dir, 'sha256')).catch(() => null);
  if (!st?.isDirectory()) return { exists: false, stats: EMPTY, digests: [] };
  const store = new CasStore(createFileBackend({ dir }));
  try {
    const { backend: _b, location: _l, ...stats } = await store.stats(opts);
    const digests = stats.objects > 0 && stats.objects <= MAX_COMPARED ? await store.names(null, MAX_COMPARED, opts) : stats.objects === 0 ? [] : null;
    return { exists: true, stats, digests };
  } finally {
    await store.close();
  }
}

/**
 * Totals of a sqlite CAS through a read-only connection: looking neither creates the file nor
 * migrates a Go database's schema. A database without `cas_objects` holds nothing.
 */
function sqliteTotals(file: string): { exists: boolean; stats: CasStats; digests: string[] | null } {
  // stat() opens no descriptor, so it cannot drop another connection's locks.
  if (!fs.existsSync(file)) return { exists: false, stats: EMPTY, digests: [] };
  const db = openSqlite(file, { readonly: true, subject: `cas sqlite (${file})` });
  try {
    const has = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'cas_objects'").get();
    if (!has) return { exists: true, stats: EMPTY, digests: [] };
    const r = db
      .prepare('SELECT COUNT(*) AS objects, COALESCE(SUM(size), 0) AS bytes, COALESCE(SUM(pinned = 1), 0) AS pinned, COALESCE(SUM(CASE WHEN pinned = 1 THEN size ELSE 0 END), 0) AS pinned_bytes FROM cas_objects')
      .get() as CasStats;
    const objects = Number(r.objects);
    const digests = objects <= MAX_COMPARED ? (db.prepare('SELECT digest FROM cas_objects').pluck().all() as string[]) : null;
    return { exists: true, stats: { objects, bytes: Number(r.bytes), pinned: Number(r.pinned), pinned_bytes: Number(r.pinned_bytes) }, digests };
  } finally {
    db.close();
  }
}

/** How many of `digests` the store lacks (a malformed name counts as lacking: a merge would report it). */
async function missingFrom(store: CasStore, digests: string[], opts: OpOptions): Promise<number> {
  const has = await mapLimit(digests, 16, (d) => store.has(d, opts).catch(() => false));
  return has.filter((h) => !h).length;
}

/** What casLocations needs from the engine. */
export interface CasLocationsHost {
  config: FoxConfig;
  cas: { store: CasStore };
}

/**
 * Every place of the home with its objects, bytes and pins: the active backend (through it),
 * the others read without being created or changed. A place that cannot be read says why and
 * does not hide the others.
 */
export async function casLocations(host: CasLocationsHost, opts: OpOptions = {}): Promise<CasLocation[]> {
  const store = host.cas.store;
  const out: CasLocation[] = [];
  for (const p of casPlaces(host.config, { name: store.backend.name, location: store.backend.location })) {
    throwIfAborted(opts.signal, 'cas locations');
    try {
      if (p.active) {
        const { backend: _b, location: _l, ...stats } = await store.stats(opts);
        out.push({ ...p, ...stats, exists: true, error: null, pending: 0 });
        continue;
      }
      const t = p.backend === 'file' ? await fileTotals(p.location, opts) : sqliteTotals(p.location);
      out.push({ ...p, ...t.stats, exists: t.exists, error: null, pending: t.digests === null ? null : await missingFrom(store, t.digests, opts) });
    } catch (err) {
      if (opts.signal?.aborted) throw err;
      out.push({ ...p, ...EMPTY, exists: true, error: toFoxError(err, `reading ${p.location}`).message, pending: null });
    }
  }
  return out;
}
