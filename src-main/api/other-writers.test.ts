// The studio beside other processes on one home: while our process holds WAL connections to
// stores (as the studio's syncer holds events.db and the job manager jobs.db), another process
// (the sqlite3 CLI, as the Go foxctl or a user would run it) reads and writes the same files
// between every inspection, health and backup call we have. Closing any descriptor of a
// database file drops this process's locks on it; the other process then believes it is the
// last user, deletes the -wal, and our later commits vanish. Every row of both sides must
// survive, and no call may fail with a disk I/O error.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Result } from '../../src-preload/contract.js';
import { assertSqliteFile } from '../engine/db/sqlite.js';
import { openEngine, type Engine } from '../engine/engine.js';
import { listStores } from '../engine/stores/list-stores.js';
import { tempHome } from '../test/temp-home.js';
import { ApiDispatcher } from './dispatch.js';
import { createHandlers } from './handlers.js';

const origin = { scope: 'test', requestId: 'r1' };
const open: Engine[] = [];
afterEach(async () => {
  for (const e of open.splice(0)) await e.close();
});

/** Runs SQL in a separate `sqlite3` process, as another tool on the same home would. */
function sqlite3(file: string, sql: string): string {
  return execFileSync('sqlite3', ['-bail', file], { input: `.timeout 5000\n${sql}\n`, encoding: 'utf8' });
}

/** Waits for a job to end and returns its final record. */
async function jobEnd(engine: Engine, id: string): Promise<{ state: string; error: { message: string } | null }> {
  for (let i = 0; i < 1200; i++) {
    const job = engine.jobs.get(id);
    if (job.state !== 'running' && job.state !== 'queued') return job;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`job ${id} did not end in 30 s`);
}

describe('another process writes the stores the studio holds open', () => {
  it('keeps every row of both processes through every inspection, health and backup call, with no I/O error', async () => {
    const h = tempHome();
    const engine = openEngine({ env: h.env() });
    open.push(engine);
    const api = new ApiDispatcher(createHandlers(engine, { mode: 'browser', version: 'test' }));
    // Our long-lived WAL connections, as the studio holds them.
    const held = ['MEMORY', 'JOBS', 'EVENTS'].map((store) => {
      const db = engine.stores.get(store);
      db.exec('CREATE TABLE lock_probe (id INTEGER PRIMARY KEY, who TEXT NOT NULL, turn INTEGER NOT NULL)');
      return { store, file: db.name, insert: db.prepare("INSERT INTO lock_probe (who, turn) VALUES ('studio', ?)") };
    });
    const memory = held[0]!.file;
    const events = held[2]!.file;

    const call = async (name: string, input: unknown): Promise<Result<unknown>> => api.invoke(name as never, input as never, origin);
    const job = async (name: string, input: unknown): Promise<string> => {
      const res = await call(name, input);
      if (!res.ok) return `${res.error.code}: ${res.error.message}`;
      const end = await jobEnd(engine, (res.value as { jobId: string }).jobId);
      return end.state === 'ok' ? 'ok' : `${end.state}: ${end.error?.message ?? ''}`;
    };
    let backups = 0;
    const steps: [string, () => Promise<unknown>][] = [
      ['assertSqliteFile', async () => held.map((s) => assertSqliteFile(s.file))],
      ['db.info', () => call('db.info', { store: 'MEMORY' })],
      ['db.tables', () => call('db.tables', { store: 'JOBS' })],
      ['db.schema', () => call('db.schema', { store: 'EVENTS' })],
      ['db.browse', () => call('db.browse', { store: 'MEMORY', table: 'lock_probe', offset: 0, limit: 10 })],
      ['db.query', () => call('db.query', { store: 'JOBS', sql: 'SELECT count(*) FROM lock_probe' })],
      ['db.check', () => call('db.check', { store: 'MEMORY' })],
      ['db.check quick', () => call('db.check', { store: 'EVENTS', quick: true })],
      ['stores.list', () => call('stores.list', {})],
      ['listStores', () => listStores(engine.config)],
      ['overview.get', () => call('overview.get', {})],
      ['events.open (the live events.db)', () => call('events.open', { path: events })],
      ['events.open (a store that is not an events db)', () => call('events.open', { path: memory })],
      ['syncer.syncNow', () => call('syncer.syncNow', {})],
      [
        'cas put of a store file we hold (refused: reading it would drop our locks)',
        async () => engine.cas.put({ path: events }).then(
          () => 'stored?!',
          (err: Error & { code?: string }) => `${err.code}: ${err.message}`,
        ),
      ],
      ['backups.create', () => job('backups.create', { name: `turn-${backups++}`, includeLocalOnly: true })],
      ['backups.list', () => call('backups.list', {})],
      ['backups.verify', () => job('backups.verify', { name: 'turn-0' })],
      ['backups.rehearse', () => job('backups.rehearse', { name: 'turn-0' })],
    ];

    const turns = steps.length * 2;
    const ioErrors: string[] = [];
    for (let turn = 0; turn < turns; turn++) {
      for (const s of held) s.insert.run(turn);
      // The other process: a write and a read of every file, then it exits (closing them all).
      sqlite3(
        ':memory:',
        held.map((s, i) => `ATTACH '${s.file}' AS f${i}; INSERT INTO f${i}.lock_probe (who, turn) VALUES ('other', ${turn}); SELECT count(*) FROM f${i}.lock_probe;`).join('\n'),
      );
      const [name, step] = steps[turn % steps.length]!;
      const out = JSON.stringify(await step());
      if (/disk I\/O error|SQLITE_IOERR/i.test(out)) ioErrors.push(`${name}: ${out.slice(0, 300)}`);
    }
    expect(ioErrors).toEqual([]);
    expect(String(await steps.find(([n]) => n.startsWith('cas put'))![1]())).toMatch(/^CONFLICT: .*events\.db is a database this process has open/);
    await engine.close();

    for (const s of held) {
      const counts = sqlite3(s.file, "SELECT who || '=' || count(*) FROM lock_probe GROUP BY who ORDER BY who; PRAGMA integrity_check;").trim().split('\n');
      expect(counts, `${s.store} (${path.basename(s.file)})`).toEqual([`other=${turns}`, `studio=${turns}`, 'ok']);
    }
  }, 120_000);
});
