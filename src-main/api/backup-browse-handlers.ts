import type { Engine } from '../engine/engine.js';
import { shellWord } from './backup-cli.js';
import type { Handlers } from './handlers.js';
import { bridgeCell } from './inspect-handlers.js';

/** The calls of the Backups view's Browse panel. */
export type BackupBrowseCallName = 'backups.browse' | 'backups.browseTables' | 'backups.browseRows';

/** `foxctl backup browse ...` for the "Show CLI equivalent" line. */
function cli(...words: string[]): string {
  return ['foxctl', 'backup', 'browse', ...words].map(shellWord).join(' ');
}

/**
 * Handlers of the Browse panel: a backup's stores, one store's tables, a page of rows, all read
 * from a checked copy through engine.backups (nothing is restored). Long text crosses the bridge
 * as its length and head, as in the Stores view.
 */
export function createBackupBrowseHandlers(engine: Engine): Pick<Handlers, BackupBrowseCallName> {
  return {
    'backups.browse': async (input, { signal }) => ({ ...(await engine.backups.browse(input.name, { signal })), cli: cli(input.name) }),
    'backups.browseTables': async (input, { signal }) => ({ ...(await engine.backups.browseTables(input.name, input.store, { signal })), cli: cli(input.name, input.store) }),
    'backups.browseRows': async (input, { signal }) => {
      const r = await engine.backups.browseRows(input.name, input.store, input.table, { limit: input.limit, offset: input.offset, signal });
      return { ...r, rows: r.rows.map((row) => row.map(bridgeCell)), cli: `${cli(input.name, input.store, input.table)} --limit ${input.limit} --offset ${input.offset}` };
    },
  };
}
