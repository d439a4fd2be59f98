// The Backups view's Browse panel: a backup's stores, tables and rows, read without restoring
// (archives and snapshots alike; issue #18).
import { z } from 'zod';
import { call, cliLine, count } from './parts';
import { dbCellSchema, dbTableSchema } from './stores';

const backupName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'a backup name is letters, digits, . _ - (up to 128)');

/** A store of a backup: its name (MEMORY) or its entry path (storage/repoindex/KEY.db). */
const storeRef = z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_./-]{0,299}$/, 'a store name (e.g. MEMORY) or an entry path such as storage/memory.db');

/** One database a backup (archive or snapshot) holds. */
export const backupBrowseStoreSchema = z.object({ store: z.string(), path: z.string(), size: count });
/** One database a backup holds. */
export type BackupBrowseStore = z.infer<typeof backupBrowseStoreSchema>;

/** The databases of a backup. */
export const backupBrowseSchema = z.object({ name: z.string(), format: z.enum(['tar', 'snapshot']), created_at: z.string(), stores: z.array(backupBrowseStoreSchema) });
/** The databases of a backup. */
export type BackupBrowse = z.infer<typeof backupBrowseSchema>;

/** A page of one table of a backup's store. */
export const backupBrowseRowsSchema = backupBrowseStoreSchema.extend({
  name: z.string(),
  table: z.string(),
  offset: count,
  limit: count,
  columns: z.array(z.string()),
  rows: z.array(z.array(dbCellSchema)),
  /** More rows follow this page. */
  truncated: z.boolean(),
});
/** A page of one table of a backup's store. */
export type BackupBrowseRows = z.infer<typeof backupBrowseRowsSchema>;

/** The calls of the Browse panel, spread into CALLS. */
export function backupBrowseCalls() {
  return {
    'backups.browse': call(z.object({ name: backupName }).strict(), backupBrowseSchema.extend({ cli: cliLine }), 'the databases a backup (archive or snapshot) holds, read without restoring'),
    'backups.browseTables': call(
      z.object({ name: backupName, store: storeRef }).strict(),
      backupBrowseStoreSchema.extend({ name: z.string(), tables: z.array(dbTableSchema), cli: cliLine }),
      "one store's tables in a backup (its database copied out and checked once per session)",
    ),
    'backups.browseRows': call(
      z
        .object({ name: backupName, store: storeRef, table: z.string().min(1).max(500), offset: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER), limit: z.number().int().min(1).max(1000) })
        .strict(),
      backupBrowseRowsSchema.extend({ cli: cliLine }),
      "a page of one table of a backup's store, read-only, in rowid order",
    ),
  } as const;
}
