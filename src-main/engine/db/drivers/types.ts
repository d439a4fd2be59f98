import type { DbDriverName } from '../connections.js';
import type { StoreDef } from '../../registry/stores.js';

/**
 * The SQL dialect a driver speaks. Turso/libSQL speaks SQLite's; PostgreSQL its own. Migrations
 * and data copies pick their DDL by dialect, never by driver name.
 */
export type SqlDialect = 'sqlite' | 'postgres';

/**
 * A row as a driver returns it: column name -> value. The same on every driver: integers are
 * numbers when exact and bigints beyond 2^53 (PostgreSQL int8 included), bytes are Buffers,
 * NULL is null; NUMERIC stays a string on PostgreSQL.
 */
export type DriverRow = Record<string, unknown>;

/**
 * Parameters are positional and written `?` in SQL on every dialect; the PostgreSQL driver
 * rewrites them to `$1..$n` (outside quotes and comments) before sending.
 */
export type DriverParams = readonly unknown[];

/** Statements run inside one transaction of a driver. */
export interface DriverTx {
  query<T extends DriverRow = DriverRow>(sql: string, params?: DriverParams): Promise<T[]>;
  /** Runs one statement; `changes` is the number of rows written. */
  run(sql: string, params?: DriverParams): Promise<{ changes: number }>;
}

/** A table as a driver sees it (in its schema, for PostgreSQL). */
export interface DriverTable {
  name: string;
  /** Exact row count. */
  rows: number;
}

/** What `ping` measured. */
export interface DriverPing {
  /** Round trip of a trivial query, in milliseconds. */
  latencyMs: number;
  /** Server/library version, e.g. "PostgreSQL 15.8" or "SQLite 3.50.2". */
  version: string;
}

/**
 * One store's database behind one of the drivers (sqlite, turso, libsql, postgres). Async on every
 * driver; one conformance suite (drivers/conformance.ts) runs against all three. The engine's
 * local features (events, jobs, CAS on sqlite) keep their synchronous better-sqlite3 connections;
 * this interface is what `db test`, `db migrate`, `stores list` and remote stores use.
 */
export interface StoreDriver extends ReadableStoreDriver {
  readonly driver: DbDriverName;
  readonly dialect: SqlDialect;
  readonly store: StoreDef;
  /** Where it points, safe to print: a path, or a URL/DSN with the secret masked. */
  readonly location: string;
  /** PostgreSQL: the store's schema (search_path); null elsewhere. */
  readonly schema: string | null;
  /** External stores: reads only; run/transaction/migrate fail with UNSUPPORTED. */
  readonly readOnly: boolean;
  /**
   * PostgreSQL: whether pgvector is enabled (known after migrate(); null before). Without it
   * embeddings stay bytes. Always false on sqlite/turso.
   */
  readonly vectors: boolean | null;
  query<T extends DriverRow = DriverRow>(sql: string, params?: DriverParams): Promise<T[]>;
  run(sql: string, params?: DriverParams): Promise<{ changes: number }>;
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: DriverTx) => Promise<T>): Promise<T>;
  /** Applies the store's pending migrations exactly once across processes (advisory lock / write lock). */
  migrate(): Promise<{ applied: number[]; version: number }>;
  /** The user tables (not schema_migrations) with exact row counts. */
  tables(): Promise<DriverTable[]>;
  ping(): Promise<DriverPing>;
  close(): Promise<void>;
}

/** Columns and rows of one statement, as arrays so that duplicate column names survive. */
export interface DriverRows {
  columns: string[];
  rows: unknown[][];
  /** More rows existed than the limit asked for. */
  truncated: boolean;
}

/** Statements of a read-only transaction: the server (or libSQL) refuses every write in it. */
export interface DriverReadTx {
  query<T extends DriverRow = DriverRow>(sql: string, params?: DriverParams): Promise<T[]>;
  /**
   * One statement's columns and at most `limit` rows (more are never fetched). `bounded`: the
   * statement is the engine's own and carries its own LIMIT, so it runs as it is (on PostgreSQL
   * in the same round trip as the transaction's start when it has no parameters). `only`: it is
   * the transaction's one statement, so PostgreSQL may send its ROLLBACK in that round trip too.
   */
  rows(sql: string, params: DriverParams | undefined, limit: number, opts?: { bounded?: boolean; only?: boolean }): Promise<DriverRows>;
}

/** How a read-only transaction runs. */
export interface DriverReadOptions {
  /** Statement time limit in ms, enforced by the server where it can (0 or absent: none). */
  timeoutMs?: number;
  /**
   * The SQL comes from a person (the console): on PostgreSQL it runs with the privileges of
   * `pg_read_all_data` where the login may take that role, and its connection is closed after,
   * so nothing it set on the session outlives it.
   */
  untrusted?: boolean;
  signal?: AbortSignal;
}

/** Inspection's entry into a driver: reads inside one transaction that the server keeps read-only. */
export interface ReadableStoreDriver {
  /** Runs `fn` in one read-only transaction (PostgreSQL `BEGIN READ ONLY`, libSQL read mode, SQLite query_only) and rolls it back. */
  read<T>(fn: (tx: DriverReadTx) => Promise<T>, opts?: DriverReadOptions): Promise<T>;
}
