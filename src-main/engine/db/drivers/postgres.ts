import pg from 'pg';
import { FoxError } from '../../errors.js';
import type { StoreDef } from '../../registry/stores.js';
import { nowRfc3339 } from '../../util/time.js';
import { migrationChecksum, migrationSql, type Migration } from '../migrate.js';
import { fnv1a32 } from './fnv.js';
import { pgError } from './pg-errors.js';
import { toPostgresPlaceholders } from './placeholders.js';
import { urlSecrets, type PostgresStoreSettings } from './settings.js';
import { readOnlyMessage } from './sqlite.js';
import { checkChecksums, validateMigrations } from './sqlite-dialect-migrate.js';
import { pgReadTx, type PgReadContext, type ReadRole } from './postgres-read.js';
import type { DriverParams, DriverPing, DriverReadOptions, DriverReadTx, DriverRow, DriverTable, DriverTx, StoreDriver } from './types.js';
import { normalizeParams } from './values.js';

/**
 * Connecting (or waiting for a pooled connection) longer than this fails with UNAVAILABLE: 8 s,
 * so that the error reaches the user within 10 s even on a busy machine.
 */
export const PG_CONNECT_TIMEOUT_MS = 8_000;

const INT8_OID = 20;

/**
 * An int8's text as a number when a double holds it exactly, else a bigint. Number() first: it
 * rounds a value past 2^53 in magnitude to one that is not a safe integer, so that check alone
 * tells the exact ones (a BigInt per cell made a page of ids cost twice as much).
 */
function parseInt8(s: string): number | bigint {
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : BigInt(s);
}

/** int8 as the other drivers return integers: a number when exact, else a bigint. */
const types = {
  getTypeParser: ((oid: number, format?: string) => {
    if (oid === INT8_OID && format !== 'binary') return parseInt8;
    return pg.types.getTypeParser(oid, format as 'text');
  }) as typeof pg.types.getTypeParser,
};

/** Quotes an identifier for PostgreSQL. */
export function pgIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The advisory-lock key of a schema's migrations: FNV-1a 32 of its name, unsigned, as a bigint. */
export function migrationLockKey(schema: string): string {
  return String(fnv1a32(schema));
}

/** How long the last connection given back waits for the next call before it goes to the pool. */
const WARM_MS = 1000;

/**
 * The postgres driver: a pg.Pool of `FOXCTL_POSTGRES_MAX_CONNS` connections, at most
 * `FOXCTL_POSTGRES_MAX_IDLE_CONNS` kept idle, each with search_path set to the store's schema
 * (created if missing). `?` parameters are numbered to `$n`. Migrations run under
 * `pg_advisory_lock(fnv1a32(schema))`, one transaction per migration.
 */
export class PostgresStoreDriver implements StoreDriver {
  readonly driver = 'postgres' as const;
  readonly dialect = 'postgres' as const;
  readonly store: StoreDef;
  readonly location: string;
  readonly schema: string;
  readonly readOnly: boolean;
  vectors: boolean | null = null;
  private pool: pg.Pool | null;
  private readonly subject: string;
  private readonly storeSubject: string;
  private readonly secrets: string[];
  private readonly ready = new WeakSet<pg.PoolClient>();
  /** Connections left in an unknown state (a ROLLBACK that failed): closed, not pooled. */
  private readonly broken = new WeakSet<pg.PoolClient>();
  /** Of a read-only driver's connections: the session statement_timeout the engine gave each (postgres-read.ts). */
  private readonly sessions = new WeakMap<pg.PoolClient, { timeoutMs: number | null }>();
  private schemaReady: Promise<void> | null = null;
  /**
   * The last connection given back, kept out of the pool for WARM_MS: the next call (the table
   * browser's next page) takes it without the pool's checkout and idle-timer churn, which at the
   * p95 cost as much as the page itself. Given to the pool when it idles, when someone waits for
   * a connection, or when it fails.
   */
  private warm: pg.PoolClient | null = null;
  /**
   * One timer for the warm slot, refreshed (not made anew) at each release: it gives the warm
   * connection to the pool once it has waited WARM_MS. A timer and two listeners per page were
   * a measurable part of a page's cost.
   */
  private warmTimer: NodeJS.Timeout | null = null;
  /** The last error of an idle connection (the server went away while nothing was running). */
  lastIdleError: Error | null = null;

  constructor(
    private readonly settings: PostgresStoreSettings,
    store: StoreDef,
    private readonly migrations: readonly Migration[],
    readOnly = false,
  ) {
    this.store = store;
    this.schema = settings.schema;
    this.readOnly = store.readOnly || readOnly;
    this.location = `${settings.location} (schema ${settings.schema})`;
    this.subject = `store ${store.name} (${settings.location})`;
    this.storeSubject = `store ${store.name}`;
    this.secrets = urlSecrets(settings.dsn);
    this.pool = new pg.Pool({
      connectionString: settings.dsn,
      max: settings.maxConns,
      connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS,
      idleTimeoutMillis: 10_000,
      keepAlive: true,
      // A peer that vanished without closing (a dropped network) is noticed in seconds, not hours.
      keepAliveInitialDelayMillis: 10_000,
      application_name: `foxctl ${store.name}`,
      types,
    });
    // An idle connection the server dropped must not crash the process: note it, the pool replaces it.
    this.pool.on('error', (err) => (this.lastIdleError = err));
  }

  private fail(err: unknown, what: string): FoxError {
    return pgError(err, this.subject, this.storeSubject, this.secrets, what);
  }

  private refuseWrite(what: string): void {
    if (this.readOnly) throw new FoxError('UNSUPPORTED', readOnlyMessage(this.store, what), { subject: this.storeSubject });
  }

  /** A pooled connection with the store's search_path (and read-only mode for external stores). */
  private async acquire(): Promise<pg.PoolClient> {
    if (!this.pool) throw new FoxError('UNAVAILABLE', `${this.subject} is closed`, { subject: this.storeSubject });
    const warm = this.takeWarm();
    if (warm) return warm;
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw this.fail(err, 'connect');
    }
    if (!this.ready.has(client)) {
      client.on('error', () => undefined);
      // The server or the network ended it while it waited warm: never hand it out.
      const gone = (): void => {
        if (this.warm === client) this.dropWarm(true);
      };
      client.on('end', gone);
      client.on('error', gone);
      try {
        // `<schema>, public` as the Go foxctl sets it: types and functions of extensions installed
        // in public (pgvector's vector) stay visible; new tables still go to the store's schema.
        await client.query(`SET search_path TO ${pgIdent(this.schema)}, public${this.readOnly ? '; SET default_transaction_read_only = on' : ''}`);
        // The server stops a statement whose client went away (Cancel, a killed studio) within a
        // second. Once per connection, and best effort: PostgreSQL before 14 has no such setting.
        await client.query("SET client_connection_check_interval = '1s'").catch(() => undefined);
      } catch (err) {
        client.release(true);
        throw this.fail(err, 'connect');
      }
      this.ready.add(client);
      if (!this.readOnly) {
        this.schemaReady ??= this.createSchema(client).catch((err: unknown) => {
          this.schemaReady = null;
          throw err;
        });
        try {
          await this.schemaReady;
        } catch (err) {
          client.release(true);
          throw this.fail(err, 'create schema');
        }
      }
    }
    return client;
  }

  private async createSchema(client: pg.PoolClient): Promise<void> {
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${pgIdent(this.schema)}`);
    } catch (err) {
      // Two processes creating the same schema at once: the loser sees a duplicate; it exists now.
      const code = (err as { code?: string }).code;
      if (code !== '23505' && code !== '42P06') throw err;
    }
  }

  /** Gives a connection back: destroyed when it failed, or when enough are already idle. */
  private release(client: pg.PoolClient, err?: unknown): void {
    const broken = this.broken.has(client) || (err instanceof FoxError && (err.code === 'UNAVAILABLE' || err.code === 'CANCELED'));
    this.broken.delete(client);
    // The warm connection is idle too: with it, at most MAX_IDLE_CONNS wait unused.
    const tooManyIdle = (this.pool?.idleCount ?? 0) + (this.warm ? 1 : 0) >= this.settings.maxIdleConns;
    if (broken || tooManyIdle || this.warm || !this.pool || this.pool.waitingCount > 0) {
      client.release(broken || tooManyIdle ? true : undefined);
      return;
    }
    this.warm = client;
    // Refreshed at each release that fills the slot, the timer fires WARM_MS after the last one:
    // whatever is warm then has waited that long.
    if (this.warmTimer) this.warmTimer.refresh();
    else {
      this.warmTimer = setTimeout(() => this.dropWarm(), WARM_MS);
      this.warmTimer.unref();
    }
  }

  /** The warm connection, taken out of its slot, or null. */
  private takeWarm(): pg.PoolClient | null {
    const w = this.warm;
    this.warm = null;
    return w;
  }

  /** Gives the warm connection to the pool (or closes it when it failed). */
  private dropWarm(failed = false): void {
    const client = this.takeWarm();
    client?.release(failed ? true : undefined);
  }

  private async exec(client: pg.PoolClient, sql: string, params: DriverParams | undefined): Promise<pg.QueryResult> {
    const values = normalizeParams(params);
    const numbered = toPostgresPlaceholders(sql);
    if (numbered.count !== values.length) {
      throw new FoxError('INVALID_INPUT', `the statement has ${numbered.count} ? placeholder(s) but ${values.length} parameter(s) were given`, { subject: this.storeSubject });
    }
    try {
      const res: pg.QueryResult | pg.QueryResult[] = await client.query(numbered.count === 0 ? numbered.sql : { text: numbered.sql, values });
      // Several statements without parameters (simple protocol) answer one result each: the last one counts.
      return Array.isArray(res) ? (res[res.length - 1] ?? { rows: [], rowCount: 0, command: '', oid: 0, fields: [] }) : res;
    } catch (err) {
      throw this.fail(err, 'query');
    }
  }

  private async withClient<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.acquire();
    let failure: unknown;
    try {
      return await fn(client);
    } catch (err) {
      failure = err;
      throw err;
    } finally {
      this.release(client, failure);
    }
  }

  private txOf(client: pg.PoolClient): DriverTx {
    return {
      query: async <R extends DriverRow = DriverRow>(sql: string, params?: DriverParams) => (await this.exec(client, sql, params)).rows as R[],
      run: async (sql, params) => ({ changes: (await this.exec(client, sql, params)).rowCount ?? 0 }),
    };
  }

  /** @inheritdoc */
  query<T extends DriverRow = DriverRow>(sql: string, params?: DriverParams): Promise<T[]> {
    return this.withClient(async (c) => (await this.exec(c, sql, params)).rows as T[]);
  }

  /** @inheritdoc */
  async run(sql: string, params?: DriverParams): Promise<{ changes: number }> {
    this.refuseWrite('writing');
    return this.withClient(async (c) => ({ changes: (await this.exec(c, sql, params)).rowCount ?? 0 }));
  }

  /** @inheritdoc */
  async transaction<T>(fn: (tx: DriverTx) => Promise<T>): Promise<T> {
    this.refuseWrite('a write transaction');
    return this.withClient(async (c) => {
      await this.exec(c, 'BEGIN', []);
      try {
        const out = await fn(this.txOf(c));
        await this.exec(c, 'COMMIT', []);
        return out;
      } catch (err) {
        await c.query('ROLLBACK').catch(() => this.broken.add(c));
        // The caller's own error comes back as it was thrown, after the rollback.
        throw err;
      }
    });
  }

  /**
   * Enables pgvector when the server has it. Its absence disables vectors (embeddings stay
   * bytes) unless FOXCTL_POSTGRES_REQUIRE_VECTOR=true, which fails with UNSUPPORTED.
   */
  private async detectVector(c: pg.PoolClient): Promise<void> {
    let why = '';
    try {
      await c.query('CREATE EXTENSION IF NOT EXISTS vector');
    } catch (err) {
      why = this.fail(err, 'CREATE EXTENSION vector').message;
    }
    const r = await c.query("SELECT 1 FROM pg_extension WHERE extname = 'vector'");
    this.vectors = r.rows.length > 0;
    if (!this.vectors && this.settings.requireVector) {
      throw new FoxError('UNSUPPORTED', `store ${this.store.name}: $FOXCTL_POSTGRES_REQUIRE_VECTOR is true but pgvector cannot be enabled on ${this.settings.location}: ${why || 'the extension is not installed'}`, {
        subject: this.storeSubject,
      });
    }
  }

  /** @inheritdoc */
  async migrate(): Promise<{ applied: number[]; version: number }> {
    this.refuseWrite('migrating');
    const subject = this.storeSubject;
    validateMigrations(this.migrations, subject);
    return this.withClient(async (c) => {
      const key = migrationLockKey(this.schema);
      // Abort our statement when this client dies (kill -9): the server does not wait for a dead peer.
      await c.query("SET client_connection_check_interval = '1s'").catch(() => undefined);
      await this.exec(c, 'SELECT pg_advisory_lock(?::bigint)', [key]);
      try {
        await c.query(`CREATE SCHEMA IF NOT EXISTS ${pgIdent(this.schema)}`);
        await c.query('CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL, checksum TEXT)');
        await this.detectVector(c);
        const read = async (): Promise<{ version: number; name: string; checksum: string | null }[]> =>
          (await this.exec(c, 'SELECT version, name, checksum FROM schema_migrations ORDER BY version', [])).rows as { version: number; name: string; checksum: string | null }[];
        checkChecksums(subject, this.migrations, await read(), 'postgres');
        const done = new Set((await read()).map((r) => Number(r.version)));
        const applied: number[] = [];
        for (const m of this.migrations) {
          if (done.has(m.version)) continue;
          await c.query('BEGIN');
          try {
            await c.query(migrationSql(m, 'postgres'));
            await this.exec(c, 'INSERT INTO schema_migrations (version, name, applied_at, checksum) VALUES (?, ?, ?, ?)', [m.version, m.name, nowRfc3339(), migrationChecksum(m, 'postgres')]);
            await c.query('COMMIT');
          } catch (err) {
            await c.query('ROLLBACK').catch(() => this.broken.add(c));
            throw err instanceof FoxError ? err : this.fail(err, `migration ${m.version} (${m.name})`);
          }
          applied.push(m.version);
        }
        const rows = await read();
        return { applied, version: rows.reduce((mx, r) => Math.max(mx, Number(r.version)), 0) };
      } catch (err) {
        throw err instanceof FoxError ? err : this.fail(err, 'migrate');
      } finally {
        // A lock we could not release must not stay on a pooled connection: close that connection.
        await this.exec(c, 'SELECT pg_advisory_unlock(?::bigint)', [key]).catch(() => this.broken.add(c));
      }
    });
  }

  /** @inheritdoc */
  async tables(): Promise<DriverTable[]> {
    return this.withClient(async (c) => {
      const names = (
        await this.exec(c, "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ? AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations' ORDER BY table_name", [this.schema])
      ).rows as { name: string }[];
      const out: DriverTable[] = [];
      for (const { name } of names) {
        const r = await this.exec(c, `SELECT count(*) AS n FROM ${pgIdent(this.schema)}.${pgIdent(name)}`, []);
        out.push({ name, rows: Number((r.rows[0] as { n: number } | undefined)?.n ?? 0) });
      }
      return out;
    });
  }

  /** Whether the login may take pg_read_all_data (asked once per driver). */
  private readRole: Promise<ReadRole> | null = null;

  /** @inheritdoc */
  async read<T>(fn: (tx: DriverReadTx) => Promise<T>, opts: DriverReadOptions = {}): Promise<T> {
    const client = await this.acquire();
    let failure: unknown;
    try {
      if (opts.untrusted) {
        this.readRole ??= client
          .query("SELECT to_regrole('pg_read_all_data') IS NOT NULL AND pg_has_role(session_user, 'pg_read_all_data', 'MEMBER') AS ok")
          .then((r) => ((r.rows[0] as { ok?: boolean } | undefined)?.ok ? 'pg_read_all_data' : null))
          .catch(() => null);
      }
      const role = opts.untrusted ? await this.readRole : null;
      let session = this.readOnly && !opts.untrusted ? this.sessions.get(client) : undefined;
      if (this.readOnly && !opts.untrusted && !session) this.sessions.set(client, (session = { timeoutMs: null }));
      // Every key written, in one order, no spread: the context has one shape, and a spread of
      // the caller's options cost more than the rest of the page's JavaScript.
      const ctx: PgReadContext = {
        timeoutMs: opts.timeoutMs,
        untrusted: opts.untrusted,
        signal: opts.signal,
        role,
        fail: (err, what) => this.fail(err, what),
        exec: (sql, params, array) => this.execExtended(client, sql, params, array),
        broken: () => this.broken.add(client),
        session,
      };
      return await pgReadTx(client, ctx, fn);
    } catch (err) {
      failure = err;
      throw err;
    } finally {
      // A console statement may have left session state (locks, settings, LISTEN): that connection is not reused.
      if (opts.untrusted) this.broken.add(client);
      this.release(client, failure);
    }
  }

  /** exec() in the extended protocol (one statement only, never several), rows as arrays when asked. */
  private async execExtended(client: pg.PoolClient, sql: string, params: DriverParams | undefined, array: boolean): Promise<pg.QueryResult> {
    const values = normalizeParams(params);
    const numbered = toPostgresPlaceholders(sql);
    if (numbered.count !== values.length) {
      throw new FoxError('INVALID_INPUT', `the statement has ${numbered.count} ? placeholder(s) but ${values.length} parameter(s) were given`, { subject: this.storeSubject });
    }
    try {
      return await client.query({ text: numbered.sql, values, queryMode: 'extended', ...(array ? { rowMode: 'array' } : {}) } as pg.QueryConfig);
    } catch (err) {
      throw this.fail(err, 'query');
    }
  }

  /** @inheritdoc */
  async ping(): Promise<DriverPing> {
    return this.withClient(async (c) => {
      const t0 = performance.now();
      const r = await this.exec(c, 'SHOW server_version', []);
      const latencyMs = performance.now() - t0;
      const v = String((r.rows[0] as { server_version?: string } | undefined)?.server_version ?? '?').split(' ')[0];
      return { latencyMs, version: `PostgreSQL ${v}` };
    });
  }

  /** @inheritdoc */
  async close(): Promise<void> {
    const p = this.pool;
    this.dropWarm();
    if (this.warmTimer) clearTimeout(this.warmTimer);
    this.warmTimer = null;
    this.pool = null;
    await p?.end();
  }
}
