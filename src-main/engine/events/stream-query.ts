import fs from 'node:fs';
import path from 'node:path';
import { FoxError, throwIfAborted, toFoxError, type OpOptions } from '../errors.js';
import { buildWhere, COLUMN_FILTERS, parseTimeBound, type EventFilter } from './filter.js';
import { normalizeTs } from './model.js';
import { streamLines } from './stream-lines.js';

/** One file Go's query reads: a stream or a rotation of one (`core.ndjson.1`, `foxcular_events.ndjson.2.gz`). */
export interface StreamFile {
  file: string;
  path: string;
  size: number;
  mtime: string;
  gzip: boolean;
}

/** One line of a stream that has a time: an event, or a free-form record of a skill stream. */
export interface StreamEvent {
  /** The file it was read from (under events/). */
  file: string;
  /** Its line number in that file (1-based; in a `.gz` file, of the uncompressed text). */
  line: number;
  /** Normalised to UTC with nine fraction digits, like events.db rows. */
  ts: string;
  operation: string | null;
  /** The event's name (the Go writer's `command`), else a top-level or data `command`. */
  command: string | null;
  status: string | null;
  duration_ms: number | null;
  trace_id: string | null;
  span_id: string | null;
  message: string | null;
  error_message: string | null;
  /** The whole line as parsed. */
  record: Record<string, unknown>;
}

/** What queryStreams found: the newest matching lines, a cursor for older ones, and each file read. */
export interface StreamPage {
  rows: StreamEvent[];
  next_cursor: string | null;
  files: { file: string; lines: number; matched: number; skipped: number; error: string | null }[];
}

/**
 * Every file Go's query (query.go, readEventRecords) reads: `events/*.ndjson*`, so the current
 * streams and what logrotate left of them, plain or gzipped. Hidden files (our prune's temp
 * copies) are left out. The syncer does not use this list: it follows only the files FORMATS.md names.
 */
export function listStreamFiles(eventsDir: string): StreamFile[] {
  let names: string[];
  try {
    names = fs.readdirSync(eventsDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new FoxError('IO', `cannot list ${eventsDir}: ${(err as Error).message}`, { subject: 'events dir', cause: err });
  }
  const out: StreamFile[] = [];
  for (const f of names.sort()) {
    if (f.startsWith('.') || !f.includes('.ndjson')) continue;
    const p = path.join(eventsDir, f);
    try {
      const st = fs.statSync(p);
      if (st.isFile()) out.push({ file: f, path: p, size: st.size, mtime: st.mtime.toISOString(), gzip: f.endsWith('.gz') });
    } catch {
      // Rotated away between readdir and stat.
    }
  }
  return out;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
type Key = [ts: string, file: string, line: number];

/** Newest first: by time, then file name, then line (both descending), a total order for the cursor. */
function before(a: Key, b: Key): boolean {
  return a[0] !== b[0] ? a[0] < b[0] : a[1] !== b[1] ? a[1] < b[1] : a[2] < b[2];
}

function encode(k: Key): string {
  return Buffer.from(JSON.stringify(k), 'utf8').toString('base64url');
}

function decode(cursor: string): Key {
  try {
    const k = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(k) && typeof k[0] === 'string' && typeof k[1] === 'string' && Number.isInteger(k[2])) return k as Key;
  } catch {
    // Reported below.
  }
  throw new FoxError('INVALID_INPUT', 'invalid streams cursor: expected the next_cursor of a previous page', { subject: 'events query --all-streams' });
}

/** A stream line as a StreamEvent, or null when it has no time (not something to put on a timeline). */
function toEvent(file: string, line: number, o: Record<string, unknown>): StreamEvent | null {
  const ts = typeof o.ts === 'string' ? normalizeTs(o.ts) : null;
  if (ts === null) return null;
  const data = o.data !== null && typeof o.data === 'object' && !Array.isArray(o.data) ? (o.data as Record<string, unknown>) : {};
  return {
    file, line, ts,
    operation: str(o.operation),
    command: str(o.name) ?? str(o.command) ?? str(data.command),
    status: str(o.status),
    duration_ms: typeof o.duration_ms === 'number' && Number.isFinite(o.duration_ms) ? o.duration_ms : null,
    trace_id: str(o.trace_id),
    span_id: str(o.span_id),
    message: str(o.message),
    error_message: str(o.error_message),
    record: o,
  };
}

/** The value of a filter column in a line: its own field, else the one in data (where events keep most). */
function field(e: StreamEvent, col: string): string | null {
  if (col === 'command') return e.command;
  if (col === 'status') return e.status ?? 'ok';
  const data = e.record.data as Record<string, unknown> | undefined;
  return str(e.record[col]) ?? (data && typeof data === 'object' ? str(data[col]) : null);
}

/** A matcher for the filter over stream lines; the filter is validated as events.db queries validate it. */
function matcher(filter: EventFilter): (e: StreamEvent) => boolean {
  buildWhere(filter, { table: 'streams', fts: false });
  const now = Date.now();
  const since = filter.since === undefined || filter.since === null ? null : parseTimeBound(filter.since, 'since', now);
  const until = filter.until === undefined || filter.until === null ? null : parseTimeBound(filter.until, 'until', now);
  const cols = COLUMN_FILTERS.filter((c) => filter[c] !== undefined && filter[c] !== null).map((c) => [c, new Set([filter[c]].flat() as string[])] as const);
  // Every word, case-insensitively, anywhere in the line (Go's query matches text as a substring).
  const words = (filter.text ?? '').toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [];
  return (e) => {
    if (since !== null && e.ts < since) return false;
    if (until !== null && e.ts >= until) return false;
    for (const [c, set] of cols) if (!set.has(field(e, c) ?? '')) return false;
    if (filter.min_duration_ms !== undefined && filter.min_duration_ms !== null && !((e.duration_ms ?? 0) >= filter.min_duration_ms)) return false;
    if (words.length > 0) {
      const hay = JSON.stringify(e.record).toLowerCase();
      if (!words.every((w) => hay.includes(w))) return false;
    }
    return true;
  };
}

/**
 * The newest lines matching `filter` over every stream file and its rotations (listStreamFiles),
 * `.gz` ones gunzipped as they stream: what Go's query shows, with the viewer's filters. Memory is
 * bounded by the page: at most 2 x limit matches are held while the files are read. Pages go
 * back in time with `cursor`; each page reads the files again. A file that cannot be read (a
 * damaged archive) is reported in `files` with its error; the others are still read.
 */
export async function queryStreams(eventsDir: string, filter: EventFilter = {}, opts: OpOptions & { limit?: number; cursor?: string | null } = {}): Promise<StreamPage> {
  const limit = opts.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new FoxError('INVALID_INPUT', `limit must be a whole number from 1 to 1000 (got ${limit})`);
  const match = matcher(filter);
  const after = opts.cursor ? decode(opts.cursor) : null;
  let held: StreamEvent[] = [];
  const key = (e: StreamEvent): Key => [e.ts, e.file, e.line];
  const newestFirst = (a: StreamEvent, b: StreamEvent): number => (before(key(a), key(b)) ? 1 : before(key(b), key(a)) ? -1 : 0);
  const files: StreamPage['files'] = [];
  for (const f of listStreamFiles(eventsDir)) {
    throwIfAborted(opts.signal, 'events query --all-streams');
    const info = { file: f.file, lines: 0, matched: 0, skipped: 0, error: null as string | null };
    files.push(info);
    try {
      for await (const l of streamLines(f.path, info, opts.signal)) {
        info.lines++;
        if (l.text.trim() === '') continue;
        let o: unknown;
        try {
          o = JSON.parse(l.text);
        } catch {
          continue;
        }
        if (o === null || typeof o !== 'object' || Array.isArray(o)) continue;
        const e = toEvent(f.file, l.no, o as Record<string, unknown>);
        if (e === null || !match(e) || (after !== null && !before(key(e), after))) continue;
        info.matched++;
        held.push(e);
        if (held.length >= 2 * limit + 1) held = held.sort(newestFirst).slice(0, limit + 1);
      }
    } catch (err) {
      throwIfAborted(opts.signal, 'events query --all-streams');
      const fe = toFoxError(err, `events file ${f.file}`);
      info.error = fe.message;
    }
  }
  held.sort(newestFirst);
  const more = held.length > limit;
  const rows = held.slice(0, limit);
  const last = rows[rows.length - 1];
  return { rows, next_cursor: more && last ? encode(key(last)) : null, files };
}
