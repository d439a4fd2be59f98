import { newUlid } from './ids.js';
import { FoxError } from '../errors.js';
import { nowRfc3339 } from '../util/time.js';

/** The statuses an event may have (FORMATS.md). */
export const EVENT_STATUSES = ['ok', 'error', 'canceled'] as const;

/** One of EVENT_STATUSES. */
export type EventStatus = (typeof EVENT_STATUSES)[number];

/** The persist modes of the SPEC: where an emitted event goes. */
export const PERSIST_MODES = ['default', 'ndjson', 'sql', 'hybrid', 'none'] as const;

/** One of PERSIST_MODES. */
export type PersistMode = (typeof PERSIST_MODES)[number];

/** The well-known fields of an event's `data`; they map to columns of foxcular_events. */
export interface EventData {
  service?: string;
  version?: string;
  component?: string;
  command?: string;
  subtype?: string;
  session_id?: string;
  agent_id?: string;
  workspace_id?: string;
  job_id?: string;
  retriable?: boolean;
  [key: string]: unknown;
}

/** One event as it is written to NDJSON: every required field present, ts normalised. */
export interface FoxEvent {
  ts: string;
  trace_id: string;
  span_id: string;
  parent_id?: string;
  operation: string;
  name?: string;
  status: EventStatus;
  message?: string;
  error_type?: string;
  error_code?: string;
  error_message?: string;
  data?: EventData;
  duration_ms: number;
}

/** What a caller may emit: an operation, anything else filled in (ts, ids, status ok, duration 0). */
export type EventInput = Partial<FoxEvent> & { operation: string };

const TS_RE = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9})\d*)?([Zz]|[+-]\d{2}:\d{2})$/;
/** The normalised form itself, with normalizeTs's range checks: what our writer puts in every line. */
const CANONICAL_TS_RE = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:(?:[0-5]\d|60)\.\d{9}Z$/;
const MAX_ID = 128;
const STRING_FIELDS = ['parent_id', 'name', 'message', 'error_type', 'error_code', 'error_message'] as const;

/**
 * Normalises an RFC 3339 timestamp to UTC with exactly nine fraction digits
 * (`2026-11-27T03:09:27.120000000Z`), so that text order is time order in events.db (the Go
 * writer trims trailing zeros, which breaks that). Returns null when it is not RFC 3339.
 */
export function normalizeTs(ts: string): string | null {
  // The syncer's hot path: a ts already in the normalised form is returned as it is.
  if (ts.length === 30 && CANONICAL_TS_RE.test(ts)) return ts;
  const m = TS_RE.exec(ts);
  if (!m) return null;
  const frac = (m[7] ?? '').padEnd(9, '0');
  const zone = m[8]!;
  const [, y, mo, d, h, mi, s] = m;
  if (Number(mo) < 1 || Number(mo) > 12 || Number(d) < 1 || Number(d) > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) return null;
  if (zone === 'Z' || zone === 'z') return `${y}-${mo}-${d}T${h}:${mi}:${s}.${frac}Z`;
  const sign = zone[0] === '+' ? 1 : -1;
  const offsetMs = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) - offsetMs;
  if (!Number.isFinite(ms)) return null;
  return `${new Date(ms).toISOString().slice(0, 19)}.${frac}Z`;
}

/** Epoch milliseconds -> the normalised timestamp form (for query bounds). */
export function tsFromMs(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 23)}000000Z`;
}

/**
 * Checks a parsed line or input against the event shape. Returns the normalised event, or the
 * reason it is not one (used for rejects by the syncer and as INVALID_INPUT by the emitter).
 * `owned`: the object is ours to change (normalised in place instead of copied).
 */
export function checkEvent(raw: unknown, owned = false): FoxEvent | string {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return 'not a JSON object';
  const o = raw as Record<string, unknown>;
  for (const k of ['span_id', 'trace_id'] as const) {
    const v = o[k];
    if (typeof v !== 'string' || v.length === 0) return `missing ${k}`;
    if (v.length > MAX_ID) return `${k} is longer than ${MAX_ID} characters`;
  }
  if (typeof o.operation !== 'string' || o.operation.length === 0) return 'missing operation';
  if (typeof o.ts !== 'string') return 'missing ts';
  const ts = normalizeTs(o.ts);
  if (ts === null) return `ts "${o.ts.slice(0, 40)}" is not an RFC 3339 timestamp`;
  const status = o.status === undefined ? 'ok' : o.status;
  if (typeof status !== 'string' || !(EVENT_STATUSES as readonly string[]).includes(status)) {
    return `status must be one of ${EVENT_STATUSES.join(', ')} (got ${JSON.stringify(o.status)})`;
  }
  const dur = o.duration_ms === undefined || o.duration_ms === null ? 0 : o.duration_ms;
  if (typeof dur !== 'number' || !Number.isFinite(dur) || dur < 0) return `duration_ms must be a non-negative number (got ${JSON.stringify(o.duration_ms)})`;
  for (const k of STRING_FIELDS) {
    const v = o[k];
    if (v !== undefined && v !== null && typeof v !== 'string') return `${k} must be a string`;
  }
  if (o.data !== undefined && o.data !== null && (typeof o.data !== 'object' || Array.isArray(o.data))) return 'data must be a JSON object';
  if (!owned) return { ...o, ts, status: status as EventStatus, duration_ms: dur } as FoxEvent;
  o.ts = ts;
  o.status = status;
  o.duration_ms = dur;
  return o as unknown as FoxEvent;
}

/** Fills what a caller left out (ts now, new ULIDs, status ok, duration 0) and validates the rest. */
export function completeEvent(input: EventInput): FoxEvent {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new FoxError('INVALID_INPUT', 'an event must be a JSON object', { subject: 'event' });
  }
  const spanId = input.span_id ?? newUlid();
  const filled = {
    ...input,
    ts: input.ts ?? nowRfc3339(),
    span_id: spanId,
    // An event without a trace starts one: the root span's id names the trace.
    trace_id: input.trace_id ?? spanId,
    status: input.status ?? 'ok',
    duration_ms: input.duration_ms ?? 0,
  };
  const ev = checkEvent(filled, true);
  if (typeof ev === 'string') throw new FoxError('INVALID_INPUT', `invalid event: ${ev}`, { subject: 'event' });
  return ev;
}

/** A row of foxcular_events in column order (see INSERT_COLUMNS). */
export type EventRow = [
  span_id: string,
  trace_id: string,
  parent_id: string | null,
  ts: string,
  service: string,
  version: string | null,
  component: string | null,
  operation: string,
  command: string | null,
  subtype: string | null,
  session_id: string | null,
  agent_id: string | null,
  workspace_id: string | null,
  job_id: string | null,
  status: string,
  duration_ms: number,
  error_type: string | null,
  error_code: string | null,
  error_message: string | null,
  retriable: number | null,
  data: string | null,
];

/** The columns every insert writes, in EventRow order. */
export const INSERT_COLUMNS = [
  'span_id', 'trace_id', 'parent_id', 'ts', 'service', 'version', 'component', 'operation', 'command', 'subtype',
  'session_id', 'agent_id', 'workspace_id', 'job_id', 'status', 'duration_ms', 'error_type', 'error_code',
  'error_message', 'retriable', 'data',
] as const;

const str = (v: unknown): string | null => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null);

/**
 * Maps an event to its row as the Go writer does (EventStore.Insert): `command` is the event's
 * `name`, `service` is data.service or '' (its column is NOT NULL), the other well-known `data`
 * fields become their columns. `data` keeps the whole object (so `json_extract(data, '$.x')`
 * works), plus the event's `name` and `message` (Go keeps neither there; same-event.ts allows for it).
 */
export function eventToRow(ev: FoxEvent): EventRow {
  const d: EventData = ev.data ?? {};
  const retriable = d.retriable === true ? 1 : d.retriable === false ? 0 : null;
  return [
    ev.span_id, ev.trace_id, ev.parent_id ?? null, ev.ts, str(d.service) ?? '', str(d.version), str(d.component),
    ev.operation, ev.name ?? null, str(d.subtype), str(d.session_id), str(d.agent_id), str(d.workspace_id), str(d.job_id),
    ev.status, Math.round(ev.duration_ms), ev.error_type ?? null, ev.error_code ?? null, ev.error_message ?? null, retriable,
    dataText(ev),
  ];
}

/**
 * The message the text index finds in the `data` column dataText(ev) writes (what rowText would
 * read back from it), known while the event is still an object: a backlog's rows are not parsed
 * twice. Data's own `message` when it is a string; the event's when data has none; else null.
 */
export function ftsMessage(ev: FoxEvent): string | null {
  const m = ev.data?.message;
  if (m !== undefined) return typeof m === 'string' ? m : null;
  return typeof ev.message === 'string' ? ev.message : null;
}

/**
 * The `data` column: the event's data with its `name` and `message` appended where data has none,
 * as JSON.stringify of `{ ...data, name, message }` would write it, without copying the object
 * (the syncer does this for every line).
 */
function dataText(ev: FoxEvent): string | null {
  const d = ev.data;
  const name = ev.name !== undefined && d?.name === undefined ? ev.name : undefined;
  const message = ev.message !== undefined && d?.message === undefined ? ev.message : undefined;
  if (name === undefined && message === undefined) return d === undefined ? null : JSON.stringify(d);
  let out = d === undefined ? '{' : JSON.stringify(d).slice(0, -1);
  if (name !== undefined) out += `${out.length > 1 ? ',' : ''}"name":${JSON.stringify(name)}`;
  if (message !== undefined) out += `${out.length > 1 ? ',' : ''}"message":${JSON.stringify(message)}`;
  return `${out}}`;
}
