import type { Command } from 'commander';
import { checkStoreConnection } from '../../engine/db/drivers/check.js';
import { action } from '../context.js';

/** `foxctl db test STORE`: connect through the store's driver and report latency, version and where it points. */
export function registerDbTestCommand(db: Command): void {
  db.command('test')
    .description('connect to a store through its driver (sqlite, turso, libsql, postgres): latency, version, masked location; exit status by error code')
    .argument('<store>', 'a store name (MEMORY, tasks, ...)')
    .option('--repo <dir>', 'REPOINDEX: the repository root whose index to open')
    .option('--key <key>', 'REPOINDEX / OBSIDIANINDEX: the key of the database')
    .addHelpText(
      'after',
      `
Read-only: creates nothing, writes nothing. Fails with UNAVAILABLE (exit 15) when the server
cannot be reached or refuses the credentials, INVALID_INPUT (exit 11) when a variable is wrong,
NOT_FOUND (exit 10) when a SQLite store has no file yet. Secrets are never printed.

Examples:
  foxctl db test memory
  FOXCTL_TASKS_DB_DRIVER=postgres FOXCTL_POSTGRES_DSN=postgres://... foxctl db test tasks`,
    )
    .action(
      action('foxctl.db.test', async (ctx, name: string) => {
        const o = ctx.opts;
        const res = await checkStoreConnection(ctx.engine().config, name, {
          signal: ctx.signal,
          ...(typeof o.repo === 'string' ? { repo: o.repo } : {}),
          ...(typeof o.key === 'string' ? { key: o.key } : {}),
        });
        const rows: [string, string][] = [
          ['store', res.store],
          ['driver', res.driver],
          ['location', res.location],
          ['version', res.version],
          ['connect', `${res.connect_ms} ms (first round trip, connection included)`],
          ['latency', `${res.latency_ms} ms (median of ${res.pings} round trips)`],
          ['schema version', res.schema_version === null ? 'none (not migrated here yet)' : String(res.schema_version)],
          ...(res.pgvector
            ? ([['pgvector', res.pgvector === 'absent' ? 'absent: vectors disabled, embeddings stored as bytes' : res.pgvector]] as [string, string][])
            : []),
        ];
        return { data: res, human: () => [`ok: store ${res.store} answers`, ...rows.map(([k, v]) => `  ${k.padEnd(15)}${v}`)].join('\n') };
      }),
    );
}
