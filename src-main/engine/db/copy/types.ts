import type { StoreClass } from '../../registry/stores.js';

/** Options of `db migrate` (the CLI flags and the bridge call's input). */
export interface DbMigrateOptions {
  /** `postgres://` / `postgresql://` DSN, or a libSQL URL (`libsql://`, `https://`, `file:`). */
  targetDsn: string;
  /** Turso token for a remote libSQL URL (else FOXCTL_<STORE>_DB_TOKEN -> FOXCTL_TURSO_TOKEN -> TURSO_AUTH_TOKEN). */
  targetToken?: string | undefined;
  /** Stores to copy; default: the sync_critical and sync_useful stores present on disk. */
  stores?: readonly string[] | undefined;
  /** Rows per multi-row INSERT (default 100; lowered per table to the dialect's parameter limit). */
  batchSize?: number | undefined;
  /** Report what would be copied (tables, row counts) without opening the target. */
  dryRun?: boolean | undefined;
  /** Record a table's failure and go on with the next one (default: stop at the first). */
  continueOnError?: boolean | undefined;
  /** Drop the target's tables of each store first (default: a target table with rows is a CONFLICT). */
  drop?: boolean | undefined;
}

/** One table's outcome: source rows, target rows after the copy, and whether they match. */
export interface TableReport {
  table: string;
  source_rows: number;
  /** Rows in the target after the copy (null in a dry run or when the table failed before counting). */
  target_rows: number | null;
  /** source_rows === target_rows (null in a dry run). */
  match: boolean | null;
  rows_copied: number;
  /** Why the table failed (with --continue-on-error; otherwise the job fails with it). */
  error?: { code: string; message: string };
}

/** A table of the source left out, and why (virtual tables, their shadow tables). */
export interface SkippedTable {
  table: string;
  reason: string;
}

/** One store's outcome. */
export interface StoreReport {
  store: string;
  class: StoreClass;
  /** The source file. */
  source: string;
  /** Where it went (masked), or null when skipped. */
  target: string | null;
  /** PostgreSQL schema the store's tables went to; null for Turso. */
  schema: string | null;
  /** Why a class boundary matters here (a local_only store is rebuildable or device-local). */
  note?: string;
  /** The store was not copied, and why (not on disk). */
  skipped_reason?: string;
  tables: TableReport[];
  skipped_tables: SkippedTable[];
}

/** One failure, naming the store and table it concerns. */
export interface MigrateFailure {
  store: string;
  table: string | null;
  code: string;
  message: string;
}

/** What `db migrate` reports. */
export interface DbMigrateReport {
  /** The target, password or token masked. */
  target: string;
  dialect: 'postgres' | 'sqlite';
  dry_run: boolean;
  stores: StoreReport[];
  rows_copied: number;
  /** Number of failures (details in `failures`). */
  errors: number;
  failures: MigrateFailure[];
  /** Every copied table's counts match and there were no errors. */
  ok: boolean;
  duration_ms: number;
}
