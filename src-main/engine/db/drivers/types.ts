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
export interface StoreDriver {
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
