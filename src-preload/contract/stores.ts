// The Stores view's part of the bridge: the registry's stores, disk usage, and read-only database
// inspection (db.*) and migration.
import { z } from 'zod';
import { call, cliLine, count, none } from './parts';

/** Store classes, in display order (the engine's STORE_CLASSES). */
export const STORE_CLASSES = ['sync_critical', 'sync_useful', 'local_only', 'observability', 'external'] as const;

/** One of STORE_CLASSES. */
export type StoreClass = (typeof STORE_CLASSES)[number];

/** A store of the registry (one row per database for keyed stores) with its file on disk. */
export const storeSchema = z.object({
  name: z.string(),
  class: z.enum(STORE_CLASSES),
  description: z.string(),
  /** sqlite / turso / postgres, or null when the configured driver is invalid (see error). */
  driver: z.string().nullable(),
  key: z.string().nullable(),
  keyed: z.boolean(),
  path: z.string().nullable(),
  /** Where the store points, secrets masked: the SQLite file, or the turso URL / PostgreSQL DSN. */
  location: z.string().nullable(),
  /** PostgreSQL: the store's schema; null for other drivers. */
  schema: z.string().nullable(),
  /** A configuration worth a look, e.g. a local_only store on a shared remote database. */
  warning: z.string().nullable(),
  exists: z.boolean(),
  size_bytes: count,
  wal_bytes: count,
  schema_version: z.number().int().nullable(),
  backed_up_by_default: z.boolean(),
  rebuildable: z.boolean(),
  read_only: z.boolean(),
  /** Why the store could not be read (not SQLite, invalid driver...), or null. */
  error: z.string().nullable(),
});

/** A store of the registry with its file on disk. */
export type Store = z.infer<typeof storeSchema>;

/** Disk used by a directory tree; `truncated` when the walk stopped at its bound. */
export const diskUsageSchema = z.object({ path: z.string(), exists: z.boolean(), bytes: count, files: count, truncated: z.boolean() });

/** Disk used by a directory tree. */
export type DiskUsage = z.infer<typeof diskUsageSchema>;

// ---- Stores view: read-only database inspection (db.*) ----

/** What each store class means for backup and sync, one line each (the engine's CLASS_DESCRIPTIONS; a test keeps them equal). */
export const CLASS_DESCRIPTIONS: Record<StoreClass, string> = {
  sync_critical: 'Agent state that must never be lost: always backed up, first to sync.',
  sync_useful: 'Accumulated knowledge worth keeping: always backed up and synced.',
  local_only: 'Rebuildable or device-local: backed up only when asked, never synced.',
  observability: 'Events and telemetry: backed up with the observability component.',
  external: 'Owned by another tool: read-only here, never backed up or written.',
};

/** A store to inspect: its registry name and, for a keyed store, the key (never a path: the renderer cannot name files). */
const dbTargetShape = {
  store: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'a store name is letters, digits and _ (e.g. MEMORY)'),
  key: z.string().max(200).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a key is letters, digits, . _ - (as listed by stores.list)').optional(),
};

/** A result cell: text, number, NULL, a BLOB as size + hex prefix, or long text as its length + head. */
export const dbCellSchema = z.union([
  z.string(),
  z.number(),
  z.null(),
  z.object({ $blob: count, hex: z.string() }),
  z.object({ $text: count, head: z.string() }),
]);

/** A result cell. */
export type DbCell = z.infer<typeof dbCellSchema>;

/** Rows of a read-only query or a page of the table browser. */
export const dbRowsSchema = z.object({
  columns: z.array(z.string()),
  rows: z.array(z.array(dbCellSchema)),
  /** More rows existed than the cap. */
  truncated: z.boolean(),
  duration_ms: z.number(),
});

/** Rows of a query or a browser page. */
export type DbRows = z.infer<typeof dbRowsSchema>;

/** One table of a store with its row count ("at least rows" when rows_exact is false). */
export const dbTableSchema = z.object({
  name: z.string(),
  type: z.enum(['table', 'view', 'virtual', 'shadow']),
  columns: count,
  without_rowid: z.boolean(),
  rows: count.nullable(),
  rows_exact: z.boolean(),
});

/** One table with its row count. */
export type DbTable = z.infer<typeof dbTableSchema>;

/** A store database's vital statistics (the engine's DbInfo). */
export const dbInfoSchema = z.object({
  /** sqlite, turso, libsql or postgres: the driver that answered. */
  driver: z.string(),
  /** The file, or the server's masked location. */
  path: z.string(),
  store: z.string().nullable(),
  class: z.string().nullable(),
  key: z.string().nullable(),
  size_bytes: count,
  wal_bytes: count,
  page_size: count,
  page_count: count,
  freelist_count: count,
  journal_mode: z.string(),
  encoding: z.string(),
  user_version: z.number().int(),
  schema_version: z.number().int().nullable(),
  index_schema_version: z.string().nullable(),
  tables: count,
  indexes: count,
  views: count,
  triggers: count,
  sqlite_version: z.string(),
  /** "SQLite 3.x", "libSQL (SQLite 3.x)" or "PostgreSQL 15.x". */
  server_version: z.string(),
  /** The `foxctl db ...` lines that show the same from a terminal. */
  cli: z.string(),
});

/** A store database's vital statistics. */
export type DbInfo = z.infer<typeof dbInfoSchema>;

/** The verdict of an integrity check. */
export const dbCheckSchema = z.object({
  driver: z.string(),
  path: z.string(),
  mode: z.enum(['integrity_check', 'quick_check', 'bt_index_check']),
  /** False when the server offers no check (PostgreSQL without amcheck): neither ok nor problems. */
  available: z.boolean(),
  ok: z.boolean(),
  problems: z.array(z.string()),
  note: z.string().optional(),
  duration_ms: z.number(),
  cli: z.string(),
});

/** The verdict of an integrity check. */
export type DbCheck = z.infer<typeof dbCheckSchema>;

/** One table of a `db.migrate` report: rows in the source, in the target after the copy, and whether they match. */
export const dbMigrateTableSchema = z.object({
  table: z.string(),
  source_rows: count,
  target_rows: count.nullable(),
  match: z.boolean().nullable(),
  rows_copied: count,
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});

/** The result of a `db.migrate` job (the engine's DbMigrateReport). */
export const dbMigrateReportSchema = z.object({
  target: z.string(),
  dialect: z.enum(['postgres', 'sqlite']),
  dry_run: z.boolean(),
  stores: z.array(
    z.object({
      store: z.string(),
      class: z.enum(STORE_CLASSES),
      source: z.string(),
      target: z.string().nullable(),
      schema: z.string().nullable(),
      note: z.string().optional(),
      skipped_reason: z.string().optional(),
      tables: z.array(dbMigrateTableSchema),
      skipped_tables: z.array(z.object({ table: z.string(), reason: z.string() })),
    }),
  ),
  rows_copied: count,
  errors: count,
  failures: z.array(z.object({ store: z.string(), table: z.string().nullable(), code: z.string(), message: z.string() })),
  ok: z.boolean(),
  duration_ms: z.number(),
});

/** The result of a `db.migrate` job. */
export type DbMigrateReport = z.infer<typeof dbMigrateReportSchema>;

/** What a Stores export reads: a table in the browser's sort and WHERE filter, or a console statement's whole result. */
const dbExportWhat = z.union([
  z
    .object({
      table: z.string().min(1).max(500),
      sort: z.object({ column: z.string().min(1).max(500), desc: z.boolean() }).strict().optional(),
      where: z.string().max(10_000).optional(),
    })
    .strict(),
  z.object({ sql: z.string().min(1, 'the SQL statement is empty').max(100_000) }).strict(),
]);

/** An export of the Stores view (db.exportLink, db.saveExport). */
const dbExportInput = z.object({ ...dbTargetShape, what: dbExportWhat, format: z.enum(['csv', 'json']) }).strict();

/** How a Stores export writes values (the calls' shared description). */
const DB_EXPORT_VALUES =
  'whole values, not the browser\'s previews. CSV: RFC 4180 (header row, CRLF, quotes doubled), NULL an empty field and \'\' a quoted "", BLOBs lower-case hex. ' +
  'JSON: one array of objects keyed by column name (a repeated name becomes name_2, name_3), NULL null, integers past 2^53 a string of their exact digits, ' +
  'BLOBs {"$base64": "..."}, REAL its shortest round-trip number. SQLite and PostgreSQL stores; other drivers are UNSUPPORTED';

/** The calls of the Stores view, spread into CALLS. */
export function storesCalls() {
  return {
    'stores.list': call(none, z.array(storeSchema), 'every store of the registry with its files and sizes'),
    'db.info': call(z.object(dbTargetShape).strict(), dbInfoSchema, "a store database's size (with -wal), pages, journal mode, schema version and object counts"),
    'db.tables': call(
      z.object({ ...dbTargetShape, countBudgetMs: z.number().int().min(0).max(30_000).optional() }).strict(),
      z.array(dbTableSchema),
      'tables with row counts; counting stops after countBudgetMs (default 1500) and reports lower bounds',
    ),
    'db.schema': call(
      z.object(dbTargetShape).strict(),
      z.array(z.object({ type: z.enum(['table', 'index', 'view', 'trigger']), name: z.string(), table: z.string(), sql: z.string() })),
      'the CREATE statements, tables first, each followed by its indexes and triggers',
    ),
    'db.browse': call(
      z
        .object({
          ...dbTargetShape,
          table: z.string().min(1).max(500),
          offset: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
          limit: z.number().int().min(1).max(1000),
          /** Sorted by one column (its table's order breaks ties); NULLs first going up, last going down. */
          sort: z.object({ column: z.string().min(1).max(500), desc: z.boolean() }).strict().optional(),
          /** What follows WHERE, as in the SQL console (read-only, time-limited like it). */
          where: z.string().max(10_000).optional(),
        })
        .strict(),
      dbRowsSchema.extend({ offset: count, sql: z.string().optional().describe('the statement a sorted or filtered page ran (for the console and the CLI)') }),
      'a page of a table in rowid order, or sorted by a column and filtered by a WHERE expression; BLOBs come as size + hex prefix, long text as length + head',
    ),
    'db.query': call(
      z
        .object({
          ...dbTargetShape,
          sql: z.string().min(1, 'the SQL statement is empty').max(100_000),
          limit: z.number().int().min(1).max(10_000).optional(),
          timeoutMs: z.number().int().min(100).max(300_000).optional(),
        })
        .strict(),
      dbRowsSchema.extend({ limit: count, timeout_ms: count, cli: z.string() }),
      'one read-only statement in a child process, row-capped (default 500) and time-limited (default 5 s); writes are refused',
    ),
    'db.exportLink': call(
      dbExportInput,
      z.object({ url: z.string(), name: z.string(), sql: z.string() }),
      `browser mode: checks the export (unknown table, bad filter or statement, a write: an error now) and returns a one-time URL that streams every row (one snapshot) as CSV or JSON, named e.g. memory-notes.csv; a failure cuts the download short. ${DB_EXPORT_VALUES}`,
    ),
    'db.saveExport': call(
      dbExportInput,
      z.object({ saved: z.boolean(), jobId: z.string().nullable(), path: z.string().nullable() }),
      `Electron: exports to a file the user picks in a save dialog, as a job (progress in rows, cancellable; temp file beside it renamed once complete, none left on cancel or error); browser mode uses db.exportLink. ${DB_EXPORT_VALUES}`,
    ),
    'db.check': call(z.object({ ...dbTargetShape, quick: z.boolean().optional() }).strict(), dbCheckSchema, 'PRAGMA integrity_check (or quick_check) on a read-only connection; cancel stops it'),
    'db.migrate': call(
      z
        .object({
          targetDsn: z.string().trim().min(1, 'give a postgres:// DSN or a libSQL URL').max(4096),
          targetToken: z.string().min(1).max(4096).optional(),
          stores: z.array(dbTargetShape.store).max(64).optional(),
          batchSize: z.number().int().min(1).max(10_000).optional(),
          dryRun: z.boolean().optional(),
          continueOnError: z.boolean().optional(),
          drop: z.boolean().optional(),
        })
        .strict(),
      z.object({ jobId: z.string(), cli: cliLine }),
      'copies SQLite stores into PostgreSQL (a schema per store) or libSQL as a job; its result is a DbMigrateReport (row counts per table)',
    ),
  } as const;
}
