import type { FoxConfig } from '../config/resolve.js';
import { copyTable } from '../db/copy/copy-table.js';
import { listSourceTables, type SourceTable } from '../db/copy/source.js';
import { advanceSequences, countTargetRows, createTableSql, findTargetTable } from '../db/copy/target-schema.js';
import { scrubSecrets, urlSecrets } from '../db/drivers/settings.js';
import { openStoreDriver } from '../db/drivers/open.js';
import type { StoreDriver } from '../db/drivers/types.js';
import { openSqlite, type SqliteDb } from '../db/sqlite.js';
import { FoxError, throwIfAborted, type OpOptions } from '../errors.js';
import { lookupStore } from '../registry/stores.js';

/** One table of a store restored onto its server: rows there before, in the backup, and after. */
export interface RemoteTableRestore {
  table: string;
  rows_now: number | null;
  rows_in_backup: number;
  /** Rows on the server after the restore (null in a dry run). */
  rows_after: number | null;
}

/** What restoring one store onto its server did (or, in a dry run, would do). */
export interface RemoteStoreRestore {
  store: string;
  driver: string;
  location: string;
  dry_run: boolean;
  tables: RemoteTableRestore[];
  /** Tables of the backup that were not copied (virtual tables: the store rebuilds them). */
  skipped_tables: { table: string; reason: string }[];
}

/** Options of a remote restore: a dry run changes nothing; rows copied so far for progress. */
export interface RemoteRestoreOptions extends OpOptions {
  dryRun?: boolean;
  onRows?: (done: number, total: number) => void;
}

/**
 * Writes a store's copy from a backup (a SQLite file, as `backup create` archives a store on a
 * server) back through the store's current driver: its schema migrated first, then each table of
 * the backup emptied and filled in one transaction of the server (so a table is the backup's or
 * still its own, never half of each), its row count checked, PostgreSQL sequences moved past the
 * restored ids. Tables the server has and the backup lacks are left as they are. The caller takes
 * the safety backup first (a backup of this store is a copy through its driver too).
 */
export async function restoreRemoteStore(config: FoxConfig, storeName: string, file: string, opts: RemoteRestoreOptions = {}): Promise<RemoteStoreRestore> {
  const store = lookupStore(storeName);
  const src = openSqlite(file, { readonly: true, subject: `the backup's copy of store ${store.name}` });
  let driver: StoreDriver | undefined;
  try {
    src.exec('BEGIN');
    const { tables, skipped } = listSourceTables(src);
    driver = await openStoreDriver(config, store.name, { migrate: !opts.dryRun });
    const subject = `store ${store.name} (${driver.location})`;
    const secrets = urlSecrets(driver.location);
    const out: RemoteStoreRestore = { store: store.name, driver: driver.driver, location: driver.location, dry_run: opts.dryRun === true, tables: [], skipped_tables: skipped.map((s) => ({ table: s.table, reason: s.reason })) };
    const total = tables.reduce((n, t) => n + t.rows, 0);
    let done = 0;
    for (const t of tables) {
      throwIfAborted(opts.signal, `restore of store ${store.name}`);
      const target = await findTargetTable(driver, t.name);
      const rowsNow = target ? await countTargetRows(driver, target.name) : null;
      if (opts.dryRun) {
        out.tables.push({ table: t.name, rows_now: rowsNow, rows_in_backup: t.rows, rows_after: null });
        continue;
      }
      const into = target ?? (await createTable(driver, t));
      await copyTable(src, t, driver, into, {
        batchSize: 200,
        clearFirst: true,
        signal: opts.signal,
        scrub: (m) => scrubSecrets(m, secrets),
        subject,
        onRows: (n) => opts.onRows?.(done + n, total),
      });
      done += t.rows;
      await advanceSequences(driver, into.name);
      const after = await countTargetRows(driver, into.name);
      if (after !== t.rows) throw new FoxError('CORRUPT', `${subject}: table ${t.name} has ${after} rows after the restore, the backup ${t.rows}`, { subject: `store ${store.name}` });
      out.tables.push({ table: t.name, rows_now: rowsNow, rows_in_backup: t.rows, rows_after: after });
    }
    return out;
  } finally {
    closeQuietly(src);
    await driver?.close().catch(() => undefined);
  }
}

/** A table the backup has and the server lacks (one no migration of ours makes): created from the backup's columns. */
async function createTable(driver: StoreDriver, t: SourceTable): Promise<NonNullable<Awaited<ReturnType<typeof findTargetTable>>>> {
  await driver.run(createTableSql(driver.dialect, t));
  const made = await findTargetTable(driver, t.name);
  if (!made) throw new FoxError('IO', `store ${driver.store.name}: table ${t.name} was created but cannot be found`, { subject: `store ${driver.store.name}` });
  return made;
}

function closeQuietly(db: SqliteDb): void {
  try {
    if (db.inTransaction) db.exec('ROLLBACK');
  } finally {
    db.close();
  }
}
