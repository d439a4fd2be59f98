// SQLite is dynamically typed: any column can hold any value. PostgreSQL is not. Each target
// column gets one converter, picked once per table from its PostgreSQL type, that turns a
// SQLite value into what the column accepts, or says why it cannot (the caller names the
// table, rowid and column).

/** Turns one SQLite value into the target column's value; throws a CellError when it cannot. */
export type Converter = (v: unknown) => unknown;

/** A value a column cannot hold: the reason, without the table and row (the caller adds them). */
export class CellError extends Error {}

const INT_RE = /^[+-]?\d+$/;
const NUM_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

const describe = (v: unknown): string => {
  if (typeof v === 'string') return `text "${v.length > 40 ? `${v.slice(0, 40)}…` : v}"`;
  if (v instanceof Uint8Array) return `a ${v.length}-byte blob`;
  return `${typeof v === 'bigint' ? 'integer' : typeof v} ${String(v)}`;
};

const isBytes = (v: unknown): v is Uint8Array => v instanceof Uint8Array;

function toInteger(v: unknown): unknown {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return v;
    throw new CellError(`${describe(v)} is not a whole number`);
  }
  if (typeof v === 'string' && INT_RE.test(v.trim())) return v.trim();
  throw new CellError(`${describe(v)} is not an integer`);
}

function toFloat(v: unknown): unknown {
  if (typeof v === 'bigint' || typeof v === 'number') return v;
  if (typeof v === 'string' && NUM_RE.test(v.trim())) return v.trim();
  throw new CellError(`${describe(v)} is not a number`);
}

function toBoolean(v: unknown): unknown {
  if (typeof v === 'bigint') return v !== 0n;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string' && /^(t|f|true|false|0|1|yes|no|on|off)$/i.test(v.trim())) return v.trim();
  throw new CellError(`${describe(v)} is not a boolean`);
}

function toBytes(v: unknown): unknown {
  if (isBytes(v)) return v;
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  throw new CellError(`${describe(v)} cannot go into a bytea column`);
}

function toText(v: unknown): unknown {
  if (typeof v === 'string') {
    if (v.includes('\0')) throw new CellError('text with a NUL character cannot be stored in PostgreSQL text');
    return v;
  }
  if (typeof v === 'bigint' || typeof v === 'number') return String(v);
  if (isBytes(v)) {
    let s: string;
    try {
      s = utf8.decode(v);
    } catch {
      throw new CellError(`${describe(v)} is not UTF-8 text`);
    }
    if (s.includes('\0')) throw new CellError(`${describe(v)} holds a NUL character`);
    return s;
  }
  throw new CellError(`${describe(v)} cannot go into a text column`);
}

/** Wraps a converter so that NULL stays NULL. */
const nullable =
  (f: Converter): Converter =>
  (v) =>
    v === null || v === undefined ? null : f(v);

/** The converter for a PostgreSQL column type (information_schema `data_type`). */
export function pgConverter(dataType: string): Converter {
  const t = dataType.toLowerCase();
  if (t === 'bigint' || t === 'integer' || t === 'smallint') return nullable(toInteger);
  if (t === 'double precision' || t === 'real' || t === 'numeric') return nullable(toFloat);
  if (t === 'boolean') return nullable(toBoolean);
  if (t === 'bytea') return nullable(toBytes);
  // text, varchar, json(b), timestamps, uuid, vector (USER-DEFINED): PostgreSQL parses the text.
  return nullable(toText);
}

/** libSQL is SQLite: values go as they are. */
export const identity: Converter = (v) => v;

/** The PostgreSQL type of a SQLite declared type by its affinity (INTEGER, REAL, BLOB; TEXT and the rest). */
export function pgTypeFor(declared: string): string {
  const t = declared.toUpperCase();
  if (t.includes('INT')) return 'BIGINT';
  if (t.includes('CHAR') || t.includes('CLOB') || t.includes('TEXT')) return 'TEXT';
  if (t.includes('BLOB')) return 'BYTEA';
  if (t.includes('REAL') || t.includes('FLOA') || t.includes('DOUB')) return 'DOUBLE PRECISION';
  return 'TEXT';
}
