import type { Command } from 'commander';
import fs from 'node:fs';
import type { Engine } from '../../engine/engine.js';
import { FoxError } from '../../engine/errors.js';
import { storePath } from '../../engine/registry/paths.js';
import { lookupStore } from '../../engine/registry/stores.js';
import type { JobInfo, JobState } from '../../engine/jobs/types.js';
import { action, intOption } from '../context.js';
import { formatBytes, formatTable } from '../output.js';
import { progressLine } from '../progress.js';

const STATES: readonly JobState[] = ['queued', 'running', 'ok', 'error', 'canceled'];

/** `done/total unit` or `done unit` of a job. */
function amount(j: JobInfo): string {
  const p = j.progress;
  if (p.unit === 'bytes') return p.total !== null ? `${formatBytes(p.done)}/${formatBytes(p.total)}` : formatBytes(p.done);
  return p.total !== null ? `${p.done}/${p.total} ${p.unit}` : `${p.done} ${p.unit}`;
}

/** Whether jobs.db exists: reading jobs must not create it (or the home) as a side effect. */
function hasJobsDb(engine: Engine): boolean {
  return fs.existsSync(storePath(engine.config, lookupStore('JOBS')));
}

/** Everything about one job, for people. */
export function renderJob(j: JobInfo): string {
  const rows: [string, string | null][] = [
    ['id', j.id],
    ['kind', j.kind],
    ['title', j.title],
    ['state', j.state],
    ['progress', j.state === 'running' ? progressLine(j) : amount(j)],
    ['created', j.created_at],
    ['started', j.started_at],
    ['finished', j.finished_at],
    ['error', j.error ? `${j.error.code}: ${j.error.message}` : null],
    ['result', j.result === null ? null : JSON.stringify(j.result, null, 2)],
  ];
  return rows.filter(([, v]) => v !== null).map(([k, v]) => `${k.padEnd(10)}${v}`).join('\n');
}

/** `foxctl jobs list|show`: the record of long work kept in jobs.db. */
export function registerJobsCommands(program: Command): void {
  const jobs = program.command('jobs').description('long-running work (backups, gc, verify, ...) recorded in jobs.db');
  jobs
    .command('list')
    .description('jobs, newest first')
    .option('--state <state>', `only jobs in this state (${STATES.join(', ')})`)
    .option('--limit <n>', 'at most this many jobs', '50')
    .action(
      action('foxctl.jobs.list', async (ctx) => {
        const state = ctx.opts.state === undefined ? undefined : String(ctx.opts.state).trim().toLowerCase();
        if (state !== undefined && !(STATES as readonly string[]).includes(state)) {
          throw new FoxError('INVALID_INPUT', `--state must be one of ${STATES.join(', ')} (got "${String(ctx.opts.state)}")`);
        }
        const limit = intOption(ctx.opts.limit, '--limit') ?? 50;
        if (limit < 1) throw new FoxError('INVALID_INPUT', '--limit must be at least 1');
        const engine = ctx.engine();
        const list = hasJobsDb(engine) ? engine.jobs.list({ limit, ...(state ? { state: state as JobState } : {}) }) : [];
        return {
          data: { jobs: list },
          human: () =>
            list.length === 0
              ? `no jobs${state ? ` in state ${state}` : ''}`
              : formatTable(
                  ['ID', 'KIND', 'STATE', 'PROGRESS', 'CREATED', 'TITLE'],
                  list.map((j) => [j.id, j.kind, j.state, amount(j), j.created_at.slice(0, 19).replace('T', ' '), j.title]),
                ),
        };
      }),
    );
  jobs
    .command('show')
    .description('one job: state, progress, result or error')
    .argument('<id>', 'the job id (a ULID, as jobs list shows)')
    .action(
      action('foxctl.jobs.show', async (ctx, id: string) => {
        const engine = ctx.engine();
        if (!hasJobsDb(engine)) throw new FoxError('NOT_FOUND', `no job with id ${id.trim()} (no job has run in this home yet)`);
        const job = engine.jobs.get(id.trim());
        return { data: job, human: () => renderJob(job) };
      }),
    );
}
