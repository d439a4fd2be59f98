import { normalizeTs, type EventRow } from './model.js';

/** The stored columns a duplicate span_id is compared on, in StoredEvent order. */
export const COMPARED_COLUMNS = ['trace_id', 'parent_id', 'ts', 'operation', 'status', 'duration_ms', 'error_type', 'error_code', 'error_message', 'data'] as const;

/** A stored row's COMPARED_COLUMNS, as SQLite returns them. */
export type StoredEvent = readonly unknown[];

// EventRow positions of the compared columns (see INSERT_COLUMNS).
const ROW_INDEX = { trace_id: 1, parent_id: 2, ts: 3, operation: 7, status: 14, duration_ms: 15, error_type: 16, error_code: 17, error_message: 18, data: 20 } as const;

/** SQL NULL and '' are the same absent value (the Go writer binds '' where we bind NULL). */
function text(v: unknown): string | null {
  if (v === null || v === undefined || v === '') return null;
  return String(v);
}

/** A data column as an object: NULL, 'null' (Go's marshalled nil map) and '{}' are all "no data". */
function dataObject(v: unknown): Record<string, unknown> | string {
  if (v === null || v === undefined || v === '') return {};
  try {
    const parsed: unknown = JSON.parse(String(v));
    if (parsed === null) return {};
    return typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : String(v);
  } catch {
    return String(v);
  }
}

/** Structural equality of JSON values: key order does not matter (Go marshals map keys sorted). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((x, i) => sameJson(x, (b as unknown[])[i]));
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/**
 * Whether two `data` objects say the same. Our rows also carry the event's `name` and `message` in
 * `data`; the Go writer keeps neither there (it puts `name` in `command`, drops `message`), so those
 * two keys are compared only where both rows have them.
 */
function sameData(incoming: unknown, stored: unknown): boolean {
  const a = dataObject(incoming);
  const b = dataObject(stored);
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  const rest = (o: Record<string, unknown>, other: Record<string, unknown>): Record<string, unknown> => {
    const out = { ...o };
    for (const k of ['name', 'message']) if (!(k in other)) delete out[k];
    return out;
  };
  return sameJson(rest(a, b), rest(b, a));
}

/**
 * The columns in which a line's row says something else than the row stored under its span_id
 * (empty: the same event, e.g. a line read again after a rotation, or the Go foxctl's copy of it).
 * Compared as meaning, not as text: ts as an instant (Go writes it with its own zone and trailing
 * zeros trimmed), NULL as '', `data` as JSON, duration_ms within 1 ms (writers round fractional
 * milliseconds differently). Columns derived from `data` (service, command, session_id, ...) follow
 * from `data` and are not compared on their own.
 */
export function differingColumns(incoming: EventRow, stored: StoredEvent): string[] {
  const out: string[] = [];
  COMPARED_COLUMNS.forEach((col, i) => {
    const a = incoming[ROW_INDEX[col]];
    const b = stored[i];
    let same: boolean;
    if (col === 'ts') same = normalizeTs(String(b)) === a || String(b) === a;
    else if (col === 'duration_ms') same = Math.abs(Number(a ?? 0) - Number(b ?? 0)) <= 1;
    else if (col === 'data') same = sameData(a, b);
    else same = text(a) === text(b);
    if (!same) out.push(col);
  });
  return out;
}
