// A read-only query on this process's own thread, for the CLI: a second process costs a
// `db query` more than the query itself. The studio keeps using query children (query-host.ts):
// it must stay responsive while a query runs, and one blocked sqlite3_step would freeze it.
import { Worker } from 'node:worker_threads';
import { FoxError, toFoxError } from '../../errors.js';
import { openSqlite } from '../sqlite.js';
import { refusalOf, type QueryCell } from './run-query.js';

/**
 * What to do when an in-process query outlives its time limit. A single sqlite3_step never
 * returns to JavaScript, so no timer of this thread can fire: a watchdog thread writes `text` to
 * `fd` (the caller's own rendering of the error) and kills the process (exit status 137).
 */
export interface InProcessQuery {
  /** The caller's last words for `err` (the time limit error), written by the watchdog `afterMs` from now. */
  onTimeout(err: FoxError, afterMs: number): { fd: 1 | 2; text: string };
}

const WATCHDOG_SOURCE = `
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
const flag = new Int32Array(workerData.flag);
if (Atomics.wait(flag, 0, 0, workerData.ms) === 'timed-out') {
  fs.writeSync(workerData.fd, workerData.text);
  process.kill(process.pid, 'SIGKILL');
}
`;

/** Arms the watchdog; the returned function disarms it (call it when the query returns). */
function armWatchdog(ms: number, last: { fd: 1 | 2; text: string }): () => void {
  const flag = new SharedArrayBuffer(4);
  const worker = new Worker(WATCHDOG_SOURCE, { eval: true, workerData: { flag, ms, ...last } });
  worker.unref();
  return () => {
    const f = new Int32Array(flag);
    Atomics.store(f, 0, 1);
    Atomics.notify(f, 0);
  };
}

/** A result cell as JSON can carry it (as the query child does). */
function cell(v: unknown): QueryCell {
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  if (Buffer.isBuffer(v)) return { $blob: v.length, hex: v.subarray(0, 32).toString('hex') };
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  return v as QueryCell;
}

/** Options of runQueryInProcess. */
export interface InProcessOptions {
  subject: string;
  params?: readonly unknown[] | Readonly<Record<string, unknown>>;
  limit: number;
  busyTimeoutMs: number;
  timeoutMs: number;
  timeoutError: FoxError;
  inProcess: InProcessQuery;
}

/**
 * Opens `file` read-only (query_only as well), refuses anything but a read-only query, and
 * returns at most `limit` rows. The same rules as the query child, on this thread.
 */
export function runQueryInProcess(file: string, sql: string, o: InProcessOptions): { columns: string[]; rows: QueryCell[][]; truncated: boolean } {
  const db = openSqlite(file, { readonly: true, timeoutMs: o.busyTimeoutMs, subject: o.subject });
  try {
    db.pragma('query_only = ON');
    let stmt;
    try {
      stmt = db.prepare(sql);
    } catch (err) {
      const e = err as Error;
      if (e.name === 'RangeError') throw new FoxError('INVALID_INPUT', `${o.subject}: only one statement can run at a time: ${e.message}`, { subject: o.subject, cause: err });
      if (e.name === 'TypeError') throw new FoxError('INVALID_INPUT', `${o.subject}: ${e.message}`, { subject: o.subject, cause: err });
      throw toFoxError(err, o.subject, 'INVALID_INPUT');
    }
    const why = refusalOf(stmt);
    if (why) throw new FoxError('INVALID_INPUT', `${o.subject}: ${why}`, { subject: o.subject });
    stmt.safeIntegers(true);
    stmt.raw(true);
    const columns = stmt.columns().map((c) => c.name);
    const rows: QueryCell[][] = [];
    let truncated = false;
    const disarm = o.timeoutMs > 0 ? armWatchdog(o.timeoutMs, o.inProcess.onTimeout(o.timeoutError, o.timeoutMs)) : () => undefined;
    try {
      const params = o.params === undefined ? [] : [o.params];
      for (const row of stmt.iterate(...params) as Iterable<unknown[]>) {
        if (rows.length >= o.limit) {
          truncated = true;
          break;
        }
        rows.push(row.map(cell));
      }
    } catch (err) {
      const e = err as Error;
      if (e.name === 'RangeError' || e.name === 'TypeError') throw new FoxError('INVALID_INPUT', `${o.subject}: ${e.message}`, { subject: o.subject, cause: err });
      throw toFoxError(err, o.subject, 'INVALID_INPUT');
    } finally {
      disarm();
    }
    return { columns, rows, truncated };
  } finally {
    db.close();
  }
}
