// Go-side bytes of the events area, built the way the Go foxctl writes them and written with
// sqlite3 / gzip (never with our own writer), so tests check that we read what Go leaves behind.
// Followed (joshka0/foxctl in the code index):
// - internal/observability/persistence.go @ 1a0f886ae134488cf93238660a9fd0a2758289b5,
//   EventStore.Insert: `INSERT OR REPLACE INTO <table> (span_id, ..., data) VALUES (?, ...)`, ts as
//   `event.Ts.Format(time.RFC3339Nano)`, Go strings bound as '' (never NULL), retriable NULL/0/1,
//   data as json.Marshal of the map ('null' for none; keys sorted). That version names the table
//   wide_events and binds event.Command; the newest writer (FORMATS.md, the Events section of issue
//   #14) writes foxcular_events with `command` from the event's name and `service` from
//   data.service: those are the rules built here. The newest persistence.go was not in the index.
// - internal/observability/query.go @ 7fa1d50a6cdca25b0657a7982fe463fc9f49a429, readEventRecords:
//   reads every `events/*.ndjson*`, gunzipping `.gz` rotations (what logrotate leaves).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** One event as the Go foxcular writer holds it (the NDJSON line's fields). */
export interface GoEvent {
  /** The instant, written with Go's time.RFC3339Nano in `zoneMinutes` (goRfc3339Nano). */
  ts: string;
  trace_id: string;
  span_id: string;
  parent_id?: string;
  operation: string;
  name?: string;
  status: 'ok' | 'error' | 'canceled';
  message?: string;
  error_type?: string;
  error_code?: string;
  error_message?: string;
  data?: Record<string, unknown>;
  duration_ms: number;
}

/**
 * Go's `t.Format(time.RFC3339Nano)` of the instant `epochMs` + `extraNanos`, in a zone
 * `zoneMinutes` east of UTC: fraction trimmed of trailing zeros (none at all when zero), `Z` for
 * UTC, `+hh:mm` / `-hh:mm` otherwise.
 */
export function goRfc3339Nano(epochMs: number, zoneMinutes = 0, extraNanos = 0): string {
  const local = new Date(epochMs + zoneMinutes * 60_000);
  const base = local.toISOString().slice(0, 19);
  const nanos = (((epochMs % 1000) + 1000) % 1000) * 1_000_000 + extraNanos;
  const frac = nanos === 0 ? '' : `.${String(nanos).padStart(9, '0').replace(/0+$/, '')}`;
  if (zoneMinutes === 0) return `${base}${frac}Z`;
  const abs = Math.abs(zoneMinutes);
  return `${base}${frac}${zoneMinutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** Go's json.Marshal of a map: keys sorted, nested maps too; nil map -> `null`. */
function goJson(v: unknown): string {
  if (v === undefined || v === null) return 'null';
  if (Array.isArray(v)) return `[${v.map(goJson).join(',')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${goJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

const q = (v: string | number | null): string => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : `'${v.replace(/'/g, "''")}'`);
const s = (v: unknown): string => (typeof v === 'string' ? v : '');

/** The columns of Go's INSERT OR REPLACE, in its order. */
const GO_COLUMNS = 'span_id, trace_id, parent_id, ts, service, version, component, operation, command, subtype, session_id, agent_id, workspace_id, job_id, status, duration_ms, error_type, error_code, error_message, retriable, data';

/** Go's EventStore.Insert statement for one event, with its values inlined for the sqlite3 CLI. */
export function goInsertSql(ev: GoEvent, table = 'foxcular_events'): string {
  const d = ev.data ?? {};
  const retriable = d.retriable === true ? 1 : d.retriable === false ? 0 : null;
  const values = [
    ev.span_id, ev.trace_id, s(ev.parent_id), ev.ts, s(d.service), s(d.version), s(d.component),
    ev.operation, s(ev.name), s(d.subtype), s(d.session_id), s(d.agent_id), s(d.workspace_id), s(d.job_id),
    ev.status, Math.round(ev.duration_ms), s(ev.error_type), s(ev.error_code), s(ev.error_message), retriable,
    ev.data === undefined ? 'null' : goJson(ev.data),
  ].map((v) => q(v as string | number | null));
  return `INSERT OR REPLACE INTO ${table} (${GO_COLUMNS}) VALUES (${values.join(', ')});`;
}

/** Runs Go's inserts of `events` through the sqlite3 CLI (its own process and locks) into `dbFile`. */
export function goInsertEvents(dbFile: string, events: readonly GoEvent[], table = 'foxcular_events'): void {
  const sql = ['.timeout 5000', 'BEGIN;', ...events.map((e) => goInsertSql(e, table)), 'COMMIT;'].join('\n');
  execFileSync('/usr/bin/sqlite3', ['-bail', dbFile], { input: sql, stdio: ['pipe', 'pipe', 'pipe'] });
}

/** One NDJSON line as Go's json.Encoder writes a foxcular event (struct field order, omitempty). */
export function goNdjsonLine(ev: GoEvent): string {
  const o: Record<string, unknown> = { ts: ev.ts, trace_id: ev.trace_id, span_id: ev.span_id };
  if (ev.parent_id) o.parent_id = ev.parent_id;
  o.operation = ev.operation;
  if (ev.name) o.name = ev.name;
  o.status = ev.status;
  for (const k of ['message', 'error_type', 'error_code', 'error_message'] as const) if (ev[k]) o[k] = ev[k];
  if (ev.data && Object.keys(ev.data).length > 0) o.data = JSON.parse(goJson(ev.data));
  o.duration_ms = ev.duration_ms;
  return `${JSON.stringify(o)}\n`;
}

/**
 * A stream with logrotate's leftovers, as Go's query finds them: `<name>.ndjson` (current),
 * `<name>.ndjson.1` (renamed, plain) and `<name>.ndjson.2.gz` (compressed by gzip(1), as
 * logrotate's `compress` does). `files` maps each suffix ('', '.1', '.2.gz') to its events.
 */
export function writeGoRotatedStream(eventsDir: string, name: string, files: Readonly<Record<string, readonly GoEvent[]>>): string[] {
  fs.mkdirSync(eventsDir, { recursive: true });
  const written: string[] = [];
  for (const [suffix, evs] of Object.entries(files)) {
    const text = evs.map(goNdjsonLine).join('');
    const file = path.join(eventsDir, `${name}.ndjson${suffix}`);
    if (suffix.endsWith('.gz')) fs.writeFileSync(file, execFileSync('gzip', ['-c', '-n'], { input: text }));
    else fs.writeFileSync(file, text);
    written.push(file);
  }
  return written;
}

/**
 * Go's createEventSchema (internal/observability/persistence.go @ 1a0f886, OpenEventStore), verbatim
 * but for the table's name: that version names it wide_events; newer Go builds write the same
 * columns to foxcular_events (FORMATS.md). Run by the sqlite3 CLI, as a Go process of its own would.
 */
export function goCreateEventSchema(dbFile: string, table = 'foxcular_events'): void {
  const schema = `
	CREATE TABLE IF NOT EXISTS ${table} (
		id INTEGER PRIMARY KEY AUTOINCREMENT,
		span_id TEXT NOT NULL UNIQUE,
		trace_id TEXT NOT NULL,
		parent_id TEXT,
		ts TEXT NOT NULL,
		service TEXT NOT NULL,
		version TEXT,
		component TEXT,
		operation TEXT NOT NULL,
		command TEXT,
		subtype TEXT,
		session_id TEXT,
		agent_id TEXT,
		workspace_id TEXT,
		job_id TEXT,
		status TEXT NOT NULL,
		duration_ms INTEGER,
		error_type TEXT,
		error_code TEXT,
		error_message TEXT,
		retriable INTEGER,
		data TEXT,
		created_at TEXT DEFAULT (datetime('now'))
	);

	CREATE INDEX IF NOT EXISTS idx_${table}_trace_id ON ${table}(trace_id);
	CREATE INDEX IF NOT EXISTS idx_${table}_ts ON ${table}(ts);
	CREATE INDEX IF NOT EXISTS idx_${table}_operation ON ${table}(operation);
	CREATE INDEX IF NOT EXISTS idx_${table}_command ON ${table}(command);
	CREATE INDEX IF NOT EXISTS idx_${table}_status ON ${table}(status);
	CREATE INDEX IF NOT EXISTS idx_${table}_session_id ON ${table}(session_id);
	CREATE INDEX IF NOT EXISTS idx_${table}_workspace_id ON ${table}(workspace_id);
	`;
  fs.mkdirSync(path.dirname(dbFile), { recursive: true });
  execFileSync('/usr/bin/sqlite3', ['-bail', dbFile], { input: schema, stdio: ['pipe', 'pipe', 'pipe'] });
}
