import type { Command } from 'commander';
import { FoxError } from '../../engine/errors.js';
import type { PersistMode } from '../../engine/events/model.js';
import { bulkInsertSeed, seedEvents } from '../../engine/events/seed.js';
import { parseDuration } from '../../engine/util/duration.js';
import { action, intOption } from '../context.js';

/** `foxctl dev ...`: tools for demos, e2e tests and benchmarks. */
export function registerDevCommands(program: Command): void {
  const dev = program.command('dev').description('developer tools: sample data for demos, e2e tests and benchmarks');
  dev
    .command('seed-events')
    .description(
      'write realistic sample traces (nested spans, ~3% errors, several commands, operations, sessions, agents, workspaces). ' +
        'By default they go through the real emitter (--persist hybrid) and a sync pass copies them into events.db; ' +
        '--bulk inserts them straight into events.db with the syncer\'s own insert code instead (no NDJSON; fastest, for 1,000,000 rows)',
    )
    .requiredOption('--count <n>', 'how many events')
    .option('--persist <mode>', 'persist mode through the emitter: default, ndjson, sql, hybrid or none', 'hybrid')
    .option('--file <name>', 'stream name for the NDJSON modes')
    .option('--bulk', 'insert straight into events.db (the syncer\'s insert path), skipping NDJSON')
    .option('--span <duration>', 'spread the events over this long a time up to now', '168h')
    .option('--seed <n>', 'random seed, for repeatable data', '1')
    .option('--no-sync', 'do not run a sync pass after emitting')
    .action(
      action('foxctl.dev.seed-events', async (ctx) => {
        const count = intOption(ctx.opts.count, '--count');
        if (!count) throw new FoxError('INVALID_INPUT', '--count must be at least 1');
        const opts = { count, spanMs: parseDuration(String(ctx.opts.span), '--span'), seed: intOption(ctx.opts.seed, '--seed') ?? 1 };
        const engine = ctx.engine();
        const persist = ctx.opts.persist as PersistMode;
        const file = ctx.opts.file as string | undefined;
        const job = engine.jobs.start({ kind: 'dev.seed-events', title: `seed ${count} events`, unit: 'events', signal: ctx.signal }, async (j) => {
          if (ctx.opts.bulk === true) return { inserted: bulkInsertSeed(engine.stores.get('EVENTS'), { ...opts, signal: j.signal, onProgress: (d, t) => j.progress(d, t) }), via: 'bulk' };
          let done = 0;
          for (const batch of seedEvents(opts)) {
            if (j.signal.aborted) break;
            await engine.events.emitMany(batch, { persist, ...(file ? { file } : {}), signal: j.signal });
            done += batch.length;
            j.progress(done, count);
          }
          return { emitted: done, via: `emit (${persist})` };
        });
        const r = await ctx.waitJob(job);
        let synced: number | undefined;
        if (ctx.opts.bulk !== true && ctx.opts.sync !== false && (persist === 'hybrid' || persist === 'default' || persist === 'ndjson')) {
          synced = (await ctx.waitJob(engine.events.syncJob({ signal: ctx.signal }))).inserted;
        }
        const data = { ...r, ...(synced === undefined ? {} : { synced }) };
        return { data, human: `${'inserted' in r ? `inserted ${r.inserted}` : `emitted ${r.emitted}`} events via ${r.via}${synced === undefined ? '' : `; synced ${synced} into events.db`}` };
      }),
    );
}
