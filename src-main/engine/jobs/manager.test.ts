import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../engine.js';
import { FoxError } from '../errors.js';
import { tempHome, type TempHome } from '../../test/temp-home.js';
import type { JobInfo } from './types.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');

const engines: Engine[] = [];
afterEach(async () => {
  for (const e of engines.splice(0)) await e.close();
});

function engineOf(h: TempHome): Engine {
  const e = openEngine({ env: h.env() });
  engines.push(e);
  return e;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The row jobs.db holds for a job, read through a connection of its own. */
function recorded(e: Engine, id: string): { state: string; error: string | null; result: string | null; progress: string } {
  const db = new Database(path.join(e.config.storageRoot, 'jobs.db'), { readonly: true });
  try {
    return db.prepare('SELECT state, error, result, progress FROM studio_jobs WHERE id = ?').get(id) as ReturnType<typeof recorded>;
  } finally {
    db.close();
  }
}

describe('JobManager', () => {
  it('publishes queued, running and ok, with progress, rate and ETA', async () => {
    const e = engineOf(tempHome());
    const seen: JobInfo[] = [];
    e.jobs.subscribe((j) => seen.push(j));
    const job = e.jobs.start({ kind: 'test', title: 'count to 40', unit: 'items' }, async (ctx) => {
      for (let i = 1; i <= 40; i++) {
        await sleep(20);
        ctx.progress(i, 80, `item ${i}`);
      }
      return { counted: 40 };
    });
    expect(await job.done).toEqual({ counted: 40 });
    const states = [...new Set(seen.map((j) => j.state))];
    expect(states).toEqual(['queued', 'running', 'ok']);
    const mid = seen.filter((j) => j.state === 'running' && j.progress.rate !== null).at(-1)!;
    // ~50 items/s: 1 item per 20 ms (timers only run late, so the rate is at most that).
    expect(mid.progress.rate).toBeGreaterThan(10);
    expect(mid.progress.rate).toBeLessThan(60);
    expect(mid.progress.eta).toBeCloseTo((80 - mid.progress.done) / mid.progress.rate!, 5);
    expect(mid.progress.unit).toBe('items');
    const final = e.jobs.get(job.id);
    expect(final).toMatchObject({ state: 'ok', result: { counted: 40 }, error: null });
    expect(final.progress).toMatchObject({ done: 80, total: 80, eta: 0, message: 'item 40' });
    expect(final.started_at! >= final.created_at).toBe(true);
    expect(final.finished_at! >= final.started_at!).toBe(true);
    expect(recorded(e, job.id)).toMatchObject({ state: 'ok', result: JSON.stringify({ counted: 40 }) });
  });

  it('publishes the last progress of a burst even when no update follows it', async () => {
    const e = engineOf(tempHome());
    const seen: JobInfo[] = [];
    e.jobs.subscribe((j) => seen.push(j));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const job = e.jobs.start({ kind: 'test', title: 'burst' }, async (ctx) => {
      for (let i = 1; i <= 50; i++) ctx.progress(i, 100);
      await gate;
      return null;
    });
    for (let i = 0; i < 100 && !seen.some((j) => j.state === 'running' && j.progress.done === 50); i++) await sleep(10);
    try {
      expect(seen.filter((j) => j.state === 'running').at(-1)?.progress.done).toBe(50);
    } finally {
      release();
      await job.done;
    }
  });

  it('cancel stops the job through its signal and records canceled in jobs.db', async () => {
    const e = engineOf(tempHome());
    let sawAbort = false;
    const job = e.jobs.start({ kind: 'test', title: 'wait forever' }, async (ctx) => {
      await new Promise<void>((_, reject) =>
        ctx.signal.addEventListener('abort', () => {
          sawAbort = true;
          reject(ctx.signal.reason as Error);
        }),
      );
    });
    await sleep(30);
    expect(e.jobs.cancel(job.id, 'user pressed cancel')).toBe(true);
    await expect(job.done).rejects.toMatchObject({ code: 'CANCELED', message: 'user pressed cancel' });
    expect(sawAbort).toBe(true);
    expect(e.jobs.get(job.id)).toMatchObject({ state: 'canceled', error: { code: 'CANCELED' } });
    expect(recorded(e, job.id).state).toBe('canceled');
    expect(e.jobs.cancel(job.id)).toBe(false);
  });

  it('a cancel that arrives after the work finished does not turn a finished job into canceled', async () => {
    const e = engineOf(tempHome());
    let cancel: () => void = () => undefined;
    // The body completes its last step, then the cancel lands before the job settles
    // (as when a user clicks Cancel on a restore that has just renamed its last file).
    const job = e.jobs.start({ kind: 'test', title: 'finish then cancel' }, async () => {
      await sleep(10);
      cancel();
      return { renamed: 3 };
    });
    cancel = () => job.cancel('too late');
    await expect(job.done).resolves.toEqual({ renamed: 3 });
    expect(e.jobs.get(job.id)).toMatchObject({ state: 'ok', result: { renamed: 3 }, error: null });
    expect(recorded(e, job.id).state).toBe('ok');
  });

  it("a caller's signal cancels the job too", async () => {
    const e = engineOf(tempHome());
    const ac = new AbortController();
    const job = e.jobs.start({ kind: 'test', title: 'outer', signal: ac.signal }, async (ctx) => {
      while (!ctx.signal.aborted) await sleep(5);
      return 'finished anyway';
    });
    ac.abort();
    await expect(job.done).rejects.toMatchObject({ code: 'CANCELED' });
    expect(recorded(e, job.id).state).toBe('canceled');
  });

  it('records the error of a failing job, translating native errors', async () => {
    const e = engineOf(tempHome());
    const fox = e.jobs.start({ kind: 'test', title: 'fails' }, async () => {
      throw new FoxError('IO', 'disk went away');
    });
    await expect(fox.done).rejects.toMatchObject({ code: 'IO' });
    expect(JSON.parse(recorded(e, fox.id).error!)).toEqual({ code: 'IO', message: 'disk went away' });
    const native = e.jobs.start({ kind: 'test', title: 'enoent' }, async () => {
      throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
    });
    await expect(native.done).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(e.jobs.get(native.id)).toMatchObject({ state: 'error', error: { code: 'NOT_FOUND' } });
  });

  it('lists newest first, filters by state, and refuses an unknown id', async () => {
    const e = engineOf(tempHome());
    const a = e.jobs.start({ kind: 'k', title: 'a' }, async () => 1);
    await a.done;
    const b = e.jobs.start({ kind: 'k', title: 'b' }, async () => {
      throw new FoxError('IO', 'x');
    });
    await b.done.catch(() => undefined);
    expect(e.jobs.list().map((j) => j.title)).toEqual(['b', 'a']);
    expect(e.jobs.list({ state: 'ok' }).map((j) => j.title)).toEqual(['a']);
    expect(e.jobs.list({ limit: 1 }).map((j) => j.title)).toEqual(['b']);
    expect(() => e.jobs.get('01NOPE')).toThrow(/no job with id 01NOPE/);
  });

  it('marks a job left running by a SIGKILLed process as error on the next open', async () => {
    const h = tempHome();
    const script = path.join(h.home, 'runner.mts');
    fs.writeFileSync(
      script,
      `import { openEngine } from ${JSON.stringify(path.join(repoRoot, 'src-main/engine/engine.ts'))};
const e = openEngine({ env: { ...process.env } });
const job = e.jobs.start({ kind: 'test', title: 'never ends' }, () => new Promise(() => undefined));
setTimeout(() => process.stdout.write(job.id + '\\n'), 100);
setInterval(() => undefined, 1000);
`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: repoRoot, env: { ...process.env, ...h.env() }, stdio: ['ignore', 'pipe', 'pipe'] });
    const id = await new Promise<string>((resolve, reject) => {
      let out = '';
      let err = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('\n')) resolve(out.trim());
      });
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      child.on('exit', () => reject(new Error(`runner exited early: ${err}`)));
    });
    const e1 = engineOf(h);
    expect(e1.jobs.get(id).state).toBe('running'); // its process is alive: left alone
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    await e1.close();
    const e2 = engineOf(h);
    const job = e2.jobs.get(id); // first use of jobs.db in this engine recovers interrupted jobs
    expect(job.state).toBe('error');
    expect(job.error?.message).toMatch(/ended before it finished/);
    expect(job.finished_at).not.toBeNull();
  }, 30_000);

  it('a failing subscriber does not fail the job', async () => {
    const e = engineOf(tempHome());
    e.jobs.subscribe(() => {
      throw new Error('listener bug');
    });
    const job = e.jobs.start({ kind: 'test', title: 'fine' }, async () => 'ok');
    expect(await job.done).toBe('ok');
    expect(e.jobs.get(job.id).state).toBe('ok');
  });
});
