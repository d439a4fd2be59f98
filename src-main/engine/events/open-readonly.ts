import { openSqlite, type SqliteDb } from '../db/sqlite.js';
import { FoxError } from '../errors.js';
import { exportEvents, type ExportFormat, type ExportOptions } from './export.js';
import type { EventFilter } from './filter.js';
import { EventQueries } from './queries.js';
import { listRejects, type RejectPage } from './rejects.js';

/** The tables an events.db may keep its events in, preferred first (wide_events: older Go builds). */
export const EVENT_TABLES = ['foxcular_events', 'wide_events'] as const;

const REQUIRED = ['id', 'span_id', 'trace_id', 'ts', 'operation', 'status'];

/** Query API over any events.db opened read-only; close() when done. */
export interface ReadonlyEvents extends Pick<EventQueries, 'query' | 'count' | 'histogram' | 'facets' | 'trace'> {
  file: string;
  table: string;
  /** Free text uses the FTS5 index (false: a LIKE scan, for files without our index). */
  fts: boolean;
  rejects(opts?: { limit?: number; cursor?: string | null }): Promise<RejectPage>;
  /** Every event matching the filter, written page by page from one read snapshot (export.ts). */
  export(filter: EventFilter, format: ExportFormat, write: (text: string) => Promise<void> | void, opts?: ExportOptions): Promise<{ rows: number }>;
  close(): void;
}

/** Which events table a database has and whether our FTS index covers it. */
export function detectEventsTable(db: SqliteDb, file: string): { table: string; fts: boolean } {
  const names = new Set((db.prepare("SELECT name FROM sqlite_schema WHERE type IN ('table', 'view')").all() as { name: string }[]).map((r) => r.name));
  const table = EVENT_TABLES.find((t) => names.has(t));
  if (!table) throw new FoxError('NOT_FOUND', `${file} has no events table (looked for ${EVENT_TABLES.join(' and ')})`, { subject: file });
  const cols = new Set((db.prepare(`SELECT name FROM pragma_table_info('${table}')`).all() as { name: string }[]).map((r) => r.name));
  const missing = REQUIRED.filter((c) => !cols.has(c));
  if (missing.length > 0) throw new FoxError('UNSUPPORTED', `${file}: table ${table} lacks the column(s) ${missing.join(', ')}`, { subject: file });
  return { table, fts: table === 'foxcular_events' && names.has('studio_events_fts') };
}

/**
 * Opens any events.db read-only (a copy from another machine, a Go-written file). A read-only
 * connection in WAL mode reads a snapshot and never takes the write lock, so it never blocks
 * the syncer or a writer.
 */
export function openEventsReadonly(file: string): ReadonlyEvents {
  const db = openSqlite(file, { readonly: true, subject: `events database ${file}` });
  let closed = false;
  try {
    const { table, fts } = detectEventsTable(db, file);
    const hasRejects = db.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'studio_event_rejects'").get() !== undefined;
    const get = (): SqliteDb => {
      if (closed) throw new FoxError('UNAVAILABLE', `events database ${file} was closed`);
      return db;
    };
    const q = new EventQueries(get, { table, fts }, `events database ${file}`);
    // Exports running on this connection share one read transaction: every page of each comes
    // from the same snapshot, so rows a writer adds meanwhile neither appear nor shift a page.
    let exporting = 0;
    return {
      file,
      table,
      fts,
      query: (f, o) => q.query(f, o),
      count: (f, o) => q.count(f, o),
      histogram: (f, o) => q.histogram(f, o),
      facets: (f, o) => q.facets(f, o),
      trace: (t, o) => q.trace(t, o),
      rejects: async (o) => (hasRejects ? listRejects(get(), o) : { rows: [], next_cursor: null }),
      export: async (f, format, write, o) => {
        if (exporting++ === 0 && !get().inTransaction) db.exec('BEGIN');
        try {
          return await exportEvents(q, f, format, write, o);
        } finally {
          if (--exporting === 0 && !closed && db.inTransaction) db.exec('COMMIT');
        }
      },
      close: () => {
        if (!closed) db.close();
        closed = true;
      },
    };
  } catch (err) {
    db.close();
    throw err;
  }
}
