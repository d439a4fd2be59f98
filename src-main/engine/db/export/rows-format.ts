import { FoxError, throwIfAborted, type OpOptions } from '../../errors.js';
import { csvField } from '../../util/csv.js';

/** The formats rows are exported in. */
export const ROWS_EXPORT_FORMATS = ['csv', 'json'] as const;
export type RowsExportFormat = (typeof ROWS_EXPORT_FORMATS)[number];

/**
 * A whole value of an exported cell, as a driver gives it: never the table browser's preview.
 * Integers are numbers where a double holds them exactly, else bigints; BLOBs are bytes.
 */
export type ExportValue = null | string | number | bigint | boolean | Uint8Array | Date | object;

/** Where an export's rows come to, page by page; each call is awaited before the next page is read. */
export interface RowSink {
  columns(names: string[]): Promise<void> | void;
  rows(page: ExportValue[][]): Promise<void>;
}

/** Reads every row of one read-only statement into a sink (one snapshot), cancelled by the signal. */
export type RowStream = (sink: RowSink, opts: OpOptions) => Promise<void>;

/** Options of exportRows. */
export interface RowsExportOptions extends OpOptions {
  /** Told the running total after each page. */
  onProgress?: (rows: number) => void;
}

/** Checks a format name, naming the accepted ones. */
export function parseRowsExportFormat(v: unknown): RowsExportFormat {
  if (typeof v === 'string' && (ROWS_EXPORT_FORMATS as readonly string[]).includes(v)) return v as RowsExportFormat;
  throw new FoxError('INVALID_INPUT', `export format must be one of ${ROWS_EXPORT_FORMATS.join(', ')} (got ${JSON.stringify(v)})`);
}

/** The file extension and media type of each format. */
export function rowsExportMediaType(format: RowsExportFormat): { ext: string; type: string } {
  return format === 'csv' ? { ext: 'csv', type: 'text/csv; charset=utf-8' } : { ext: 'json', type: 'application/json; charset=utf-8' };
}

/**
 * Column names made unique for JSON keys (and the CSV header, so both agree): a name seen
 * before gets `_2`, `_3`, ... skipping any name the result already has (`name`, `name`, `name_2`
 * becomes `name`, `name_3`, `name_2`). An empty name is `column_N` (its 1-based position).
 */
export function uniqueColumns(names: readonly string[]): string[] {
  const taken = new Set<string>();
  const given = new Set(names);
  return names.map((raw, i) => {
    let name = raw === '' ? `column_${i + 1}` : raw;
    if (taken.has(name)) {
      let n = 2;
      while (taken.has(`${name}_${n}`) || given.has(`${name}_${n}`)) n++;
      name = `${name}_${n}`;
    }
    taken.add(name);
    return name;
  });
}

function isBytes(v: unknown): v is Uint8Array {
  return v instanceof Uint8Array;
}

function bytesOf(v: Uint8Array): Buffer {
  return Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

/**
 * A value as CSV text: NULL is the empty field (and '' the quoted `""`, so the two differ), a
 * BLOB its lower-case hex, a REAL its shortest round-trip text, an integer its exact digits.
 */
function csvCell(v: ExportValue): string {
  if (v === '') return '""';
  if (isBytes(v)) return bytesOf(v).toString('hex');
  if (v instanceof Date) return csvField(Number.isNaN(v.getTime()) ? String(v) : v.toISOString());
  return csvField(v);
}

/**
 * A value as JSON text: integers past 2^53 as strings of their exact digits (a JSON number would
 * be rounded by most readers), a BLOB as `{"$base64": "..."}`, an infinite REAL as the string
 * `"Infinity"`, other objects (PostgreSQL json, arrays) as their JSON text.
 */
function jsonCell(v: ExportValue): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : JSON.stringify(String(v));
  if (typeof v === 'bigint') return JSON.stringify(v.toString());
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (isBytes(v)) return `{"$base64":"${bytesOf(v).toString('base64')}"}`;
  if (v instanceof Date) return JSON.stringify(Number.isNaN(v.getTime()) ? String(v) : v.toISOString());
  return JSON.stringify(JSON.stringify(v));
}

/**
 * Writes every row of `stream` to `write` as CSV (RFC 4180: a header row, CRLF, quotes doubled)
 * or JSON (one array of objects keyed by the unique column names), one page at a time, awaiting
 * `write` before the next page is read (a slow reader holds the export, not memory). Cancelled
 * through the signal between pages: what was written is then a prefix of whole rows, for the
 * caller to discard. Returns the row count and the columns as written.
 */
export async function exportRows(stream: RowStream, format: RowsExportFormat, write: (text: string) => Promise<void> | void, opts: RowsExportOptions = {}): Promise<{ rows: number; columns: string[] }> {
  parseRowsExportFormat(format);
  let columns: string[] | null = null;
  let keys: string[] = [];
  let rows = 0;
  const signal = opts.signal;
  const sink: RowSink = {
    columns: async (names) => {
      columns = uniqueColumns(names);
      keys = columns.map((c) => `${JSON.stringify(c)}:`);
      await write(format === 'csv' ? `${columns.map(csvField).join(',')}\r\n` : '[');
    },
    rows: async (page) => {
      throwIfAborted(signal, 'export');
      if (page.length === 0) return;
      let text = '';
      for (const r of page) {
        if (format === 'csv') text += `${r.map(csvCell).join(',')}\r\n`;
        else {
          let o = rows === 0 && text === '' ? '\n{' : ',\n{';
          for (let i = 0; i < keys.length; i++) o += `${i === 0 ? '' : ','}${keys[i]}${jsonCell(r[i] ?? null)}`;
          text += `${o}}`;
        }
      }
      rows += page.length;
      await write(text);
      opts.onProgress?.(rows);
    },
  };
  throwIfAborted(signal, 'export');
  await stream(sink, signal ? { signal } : {});
  if (columns === null) throw new FoxError('IO', 'the export ended before its columns were read');
  if (format === 'json') await write(rows === 0 ? ']\n' : '\n]\n');
  return { rows, columns };
}
