import type { Command } from 'commander';
import { action, intOption } from '../context.js';
import { formatBytes, formatTable } from '../output.js';
import { humanCell } from './db.js';

/**
 * `foxctl backup browse NAME [STORE [TABLE]]`: a backup's stores, one store's tables, or a page
 * of one table's rows, read from a checked copy, never restoring anything.
 */
export function registerBackupBrowse(backup: Command): void {
  backup
    .command('browse')
    .argument('<name>', 'backup name (archive or snapshot), archive file name or path')
    .argument('[store]', 'a store of the backup (e.g. MEMORY), or an entry path such as storage/repoindex/KEY.db')
    .argument('[table]', 'a table of that store')
    .description("look inside a backup without restoring it: its stores, a store's tables, a table's rows")
    .option('--limit <n>', 'rows per page (default 100)')
    .option('--offset <n>', 'rows to skip (default 0)')
    .action(
      action('foxctl.backup.browse', async (ctx, name: string, store: string | undefined, table: string | undefined) => {
        const backups = ctx.engine().backups;
        const signal = ctx.signal;
        if (store === undefined) {
          const b = await backups.browse(name, { signal });
          return {
            data: b,
            human: () =>
              [
                `${b.name} (${b.format === 'snapshot' ? 'snapshot' : 'archive'}, created ${b.created_at.slice(0, 19).replace('T', ' ')} UTC)`,
                '',
                b.stores.length === 0 ? 'no databases in this backup' : formatTable(['STORE', 'FILE', 'SIZE'], b.stores.map((s) => [s.store, s.path, formatBytes(s.size)])),
              ].join('\n'),
          };
        }
        if (table === undefined) {
          const t = await backups.browseTables(name, store, { signal });
          return {
            data: t,
            human: () =>
              `${t.store} in ${t.name} (${t.path})\n\n${formatTable(['TABLE', 'TYPE', 'COLUMNS', 'ROWS'], t.tables.map((x) => [x.name, x.type, x.columns, x.rows === null ? '-' : `${x.rows_exact ? '' : '≥ '}${x.rows}`]))}`,
          };
        }
        const limit = intOption(ctx.opts.limit, '--limit') ?? 100;
        const offset = intOption(ctx.opts.offset, '--offset') ?? 0;
        const r = await backups.browseRows(name, store, table, { limit, offset, signal });
        return {
          data: r,
          human: () => {
            const rows = r.columns.length ? formatTable(r.columns, r.rows.map((row) => row.map(humanCell))) : '';
            const to = offset + r.rows.length;
            const foot = r.rows.length === 0 ? `no rows from ${offset}` : `rows ${offset + 1}-${to}${r.truncated ? ` (more: --offset ${to})` : ' (the last)'}`;
            return [`${r.table} of ${r.store} in ${r.name}`, '', ...(rows ? [rows, ''] : []), foot].join('\n');
          },
        };
      }),
    );
}
