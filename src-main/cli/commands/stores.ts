import path from 'node:path';
import type { Command } from 'commander';
import { CLASS_DESCRIPTIONS, lookupStore } from '../../engine/registry/stores.js';
import { storePath } from '../../engine/registry/paths.js';
import { listStores, type StoreStatus } from '../../engine/stores/list-stores.js';
import { action } from '../context.js';
import { EXIT_CODES, formatBytes, formatTable } from '../output.js';

/** A path relative to the home when it is under it (shorter to read), else absolute; URLs as they are. */
function shortPath(p: string | null, home: string): string {
  if (p === null) return '-';
  if (!path.isAbsolute(p)) return p;
  const rel = path.relative(home, p);
  return rel.startsWith('..') || path.isAbsolute(rel) ? p : rel;
}

/** The `stores list` table: one block per class, each under a line saying what the class means. */
export function renderStores(rows: StoreStatus[], home: string): string {
  const table = formatTable(
    ['  NAME', 'DRIVER', 'SIZE', 'SCHEMA', 'LOCATION', 'NOTE'],
    rows.map((r) => [
      `  ${r.name}${r.key ? ` [${r.key}]` : ''}`,
      r.driver ?? 'invalid',
      r.driver !== 'sqlite' ? '' : r.exists ? formatBytes(r.size_bytes) : r.keyed && r.key === null ? '' : 'absent',
      r.schema_version ?? '-',
      `${shortPath(r.location, home)}${r.schema ? ` schema ${r.schema}` : ''}`,
      r.error ?? (r.warning ? 'warning: see below' : r.keyed && r.key === null ? 'none yet (one database per key)' : r.read_only ? 'read-only' : ''),
    ]),
  ).split('\n');
  const out = [`home ${home}`, '', table[0]!];
  let cls = '';
  rows.forEach((r, i) => {
    if (r.class !== cls) {
      cls = r.class;
      if (i > 0) out.push('');
      out.push(`${cls} - ${CLASS_DESCRIPTIONS[r.class]}`);
    }
    out.push(table[i + 1]!);
  });
  const present = rows.filter((r) => r.exists).length;
  const remote = rows.filter((r) => r.driver !== null && r.driver !== 'sqlite').length;
  out.push('', `${rows.length} stores, ${present} on disk${remote ? `, ${remote} on remote drivers (check them with foxctl db test STORE)` : ''}${present === 0 && remote === 0 ? ' (run foxctl init to create them)' : ''}`);
  const warnings = rows.filter((r) => r.warning);
  if (warnings.length) out.push('', ...warnings.map((r) => `warning: ${r.warning}`));
  return out.join('\n');
}

/** `foxctl stores list|path`: the store registry and where each file is. */
export function registerStoresCommands(program: Command): void {
  const stores = program.command('stores').description('list the stores of the foxctl home and where their files are');
  stores
    .command('list')
    .description('every store with its class, driver, where it points (secrets masked), size (with -wal) and schema version')
    .action(
      action('foxctl.stores.list', async (ctx) => {
        const engine = ctx.engine();
        const rows = await listStores(engine.config, { signal: ctx.signal });
        // A store whose driver is unknown is listed, and the command fails: nothing can open it.
        const invalid = rows.filter((r) => r.driver === null && r.error !== null);
        return {
          data: { home: engine.config.home, storage_root: engine.config.storageRoot, stores: rows },
          human: () => renderStores(rows, engine.config.home),
          ...(invalid.length > 0 ? { exitCode: EXIT_CODES.INVALID_INPUT, errors: invalid.map((r) => `INVALID_INPUT: ${r.error}`) } : {}),
        };
      }),
    );
  stores
    .command('path')
    .description('print the database file of a store')
    .argument('<store>', 'store name, e.g. MEMORY (case-insensitive)')
    .option('--repo <dir>', 'REPOINDEX: the repository root')
    .option('--key <key>', 'REPOINDEX / OBSIDIANINDEX: the key of the database')
    .action(
      action('foxctl.stores.path', async (ctx, name: string) => {
        const store = lookupStore(name);
        const repo = typeof ctx.opts.repo === 'string' ? ctx.opts.repo : undefined;
        const key = typeof ctx.opts.key === 'string' ? ctx.opts.key : undefined;
        const file = storePath(ctx.engine().config, store, { ...(repo !== undefined ? { repo } : {}), ...(key !== undefined ? { key } : {}) });
        return { data: { store: store.name, path: file }, human: file };
      }),
    );
}
