// A large backlog drains faster without the viewer's eight indexes of events.db: with them each
// row updates eight B-trees at places all over them (session, trace, agent... are not in time
// order), and every commit writes those pages again; built once from the table at the end, each
// index costs one sort. Measured on 1,000,000 in-order lines (bench/events): 22.6 s of inserts
// with the indexes; 7.2 s without them plus 8.0 s to build them.
//
// The indexes are only the viewer's speed: no statement names them (no INDEXED BY), so the Go
// tool, sqlite3 and the viewer read correct rows while they are away, only slower. The span_id
// UNIQUE index stays: duplicates are refused by it during the drain as always.
//
// A syncer that drops them holds a lease in studio_event_meta (renewed as it goes); any syncer's
// pass builds missing indexes unless a live lease says another pass is draining a backlog. A pass
// killed mid-drain leaves a lease that runs out, and the next pass anywhere builds them.
import type { SqliteDb } from '../db/sqlite.js';
import { EVENTS_MIGRATIONS } from './schema.js';

/** One index of the viewer: its name and the statement that creates it. */
export interface ViewerIndex {
  name: string;
  sql: string;
}

/**
 * The viewer's indexes, read from schema v4's migration text (one text for both: the migration's
 * checksum is what the stores compare, so it is never rewritten).
 */
export const VIEWER_INDEXES: readonly ViewerIndex[] = (() => {
  const v4 = EVENTS_MIGRATIONS.find((m) => m.name === 'ts_key_indexes');
  if (!v4) throw new Error('events schema: migration ts_key_indexes is missing');
  return v4.sql
    .split('\n')
    .filter((l) => l.startsWith('CREATE INDEX IF NOT EXISTS studio_events_'))
    .map((sql) => ({ name: /^CREATE INDEX IF NOT EXISTS (\S+)/.exec(sql)![1]!, sql: sql.replace(/;\s*$/, '') }));
})();

/** How long a bulk drain's lease lasts without renewal (ms): a killed pass's indexes come back after this. */
export const BULK_LEASE_MS = 60_000;
/** How often a bulk drain renews its lease (ms). */
const RENEW_MS = 10_000;
const LEASE_KEY = 'bulk_index_lease_until';

/** The viewer's indexes that events.db lacks. */
export function missingViewerIndexes(db: SqliteDb): ViewerIndex[] {
  const have = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'foxcular_events'").pluck().all() as string[]));
  return VIEWER_INDEXES.filter((i) => !have.has(i.name));
}

/** Whether a bulk drain (of any process) holds a lease that has not run out at `now`. */
export function bulkLeaseLive(db: SqliteDb, now = Date.now()): boolean {
  const until = db.prepare('SELECT value FROM studio_event_meta WHERE key = ?').pluck().get(LEASE_KEY) as number | undefined;
  return until !== undefined && until > now;
}

/** A bulk drain in progress: renew() as it goes, then finish() (builds the indexes) or abandon(). */
export interface BulkDrain {
  /** Keeps the lease live (cheap: writes at most every RENEW_MS). */
  renew(): void;
  /**
   * Builds the indexes (one statement per turn of the event loop, so the host process serves in
   * between) and gives the lease back. `onIndex` is told each index before it is built.
   */
  finish(onIndex?: (name: string, i: number, n: number) => void): Promise<void>;
  /** Gives the lease back without building: the next pass of any syncer builds what is missing. */
  abandon(): void;
}

/** Takes the lease and drops the viewer's indexes, in one transaction. */
export function startBulkDrain(db: SqliteDb, leaseMs = BULK_LEASE_MS): BulkDrain {
  const setLease = db.prepare('INSERT INTO studio_event_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  const clear = db.prepare('DELETE FROM studio_event_meta WHERE key = ?');
  db.transaction(() => {
    setLease.run(LEASE_KEY, Date.now() + leaseMs);
    for (const i of VIEWER_INDEXES) db.exec(`DROP INDEX IF EXISTS ${i.name}`);
  }).immediate();
  let renewed = Date.now();
  const release = (): void => {
    if (db.open) clear.run(LEASE_KEY);
  };
  return {
    renew: () => {
      const now = Date.now();
      if (now - renewed < RENEW_MS) return;
      renewed = now;
      setLease.run(LEASE_KEY, now + leaseMs);
    },
    finish: async (onIndex) => {
      try {
        await buildViewerIndexes(db, onIndex);
      } finally {
        release();
      }
    },
    abandon: release,
  };
}

/** Creates the viewer's indexes that are missing, one per turn of the event loop; returns how many it made. */
export async function buildViewerIndexes(db: SqliteDb, onIndex?: (name: string, i: number, n: number) => void): Promise<number> {
  const missing = missingViewerIndexes(db);
  for (const [k, i] of missing.entries()) {
    onIndex?.(i.name, k, missing.length);
    db.exec(i.sql);
    if (k < missing.length - 1) await new Promise<void>((r) => setImmediate(r));
  }
  return missing.length;
}

/** A backlog smaller than this drains with the indexes in place (rebuilding costs a sort of the whole table). */
export const BULK_MIN_BYTES = 64 << 20;
/** About what one line of NDJSON holds (bytes), to tell the rows a backlog brings. */
const LINE_BYTES = 400;
/**
 * The largest table (rows, after the drain) whose indexes are rebuilt: each build holds the
 * host's thread for about a second per million rows, on the app's main process too.
 */
export const BULK_MAX_ROWS = 3_000_000;

/**
 * Whether a backlog of `bytes` drains in bulk: at least `minBytes`, at least as many rows as the
 * table holds (so a rebuild never costs more than it saves), not past BULK_MAX_ROWS, and no other
 * bulk drain under way.
 */
export function shouldDrainInBulk(db: SqliteDb, bytes: number, minBytes = BULK_MIN_BYTES): boolean {
  if (bytes < minBytes || bulkLeaseLive(db)) return false;
  const rows = (db.prepare('SELECT max(id) FROM foxcular_events').pluck().get() as number | null) ?? 0;
  const coming = bytes / LINE_BYTES;
  return coming >= rows && rows + coming <= BULK_MAX_ROWS;
}
