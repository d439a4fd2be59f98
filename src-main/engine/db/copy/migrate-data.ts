import type { FoxConfig } from '../../config/resolve.js';
import { FoxError, isFoxError, throwIfAborted, toFoxError } from '../../errors.js';
import type { JobHandle, JobManager } from '../../jobs/manager.js';
import type { StoreDef } from '../../registry/stores.js';
import type { StoreDriver } from '../drivers/types.js';
import { openSqlite, type SqliteDb } from '../sqlite.js';
import { copyTable } from './copy-table.js';
import { selectStores, type SelectedStore } from './select.js';
import { listSourceTables, type SourceTable } from './source.js';
import { advanceSequences, countTargetRows, createTableSql, dropTargetTables, existingTargetTables, findTargetTable, type TargetTable } from './target-schema.js';
import { checkTursoTarget, parseTarget, scrubSecrets, type MigrateTarget } from './target.js';
import type { DbMigrateOptions, DbMigrateReport, StoreReport, TableReport } from './types.js';

/** Opens the target driver of one store (PostgreSQL: the store's schema in the DSN's database). */
export type OpenTargetDriver = (store: StoreDef, target: MigrateTarget) => Promise<StoreDriver>;

/** What a migration needs besides its options. */
export interface MigrateDataDeps {
  openTarget: OpenTargetDriver;
  signal?: AbortSignal | undefined;
  /** Overall rows copied, the total, and a line naming the table and its own progress. */
  onProgress?: ((done: number, total: number, message: string) => void) | undefined;
}

/** Default rows per INSERT (the issue's `--batch-size 100`). */
export const DEFAULT_BATCH_SIZE = 100;
const MAX_BATCH_SIZE = 10_000;

interface StoreWork {
  sel: SelectedStore;
  report: StoreReport;
  db: SqliteDb;
  tables: SourceTable[];
  driver?: StoreDriver;
  /**
   * Target tables by source name. `created`: made from the SQLite columns by this run (their
   * indexes follow the copy on libSQL). `fresh`: absent before this run's migrate() (or dropped),
   * so rows in it were seeded by a migration and the source's rows replace them.
   */
  targets: Map<string, { table: TargetTable; created: boolean; fresh: boolean }>;
  failed?: boolean;
}

/** Checks and defaults the batch size; INVALID_INPUT names the flag. */
export function batchSizeOf(v: number | undefined): number {
  if (v === undefined) return DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(v) || v < 1 || v > MAX_BATCH_SIZE) throw new FoxError('INVALID_INPUT', `--batch-size must be a whole number from 1 to ${MAX_BATCH_SIZE} (got ${v})`);
  return v;
}

/**
 * `db migrate`: copies local SQLite stores into PostgreSQL (one schema per store) or libSQL.
 * Each source is read in one read transaction (a consistent snapshot); the target's schema comes
 * from the driver's migrate() for stores with migrations of ours, and from the SQLite columns for
 * other tables. Before any row is written every table is checked: a target table that existed
 * before this run and has rows is a CONFLICT (use `drop`) — so a failed precheck leaves the
 * target's data as it was. Rows a migration seeded into a table it just created (a meta row) are
 * replaced by the source's.
 * Each table is copied in one transaction (all or nothing), then counted on both sides.
 */
export async function migrateData(config: FoxConfig, opts: DbMigrateOptions, deps: MigrateDataDeps): Promise<DbMigrateReport> {
  const started = Date.now();
  const batchSize = batchSizeOf(opts.batchSize);
  const target = parseTarget(opts.targetDsn, config.env, opts.targetToken);
  const selected = selectStores(config, opts.stores);
  const toCopy = selected.filter((s) => s.skipped_reason === undefined);
  if (target.kind === 'turso') checkTursoTarget(target, toCopy.map((s) => s.store), toCopy.map((s) => s.file), config.env);
  const scrub = (m: string): string => scrubSecrets(m, target.secrets);
  const report: DbMigrateReport = {
    target: target.display,
    dialect: target.kind === 'postgres' ? 'postgres' : 'sqlite',
    dry_run: opts.dryRun === true,
    stores: [],
    rows_copied: 0,
    errors: 0,
    failures: [],
    ok: true,
    duration_ms: 0,
  };
  const fail = (store: string, table: string | null, err: unknown): FoxError => {
    const fe = cleanError(err, scrub, `store ${store}`);
    report.errors++;
    report.failures.push({ store, table, code: fe.code, message: fe.message });
    return fe;
  };

  const work: StoreWork[] = [];
  try {
    for (const sel of selected) {
      const base: StoreReport = { store: sel.store.name, class: sel.store.class, source: sel.file, target: null, schema: null, tables: [], skipped_tables: [] };
      if (sel.note !== undefined) base.note = sel.note;
      if (sel.skipped_reason !== undefined) {
        report.stores.push({ ...base, skipped_reason: sel.skipped_reason });
        continue;
      }
      const db = openSqlite(sel.file, { readonly: true, subject: `store ${sel.store.name}` });
      // One snapshot per store: counts and rows agree even while the app writes.
      db.exec('BEGIN');
      const w: StoreWork = { sel, report: base, db, tables: [], targets: new Map() };
      work.push(w);
      report.stores.push(base);
      const { tables, skipped } = listSourceTables(db);
      w.tables = tables;
      base.skipped_tables = skipped;
      base.tables = tables.map((t) => ({ table: t.name, source_rows: t.rows, target_rows: null, match: null, rows_copied: 0 }));
    }
    const total = work.reduce((n, w) => n + w.tables.reduce((m, t) => m + t.rows, 0), 0);
    deps.onProgress?.(0, total, 'reading the sources');
    if (opts.dryRun) return finish(report, started);

    // Phase 1: open every target, create its schema, and refuse tables that already hold rows.
    for (const w of work) {
      throwIfAborted(deps.signal, 'db migrate');
      const name = w.sel.store.name;
      try {
        await prepareStore(w, target, deps, opts.drop === true);
      } catch (err) {
        if (isFoxError(err, 'CANCELED') || deps.signal?.aborted) throw err;
        const fe = fail(name, null, err);
        w.failed = true;
        if (!opts.continueOnError) throw fe;
      }
    }
    const conflicts: FoxError[] = [];
    for (const w of work) {
      if (w.failed) continue;
      for (const [i, t] of w.tables.entries()) {
        const tt = w.targets.get(t.name);
        if (!tt || tt.fresh) continue;
        const rows = await countTargetRows(w.driver!, tt.table.name).catch((err: unknown) => {
          throw cleanError(err, scrub, `store ${w.sel.store.name}`);
        });
        if (rows > 0) {
          const fe = new FoxError(
            'CONFLICT',
            `store ${w.sel.store.name}: table ${t.name} already has ${rows} row(s) in ${w.report.target}; rerun with --drop to replace the store's tables there`,
            { subject: `store ${w.sel.store.name}` },
          );
          const tr = w.report.tables[i]!;
          tr.target_rows = rows;
          tr.match = false;
          tr.error = { code: fe.code, message: fe.message };
          w.targets.delete(t.name);
          conflicts.push(fail(w.sel.store.name, t.name, fe));
        }
      }
    }
    if (conflicts.length > 0 && !opts.continueOnError) {
      throw new FoxError('CONFLICT', conflicts.length === 1 ? conflicts[0]!.message : `${conflicts.length} target tables already hold rows (first: ${conflicts[0]!.message}); nothing was copied`);
    }

    // Phase 2: copy, table by table, each in one transaction; then count both sides.
    let done = 0;
    for (const w of work) {
      if (w.failed) continue;
      const name = w.sel.store.name;
      for (const [i, t] of w.tables.entries()) {
        const tr: TableReport = w.report.tables[i]!;
        const tt = w.targets.get(t.name);
        if (!tt) continue;
        throwIfAborted(deps.signal, 'db migrate');
        const before = done;
        const line = (n: number): string => `${name}.${t.name} ${n.toLocaleString('en-US')}/${t.rows.toLocaleString('en-US')} rows`;
        deps.onProgress?.(done, total, line(0));
        try {
          tr.rows_copied = await copyTable(w.db, t, w.driver!, tt.table, {
            batchSize,
            signal: deps.signal,
            scrub,
            subject: `store ${name}`,
            clearFirst: tt.fresh,
            onRows: (n) => deps.onProgress?.(before + n, total, line(n)),
          });
          if (tt.created && w.driver!.dialect === 'sqlite') for (const sql of t.indexes) await w.driver!.run(sql.replace(/^CREATE\s+(UNIQUE\s+)?INDEX\s+(IF\s+NOT\s+EXISTS\s+)?/i, 'CREATE $1INDEX IF NOT EXISTS '));
          await advanceSequences(w.driver!, tt.table.name);
          report.rows_copied += tr.rows_copied;
          done = before + t.rows;
          tr.target_rows = await countTargetRows(w.driver!, tt.table.name);
          tr.match = tr.target_rows === t.rows;
        } catch (err) {
          if (isFoxError(err, 'CANCELED') || deps.signal?.aborted) throw err;
          const fe = fail(name, t.name, err);
          tr.error = { code: fe.code, message: fe.message };
          tr.match = false;
          if (!opts.continueOnError) throw fe;
          done = before + t.rows;
        }
      }
    }
    return finish(report, started);
  } finally {
    for (const w of work) {
      try {
        if (w.db.inTransaction) w.db.exec('ROLLBACK');
      } finally {
        w.db.close();
      }
      await w.driver?.close().catch(() => undefined);
    }
  }
}

/** Opens a store's target, drops its tables when asked, runs migrate(), creates missing tables. */
async function prepareStore(w: StoreWork, target: MigrateTarget, deps: MigrateDataDeps, drop: boolean): Promise<void> {
  const driver = await deps.openTarget(w.sel.store, target);
  w.driver = driver;
  w.report.target = driver.location;
  w.report.schema = driver.schema;
  if (drop) await dropTargetTables(driver);
  const before = await existingTargetTables(driver);
  await driver.migrate();
  for (const t of w.tables) {
    let tt = await findTargetTable(driver, t.name);
    let created = false;
    if (!tt) {
      await driver.run(createTableSql(driver.dialect, t));
      tt = await findTargetTable(driver, t.name);
      created = true;
      if (!tt) throw new FoxError('IO', `store ${w.sel.store.name}: table ${t.name} was created in the target but cannot be found there`);
    }
    w.targets.set(t.name, { table: tt, created, fresh: !before.has(tt.name.toLowerCase()) });
  }
}

function finish(report: DbMigrateReport, started: number): DbMigrateReport {
  report.ok = report.errors === 0 && report.stores.every((s) => s.tables.every((t) => t.match !== false));
  report.duration_ms = Date.now() - started;
  return report;
}

/**
 * A FoxError with the secret scrubbed from its message. PostgreSQL's refusals of the login
 * (28P01 wrong password, 28000 no such role, 3D000 no such database) and network errors are
 * UNAVAILABLE: the target cannot be used as configured.
 */
export function cleanError(err: unknown, scrub: (m: string) => string, subject: string): FoxError {
  const e = err as { code?: unknown; message?: unknown } | null;
  const raw = typeof e?.code === 'string' ? e.code : '';
  const fe = toFoxError(err, isFoxError(err) ? undefined : subject);
  const code = !isFoxError(err) && ['28P01', '28000', '3D000', '08001', '08006', '57P01', '57P03'].includes(raw) ? 'UNAVAILABLE' : fe.code;
  const message = scrub(fe.message);
  if (code === fe.code && message === fe.message) return fe;
  return new FoxError(code, message, { subject: fe.subject, cause: err });
}

/** What startDbMigrate needs from the engine. */
export interface DbMigrateHost {
  config: FoxConfig;
  jobs: JobManager;
}

/** `db migrate` as a job with progress in rows (the message names the table and its own count). */
export function startDbMigrate(
  host: DbMigrateHost,
  opts: DbMigrateOptions & { signal?: AbortSignal | undefined },
  openTarget: OpenTargetDriver,
): JobHandle<DbMigrateReport> {
  // Bad input fails here, before a job exists.
  batchSizeOf(opts.batchSize);
  const target = parseTarget(opts.targetDsn, host.config.env, opts.targetToken);
  const selected = selectStores(host.config, opts.stores).filter((s) => s.skipped_reason === undefined);
  if (target.kind === 'turso') checkTursoTarget(target, selected.map((s) => s.store), selected.map((s) => s.file), host.config.env);
  const title = `db migrate${opts.dryRun ? ' --dry-run' : ''} to ${target.display}`;
  return host.jobs.start({ kind: 'db.migrate', title, unit: 'rows', signal: opts.signal }, (ctx) =>
    migrateData(host.config, opts, { openTarget, signal: ctx.signal, onProgress: (d, t, m) => ctx.progress(d, t, m) }),
  );
}
