import { FoxError, isFoxError, throwIfAborted, type OpOptions } from '../../errors.js';
import { leadingKeyword } from '../drivers/postgres-read.js';
import type { DriverReadTx, StoreDriver } from '../drivers/types.js';
import type { ExportValue, RowSink } from '../export/rows-format.js';
import type { QueryCell, QueryResult } from '../query/run-query.js';
import type { CheckOptions, CheckResult } from './check.js';
import type { DbInfo } from './info.js';
import { pgName, pgTableDdl } from './postgres-ddl.js';
import type { SchemaObject } from './schema.js';
import {
  COUNT_CAP,
  COUNT_CAP_LATE,
  notReadOnly,
  pageBounds,
  positionalParams,
  queryBounds,
  sortSchema,
  timeLimitError,
  toQueryCell,
  type BrowseOptions,
  type DriverQueryOptions,
  type StoreInspection,
} from './store-inspection.js';
import type { TableInfo, TablesOptions } from './tables.js';

/** Statements the console may send to PostgreSQL; the read-only transaction is the real guard. */
const READ_KEYWORDS = new Set(['select', 'with', 'values', 'table', 'explain', 'show']);

/** Rows a FETCH of an export takes. */
const PG_EXPORT_PAGE = 500;

/** Time limit of the engine's own catalog reads (info, tables, schema). */
const CATALOG_TIMEOUT_MS = 30_000;

type RelRow = {
  oid: number;
  name: string;
  kind: string;
  ncol: number;
};

/**
 * Refuses a statement a PostgreSQL export cannot read: DECLARE ... CURSOR takes only a plain
 * query (SELECT, WITH, VALUES, TABLE), so EXPLAIN and SHOW are named as such, writes as writes.
 */
export function assertExportable(sql: string, subject: string): void {
  if (sql.trim().length === 0) throw new FoxError('INVALID_INPUT', 'the SQL statement is empty', { subject });
  const kw = leadingKeyword(sql);
  if (['select', 'with', 'values', 'table'].includes(kw)) return;
  throw READ_KEYWORDS.has(kw)
    ? new FoxError('INVALID_INPUT', `${subject}: only SELECT, WITH, VALUES or TABLE statements can be exported (this one starts with ${kw.toUpperCase()})`, { subject })
    : notReadOnly(subject, `this statement starts with ${kw ? kw.toUpperCase() : 'no keyword'}`);
}

/**
 * Inspection of a store in its PostgreSQL schema: every call is one `BEGIN READ ONLY` transaction
 * with a statement timeout (drivers/postgres-read.ts). Sizes come from the server
 * (pg_total_relation_size of the schema's relations), the schema is rebuilt from the catalog.
 */
export class PostgresInspection implements StoreInspection {
  readonly driver = 'postgres';
  readonly subject: string;
  private readonly schemaName: string;
  /** Each table's browse ORDER BY, learnt once (a failing page forgets it). */
  private readonly orders = new Map<string, string>();

  constructor(private readonly d: StoreDriver) {
    if (d.dialect !== 'postgres' || !d.schema) throw new FoxError('INVALID_INPUT', `store ${d.store.name} is not on PostgreSQL`);
    this.schemaName = d.schema;
    this.subject = `store ${d.store.name} (${d.location})`;
  }

  /** NOT_FOUND naming the store, its schema and the masked server when the schema is not there: an empty store is not what exists. */
  private async assertSchema(tx: DriverReadTx): Promise<void> {
    const [found] = await tx.query('SELECT 1 AS ok FROM pg_namespace WHERE nspname = ?', [this.schemaName]);
    if (!found) throw this.noSchema();
  }

  private noSchema(): FoxError {
    return new FoxError(
      'NOT_FOUND',
      `store ${this.d.store.name} has no schema "${this.schemaName}" on ${this.d.location.replace(/ \(schema [^)]*\)$/, '')} yet (run foxctl init to create the stores)`,
      { subject: `store ${this.d.store.name}` },
    );
  }

  private relations(tx: DriverReadTx, kinds: string): Promise<RelRow[]> {
    return tx.query<RelRow>(
      `SELECT c.oid::int8 AS oid, c.relname AS name, c.relkind::text AS kind,
              (SELECT count(*) FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped)::int AS ncol
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = ? AND position(c.relkind::text in ?) > 0
        ORDER BY c.relname COLLATE "C"`,
      [this.schemaName, kinds],
    );
  }

  /** @inheritdoc */
  info(opts: OpOptions = {}): Promise<DbInfo> {
    return this.d.read(
      async (tx) => {
        await this.assertSchema(tx);
        const [v] = await tx.query<{ version: string; encoding: string; block: string }>(
          "SELECT current_setting('server_version') AS version, current_setting('server_encoding') AS encoding, current_setting('block_size') AS block",
        );
        const [size] = await tx.query<{ n: number }>(
          `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::int8 AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = ? AND c.relkind IN ('r', 'm', 'p')`,
          [this.schemaName],
        );
        const rels = await this.relations(tx, 'rpvmf');
        const count = (kinds: string): number => rels.filter((r) => kinds.includes(r.kind)).length;
        // Indexes as SQLite counts them: those a CREATE INDEX made, not those behind a PRIMARY KEY / UNIQUE.
        const [idx] = await tx.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = ? AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.contype IN ('p', 'u', 'x'))`,
          [this.schemaName],
        );
        const [trig] = await tx.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND NOT t.tgisinternal',
          [this.schemaName],
        );
        let schemaVersion: number | null = null;
        if (rels.some((r) => r.name === 'schema_migrations' && r.kind === 'r')) {
          const [m] = await tx.query<{ v: number | null }>(`SELECT max(version) AS v FROM ${pgName(this.schemaName)}.schema_migrations`);
          schemaVersion = m?.v === null || m?.v === undefined ? null : Number(m.v);
        }
        const pageSize = Number(v?.block ?? 8192);
        const bytes = Number(size?.n ?? 0);
        const version = String(v?.version ?? '?').split(' ')[0]!;
        return {
          driver: 'postgres',
          path: this.d.location,
          store: this.d.store.name,
          class: this.d.store.class,
          key: null,
          size_bytes: bytes,
          wal_bytes: 0,
          page_size: pageSize,
          page_count: Math.ceil(bytes / pageSize),
          freelist_count: 0,
          journal_mode: 'n/a',
          encoding: String(v?.encoding ?? ''),
          user_version: 0,
          schema_version: schemaVersion,
          index_schema_version: null,
          tables: count('rp'),
          indexes: Number(idx?.n ?? 0),
          views: count('vm'),
          triggers: Number(trig?.n ?? 0),
          sqlite_version: '',
          server_version: `PostgreSQL ${version}`,
        };
      },
      { timeoutMs: CATALOG_TIMEOUT_MS, ...(opts.signal ? { signal: opts.signal } : {}) },
    );
  }

  /** @inheritdoc Counts stop at COUNT_CAP rows (COUNT_CAP_LATE once the budget is spent) and then say "at least". */
  tables(opts: TablesOptions = {}): Promise<TableInfo[]> {
    const deadline = Date.now() + (opts.countBudgetMs ?? 2000);
    return this.d.read(
      async (tx) => {
        await this.assertSchema(tx);
        const out: TableInfo[] = [];
        for (const r of await this.relations(tx, 'rpvmf')) {
          throwIfAborted(opts.signal, 'db tables');
          const type: TableInfo['type'] = r.kind === 'v' || r.kind === 'm' ? 'view' : r.kind === 'f' ? 'virtual' : 'table';
          const info: TableInfo = { name: r.name, type, columns: r.ncol, without_rowid: false, rows: null, rows_exact: false };
          if (type === 'table') {
            const cap = Date.now() < deadline ? COUNT_CAP : COUNT_CAP_LATE;
            const [c] = await tx.query<{ n: number }>(`SELECT count(*)::int8 AS n FROM (SELECT 1 FROM ${pgName(this.schemaName)}.${pgName(r.name)} LIMIT ${cap + 1}) s`);
            const n = Number(c?.n ?? 0);
            info.rows = Math.min(n, cap);
            info.rows_exact = n <= cap;
          }
          out.push(info);
        }
        return out;
      },
      { timeoutMs: CATALOG_TIMEOUT_MS, ...(opts.signal ? { signal: opts.signal } : {}) },
    );
  }

  /** @inheritdoc CREATE statements rebuilt from the catalog: columns, NOT NULL, defaults, constraints, indexes, views, triggers. */
  schema(opts: OpOptions = {}): Promise<SchemaObject[]> {
    return this.d.read(
      async (tx) => {
        await this.assertSchema(tx);
        const out: SchemaObject[] = [];
        for (const r of await this.relations(tx, 'rpvm')) {
          if (r.kind === 'v' || r.kind === 'm') {
            const [v] = await tx.query<{ def: string }>('SELECT pg_get_viewdef(?::int8::oid, true) AS def', [r.oid]);
            const what = r.kind === 'm' ? 'MATERIALIZED VIEW' : 'VIEW';
            out.push({ type: 'view', name: r.name, table: r.name, sql: `CREATE ${what} ${pgName(r.name)} AS\n${String(v?.def ?? '').replace(/;\s*$/, '')}` });
            continue;
          }
          out.push({ type: 'table', name: r.name, table: r.name, sql: await pgTableDdl(tx, r.oid, r.name) });
          const idx = await tx.query<{ name: string; def: string }>(
            `SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS def FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
              WHERE i.indrelid = ?::int8::oid AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.contype IN ('p', 'u', 'x'))`,
            [r.oid],
          );
          for (const i of idx) out.push({ type: 'index', name: i.name, table: r.name, sql: i.def });
          const trg = await tx.query<{ name: string; def: string }>('SELECT tgname AS name, pg_get_triggerdef(oid, true) AS def FROM pg_trigger WHERE tgrelid = ?::int8::oid AND NOT tgisinternal', [r.oid]);
          for (const t of trg) out.push({ type: 'trigger', name: t.name, table: r.name, sql: t.def });
        }
        return sortSchema(out);
      },
      { timeoutMs: CATALOG_TIMEOUT_MS, ...(opts.signal ? { signal: opts.signal } : {}) },
    );
  }

  /** The ORDER BY of a table's pages: its primary key, else ctid (physical order), none for views. */
  private async orderOf(tx: DriverReadTx, table: string): Promise<string> {
    const known = this.orders.get(table);
    if (known !== undefined) return known;
    const [rel] = await tx.query<{ oid: number; kind: string }>(
      'SELECT c.oid::int8 AS oid, c.relkind::text AS kind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relname = ? AND c.relkind IN (\'r\', \'p\', \'v\', \'m\', \'f\')',
      [this.schemaName, table],
    );
    if (!rel) {
      await this.assertSchema(tx);
      throw new FoxError('NOT_FOUND', `${this.subject} has no table or view named "${table}"`, { subject: `store ${this.d.store.name}` });
    }
    const pk = await tx.query<{ name: string }>(
      `SELECT a.attname AS name FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
        WHERE i.indrelid = ?::int8::oid AND i.indisprimary ORDER BY array_position(i.indkey::int2[], a.attnum)`,
      [rel.oid],
    );
    const order = pk.length > 0 ? ` ORDER BY ${pk.map((c) => pgName(c.name)).join(', ')}` : rel.kind === 'r' || rel.kind === 'm' ? ' ORDER BY ctid' : '';
    this.orders.set(table, order);
    return order;
  }

  /** @inheritdoc Keyed on the primary key; one round trip once the table's order is known. */
  async browse(table: string, opts: BrowseOptions = {}): Promise<QueryResult> {
    const { limit, offset } = pageBounds(opts, this.subject);
    const timeoutMs = opts.timeoutMs ?? 30_000;
    const started = Date.now();
    try {
      const res = await this.d.read(
        async (tx) => {
          const known = this.orders.get(table);
          const order = known ?? (await this.orderOf(tx, table));
          // With the order known the page is the transaction's only statement: one round trip in all.
          return tx.rows(`SELECT * FROM ${pgName(this.schemaName)}.${pgName(table)}${order} LIMIT ${limit} OFFSET ${offset}`, [], limit, { bounded: true, only: known !== undefined });
        },
        { timeoutMs, signal: opts.signal },
      );
      // In place: the rows are this call's own (a page allocates half as much).
      for (const r of res.rows) for (let i = 0; i < r.length; i++) r[i] = toQueryCell(r[i]);
      return { columns: res.columns, rows: res.rows as QueryCell[][], truncated: res.truncated, duration_ms: Date.now() - started };
    } catch (err) {
      this.orders.delete(table);
      throw timeLimitError(err, this.subject, timeoutMs);
    }
  }

  /** @inheritdoc Refused unless it reads; then run as pg_read_all_data where the login may, inside READ ONLY. */
  async query(sql: string, opts: DriverQueryOptions = {}): Promise<QueryResult> {
    const { limit, timeoutMs } = queryBounds(opts, this.subject);
    if (sql.trim().length === 0) throw new FoxError('INVALID_INPUT', 'the SQL statement is empty', { subject: this.subject });
    const kw = leadingKeyword(sql);
    if (!READ_KEYWORDS.has(kw)) throw notReadOnly(this.subject, `this statement starts with ${kw ? kw.toUpperCase() : 'no keyword'}`);
    const params = positionalParams(opts.params, this.subject);
    const started = Date.now();
    try {
      const res = await this.d.read(
        async (tx) => {
          await this.assertSchema(tx);
          return tx.rows(sql, params, limit);
        },
        { timeoutMs, untrusted: true, ...(opts.signal ? { signal: opts.signal } : {}) },
      );
      return { columns: res.columns, rows: res.rows.map((r) => r.map(toQueryCell)), truncated: res.truncated, duration_ms: Date.now() - started };
    } catch (err) {
      if (isFoxError(err) && /read-only transaction|permission denied|must be (a )?superuser|cannot insert multiple commands|data-modifying/i.test(err.message)) {
        throw notReadOnly(this.subject, `the server refused it: ${err.message.replace(/^.*?: (?=[^:]*$)/, '')}`);
      }
      throw timeLimitError(err, this.subject, timeoutMs);
    }
  }

  /**
   * @inheritdoc A server-side cursor in the console's READ ONLY transaction (as pg_read_all_data
   * where the login may), FETCHed a page at a time; the next FETCH waits on the sink.
   */
  async streamRows(sql: string, sink: RowSink, opts: OpOptions = {}): Promise<void> {
    assertExportable(sql, this.subject);
    try {
      await this.d.read(
        async (tx) => {
          await this.assertSchema(tx);
          await tx.query(`DECLARE fox_export NO SCROLL CURSOR FOR ${sql.replace(/[\s;]+$/, '')}`);
          let first = true;
          for (;;) {
            throwIfAborted(opts.signal, 'export');
            const page = await tx.rows(`FETCH FORWARD ${PG_EXPORT_PAGE} FROM fox_export`, [], PG_EXPORT_PAGE, { bounded: true });
            if (first) await sink.columns(page.columns);
            first = false;
            if (page.rows.length > 0) await sink.rows(page.rows as ExportValue[][]);
            if (page.rows.length < PG_EXPORT_PAGE) break;
          }
        },
        { timeoutMs: 0, untrusted: true, ...(opts.signal ? { signal: opts.signal } : {}) },
      );
    } catch (err) {
      if (isFoxError(err) && /read-only transaction|permission denied|must be (a )?superuser|cannot insert multiple commands|data-modifying/i.test(err.message)) {
        throw notReadOnly(this.subject, `the server refused it: ${err.message.replace(/^.*?: (?=[^:]*$)/, '')}`);
      }
      throw err;
    }
  }

  /** @inheritdoc amcheck's bt_index_check on every B-tree index of the schema, where the extension is installed. */
  check(opts: CheckOptions = {}): Promise<CheckResult> {
    const started = Date.now();
    const base = { driver: 'postgres', path: this.d.location, mode: 'bt_index_check' as const };
    return this.d.read(
      async (tx) => {
        await this.assertSchema(tx);
        const [ext] = await tx.query<{ schema: string }>("SELECT n.nspname AS schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'amcheck'");
        if (!ext) {
          return {
            ...base,
            available: false,
            ok: false,
            problems: [],
            note: 'not available on this server: the amcheck extension is not installed in this database (CREATE EXTENSION amcheck as its owner enables it)',
            duration_ms: Date.now() - started,
          };
        }
        const idx = await tx.query<{ name: string; oid: number }>(
          `SELECT c.relname AS name, c.oid::int8 AS oid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
             JOIN pg_am am ON am.oid = c.relam WHERE n.nspname = ? AND am.amname = 'btree' AND i.indisvalid ORDER BY c.relname COLLATE "C"`,
          [this.schemaName],
        );
        const max = opts.maxErrors ?? 100;
        const problems: string[] = [];
        for (const i of idx) {
          throwIfAborted(opts.signal, 'db check');
          try {
            await tx.query(`SELECT ${pgName(ext.schema)}.bt_index_check(?::int8::oid, ${opts.quick ? 'false' : 'true'})`, [i.oid]);
          } catch (err) {
            if (!isFoxError(err) || err.code === 'UNAVAILABLE' || err.code === 'CANCELED') throw err;
            problems.push(`index ${i.name}: ${err.message.replace(/^.*?: (?=[^:]*$)/, '')}`);
            // A failed statement ends the transaction: what is left is unchecked, and said so.
            const rest = idx.length - idx.indexOf(i) - 1;
            if (rest > 0) problems.push(`${rest} more index(es) not checked after that error`);
            break;
          }
          if (problems.length >= max) break;
        }
        const ok = problems.length === 0;
        const note = `${idx.length} B-tree index(es) checked${opts.quick ? '' : ' (with heapallindexed)'}`;
        return { ...base, available: true, ok, problems, note, duration_ms: Date.now() - started };
      },
      { timeoutMs: opts.timeoutMs ?? 0, ...(opts.signal ? { signal: opts.signal } : {}) },
    );
  }
}
