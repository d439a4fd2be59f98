import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createClient, type Client, type InValue, type ResultSet, type Transaction } from '@libsql/client';
import { FoxError, throwIfAborted, toFoxError } from '../../errors.js';
import type { StoreDef } from '../../registry/stores.js';
import type { Migration } from '../migrate.js';
import { localFileOfUrl } from './file-url.js';
import { Mutex, sharedMutex } from './mutex.js';
import { countSqlitePlaceholders } from './placeholders.js';
import { scrubSecrets, urlSecrets, type TursoStoreSettings } from './settings.js';
import { readOnlyMessage } from './sqlite.js';
import { applySqliteDialectMigrations, type AsyncSqliteConn } from './sqlite-dialect-migrate.js';
import type { DriverParams, DriverPing, DriverReadOptions, DriverReadTx, DriverRow, DriverTable, DriverTx, StoreDriver } from './types.js';
import { normalizeCell, normalizeParams, normalizeRow } from './values.js';

/** Remote calls that take longer than this fail with UNAVAILABLE (8 s: the error arrives within 10 s). */
export const TURSO_REMOTE_TIMEOUT_MS = 8_000;

const NETWORK_RE = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EHOSTUNREACH|EAI_AGAIN|fetch failed|socket|network|websocket|HRANA|SERVER_ERROR|connect|sync/i;
const LOCAL_OPEN_RE = /Unable to open connection to local database .*: (\d+)/;
const READ_RE = /^\s*(select|with|values|explain)\b|^\s*pragma\s+[a-z_.]+\s*(\(|;|$)/i;

export { localFileOfUrl } from './file-url.js';

/** A local libSQL connection, as far as reads use it (the `libsql` package, better-sqlite3's API). */
interface LocalStatement {
  raw(on?: boolean): LocalStatement;
  safeIntegers(on?: boolean): LocalStatement;
  readonly reader: boolean;
  all(params: unknown[]): unknown[][];
  columns(): { name: string }[];
}
interface LocalDatabase {
  prepare(sql: string): LocalStatement;
  exec(sql: string): void;
  close(): void;
}
type LocalDatabaseClass = new (file: string, opts: { timeout?: number }) => LocalDatabase;

let localClass: LocalDatabaseClass | undefined;

/**
 * The `libsql` package that @libsql/client itself opens local files with (its dependency, resolved
 * from it, so the two always match): reads open their own connection through it, in raw mode.
 */
function localDatabaseClass(): LocalDatabaseClass {
  const fromClient = createRequire(createRequire(import.meta.url).resolve('@libsql/client'));
  return (localClass ??= fromClient('libsql') as LocalDatabaseClass);
}

/**
 * The turso driver: @libsql/client over a `file:` database, a remote libSQL server (token
 * required) or, for a store's remote URL, an embedded replica `<root>/<name>.turso.replica`
 * synced every `FOXCTL_<STORE>_SYNC_INTERVAL` seconds (0: at open and on `sync()`). Calls to one
 * local file are serialised in this process: a local libSQL lock wait blocks the event loop.
 */
export class TursoStoreDriver implements StoreDriver {
  /** `turso`, or `libsql` for the Go foxctl's local-first libSQL files (libsqlStoreSettings). */
  readonly driver: 'turso' | 'libsql';
  readonly dialect = 'sqlite' as const;
  readonly schema = null;
  readonly vectors = false;
  readonly store: StoreDef;
  readonly location: string;
  readonly readOnly: boolean;
  /** The local database file when the URL is `file:` (no replica), else null: a query child can read it. */
  readonly localFile: string | null;
  /** How long a local call waits for a lock (FOXCTL_<STORE>_DB_TIMEOUT). */
  readonly busyTimeoutMs: number;
  private client: Client | null = null;
  /** Local files: the connection reads use (query_only, every read in BEGIN TRANSACTION READONLY), opened on first read. */
  private reader: LocalDatabase | null = null;
  private readonly subject: string;
  private readonly lock: Mutex;
  private readonly local: string | null;
  private readonly secrets: string[];

  private constructor(
    private readonly settings: TursoStoreSettings,
    store: StoreDef,
    private readonly migrations: readonly Migration[],
    readOnly: boolean,
    driver: 'turso' | 'libsql',
  ) {
    this.driver = driver;
    this.store = store;
    this.readOnly = store.readOnly || readOnly;
    this.location = settings.replicaPath && driver === 'turso' ? `${settings.location} (replica ${settings.replicaPath})` : settings.location;
    this.subject = `store ${store.name} (${settings.location})`;
    this.local = settings.replicaPath ?? (settings.url.startsWith('file:') ? path.resolve(localFileOfUrl(settings.url)) : null);
    this.lock = this.local ? sharedMutex(this.local) : new Mutex();
    this.localFile = settings.url.startsWith('file:') && !settings.replicaPath ? this.local : null;
    this.busyTimeoutMs = settings.timeoutMs;
    this.secrets = [settings.authToken ?? '', ...urlSecrets(settings.url)].filter((s) => s.length > 0);
  }

  /** Opens the client (creating a local file's directory) and, for a replica, syncs it once. */
  static async open(settings: TursoStoreSettings, store: StoreDef, migrations: readonly Migration[], readOnly = false, driver: 'turso' | 'libsql' = 'turso'): Promise<TursoStoreDriver> {
    const d = new TursoStoreDriver(settings, store, migrations, readOnly, driver);
    await d.connect();
    return d;
  }

  private async connect(): Promise<void> {
    const s = this.settings;
    try {
      if (this.local) await fs.mkdir(path.dirname(this.local), { recursive: true });
      this.client = s.replicaPath
        ? createClient({ url: `file:${s.replicaPath}`, syncUrl: s.url, authToken: s.authToken, intMode: 'bigint', timeout: s.timeoutMs, ...(s.syncIntervalSec > 0 ? { syncInterval: s.syncIntervalSec } : {}) })
        : createClient({ url: s.url, authToken: s.authToken, intMode: 'bigint', timeout: s.timeoutMs });
    } catch (err) {
      throw this.fail(err, 'open');
    }
    try {
      if (s.replicaPath) await this.remote('sync', () => this.conn().sync());
      else if (s.url.startsWith('file:') && !this.readOnly) await this.lock.run(() => this.remote('open', () => this.conn().execute('PRAGMA journal_mode = WAL')));
    } catch (err) {
      this.client?.close();
      this.client = null;
      throw err;
    }
  }

  private conn(): Client {
    if (!this.client) throw new FoxError('UNAVAILABLE', `${this.subject} is closed`, { subject: `store ${this.store.name}` });
    return this.client;
  }

  /** Translates a libSQL error: UNAVAILABLE for the network, SQLite codes as the sqlite driver's; secrets scrubbed. */
  private fail(err: unknown, what: string): FoxError {
    if (err instanceof FoxError) return err;
    const e = (err ?? {}) as { code?: unknown; message?: unknown; cause?: unknown };
    const causeMsg = e.cause instanceof Error ? ` (${e.cause.message})` : '';
    const msg = scrubSecrets(`${typeof e.message === 'string' ? e.message : String(err)}${causeMsg}`, this.secrets);
    const code = typeof e.code === 'string' ? e.code : '';
    const subject = `store ${this.store.name}`;
    if (/40[13]|unauthori[sz]ed|forbidden/i.test(msg) && !this.settings.url.startsWith('file:')) {
      return new FoxError('UNAVAILABLE', `${what}: ${this.subject} refused the credentials (check the store's token): ${msg}`, { subject });
    }
    const local = LOCAL_OPEN_RE.exec(msg);
    if (local) {
      const codeOf: Record<string, string> = { '14': 'SQLITE_CANTOPEN', '26': 'SQLITE_NOTADB', '11': 'SQLITE_CORRUPT', '5': 'SQLITE_BUSY', '8': 'SQLITE_READONLY' };
      const f = toFoxError(Object.assign(new Error(msg), { code: codeOf[local[1]!] ?? 'SQLITE_IOERR' }), `${what} in ${this.subject}`);
      return new FoxError(f.code, f.message, { subject });
    }
    const remote = !this.settings.url.startsWith('file:');
    if (remote && !code.startsWith('SQLITE_') && NETWORK_RE.test(`${code} ${msg}`)) {
      return new FoxError('UNAVAILABLE', `${what}: cannot reach ${this.subject}: ${msg}`, { subject });
    }
    const f = toFoxError(Object.assign(new Error(msg), { code }), `${what} in ${this.subject}`, 'INVALID_INPUT');
    return new FoxError(f.code, f.message, { subject });
  }

  /** Runs a libSQL call; remote ones fail with UNAVAILABLE after TURSO_REMOTE_TIMEOUT_MS. */
  private async remote<T>(what: string, fn: () => Promise<T>): Promise<T> {
    const isRemote = !this.settings.url.startsWith('file:');
    let timer: NodeJS.Timeout | undefined;
    try {
      const p = fn();
      if (!isRemote) return await p;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new FoxError('UNAVAILABLE', `${what}: ${this.subject} did not answer within ${TURSO_REMOTE_TIMEOUT_MS / 1000} s`, { subject: `store ${this.store.name}` })), TURSO_REMOTE_TIMEOUT_MS);
      });
      p.catch(() => undefined);
      return await Promise.race([p, timeout]);
    } catch (err) {
      throw this.fail(err, what);
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  private refuseWrite(what: string): void {
    if (this.readOnly) throw new FoxError('UNSUPPORTED', readOnlyMessage(this.store, what), { subject: `store ${this.store.name}` });
  }

  private static rows<T extends DriverRow>(rs: ResultSet): T[] {
    return rs.rows.map((r) => {
      const o: Record<string, unknown> = {};
      rs.columns.forEach((c, i) => (o[c] = r[i]));
      return normalizeRow(o) as T;
    });
  }

  private exec(target: Client | Transaction, sql: string, params: DriverParams | undefined): Promise<ResultSet> {
    // libSQL binds missing parameters as NULL: refuse a count mismatch as better-sqlite3 and pg do.
    const expected = countSqlitePlaceholders(sql);
    const given = params?.length ?? 0;
    if (expected !== null && expected !== given) {
      return Promise.reject(new FoxError('INVALID_INPUT', `the statement has ${expected} ? placeholder(s) but ${given} parameter(s) were given`, { subject: `store ${this.store.name}` }));
    }
    return this.remote('query', () => target.execute({ sql, args: normalizeParams(params) as InValue[] }));
  }

  private txOf(t: Transaction): DriverTx & { exec(sql: string): Promise<void> } {
    return {
      query: async <R extends DriverRow = DriverRow>(sql: string, params?: DriverParams) => TursoStoreDriver.rows<R>(await this.exec(t, sql, params)),
      run: async (sql, params) => ({ changes: (await this.exec(t, sql, params)).rowsAffected }),
      exec: (sql) => this.remote('migration', () => t.executeMultiple(sql)),
    };
  }

  private writeTx<T>(fn: (tx: DriverTx & { exec(sql: string): Promise<void> }) => Promise<T>): Promise<T> {
    return this.lock.run(async () => {
      const t = await this.remote('begin', () => this.conn().transaction('write'));
      try {
        const out = await fn(this.txOf(t));
        await this.remote('commit', () => t.commit());
        return out;
      } catch (err) {
        await t.rollback().catch(() => undefined);
        // Driver errors are FoxErrors already; the caller's own error comes back as it was thrown.
        throw err;
      } finally {
        t.close();
      }
    });
  }

  /** @inheritdoc */
  query<T extends DriverRow = DriverRow>(sql: string, params?: DriverParams): Promise<T[]> {
    if (this.readOnly && !READ_RE.test(sql)) return Promise.reject(new FoxError('UNSUPPORTED', readOnlyMessage(this.store, 'writing'), { subject: `store ${this.store.name}` }));
    return this.lock.run(async () => TursoStoreDriver.rows<T>(await this.exec(this.conn(), sql, params)));
  }

  /** @inheritdoc */
  run(sql: string, params?: DriverParams): Promise<{ changes: number }> {
    try {
      this.refuseWrite('writing');
    } catch (err) {
      return Promise.reject(err);
    }
    return this.lock.run(async () => ({ changes: (await this.exec(this.conn(), sql, params)).rowsAffected }));
  }

  /** @inheritdoc */
  transaction<T>(fn: (tx: DriverTx) => Promise<T>): Promise<T> {
    try {
      this.refuseWrite('a write transaction');
    } catch (err) {
      return Promise.reject(err);
    }
    return this.writeTx(fn);
  }

  /** @inheritdoc */
  async migrate(): Promise<{ applied: number[]; version: number }> {
    this.refuseWrite('migrating');
    const conn: AsyncSqliteConn = {
      query: (sql, params) => this.lock.run(async () => TursoStoreDriver.rows(await this.exec(this.conn(), sql, params))) as never,
      exec: (sql) => this.lock.run(() => this.remote('migration', () => this.conn().executeMultiple(sql))),
      writeTx: (fn) => this.writeTx((tx) => fn({ query: tx.query, exec: tx.exec })),
    };
    try {
      return await applySqliteDialectMigrations(conn, `store ${this.store.name}`, this.migrations);
    } catch (err) {
      throw this.fail(err, 'migrate');
    }
  }

  /** @inheritdoc */
  async tables(): Promise<DriverTable[]> {
    const names = await this.query<{ name: string }>(
      "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE '\\_litestream%' ESCAPE '\\' AND name <> 'schema_migrations' AND name <> 'libsql_wasm_func_table' ORDER BY name",
    );
    const out: DriverTable[] = [];
    for (const { name } of names) {
      try {
        const [r] = await this.query<{ n: number }>(`SELECT count(*) AS n FROM "${name.replace(/"/g, '""')}"`);
        out.push({ name, rows: Number(r?.n ?? 0) });
      } catch {
        /* a virtual table of a module this build lacks */
      }
    }
    return out;
  }

  /**
   * @inheritdoc
   * libSQL's read mode (`BEGIN TRANSACTION READONLY`): the library refuses writes. Remote calls
   * stop after the time limit; a local file's statement runs to its end (libSQL's local calls
   * block this thread, so no timer can interrupt them).
   */
  read<T>(fn: (tx: DriverReadTx) => Promise<T>, opts: DriverReadOptions = {}): Promise<T> {
    if (this.localFile) return this.readLocal(fn, opts);
    return this.lock.run(async () => {
      throwIfAborted(opts.signal, 'read');
      const t = await this.remote('begin', () => this.conn().transaction('read'));
      const exec = async (sql: string, params: DriverParams | undefined): Promise<ResultSet> => {
        throwIfAborted(opts.signal, 'query');
        return this.limited(opts.timeoutMs ?? 0, this.exec(t, sql, params));
      };
      const tx: DriverReadTx = {
        query: async <R extends DriverRow = DriverRow>(sql: string, params?: DriverParams) => TursoStoreDriver.rows<R>(await exec(sql, params)),
        rows: async (sql, params, limit, rowOpts = {}) => {
          // Only a query's rows can be capped in SQL: the rest (PRAGMA, EXPLAIN) answer a few rows.
          // The engine's own bounded statements carry their LIMIT: wrapping them would double their cost.
          const capped = !rowOpts.bounded && /^\s*(select|with|values)\b/i.test(sql) ? `SELECT * FROM (${sql.replace(/[\s;]+$/, '')}) LIMIT ${limit + 1}` : sql;
          const rs = await exec(capped, params);
          const rows = rs.rows.map((r) => rs.columns.map((_, i) => normalizeCell(r[i])));
          return { columns: [...rs.columns], rows: rows.slice(0, limit), truncated: rows.length > limit };
        },
      };
      try {
        return await fn(tx);
      } finally {
        await t.rollback().catch(() => undefined);
        t.close();
      }
    });
  }

  /**
   * read() on a local file: one connection of our own through the library the client uses, with
   * `PRAGMA query_only` (SQLite refuses writes) and only statements that return rows, each read in
   * `BEGIN TRANSACTION READONLY` and rolled back. Rows come as arrays (raw mode): the client's row
   * objects cost more than the page itself. Calls still take this file's lock.
   */
  private readLocal<T>(fn: (tx: DriverReadTx) => Promise<T>, opts: DriverReadOptions): Promise<T> {
    return this.lock.run(async () => {
      throwIfAborted(opts.signal, 'read');
      if (!this.client) throw new FoxError('UNAVAILABLE', `${this.subject} is closed`, { subject: `store ${this.store.name}` });
      let db = this.reader;
      try {
        if (!db) {
          db = new (localDatabaseClass())(this.localFile!, { timeout: this.settings.timeoutMs });
          this.reader = db;
          db.exec('PRAGMA query_only = ON');
        }
        db.exec('BEGIN TRANSACTION READONLY');
      } catch (err) {
        this.dropReader();
        throw this.fail(err, 'begin');
      }
      const conn = db;
      const exec = (sql: string, params: DriverParams | undefined): { columns: string[]; rows: unknown[][] } => {
        throwIfAborted(opts.signal, 'query');
        const expected = countSqlitePlaceholders(sql);
        const given = params?.length ?? 0;
        if (expected !== null && expected !== given) {
          throw new FoxError('INVALID_INPUT', `the statement has ${expected} ? placeholder(s) but ${given} parameter(s) were given`, { subject: `store ${this.store.name}` });
        }
        try {
          const stmt = conn.prepare(sql);
          const args = normalizeParams(params);
          // libSQL's read mode does not refuse writes on a local file (a DELETE in it succeeds):
          // query_only refuses those that return rows, and nothing else runs here at all
          // (PRAGMA settings, COMMIT, ATTACH). A read returns rows; PRAGMA reads do too.
          if (!stmt.reader) {
            throw new FoxError('INVALID_INPUT', `${this.subject}: a read-only transaction runs only statements that return rows; this one would write or change a setting`, {
              subject: `store ${this.store.name}`,
            });
          }
          stmt.raw(true).safeIntegers(true);
          const rows = stmt.all(args);
          for (const r of rows) for (let i = 0; i < r.length; i++) r[i] = normalizeCell(r[i]);
          return { columns: stmt.columns().map((c) => c.name), rows };
        } catch (err) {
          throw this.fail(err, 'query');
        }
      };
      const tx: DriverReadTx = {
        query: async <R extends DriverRow = DriverRow>(sql: string, params?: DriverParams) => {
          const { columns, rows } = exec(sql, params);
          return rows.map((r) => {
            const o: DriverRow = {};
            columns.forEach((c, i) => (o[c] = r[i]));
            return o as R;
          });
        },
        rows: async (sql, params, limit, rowOpts = {}) => {
          // The engine's own bounded statements carry their LIMIT; others get one of limit + 1 around them.
          const capped = !rowOpts.bounded && /^\s*(select|with|values)\b/i.test(sql) ? `SELECT * FROM (${sql.replace(/[\s;]+$/, '')}) LIMIT ${limit + 1}` : sql;
          const { columns, rows } = exec(capped, params);
          const truncated = rows.length > limit;
          if (truncated) rows.length = limit;
          return { columns, rows, truncated };
        },
      };
      try {
        return await fn(tx);
      } finally {
        try {
          conn.exec('ROLLBACK');
        } catch {
          // A connection whose transaction did not end is not used again.
          this.dropReader();
        }
      }
    });
  }

  private dropReader(): void {
    try {
      this.reader?.close();
    } catch {
      // Closing is best effort: the connection only read.
    }
    this.reader = null;
  }

  /** A remote call past `ms` (0: none) fails CANCELED, as a query past its time limit does on the other drivers. */
  private async limited<T>(ms: number, p: Promise<T>): Promise<T> {
    if (ms <= 0 || this.settings.url.startsWith('file:')) return p;
    let timer: NodeJS.Timeout | undefined;
    p.catch(() => undefined);
    try {
      return await Promise.race([
        p,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new FoxError('CANCELED', `${this.subject}: query interrupted: it ran longer than its time limit of ${ms} ms`, { subject: `store ${this.store.name}` })), ms);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** @inheritdoc */
  async ping(): Promise<DriverPing> {
    const t0 = performance.now();
    const [r] = await this.query<{ v: string }>('SELECT sqlite_version() AS v');
    return { latencyMs: performance.now() - t0, version: `libSQL (SQLite ${r?.v ?? '?'})` };
  }

  /** Pulls the remote's changes into the embedded replica (no-op without one). */
  async sync(): Promise<void> {
    if (!this.settings.replicaPath) return;
    await this.lock.run(() => this.remote('sync', () => this.conn().sync()));
  }

  /** @inheritdoc */
  close(): Promise<void> {
    return this.lock.run(async () => {
      this.dropReader();
      this.client?.close();
      this.client = null;
    });
  }
}
