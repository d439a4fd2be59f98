import type { Command } from 'commander';
import { DEFAULT_BATCH_SIZE, startDbMigrate, targetOpener, type DbMigrateReport } from '../../engine/db/copy/index.js';
import { action, intOption } from '../context.js';
import { formatTable } from '../output.js';

const n = (v: number): string => v.toLocaleString('en-US');

/** The report as people read it: one line per table, then skipped stores, notes and errors. */
export function renderMigrateReport(r: DbMigrateReport): string {
  const copied = r.stores.filter((s) => s.skipped_reason === undefined);
  const tables = copied.reduce((k, s) => k + s.tables.length, 0);
  const sourceRows = copied.reduce((k, s) => k + s.tables.reduce((m, t) => m + t.source_rows, 0), 0);
  const head = r.dry_run
    ? `dry run: would copy ${copied.length} store(s), ${tables} table(s), ${n(sourceRows)} rows to ${r.target} (${r.dialect}); nothing was written`
    : `copied ${n(r.rows_copied)} rows of ${copied.length} store(s), ${tables} table(s) to ${r.target} (${r.dialect}) in ${(r.duration_ms / 1000).toFixed(1)} s`;
  const rows = copied.flatMap((s) =>
    s.tables.map((t) => [
      s.store,
      s.schema ? `${s.schema}.${t.table}` : t.table,
      n(t.source_rows),
      t.target_rows === null ? '-' : n(t.target_rows),
      t.match === null ? '-' : t.match ? 'yes' : 'NO',
    ]),
  );
  const lines = [head];
  if (rows.length > 0) lines.push('', formatTable(['STORE', 'TABLE', 'SOURCE ROWS', 'TARGET ROWS', 'MATCH'], rows));
  const absent = r.stores.filter((s) => s.skipped_reason?.startsWith('no database file'));
  if (absent.length > 0) lines.push(`skipped (no database file on disk): ${absent.map((s) => s.store).join(', ')}`);
  for (const s of r.stores) {
    if (s.skipped_reason && !absent.includes(s)) lines.push(`skipped ${s.store}: ${s.skipped_reason}`);
    if (s.note) lines.push(`note ${s.store}: ${s.note}`);
    for (const t of s.skipped_tables) lines.push(`left out ${s.store}.${t.table}: ${t.reason}`);
  }
  for (const f of r.failures) lines.push(`error: ${f.store}${f.table ? `.${f.table}` : ''}: ${f.code}: ${f.message}`);
  if (!r.dry_run) lines.push(r.ok ? 'ok: every table has as many rows in the target as in the source' : 'NOT OK: see the tables marked NO and the errors above');
  return lines.join('\n');
}

const HELP_AFTER = `
Without --stores, copies the sync_critical and sync_useful stores present on disk. A local_only
store (rebuildable or device-local) or EVENTS is copied only when named; external stores never.
PostgreSQL gets one schema per store (lower-case store name, or $FOXCTL_<STORE>_POSTGRES_SCHEMA);
a libSQL URL holds one store: put {store} in it for several (file:/data/{store}.db).
Each table is copied in one transaction; a target table that already has rows is a CONFLICT
unless --drop. Ctrl-C cancels: tables already copied stay, the one in progress is rolled back.
The exit status is non-zero when a table's counts differ or a table failed.

Examples:
  foxctl db migrate --target-dsn postgres://foxctl:secret@db.example:5432/foxctl --dry-run
  foxctl db migrate --target-dsn postgres://foxctl:secret@db.example:5432/foxctl --stores memory,tasks
  FOXCTL_TURSO_TOKEN=... foxctl db migrate --target-dsn 'libsql://{store}-me.turso.io' --drop`;

/** `foxctl db migrate`: copies SQLite stores into PostgreSQL or libSQL as a job, then compares row counts. */
export function registerDbMigrateCommand(db: Command): void {
  db.command('migrate')
    .description('copy SQLite stores into PostgreSQL (a schema per store) or Turso/libSQL, as a job; compares row counts per table')
    .requiredOption('--target-dsn <dsn>', 'postgres://user:password@host:5432/db, or a libSQL URL (libsql://, https://, file:)')
    .option('--target-token <token>', 'Turso token of a remote libSQL URL (else $FOXCTL_<STORE>_DB_TOKEN, $FOXCTL_TURSO_TOKEN, $TURSO_AUTH_TOKEN)')
    .option('--stores <names>', 'comma-separated stores (default: sync_critical and sync_useful stores on disk)')
    .option('--batch-size <n>', 'rows per multi-row INSERT', String(DEFAULT_BATCH_SIZE))
    .option('--dry-run', 'report the tables and row counts that would be copied; write nothing')
    .option('--continue-on-error', "record a table's failure and go on with the next")
    .option('--drop', "drop the store's tables in the target first (else a table that has rows there is a CONFLICT)")
    .addHelpText('after', HELP_AFTER)
    .action(
      action('foxctl.db.migrate', async (ctx) => {
        const o = ctx.opts;
        const engine = ctx.engine();
        const stores = typeof o.stores === 'string' ? o.stores.split(',').map((s) => s.trim()).filter((s) => s.length > 0) : undefined;
        const job = startDbMigrate(
          engine,
          {
            targetDsn: String(o.targetDsn),
            targetToken: typeof o.targetToken === 'string' ? o.targetToken : undefined,
            stores,
            batchSize: intOption(o.batchSize, '--batch-size'),
            dryRun: o.dryRun === true,
            continueOnError: o.continueOnError === true,
            drop: o.drop === true,
            signal: ctx.signal,
          },
          targetOpener(engine.config),
        );
        const r = await ctx.waitJob(job);
        return { data: r, exitCode: r.ok ? 0 : 1, human: () => renderMigrateReport(r) };
      }),
    );
}
