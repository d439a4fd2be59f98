import type pg from 'pg';
import { canceled, FoxError, throwIfAborted } from '../../errors.js';
import type { DriverParams, DriverReadOptions, DriverReadTx, DriverRow, DriverRows } from './types.js';

/** The role a console statement runs as on PostgreSQL, or null to keep the login's own. */
export type ReadRole = 'pg_read_all_data' | null;

/** What pgReadTx needs of its driver. */
export interface PgReadContext extends DriverReadOptions {
  role: ReadRole;
  /** The driver's error translation (store named, secrets masked). */
  fail(err: unknown, what: string): FoxError;
  /** One statement in the extended protocol (so a second statement in the text is refused). */
  exec(sql: string, params: DriverParams | undefined, array: boolean): Promise<pg.QueryResult>;
  /** The connection is in an unknown state: the driver must close it, not pool it. */
  broken(): void;
  /**
   * Set when the connection's session is read-only (`default_transaction_read_only = on`, a
   * read-only driver) and runs only the engine's statements: the session statement_timeout it
   * was last given, so the engine's own lone SELECT can run as one statement, no transaction.
   */
  session?: { timeoutMs: number | null };
}

/** Time a server gets beyond the statement timeout to answer before the connection is cut. */
const ANSWER_GRACE_MS = 2_000;

/** Statements that DECLARE ... CURSOR accepts: their rows are fetched `limit + 1` at a time, never all. */
const CURSOR_RE = /^(select|with|values|table)\b/i;

/** The text without leading comments, blanks and parentheses, to read its first keyword. */
export function leadingKeyword(sql: string): string {
  let s = sql;
  for (;;) {
    const t = s.replace(/^[\s(]+/, '');
    if (t.startsWith('--')) s = t.replace(/^--[^\n]*(\n|$)/, '');
    else if (t.startsWith('/*')) {
      const end = t.indexOf('*/');
      s = end < 0 ? '' : t.slice(end + 2);
    } else return (/^[a-z]+/i.exec(t)?.[0] ?? '').toLowerCase();
  }
}

/** A statement's text without the semicolons and blanks that end it (DECLARE wraps it). */
function withoutTerminator(sql: string): string {
  return sql.replace(/[\s;]+$/, '');
}

/**
 * Runs `fn` inside `BEGIN TRANSACTION READ ONLY` with `SET LOCAL statement_timeout` (and the
 * read role for console statements), then rolls back. The server refuses every write, a SET of
 * transaction_read_only and nextval(); our keyword check is only the first line. The signal and a
 * server that stops answering cut the socket: the caller gets CANCELED / UNAVAILABLE, the server
 * drops the transaction with the connection, and the driver does not pool that connection again.
 */
export async function pgReadTx<T>(client: pg.PoolClient, ctx: PgReadContext, fn: (tx: DriverReadTx) => Promise<T>): Promise<T> {
  throwIfAborted(ctx.signal, 'read');
  const timeoutMs = ctx.timeoutMs ?? 0;
  let cut: 'aborted' | 'silent' | null = null;
  const kill = (why: 'aborted' | 'silent'): void => {
    cut ??= why;
    ctx.broken();
    (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
  };
  const onAbort = (): void => kill('aborted');
  ctx.signal?.addEventListener('abort', onAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    if (timeoutMs <= 0) return;
    clearTimeout(timer);
    timer = setTimeout(() => kill('silent'), timeoutMs + ANSWER_GRACE_MS);
  };
  const translate = (err: unknown): unknown => {
    if (cut === 'aborted') return canceled(ctx.signal, 'query');
    if (cut === 'silent') return ctx.fail(new Error(`Connection terminated: the server did not answer within ${Math.ceil((timeoutMs + ANSWER_GRACE_MS) / 1000)} s`), 'query');
    return err;
  };
  // Written when a transaction is begun (the lone-SELECT path below never begins one).
  const start = (): string =>
    [
      'BEGIN TRANSACTION READ ONLY',
      // client_connection_check_interval is set on the connection when the driver opens it.
      `SET LOCAL statement_timeout = ${Math.max(0, Math.floor(timeoutMs))}`,
      ...(ctx.role ? [`SET LOCAL ROLE ${ctx.role}`] : []),
    ].join('; ');
  let begun = false;
  /** The ROLLBACK went with the last statement. */
  let ended = false;
  const guarded = async <R>(p: () => Promise<R>): Promise<R> => {
    arm();
    try {
      return await p();
    } catch (err) {
      throw translate(err);
    } finally {
      clearTimeout(timer);
    }
  };
  const begin = async (): Promise<void> => {
    if (begun) return;
    begun = true;
    await guarded(async () => {
      try {
        // The transaction's first query takes its snapshot: from then on not even `SET
        // transaction_read_only = off` (allowed before any query) can make it writable.
        await client.query(`${start()}; SELECT 1`);
      } catch (err) {
        throw ctx.fail(err, 'begin a read-only transaction');
      }
    });
  };
  const run = async (sql: string, params: DriverParams | undefined, array: boolean): Promise<pg.QueryResult> => {
    await begin();
    return guarded(() => ctx.exec(sql, params, array));
  };
  const tx: DriverReadTx = {
    query: async <R extends DriverRow = DriverRow>(sql: string, params?: DriverParams) => (await run(sql, params, false)).rows as R[],
    rows: async (sql, params, limit, opts = {}): Promise<DriverRows> => {
      let res: pg.QueryResult;
      if (opts.bounded && opts.only && !begun && ctx.session && !ctx.untrusted && (params?.length ?? 0) === 0) {
        // The engine's lone SELECT on a read-only session: the server refuses writes to the
        // implicit transaction as to BEGIN READ ONLY, and the time limit is the session's, so the
        // page is one statement, as a bare client sends it (a SET first when the limit changed).
        const session = ctx.session;
        const limitMs = Math.max(0, Math.floor(timeoutMs));
        begun = true;
        ended = true;
        res = await guarded(async () => {
          try {
            if (session.timeoutMs === limitMs) return await client.query({ text: sql, rowMode: 'array' });
            session.timeoutMs = null;
            const all = (await client.query({ text: `SET statement_timeout = ${limitMs}; ${sql}`, rowMode: 'array' })) as unknown as pg.QueryResult[];
            session.timeoutMs = limitMs;
            return all[all.length - 1]!;
          } catch (err) {
            throw ctx.fail(err, 'query');
          }
        });
      } else if (opts.bounded && !begun && (params?.length ?? 0) === 0) {
        // The engine's own statement without parameters: one round trip with the transaction's start.
        begun = true;
        res = await guarded(async () => {
          try {
            // The transaction's only statement: its ROLLBACK rides along (a failed statement skips it; finally sends one).
            // The engine's own SELECT is the first query, so it takes the snapshot: no SELECT 1 ahead of it.
            const all = (await client.query({ text: `${start()}; ${sql}${opts.only ? '; ROLLBACK' : ''}`, rowMode: 'array' })) as unknown as pg.QueryResult[];
            if (opts.only) ended = true;
            return all[all.length - (opts.only ? 2 : 1)]!;
          } catch (err) {
            throw ctx.fail(err, 'query');
          }
        });
      } else if (opts.bounded || !CURSOR_RE.test(leadingKeyword(sql))) {
        // EXPLAIN and SHOW answer a few rows and DECLARE does not take them; bounded ones carry a LIMIT.
        res = await run(sql, params, true);
      } else {
        await run(`DECLARE fox_read NO SCROLL CURSOR FOR ${withoutTerminator(sql)}`, params, false);
        res = await run(`FETCH FORWARD ${limit + 1} FROM fox_read`, [], true);
        await run('CLOSE fox_read', [], false);
      }
      const rows = res.rows as unknown as unknown[][];
      return { columns: (res.fields ?? []).map((f) => f.name), rows: rows.slice(0, limit), truncated: rows.length > limit };
    },
  };
  let ok = false;
  try {
    const out = await fn(tx);
    ok = true;
    return out;
  } finally {
    clearTimeout(timer);
    ctx.signal?.removeEventListener('abort', onAbort);
    if (begun && !ended && cut === null) {
      // Nothing was written (the server saw to it): ROLLBACK ends the snapshot. After a success it
      // is queued, not awaited: pg runs a connection's statements in order, so whoever takes the
      // connection next starts after it; a failed one marks the connection broken.
      const rollback = client.query('ROLLBACK').then(
        () => undefined,
        () => ctx.broken(),
      );
      if (!ok || ctx.untrusted) await rollback;
    }
  }
}

/** Whether a driver error is the server's refusal to write in a read-only transaction. */
export function isReadOnlyRefusal(err: unknown): boolean {
  return err instanceof FoxError && /read-only transaction|permission denied|must be superuser|not allowed|privilege/i.test(err.message);
}
