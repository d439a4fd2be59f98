import { FoxError, throwIfAborted } from '../../errors.js';
import type { DriverTx, StoreDriver } from '../drivers/types.js';
import { quoteIdent, type SqliteDb } from '../sqlite.js';
import { CellError, identity, pgConverter, type Converter } from './convert.js';
import { iterateRows, type SourceTable } from './source.js';
import type { TargetTable } from './target-schema.js';

/** Most bind parameters in one statement: PostgreSQL's protocol limit, SQLite's default limit. */
const MAX_PARAMS = { postgres: 65535, sqlite: 32766 } as const;

/** How a table copy reports and stops. */
export interface CopyTableOptions {
  batchSize: number;
  signal?: AbortSignal | undefined;
  /** Called after each batch with the rows of this table copied so far. */
  onRows?: ((done: number) => void) | undefined;
  /** Scrubs secrets from messages built from server errors. */
  scrub: (message: string) => string;
  /** "store MEMORY" etc., for messages. */
  subject: string;
  /** Delete the target table's rows first, in the same transaction (rows its migration seeded). */
  clearFirst?: boolean | undefined;
}

/** The INSERT of `rows` rows of `cols` columns, `?` placeholders (the driver rewrites them for PostgreSQL). */
function insertSql(table: string, cols: string[], rows: number): string {
  const tuple = `(${cols.map(() => '?').join(', ')})`;
  return `INSERT INTO ${quoteIdent(table)} (${cols.map(quoteIdent).join(', ')}) VALUES ${new Array<string>(rows).fill(tuple).join(', ')}`;
}

/** Names a row in messages: its rowid, or its primary key for a WITHOUT ROWID table. */
function rowName(table: SourceTable, row: unknown[]): string {
  if (!table.withoutRowid) return `rowid ${String(row[0])}`;
  const pk = table.columns.map((c, i) => [c, row[i + 1]] as const).filter(([c]) => c.pk > 0);
  return `primary key (${pk.map(([c, v]) => `${c.name}=${String(v)}`).join(', ')})`;
}

/**
 * Copies one table in ONE transaction of the target: multi-row INSERTs of `batchSize` rows
 * (fewer when the columns would pass the parameter limit), the next batch built while the
 * previous one is on the wire. So a table is either all there or not at all: a failure or a
 * cancel rolls it back. A value the target column cannot hold fails naming the table, the rowid
 * and the column; a batch the server refuses names the table and the rowids of the batch.
 */
export async function copyTable(src: SqliteDb, table: SourceTable, driver: StoreDriver, target: TargetTable, opts: CopyTableOptions): Promise<number> {
  const missing = table.columns.filter((c) => !target.columns.has(c.name.toLowerCase()));
  if (missing.length > 0) {
    throw new FoxError('CONFLICT', `${opts.subject}: table ${table.name} in the target has no column ${missing.map((c) => c.name).join(', ')} (the source has it); drop the target table (--drop) or add the column`, {
      subject: opts.subject,
    });
  }
  const targetCols = table.columns.map((c) => target.columns.get(c.name.toLowerCase())!);
  const converters: Converter[] = targetCols.map((c) => (driver.dialect === 'postgres' ? pgConverter(c.type) : identity));
  const names = targetCols.map((c) => c.name);
  const ncols = names.length;
  const batchRows = Math.max(1, Math.min(opts.batchSize, Math.floor(MAX_PARAMS[driver.dialect] / ncols)));
  const fullSql = insertSql(target.name, names, batchRows);

  let copied = 0;
  await driver.transaction(async (tx: DriverTx) => {
    if (opts.clearFirst) await tx.run(`DELETE FROM ${quoteIdent(target.name)}`);
    let params: unknown[] = [];
    let n = 0;
    let first: unknown[] | null = null;
    let last: unknown[] | null = null;
    let pending: { done: Promise<unknown>; first: unknown[]; last: unknown[]; rows: number } | null = null;
    const settle = async (): Promise<void> => {
      if (!pending) return;
      const p = pending;
      pending = null;
      try {
        await p.done;
      } catch (err) {
        throw batchError(err, table, p.first, p.last, opts);
      }
      copied += p.rows;
      opts.onRows?.(copied);
    };
    const send = (sql: string, rows: number): void => {
      const done = tx.run(sql, params);
      // Awaited in settle(); until then a rejection must not count as unhandled.
      done.catch(() => undefined);
      pending = { done, first: first!, last: last!, rows };
      params = [];
      n = 0;
      first = null;
    };
    for (const row of iterateRows(src, table)) {
      for (let i = 0; i < ncols; i++) {
        try {
          params.push(converters[i]!(row[i + 1]));
        } catch (err) {
          if (!(err instanceof CellError)) throw err;
          throw new FoxError('INVALID_INPUT', `${opts.subject}: table ${table.name}, ${rowName(table, row)}, column ${names[i]!}: ${err.message}`, { subject: opts.subject });
        }
      }
      if (n === 0) first = row;
      last = row;
      if (++n === batchRows) {
        await settle();
        await yieldNow();
        throwIfAborted(opts.signal, `copy of ${table.name}`);
        send(fullSql, batchRows);
      }
    }
    await settle();
    throwIfAborted(opts.signal, `copy of ${table.name}`);
    if (n > 0) {
      send(insertSql(target.name, names, n), n);
      await settle();
    }
  });
  return copied;
}

let lastYield = performance.now();

/**
 * Lets the event loop run (timers, I/O, a Cancel, progress events) at least every 50 ms. A
 * libSQL `file:` target answers through promises that settle without any I/O wait, so without
 * this a copy would hold the loop for its whole length.
 */
async function yieldNow(): Promise<void> {
  const now = performance.now();
  if (now - lastYield < 50) return;
  lastYield = now;
  await new Promise<void>((resolve) => setImmediate(resolve));
}

/** A refused batch as a FoxError naming the table and the rowids of the batch; the secret scrubbed. */
function batchError(err: unknown, table: SourceTable, first: unknown[], last: unknown[], opts: CopyTableOptions): FoxError {
  const e = err as { message?: unknown; detail?: unknown; code?: unknown };
  const where = first === last ? rowName(table, first) : `rows from ${rowName(table, first)} to ${rowName(table, last)}`;
  const detail = typeof e.detail === 'string' ? ` (${e.detail})` : '';
  const base = err instanceof FoxError ? err.message : typeof e.message === 'string' ? e.message : String(err);
  const code = err instanceof FoxError ? err.code : pgCode(typeof e.code === 'string' ? e.code : '');
  return new FoxError(code, opts.scrub(`${opts.subject}: table ${table.name}, ${where}: the target refused the batch: ${base}${detail}`), { subject: opts.subject, cause: err });
}

/** The FoxError code of a PostgreSQL SQLSTATE (class 23: constraint; 22: data; 08: connection). */
function pgCode(sqlstate: string): FoxError['code'] {
  if (sqlstate.startsWith('23')) return 'CONFLICT';
  if (sqlstate.startsWith('22') || sqlstate.startsWith('42')) return 'INVALID_INPUT';
  if (sqlstate === '57014') return 'CANCELED';
  if (sqlstate.startsWith('08') || sqlstate.startsWith('57') || sqlstate.startsWith('53')) return 'UNAVAILABLE';
  return 'IO';
}
