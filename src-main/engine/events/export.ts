import { FoxError, throwIfAborted, type OpOptions } from '../errors.js';
import { csvField } from '../util/csv.js';
import type { EventFilter } from './filter.js';
import type { EventPage, EventRecord, QueryOptions } from './queries.js';

/** The formats an export is written in. */
export const EXPORT_FORMATS = ['ndjson', 'csv', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The columns of a CSV export, in events.db's order. */
export const EXPORT_COLUMNS = [
  'id', 'span_id', 'trace_id', 'parent_id', 'ts', 'service', 'version', 'component', 'operation', 'command', 'subtype',
  'session_id', 'agent_id', 'workspace_id', 'job_id', 'status', 'duration_ms', 'error_type', 'error_code', 'error_message',
  'retriable', 'data', 'created_at',
] as const satisfies readonly (keyof EventRecord)[];

/** Rows fetched per page while exporting (the query API's largest page). */
const PAGE = 1000;

/** What an export reads from: the home's events.db or an events.db opened read-only. */
export interface ExportSource {
  query(filter: EventFilter, opts: QueryOptions): Promise<EventPage>;
}

/** Options of exportEvents. */
export interface ExportOptions extends OpOptions {
  order?: 'asc' | 'desc';
  sort?: 'time' | 'duration';
  /** Told the running total after each page. */
  onProgress?: (rows: number) => void;
}

/** The file extension and media type of each format. */
export function exportMediaType(format: ExportFormat): { ext: string; type: string } {
  if (format === 'csv') return { ext: 'csv', type: 'text/csv; charset=utf-8' };
  if (format === 'json') return { ext: 'json', type: 'application/json; charset=utf-8' };
  return { ext: 'ndjson', type: 'application/x-ndjson; charset=utf-8' };
}

/** Checks a format name, naming the accepted ones. */
export function parseExportFormat(v: unknown): ExportFormat {
  if (typeof v === 'string' && (EXPORT_FORMATS as readonly string[]).includes(v)) return v as ExportFormat;
  throw new FoxError('INVALID_INPUT', `export format must be one of ${EXPORT_FORMATS.join(', ')} (got ${JSON.stringify(v)})`);
}

/** The text of one row in a format (without the separators JSON puts between rows). */
function rowText(r: EventRecord, format: ExportFormat): string {
  if (format === 'csv') return `${EXPORT_COLUMNS.map((c) => csvField(r[c])).join(',')}\r\n`;
  return JSON.stringify(r);
}

/**
 * Writes every event matching `filter` — all pages, in the viewer's order — to `write`, one page
 * at a time, waiting on `write` before the next page (so a slow reader holds the export, not
 * memory). NDJSON is one events.db row per line (`data` as JSON); CSV has a header row and
 * `data` as JSON text; JSON is one array. Cancelled through the signal between pages: what was
 * written stays a prefix of whole rows (the caller discards or keeps it). Returns the row count.
 */
export async function exportEvents(
  source: ExportSource,
  filter: EventFilter,
  format: ExportFormat,
  write: (text: string) => Promise<void> | void,
  opts: ExportOptions = {},
): Promise<{ rows: number }> {
  parseExportFormat(format);
  let rows = 0;
  let cursor: string | null = null;
  if (format === 'csv') await write(`${EXPORT_COLUMNS.join(',')}\r\n`);
  if (format === 'json') await write('[');
  do {
    throwIfAborted(opts.signal, 'events export');
    const page: EventPage = await source.query(filter, {
      limit: PAGE,
      cursor,
      order: opts.order ?? 'desc',
      sort: opts.sort ?? 'time',
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    if (page.rows.length > 0) {
      const parts = page.rows.map((r) => rowText(r, format));
      const text = format === 'json' ? `${rows === 0 ? '\n' : ',\n'}${parts.join(',\n')}` : format === 'ndjson' ? `${parts.join('\n')}\n` : parts.join('');
      rows += page.rows.length;
      await write(text);
      opts.onProgress?.(rows);
    }
    cursor = page.next_cursor;
  } while (cursor !== null);
  if (format === 'json') await write(rows === 0 ? ']\n' : '\n]\n');
  return { rows };
}
