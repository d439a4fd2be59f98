import { FoxError } from '../errors.js';
import { parseDuration } from '../util/duration.js';
import { EVENT_STATUSES, normalizeTs, tsFromMs } from './model.js';
import { TS_KEY } from './ts-key.js';

/** What the viewer filters on. Every present field narrows the result (AND); arrays mean "any of". */
export interface EventFilter {
  /** Inclusive lower bound: RFC 3339, epoch ms, or a duration back from now (`1h`). */
  since?: string | number;
  /** Exclusive upper bound: RFC 3339, epoch ms, or a duration back from now. */
  until?: string | number;
  operation?: string | string[];
  status?: string | string[];
  command?: string | string[];
  service?: string | string[];
  component?: string | string[];
  session_id?: string | string[];
  agent_id?: string | string[];
  workspace_id?: string | string[];
  trace_id?: string | string[];
  /** Only events at least this slow. */
  min_duration_ms?: number;
  /** Free text over name, message and the error fields: every word must match whole; `word*` by prefix. */
  text?: string;
}

/** The filter fields that are plain column matches. */
export const COLUMN_FILTERS = ['operation', 'status', 'command', 'service', 'component', 'session_id', 'agent_id', 'workspace_id', 'trace_id'] as const;

const KNOWN = new Set<string>([...COLUMN_FILTERS, 'since', 'until', 'min_duration_ms', 'text']);

/** How the table being queried can be searched. */
export interface QueryTarget {
  table: string;
  /** The studio FTS5 index exists and covers this table. */
  fts: boolean;
}

/** A WHERE clause (without the keyword; "1" when empty) and its parameters. */
export interface WhereClause {
  sql: string;
  params: unknown[];
}

const bad = (msg: string): FoxError => new FoxError('INVALID_INPUT', `invalid event filter: ${msg}`, { subject: 'events query' });

/** Parses a time bound: RFC 3339, epoch ms, or a duration back from `now` ("1h" = one hour ago). */
export function parseTimeBound(v: string | number, field: string, now = Date.now()): string {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw bad(`${field} must be a finite number of epoch milliseconds`);
    return tsFromMs(v);
  }
  const s = String(v).trim();
  const ts = normalizeTs(s);
  if (ts !== null) return ts;
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) {
    const day = normalizeTs(`${s}T00:00:00Z`);
    if (day) return day;
  }
  try {
    return tsFromMs(now - parseDuration(s, field));
  } catch {
    throw bad(`${field} "${s}" is neither an RFC 3339 time, a date (YYYY-MM-DD) nor a duration such as 1h or 30m`);
  }
}

function values(field: string, v: unknown): string[] {
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0 || list.length > 100) throw bad(`${field} must have 1 to 100 values`);
  for (const x of list) if (typeof x !== 'string' || x.length === 0 || x.length > 500) throw bad(`${field} values must be non-empty strings`);
  if (field === 'status') {
    for (const x of list as string[]) if (!(EVENT_STATUSES as readonly string[]).includes(x)) throw bad(`status must be one of ${EVENT_STATUSES.join(', ')} (got "${x}")`);
  }
  return list as string[];
}

/**
 * Turns free text into an FTS5 query: every word must match, whole and case-insensitively, as
 * Datasette's search does; `word*` matches by prefix. Words are quoted, so FTS5 syntax in the
 * input is searched for, never run. Whole words stream from the index newest first and stop at
 * the page size; a prefix first gathers every matching row id, so it costs more on common prefixes.
 */
export function ftsQuery(text: string): string {
  const words = text.match(/[\p{L}\p{N}_]+\*?/gu) ?? [];
  if (words.length === 0) throw bad(`text "${text}" has no words to search for`);
  return words.slice(0, 16).map((w) => (w.endsWith('*') ? `"${w.slice(0, -1)}"*` : `"${w}"`)).join(' ');
}

/** Builds the WHERE clause of a filter; any unknown field or bad value is INVALID_INPUT. */
export function buildWhere(filter: EventFilter | undefined, target: QueryTarget, now = Date.now()): WhereClause {
  const f = (filter ?? {}) as Record<string, unknown>;
  if (typeof f !== 'object' || Array.isArray(f)) throw bad('it must be an object');
  for (const k of Object.keys(f)) if (!KNOWN.has(k) && f[k] !== undefined) throw bad(`unknown field "${k}" (known: ${[...KNOWN].join(', ')})`);
  const conds: string[] = [];
  const params: unknown[] = [];
  for (const col of COLUMN_FILTERS) {
    if (f[col] === undefined || f[col] === null) continue;
    const vs = values(col, f[col]);
    conds.push(vs.length === 1 ? `${col} = ?` : `${col} IN (${vs.map(() => '?').join(', ')})`);
    params.push(...vs);
    // Lets SQLite use the partial index of failed events (it matches the term, not its implication).
    if (col === 'status' && target.fts && !vs.includes('ok')) conds.push("status <> 'ok'");
  }
  const since = f.since === undefined || f.since === null ? undefined : parseTimeBound(f.since as string | number, 'since', now);
  const until = f.until === undefined || f.until === null ? undefined : parseTimeBound(f.until as string | number, 'until', now);
  if (since !== undefined && until !== undefined && since >= until) throw bad(`since (${since}) must be before until (${until})`);
  // Bounds compare instants (the key), never ts text: the Go writer's ts sorts differently.
  if (since !== undefined) {
    conds.push(`${TS_KEY} >= ?`);
    params.push(since);
  }
  if (until !== undefined) {
    conds.push(`${TS_KEY} < ?`);
    params.push(until);
  }
  if (f.min_duration_ms !== undefined && f.min_duration_ms !== null) {
    if (typeof f.min_duration_ms !== 'number' || !(f.min_duration_ms >= 0)) throw bad('min_duration_ms must be a non-negative number');
    conds.push('duration_ms >= ?');
    params.push(f.min_duration_ms);
  }
  if (f.text !== undefined && f.text !== null && f.text !== '') {
    if (typeof f.text !== 'string' || f.text.length > 500) throw bad('text must be a string of at most 500 characters');
    if (target.fts) {
      conds.push('id IN (SELECT rowid FROM studio_events_fts WHERE studio_events_fts MATCH ?)');
      params.push(ftsQuery(f.text));
    } else {
      // No index of ours (a Go-written or older file opened read-only): a scan, still correct.
      const like = `%${f.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      conds.push(
        `(error_message LIKE ? ESCAPE '\\' OR error_type LIKE ? ESCAPE '\\' OR error_code LIKE ? ESCAPE '\\' OR json_extract(CASE WHEN json_valid(data) THEN data END, '$.message') LIKE ? ESCAPE '\\' OR json_extract(CASE WHEN json_valid(data) THEN data END, '$.name') LIKE ? ESCAPE '\\' OR command LIKE ? ESCAPE '\\')`,
      );
      params.push(like, like, like, like, like, like);
    }
  }
  return { sql: conds.length ? conds.join(' AND ') : '1', params };
}
