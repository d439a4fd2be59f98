import path from 'node:path';
import type { Command } from 'commander';
import { initHome, type InitResult } from '../../engine/init.js';
import { action, type ActionResult } from '../context.js';
import { EXIT_CODES, formatTable } from '../output.js';

/** What init did, for people: the directories it made, then one line per store. */
export function renderInit(res: InitResult): string {
  const rel = (p: string | null): string => (p === null ? '-' : path.relative(res.home, p).startsWith('..') ? p : path.relative(res.home, p) || 'the home itself');
  const lines = [`foxctl home ${res.home}`];
  lines.push(res.created_dirs.length ? `created directories: ${res.created_dirs.map(rel).join(', ')}` : 'directories: all present');
  lines.push('');
  lines.push(
    formatTable(
      ['STORE', 'DRIVER', 'STATUS', 'SCHEMA', 'LOCATION', 'NOTE'],
      res.stores.map((s) => [s.name, s.driver ?? 'invalid', s.status === 'ok' ? 'up to date' : s.status, s.schema_version ?? '-', s.path !== null ? rel(s.path) : (s.location ?? '-'), s.note ?? '']),
    ),
  );
  const n = (st: string): number => res.stores.filter((s) => s.status === st).length;
  const parts = [`${n('created')} created`, `${n('migrated')} migrated`, `${n('ok')} up to date`];
  if (n('skipped')) parts.push(`${n('skipped')} skipped`);
  if (res.errors) parts.push(`${res.errors} failed`);
  lines.push('', `${res.stores.length} stores: ${parts.join(', ')}`);
  if (res.errors === 0 && n('created') === 0 && n('migrated') === 0 && res.created_dirs.length === 0) lines.push('nothing to do: the home is ready');
  return lines.join('\n');
}

/** `foxctl init`: creates the home's directories and every store, migrated. */
export function registerInitCommands(program: Command): void {
  program
    .command('init')
    .description('create the foxctl home: its directories and every store (migrated); safe to run again')
    .action(
      action('foxctl.init', async (ctx): Promise<ActionResult> => {
        const res = await initHome(ctx.engine(), { signal: ctx.signal });
        // A store that could not be opened fails the command (with its error's status), after showing the rest.
        const failed = res.stores.find((s) => s.status === 'error');
        return { data: res, human: () => renderInit(res), ...(failed ? { exitCode: EXIT_CODES[failed.code ?? 'IO'] } : {}) };
      }),
    );
}
