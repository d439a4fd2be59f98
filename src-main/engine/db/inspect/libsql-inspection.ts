import { FoxError, isFoxError, throwIfAborted, type OpOptions } from '../../errors.js';
import { hasSecondSqliteStatement } from '../drivers/placeholders.js';
import type { DriverReadTx, StoreDriver } from '../drivers/types.js';
import type { QueryHost } from '../query/query-host.js';
import { runReadOnlyQuery, type QueryCell, type QueryResult } from '../query/run-query.js';
import { quoteIdent } from '../sqlite.js';
import { integrityVerdict, type CheckOptions, type CheckResult } from './check.js';
import type { DbInfo } from './info.js';
import { IN_PROCESS_MAX_OFFSET } from './page-reader.js';
import type { SchemaObject } from './schema.js';
import {
  COUNT_CAP,
  COUNT_CAP_LATE,
  notReadOnly,
  pageBounds,
  positionalParams,
  queryBounds,
  timeLimitError,
  toQueryCell,
  type BrowseOptions,
  type DriverQueryOptions,
  type StoreInspection,
} from './store-inspection.js';
import type { TableInfo, TablesOptions } from './tables.js';

/** What the console may send to libSQL: queries and PRAGMAs that only read (no `=`); read mode refuses the rest. */
const READ_RE = /^\s*(select|with|values|explain)\b|^\s*pragma\s+[a-z_.]+\s*(\([^)]*\))?\s*;?\s*$/i;

type ListRow = { name: string; type: TableInfo['type']; ncol: number; wr: number };

/** Tables libSQL makes for itself. */
const LIBSQL_OWN = new Set(['libsql_wasm_func_table']);

/**
 * Inspection of a store on the turso / libsql driver: SQLite's catalog and pragmas, read through
 * the libSQL client inside `BEGIN TRANSACTION READONLY` (libSQL's read mode refuses writes).
 * Size is page_count x page_size as the server reports it.
 */
export class LibsqlInspection implements StoreInspection {
  readonly driver: string;
  readonly subject: string;
  /** Each table's browse ORDER BY, learnt once (a failing page forgets it). */
  private readonly orders = new Map<string, string>();

  /**
   * @param host where console queries on a local file run: a query child, which the time limit
   * kills (a local libSQL statement blocks the thread it runs on, so no timer here could stop it).
   */
  constructor(
    private readonly d: StoreDriver,
    private readonly host?: QueryHost,
  ) {
    if (d.dialect !== 'sqlite') throw new FoxError('INVALID_INPUT', `store ${d.store.name} is not on a SQLite-dialect driver`);
    this.driver = d.driver;
    this.subject = `store ${d.store.name} (${d.location})`;
  }

  /**
   * The local file of a libSQL store (file: URL, no replica), or null for a server. A statement
   * on a local file runs on the calling thread and no timer can stop it: whatever may take long
   * (console queries, deep pages, the integrity check) goes to a query child instead, which the
   * time limit and Cancel kill.
   */
  private local(): { file: string; busyTimeoutMs: number } | null {
    // The turso / libsql driver names its local file (TursoStoreDriver.localFile); remote ones have none.
    const local = this.d as Partial<{ localFile: string | null; busyTimeoutMs: number }>;
    return local.localFile ? { file: local.localFile, busyTimeoutMs: local.busyTimeoutMs ?? 5000 } : null;
  }

  /** One statement on the local file in a query child (libSQL's read mode, query_only). */
  private inChild(file: { file: string; busyTimeoutMs: number }, sql: string, opts: { params?: readonly unknown[]; limit: number; timeoutMs: number; signal?: AbortSignal | undefined }): Promise<QueryResult> {
    return runReadOnlyQuery(file.file, sql, {
      engine: 'libsql',
      ...(opts.params ? { params: opts.params } : {}),
      limit: opts.limit,
      timeoutMs: opts.timeoutMs,
      busyTimeoutMs: file.busyTimeoutMs,
      subject: this.subject,
      ...(this.host ? { host: this.host } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  }

  private list(tx: DriverReadTx): Promise<ListRow[]> {
    return tx
      .query<ListRow>("SELECT name, type, ncol, wr FROM pragma_table_list WHERE schema = 'main' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .then((rows) => rows.filter((r) => !LIBSQL_OWN.has(r.name)));
  }

  /** @inheritdoc */
  info(opts: OpOptions = {}): Promise<DbInfo> {
    return this.d.read(
      async (tx) => {
        const pragma = async (name: string): Promise<unknown> => Object.values((await tx.query(`PRAGMA ${name}`))[0] ?? {})[0];
        const counts = new Map(
          (await tx.query<{ type: string; n: number }>("SELECT type, count(*) AS n FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' AND name <> 'libsql_wasm_func_table' GROUP BY type")).map((r) => [r.type, Number(r.n)]),
        );
        const names = new Set((await tx.query<{ name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table'")).map((r) => r.name));
        let schemaVersion: number | null = null;
        if (names.has('schema_migrations')) {
          const [m] = await tx.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
          schemaVersion = m?.v === null || m?.v === undefined ? null : Number(m.v);
        }
        let indexSchema: string | null = null;
        if (names.has('index_meta')) {
          try {
            const [row] = await tx.query<{ value: unknown }>("SELECT value FROM index_meta WHERE key = 'schema_version'");
            indexSchema = row ? String(row.value) : null;
          } catch {
            indexSchema = null; // an index_meta of another shape is not a repoindex
          }
        }
        const [v] = await tx.query<{ v: string }>('SELECT sqlite_version() AS v');
        const pageSize = Number(await pragma('page_size'));
        const pageCount = Number(await pragma('page_count'));
        return {
          driver: this.d.driver,
          path: this.d.location,
          store: this.d.store.name,
          class: this.d.store.class,
          key: null,
          size_bytes: pageSize * pageCount,
          wal_bytes: 0,
          page_size: pageSize,
          page_count: pageCount,
          freelist_count: Number(await pragma('freelist_count')),
          journal_mode: String(await pragma('journal_mode')),
          encoding: String(await pragma('encoding')),
          user_version: Number(await pragma('user_version')),
          schema_version: schemaVersion,
          index_schema_version: indexSchema,
          tables: counts.get('table') ?? 0,
          indexes: counts.get('index') ?? 0,
          views: counts.get('view') ?? 0,
          triggers: counts.get('trigger') ?? 0,
          sqlite_version: String(v?.v ?? ''),
          server_version: `libSQL (SQLite ${String(v?.v ?? '?')})`,
        };
      },
      opts.signal ? { signal: opts.signal } : {},
    );
  }

  /** @inheritdoc Counts stop at COUNT_CAP rows (COUNT_CAP_LATE once the budget is spent) and then say "at least". */
  tables(opts: TablesOptions = {}): Promise<TableInfo[]> {
    const deadline = Date.now() + (opts.countBudgetMs ?? 2000);
    return this.d.read(
      async (tx) => {
        const out: TableInfo[] = [];
        for (const t of await this.list(tx)) {
          throwIfAborted(opts.signal, 'db tables');
          const info: TableInfo = { name: t.name, type: t.type, columns: Number(t.ncol), without_rowid: Number(t.wr) === 1, rows: null, rows_exact: false };
          if (t.type !== 'view') {
            const cap = Date.now() < deadline ? COUNT_CAP : COUNT_CAP_LATE;
            try {
              const [c] = await tx.query<{ n: number }>(`SELECT count(*) AS n FROM (SELECT 1 FROM ${quoteIdent(t.name)} LIMIT ${cap + 1})`);
              const n = Number(c?.n ?? 0);
              info.rows = Math.min(n, cap);
              info.rows_exact = n <= cap;
            } catch (err) {
              // A virtual table of a module this build lacks cannot be counted: the others still are.
              if (!isFoxError(err, 'INVALID_INPUT')) throw err;
            }
          }
          out.push(info);
        }
        return out;
      },
      opts.signal ? { signal: opts.signal } : {},
    );
  }

  /** @inheritdoc The CREATE statements of sqlite_schema, in the SQLite inspector's order. */
  schema(opts: OpOptions = {}): Promise<SchemaObject[]> {
    return this.d.read(
      async (tx) =>
        (await tx.query(
          `SELECT type, name, tbl_name AS "table", sql FROM sqlite_schema
            WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' AND name <> 'libsql_wasm_func_table'
            ORDER BY CASE type WHEN 'view' THEN 1 ELSE 0 END, tbl_name, CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 ELSE 2 END, name`,
        )) as unknown as SchemaObject[],
      opts.signal ? { signal: opts.signal } : {},
    );
  }

  /** @inheritdoc In rowid order where the table has one. */
  async browse(table: string, opts: BrowseOptions = {}): Promise<QueryResult> {
    const { limit, offset } = pageBounds(opts, this.subject);
    const timeoutMs = opts.timeoutMs ?? 30_000;
    const started = Date.now();
    // A deep page of a local file is a long walk: in a query child, so the thread is not held and the time limit holds.
    const local = offset > IN_PROCESS_MAX_OFFSET ? this.local() : null;
    try {
      const res = await this.d.read(
        async (tx) => {
          let order = this.orders.get(table);
          if (order === undefined) {
            const [found] = await tx.query<{ type: string; wr: number }>("SELECT type, wr FROM pragma_table_list WHERE schema = 'main' AND name = ?", [table]);
            if (!found) throw new FoxError('NOT_FOUND', `${this.subject} has no table or view named "${table}"`, { subject: `store ${this.d.store.name}` });
            order = found.type === 'table' && Number(found.wr) === 0 ? ' ORDER BY rowid' : '';
            this.orders.set(table, order);
          }
          const sql = `SELECT * FROM ${quoteIdent(table)}${order} LIMIT ${limit} OFFSET ${offset}`;
          return local ? sql : tx.rows(sql, [], limit, { bounded: true });
        },
        { timeoutMs, ...(opts.signal ? { signal: opts.signal } : {}) },
      );
      // The child's cells are QueryCells already; it holds no transaction of ours while it walks.
      if (typeof res === 'string') return { ...(await this.inChild(local!, res, { limit, timeoutMs, signal: opts.signal })), duration_ms: Date.now() - started };
      // In place: the driver's rows are ours (one array per row, not a copy of it).
      for (const r of res.rows) for (let i = 0; i < r.length; i++) r[i] = toQueryCell(r[i]);
      return { columns: res.columns, rows: res.rows as QueryCell[][], truncated: res.truncated, duration_ms: Date.now() - started };
    } catch (err) {
      if (this.orders.delete(table) && isFoxError(err) && /no such table/i.test(err.message)) return this.browse(table, opts);
      throw timeLimitError(err, this.subject, timeoutMs);
    }
  }

  /** @inheritdoc */
  async query(sql: string, opts: DriverQueryOptions = {}): Promise<QueryResult> {
    const { limit, timeoutMs } = queryBounds(opts, this.subject);
    if (sql.trim().length === 0) throw new FoxError('INVALID_INPUT', 'the SQL statement is empty', { subject: this.subject });
    if (!READ_RE.test(sql)) throw notReadOnly(this.subject, 'this statement would write or change the database (ATTACH, BEGIN and PRAGMA settings are refused)');
    // libSQL would run the first statement and drop the rest without a word.
    if (hasSecondSqliteStatement(sql)) throw new FoxError('INVALID_INPUT', `${this.subject}: only one statement can run at a time`, { subject: this.subject });
    const params = positionalParams(opts.params, this.subject);
    const started = Date.now();
    const local = this.local();
    try {
      if (local) {
        const res = await this.inChild(local, sql, { params, limit, timeoutMs, signal: opts.signal });
        return { ...res, duration_ms: Date.now() - started };
      }
      const res = await this.d.read((tx) => tx.rows(sql, params, limit), { timeoutMs, untrusted: true, ...(opts.signal ? { signal: opts.signal } : {}) });
      return { columns: res.columns, rows: res.rows.map((r) => r.map(toQueryCell)), truncated: res.truncated, duration_ms: Date.now() - started };
    } catch (err) {
      if (isFoxError(err) && /readonly|read-only|attempt to write/i.test(err.message)) throw notReadOnly(this.subject, `libSQL refused it: ${err.message}`);
      throw timeLimitError(err, this.subject, timeoutMs);
    }
  }

  /** @inheritdoc PRAGMA integrity_check (or quick_check), inside the read transaction. */
  check(opts: CheckOptions = {}): Promise<CheckResult> {
    const mode = opts.quick ? 'quick_check' : 'integrity_check';
    const max = opts.maxErrors ?? 100;
    if (!Number.isInteger(max) || max < 1) throw new FoxError('INVALID_INPUT', `max errors must be a whole number of at least 1 (got ${max})`);
    const started = Date.now();
    const local = this.local();
    if (local) {
      // A whole-file check of a local file: in a query child, which the time limit and Cancel stop.
      return this.inChild(local, `PRAGMA ${mode}(${max})`, { limit: max + 1, timeoutMs: opts.timeoutMs ?? 0, signal: opts.signal }).then(
        (res) => ({ driver: this.d.driver, path: this.d.location, mode, available: true, ...integrityVerdict(res.rows.map((r) => r[0])), duration_ms: Date.now() - started }),
        (err: unknown) => {
          // Structures too damaged to walk abort the check with SQLITE_CORRUPT: that is the finding.
          if (!isFoxError(err, 'CORRUPT')) throw timeLimitError(err, this.subject, opts.timeoutMs ?? 0);
          const why = err.message.startsWith(`${this.subject}: `) ? err.message.slice(this.subject.length + 2) : err.message;
          return { driver: this.d.driver, path: this.d.location, mode, available: true, ok: false, problems: [`libSQL could not finish the check: ${why}`], duration_ms: Date.now() - started };
        },
      );
    }
    return this.d.read(
      async (tx) => {
        const res = await tx.rows(`PRAGMA ${mode}(${max})`, [], max + 1);
        const { ok, problems } = integrityVerdict(res.rows.map((r) => r[0]));
        return { driver: this.d.driver, path: this.d.location, mode, available: true, ok, problems, duration_ms: Date.now() - started };
      },
      { timeoutMs: opts.timeoutMs ?? 0, ...(opts.signal ? { signal: opts.signal } : {}) },
    );
  }
}
