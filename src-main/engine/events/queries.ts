import type { Statement } from 'better-sqlite3';
import type { SqliteDb } from '../db/sqlite.js';
import { FoxError, throwIfAborted, toFoxError, type OpOptions } from '../errors.js';
import { parseRfc3339 } from '../util/time.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { buildWhere, parseTimeBound, type EventFilter, type QueryTarget } from './filter.js';
import { tsFromMs } from './model.js';
import { TS_KEY, tsKeySql } from './ts-key.js';
import { buildTraceTree, type TraceTree } from './trace-tree.js';
import { onceMoreAfterIoError } from '../db/sqlite-holders.js';

/** One row of events.db as the viewer gets it (`data` parsed when it is JSON). */
export interface EventRecord {
  id: number;
  span_id: string;
  trace_id: string;
  parent_id: string | null;
  ts: string;
  service: string;
  version: string | null;
  component: string | null;
  operation: string;
  command: string | null;
  subtype: string | null;
  session_id: string | null;
  agent_id: string | null;
  workspace_id: string | null;
  job_id: string | null;
  status: string;
  duration_ms: number | null;
  error_type: string | null;
  error_code: string | null;
  error_message: string | null;
  retriable: number | null;
  data: unknown;
  created_at: string | null;
}

/** A page of a query: its rows and the cursor of the next page (null on the last). */
export interface EventPage {
  rows: EventRecord[];
  next_cursor: string | null;
}

/** Options of query(). */
export interface QueryOptions extends OpOptions {
  /** Rows per page, 1..1000 (default 100). */
  limit?: number;
  cursor?: string | null;
  /**
   * Rows skipped before the page, in the page's order (not with a cursor): the viewer's jump to
   * the middle of a result. The skipped rows are walked, so a deep offset costs what it skips;
   * the page's next_cursor goes on by keyset from there.
   */
  offset?: number;
  /** Newest first (default) or oldest first. With `text`, by ingest order (id): see textPage. */
  order?: 'asc' | 'desc';
  /**
   * What the rows are ordered by: their time (default) or their duration (longest first with
   * order "desc"; events without one last). No index serves a duration order: each page sorts
   * the filter's matches (a top-N pass, no full sort), so on a million rows a page costs a scan.
   */
  sort?: 'time' | 'duration';
}

/** The deepest offset a page is read at (the viewer jumps to rows of a result up to this one). */
export const MAX_OFFSET = 10_000_000;

/** The sort key of the duration order: events without a duration sort below every real one. */
const DURATION_KEY = 'coalesce(duration_ms, -1)';

/** One bucket of a histogram: [start, end) with its count and error count. */
export interface HistogramBucket {
  start: string;
  end: string;
  count: number;
  errors: number;
}

/** Counts per value of one field. */
export interface Facet {
  field: string;
  values: { value: string | null; count: number }[];
}

/** The fields facets() may count. */
export const FACET_FIELDS = ['operation', 'status', 'command', 'service', 'component', 'subtype', 'session_id', 'agent_id', 'workspace_id', 'error_type', 'error_code'] as const;

const COLUMN_NAMES = ['id', 'span_id', 'trace_id', 'parent_id', 'ts', 'service', 'version', 'component', 'operation', 'command', 'subtype', 'session_id', 'agent_id', 'workspace_id', 'job_id', 'status', 'duration_ms', 'error_type', 'error_code', 'error_message', 'retriable', 'data', 'created_at'];
/**
 * The select list (columns of table alias `t`, if given). `ts` comes back as its instant key, the
 * one form the viewer sorts, pages and shows (a Go row's own zone is not kept in the answer).
 */
const columns = (t = ''): string => COLUMN_NAMES.map((c) => (c === 'ts' ? `${tsKeySql(`${t}ts`)} AS ts` : `${t}${c}`)).join(', ');
const COLUMNS = columns();
/** Epoch milliseconds of the key, truncated (unixepoch's 'subsec' would round to the next second at 59.9996). */
const KEY_MS = `(unixepoch(substr(${TS_KEY}, 1, 19) || 'Z') * 1000 + CAST(substr(${TS_KEY}, 21, 3) AS INTEGER))`;
const MAX_TRACE_SPANS = 10_000;

/** Parses `data` for the viewer; text that is not JSON stays as it is. */
function withData(r: EventRecord): EventRecord {
  if (typeof r.data === 'string') {
    try {
      r.data = JSON.parse(r.data);
    } catch {
      // Not JSON (hand-written row): show it as text.
    }
  }
  return r;
}

/**
 * The viewer's read API over one events.db table (foxcular_events, or the older wide_events):
 * filtered pages with keyset pagination on (ts, id) — never OFFSET, so a deep page costs what the
 * first does — counts, a histogram, facets and a trace tree.
 */
export class EventQueries {
  constructor(
    private readonly db: () => SqliteDb,
    readonly target: QueryTarget,
    private readonly subject: string,
    /** Replaces the connection after a SQLite I/O error (the query then runs once more). */
    private readonly reopen?: () => void,
  ) {}

  private readonly cache = new Map<string, { db: SqliteDb; stmt: Statement }>();

  /** A prepared statement, cached per SQL text (the viewer repeats a few shapes many times). */
  private stmt(db: SqliteDb, sql: string): Statement {
    const hit = this.cache.get(sql);
    if (hit && hit.db === db) return hit.stmt;
    if (this.cache.size >= 200) this.cache.clear();
    const stmt = db.prepare(sql);
    this.cache.set(sql, { db, stmt });
    return stmt;
  }

  private run<T>(signal: AbortSignal | undefined, fn: (db: SqliteDb) => T): Promise<T> {
    try {
      throwIfAborted(signal, 'events query');
      return Promise.resolve(onceMoreAfterIoError(() => fn(this.db()), this.reopen, this.subject));
    } catch (err) {
      return Promise.reject(toFoxError(err, this.subject));
    }
  }

  /** A page of events matching `filter`, newest first unless order is "asc". */
  query(filter: EventFilter = {}, opts: QueryOptions = {}): Promise<EventPage> {
    return this.run(opts.signal, (db) => {
      const limit = opts.limit ?? 100;
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new FoxError('INVALID_INPUT', `limit must be a whole number from 1 to 1000 (got ${limit})`);
      const order = opts.order ?? 'desc';
      if (order !== 'asc' && order !== 'desc') throw new FoxError('INVALID_INPUT', `order must be "asc" or "desc" (got ${String(order)})`);
      const sort = opts.sort ?? 'time';
      if (sort !== 'time' && sort !== 'duration') throw new FoxError('INVALID_INPUT', `sort must be "time" or "duration" (got ${String(sort)})`);
      const offset = opts.offset ?? 0;
      if (!Number.isInteger(offset) || offset < 0 || offset > MAX_OFFSET) throw new FoxError('INVALID_INPUT', `offset must be a whole number from 0 to ${MAX_OFFSET} (got ${offset})`);
      if (offset > 0 && opts.cursor) throw new FoxError('INVALID_INPUT', 'pass an offset or a cursor, not both');
      if (sort === 'duration') return this.durationPage(db, filter, limit, order, opts.cursor ?? null, offset);
      if (filter.text && this.target.fts) return this.textPage(db, filter, limit, order, opts.cursor ?? null, offset);
      const key = opts.cursor ? decodeCursor(opts.cursor, order) : null;
      let f = filter;
      let sqlKey = '';
      const params: unknown[] = [];
      if (key) {
        // The cursor bounds ts on the side the page moves towards. Give SQLite that bound alone
        // (ts <= cursor, ties by id) rather than next to the filter's own bound on that side,
        // so the index range starts at the cursor instead of scanning from the range's end.
        const now = Date.now();
        const side = order === 'desc' ? 'until' : 'since';
        const bound = filter[side] === undefined || filter[side] === null ? null : parseTimeBound(filter[side], side, now);
        const cursorIsTighter = bound === null || (order === 'desc' ? key.ts < bound : key.ts >= bound);
        if (cursorIsTighter) f = { ...filter, [side]: undefined };
        sqlKey = order === 'desc' ? ` AND ${TS_KEY} <= ? AND (${TS_KEY} < ? OR id < ?)` : ` AND ${TS_KEY} >= ? AND (${TS_KEY} > ? OR id > ?)`;
        params.push(key.ts, key.ts, key.id);
      }
      const w = buildWhere(f, this.target);
      const dir = order === 'desc' ? 'DESC' : 'ASC';
      const sql = `SELECT ${COLUMNS} FROM ${this.target.table} WHERE ${w.sql}${sqlKey} ORDER BY ${TS_KEY} ${dir}, id ${dir} LIMIT ? OFFSET ?`;
      const rows = this.stmt(db, sql).all(...w.params, ...params, limit + 1, offset) as EventRecord[];
      const more = rows.length > limit;
      if (more) rows.length = limit;
      const last = rows[rows.length - 1];
      return { rows: rows.map(withData), next_cursor: more && last ? encodeCursor({ ts: last.ts, id: last.id }, order) : null };
    });
  }

  /**
   * A page in duration order, ties by id; the cursor is on (duration, id). Free text narrows
   * through the FTS index (buildWhere's `id IN (...)`) like any other filter.
   */
  private durationPage(db: SqliteDb, filter: EventFilter, limit: number, order: 'asc' | 'desc', cursor: string | null, offset: number): EventPage {
    const kind = `duration-${order}`;
    let sqlKey = '';
    const params: unknown[] = [];
    if (cursor) {
      const key = decodeCursor(cursor, kind);
      const d = Number(key.ts);
      if (key.ts === '' || !Number.isFinite(d)) throw new FoxError('INVALID_INPUT', 'invalid events cursor: it is not a cursor returned by a duration-sorted query', { subject: 'events query' });
      const [lt, gt] = order === 'desc' ? ['<', '<'] : ['>', '>'];
      sqlKey = ` AND (${DURATION_KEY} ${lt} ? OR (${DURATION_KEY} = ? AND id ${gt} ?))`;
      params.push(d, d, key.id);
    }
    const w = buildWhere(filter, this.target);
    const dir = order === 'desc' ? 'DESC' : 'ASC';
    const sql = `SELECT ${COLUMNS}, ${DURATION_KEY} AS sort_key FROM ${this.target.table} WHERE ${w.sql}${sqlKey} ORDER BY ${DURATION_KEY} ${dir}, id ${dir} LIMIT ? OFFSET ?`;
    const rows = this.stmt(db, sql).all(...w.params, ...params, limit + 1, offset) as (EventRecord & { sort_key?: number })[];
    const more = rows.length > limit;
    if (more) rows.length = limit;
    const last = rows[rows.length - 1];
    const next = more && last ? encodeCursor({ ts: String(last.sort_key), id: last.id }, kind) : null;
    for (const r of rows) delete r.sort_key;
    return { rows: rows.map(withData), next_cursor: next };
  }

  /**
   * A page of a free-text query. FTS5 hands matches back in rowid order and stops at the LIMIT,
   * so the first page costs the same for a word in ten rows or in a million; sorting by ts would
   * first fetch and sort every match. So text results come newest-ingested first (id order),
   * which is time order for events synced as they happen; the cursor is on id.
   */
  private textPage(db: SqliteDb, filter: EventFilter, limit: number, order: 'asc' | 'desc', cursor: string | null, offset: number): EventPage {
    const kind = `text-${order}`;
    const key = cursor ? decodeCursor(cursor, kind) : null;
    const ftsMatch = buildWhere({ text: filter.text }, this.target).params[0];
    const w = buildWhere({ ...filter, text: undefined }, this.target);
    const dir = order === 'desc' ? 'DESC' : 'ASC';
    const cols = columns('e.');
    const sql =
      `SELECT ${cols} FROM studio_events_fts f JOIN ${this.target.table} e ON e.id = f.rowid ` +
      `WHERE studio_events_fts MATCH ?${key ? ` AND f.rowid ${order === 'desc' ? '<' : '>'} ?` : ''} AND ${w.sql} ORDER BY f.rowid ${dir} LIMIT ? OFFSET ?`;
    const rows = this.stmt(db, sql).all(ftsMatch, ...(key ? [key.id] : []), ...w.params, limit + 1, offset) as EventRecord[];
    const more = rows.length > limit;
    if (more) rows.length = limit;
    const last = rows[rows.length - 1];
    return { rows: rows.map(withData), next_cursor: more && last ? encodeCursor({ ts: last.ts, id: last.id }, kind) : null };
  }

  /** How many events match `filter`. */
  count(filter: EventFilter = {}, opts: OpOptions = {}): Promise<number> {
    return this.run(opts.signal, (db) => {
      const w = buildWhere(filter, this.target);
      return (db.prepare(`SELECT count(*) AS n FROM ${this.target.table} WHERE ${w.sql}`).get(...w.params) as { n: number }).n;
    });
  }

  /**
   * Counts per time bucket (and errors per bucket) over the filter's time range, or over the
   * matching events' own range when the filter has none. Empty buckets are included.
   */
  histogram(filter: EventFilter = {}, opts: OpOptions & { buckets?: number } = {}): Promise<HistogramBucket[]> {
    return this.run(opts.signal, (db) => {
      const n = opts.buckets ?? 60;
      if (!Number.isInteger(n) || n < 1 || n > 1000) throw new FoxError('INVALID_INPUT', `buckets must be a whole number from 1 to 1000 (got ${n})`);
      const w = buildWhere(filter, this.target);
      const t = this.target.table;
      // Two queries: SQLite answers a lone min() or max() from the index end, both at once by a scan.
      const bounds = {
        lo: (this.stmt(db, `SELECT min(${TS_KEY}) AS v FROM ${t} WHERE ${w.sql}`).get(...w.params) as { v: string | null }).v,
        hi: (this.stmt(db, `SELECT max(${TS_KEY}) AS v FROM ${t} WHERE ${w.sql}`).get(...w.params) as { v: string | null }).v,
      };
      if (bounds.lo === null || bounds.hi === null) return [];
      const since = filter.since !== undefined ? buildWhere({ since: filter.since }, this.target).params[0] as string : bounds.lo;
      const until = filter.until !== undefined ? buildWhere({ until: filter.until }, this.target).params[0] as string : bounds.hi;
      const lo = parseRfc3339(since);
      const hi = Math.max(parseRfc3339(until) + (filter.until === undefined ? 1 : 0), lo + 1);
      const width = Math.max(1, Math.ceil((hi - lo) / n));
      const out: HistogramBucket[] = [];
      for (let i = 0; i < n; i++) out.push({ start: tsFromMs(lo + i * width), end: tsFromMs(lo + (i + 1) * width), count: 0, errors: 0 });
      if (this.target.fts && !filter.text) {
        // On our schema each bucket is two index range counts (the filter's index or ts; the
        // partial index of failed events): no per-row date arithmetic, no table rows read.
        const inner = buildWhere({ ...filter, since: undefined, until: undefined }, this.target);
        const all = this.stmt(db, `SELECT count(*) AS c FROM ${t} WHERE ${inner.sql} AND ${TS_KEY} >= ? AND ${TS_KEY} < ?`);
        const failed = this.stmt(db, `SELECT count(*) AS c FROM ${t} WHERE ${inner.sql} AND status = 'error' AND status <> 'ok' AND ${TS_KEY} >= ? AND ${TS_KEY} < ?`);
        for (const b of out) {
          b.count = (all.get(...inner.params, b.start, b.end) as { c: number }).c;
          if (b.count > 0) b.errors = (failed.get(...inner.params, b.start, b.end) as { c: number }).c;
        }
        return out;
      }
      // Elsewhere (free text, other tables): two grouped passes, each reading one index where it can.
      const bucket = `CAST((${KEY_MS} - ?) / ? AS INTEGER)`;
      const failedOnly = this.target.fts ? " AND status <> 'ok'" : '';
      const counts = this.stmt(db, `SELECT ${bucket} AS b, count(*) AS c FROM ${t} WHERE ${w.sql} GROUP BY b`).all(lo, width, ...w.params) as { b: number | null; c: number }[];
      const errors = this.stmt(db, `SELECT ${bucket} AS b, count(*) AS c FROM ${t} WHERE ${w.sql} AND status = 'error'${failedOnly} GROUP BY b`).all(lo, width, ...w.params) as { b: number | null; c: number }[];
      const add = (rows: { b: number | null; c: number }[], field: 'count' | 'errors'): void => {
        for (const r of rows) {
          if (r.b === null) continue; // a ts SQLite cannot parse (a hand-written row)
          out[Math.min(n - 1, Math.max(0, r.b))]![field] += r.c;
        }
      };
      add(counts, 'count');
      add(errors, 'errors');
      return out;
    });
  }

  /** The top values of each field (default operation, status, command) with their counts. */
  facets(filter: EventFilter = {}, opts: OpOptions & { fields?: string[]; top?: number } = {}): Promise<Facet[]> {
    return this.run(opts.signal, (db) => {
      const fields = opts.fields ?? ['operation', 'status', 'command'];
      const top = opts.top ?? 10;
      if (!Number.isInteger(top) || top < 1 || top > 1000) throw new FoxError('INVALID_INPUT', `top must be a whole number from 1 to 1000 (got ${top})`);
      for (const f of fields) {
        if (!(FACET_FIELDS as readonly string[]).includes(f)) throw new FoxError('INVALID_INPUT', `cannot facet on "${f}"; fields: ${FACET_FIELDS.join(', ')}`);
      }
      const w = buildWhere(filter, this.target);
      const t = this.target.table;
      return fields.map((field) => {
        if (field === 'status' && this.target.fts) {
          // "ok" is most rows and has no index entry of its own: count it as total minus the rest.
          const failed = this.stmt(db, `SELECT status AS value, count(*) AS count FROM ${t} WHERE ${w.sql} AND status <> 'ok' GROUP BY status`).all(...w.params) as { value: string; count: number }[];
          const total = (this.stmt(db, `SELECT count(*) AS n FROM ${t} WHERE ${w.sql}`).get(...w.params) as { n: number }).n;
          const ok = total - failed.reduce((s, r) => s + r.count, 0);
          const values = [...failed, ...(ok > 0 ? [{ value: 'ok', count: ok }] : [])];
          values.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1));
          return { field, values: values.slice(0, top) };
        }
        const sql = `SELECT ${field} AS value, count(*) AS count FROM ${t} WHERE ${w.sql} GROUP BY ${field} ORDER BY count DESC, value LIMIT ?`;
        return { field, values: this.stmt(db, sql).all(...w.params, top) as { value: string | null; count: number }[] };
      });
    });
  }

  /** One trace as a tree of spans in time order (NOT_FOUND when it has no events). */
  trace(traceId: string, opts: OpOptions = {}): Promise<TraceTree> {
    return this.run(opts.signal, (db) => {
      if (typeof traceId !== 'string' || traceId.trim().length === 0) throw new FoxError('INVALID_INPUT', 'trace id must be a non-empty string');
      const rows = this.stmt(db, `SELECT ${COLUMNS} FROM ${this.target.table} WHERE trace_id = ? ORDER BY ${TS_KEY}, id LIMIT ?`).all(traceId.trim(), MAX_TRACE_SPANS + 1) as EventRecord[];
      if (rows.length === 0) throw new FoxError('NOT_FOUND', `no events with trace_id ${traceId}`, { subject: this.subject });
      const truncated = rows.length > MAX_TRACE_SPANS;
      if (truncated) rows.length = MAX_TRACE_SPANS;
      return buildTraceTree(traceId.trim(), rows.map(withData), truncated);
    });
  }
}
