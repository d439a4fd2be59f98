import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openEngine } from '../engine.js';
import { isFoxError } from '../errors.js';
import { tempHome } from '../../test/temp-home.js';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { QUERY_CHILD_SOURCE, READY_LINE } from './query/child-source.js';
import { QueryHost } from './query/query-host.js';
import { runReadOnlyQuery } from './query/run-query.js';

/** A WAL database with a table `t` of 10 rows, closed (so the -wal is checkpointed away). */
function sampleDb(): string {
  const file = path.join(tempHome().home, 'sample.db');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, big INTEGER, data BLOB, r REAL);
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10)
    INSERT INTO t SELECT i, 'row ' || i, NULL, NULL, i / 2.0 FROM n;
    UPDATE t SET big = 9007199254740993, data = x'00ff10' WHERE id = 1;`);
  db.close();
  return file;
}

async function rejection(p: Promise<unknown>): Promise<Error & { code: string }> {
  try {
    await p;
  } catch (err) {
    if (isFoxError(err)) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

const INFINITE = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c';

describe('runReadOnlyQuery', () => {
  it('returns columns and rows with JSON-safe values', async () => {
    const file = sampleDb();
    const res = await runReadOnlyQuery(file, 'SELECT id, name, big, data, r FROM t WHERE id <= 2 ORDER BY id');
    expect(res.columns).toEqual(['id', 'name', 'big', 'data', 'r']);
    expect(res.rows).toEqual([
      [1, 'row 1', '9007199254740993', { $blob: 3, hex: '00ff10' }, 0.5],
      [2, 'row 2', null, null, 1],
    ]);
    expect(res.truncated).toBe(false);
    expect(JSON.parse(JSON.stringify(res))).toEqual(res);
  });

  it('accepts WITH, VALUES, EXPLAIN and read-only PRAGMAs, with positional and named parameters', async () => {
    const file = sampleDb();
    expect((await runReadOnlyQuery(file, 'WITH a AS (SELECT count(*) AS n FROM t) SELECT n FROM a')).rows).toEqual([[10]]);
    expect((await runReadOnlyQuery(file, 'VALUES (1, 2)')).rows).toEqual([[1, 2]]);
    expect((await runReadOnlyQuery(file, 'EXPLAIN QUERY PLAN SELECT * FROM t WHERE id = 3')).rows.length).toBeGreaterThan(0);
    expect((await runReadOnlyQuery(file, 'PRAGMA table_info(t)')).rows.map((r) => r[1])).toEqual(['id', 'name', 'big', 'data', 'r']);
    expect((await runReadOnlyQuery(file, 'SELECT name FROM t WHERE id = ?', { params: [4] })).rows).toEqual([['row 4']]);
    expect((await runReadOnlyQuery(file, 'SELECT name FROM t WHERE id = @id', { params: { id: 5 } })).rows).toEqual([['row 5']]);
  });

  it('stops at the row limit and says so', async () => {
    const file = sampleDb();
    const res = await runReadOnlyQuery(file, 'SELECT id FROM t ORDER BY id', { limit: 3 });
    expect(res.rows).toEqual([[1], [2], [3]]);
    expect(res.truncated).toBe(true);
    expect((await runReadOnlyQuery(file, 'SELECT id FROM t', { limit: 10 })).truncated).toBe(false);
    expect((await rejection(runReadOnlyQuery(file, 'SELECT 1', { limit: 0 }))).code).toBe('INVALID_INPUT');
    expect((await rejection(runReadOnlyQuery(file, '   '))).message).toMatch(/empty/);
  });

  const WRITES = [
    'INSERT INTO t (name) VALUES (1)',
    'INSERT INTO t (name) VALUES (1) RETURNING id',
    'REPLACE INTO t (id, name) VALUES (1, 2)',
    'UPDATE t SET name = 1',
    'DELETE FROM t',
    'DROP TABLE t',
    'CREATE TABLE x (a)',
    'CREATE TEMP TABLE x (a)',
    'ALTER TABLE t ADD COLUMN z',
    'PRAGMA user_version = 7',
    'PRAGMA journal_mode = DELETE',
    'PRAGMA foreign_keys = OFF',
    'PRAGMA wal_checkpoint(TRUNCATE)',
    "ATTACH 'other.db' AS other",
    'DETACH other',
    'VACUUM',
    'BEGIN IMMEDIATE',
    'ANALYZE',
    'REINDEX',
    'SELECT 1; DELETE FROM t',
  ];
  it('refuses every statement that is not a read-only query, with INVALID_INPUT, and the file stays as it was', async () => {
    const file = sampleDb();
    const before = fs.readFileSync(file);
    const mtime = fs.statSync(file).mtimeMs;
    for (const sql of WRITES) {
      const err = await rejection(runReadOnlyQuery(file, sql));
      expect(err.code, sql).toBe('INVALID_INPUT');
      expect(err.message, sql).toMatch(/read-only|one statement/);
      expect(err.message, sql).toContain(file);
    }
    const into = path.join(path.dirname(file), 'copy.db');
    expect((await rejection(runReadOnlyQuery(file, `VACUUM INTO '${into}'`))).code).toBe('INVALID_INPUT');
    expect(fs.existsSync(into)).toBe(false);
    expect(fs.existsSync(path.join(path.dirname(file), 'other.db'))).toBe(false);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(fs.statSync(file).mtimeMs).toBe(mtime);
    expect((await runReadOnlyQuery(file, 'SELECT count(*) FROM t')).rows).toEqual([[10]]);
  });

  it('the query child refuses writes on its own too (the second line behind the in-process check)', () => {
    const file = sampleDb();
    const ask = (sql: string): { ok: boolean; fox?: string; message?: string; rows?: unknown[] } => {
      const input = JSON.stringify({ module: createRequire(import.meta.url).resolve('better-sqlite3'), file, sql, limit: 10, busyTimeoutMs: 1000 });
      const r = spawnSync(process.execPath, ['-e', QUERY_CHILD_SOURCE], { input, encoding: 'utf8' });
      const [ready, answer] = r.stdout.trim().split('\n');
      expect(ready).toBe(READY_LINE);
      return JSON.parse(answer!) as ReturnType<typeof ask>;
    };
    expect(ask('DELETE FROM t')).toMatchObject({ ok: false, fox: 'INVALID_INPUT', message: expect.stringMatching(/would write/) });
    expect(ask("ATTACH 'x.db' AS x")).toMatchObject({ ok: false, fox: 'INVALID_INPUT', message: expect.stringMatching(/returns no rows/) });
    expect(ask('SELECT count(*) FROM t')).toMatchObject({ ok: true, rows: [[10]] });
  });

  it('reports SQL errors as INVALID_INPUT naming the database', async () => {
    const file = sampleDb();
    const err = await rejection(runReadOnlyQuery(file, 'SELECT * FROM nowhere', { subject: 'store X' }));
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toMatch(/^store X: no such table: nowhere/);
  });

  it('interrupts a query that runs past its time limit (one endless sqlite3_step)', async () => {
    const file = sampleDb();
    const t0 = Date.now();
    const err = await rejection(runReadOnlyQuery(file, INFINITE, { timeoutMs: 400 }));
    expect(err.code).toBe('CANCELED');
    expect(err.message).toMatch(/time limit/);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('interrupts a query when its signal aborts', async () => {
    const file = sampleDb();
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    const t0 = Date.now();
    const err = await rejection(runReadOnlyQuery(file, INFINITE, { timeoutMs: 0, signal: ac.signal }));
    expect(err.code).toBe('CANCELED');
    expect(Date.now() - t0).toBeLessThan(5000);
    const pre = new AbortController();
    pre.abort();
    expect((await rejection(runReadOnlyQuery(file, 'SELECT 1', { signal: pre.signal }))).code).toBe('CANCELED');
  });

  it('never blocks a writer while it reads', async () => {
    const file = sampleDb();
    const slow = runReadOnlyQuery(file, INFINITE, { timeoutMs: 1500 });
    await new Promise((r) => setTimeout(r, 500)); // the child is mid-query by now
    const writer = new Database(file, { timeout: 0 }); // no busy wait: a blocked write fails at once
    writer.prepare("INSERT INTO t (name) VALUES ('written during the read')").run();
    writer.close();
    expect((await rejection(slow)).code).toBe('CANCELED');
    expect((await runReadOnlyQuery(file, 'SELECT count(*) FROM t')).rows).toEqual([[11]]);
  });

  it('is killed when the engine closes', async () => {
    const h = tempHome();
    const file = sampleDb();
    const engine = openEngine({ env: h.env() });
    const running = engine.inspect.query(file, INFINITE, { timeoutMs: 0 });
    await new Promise((r) => setTimeout(r, 200));
    await engine.close();
    const err = await rejection(running);
    expect(err.code).toBe('CANCELED');
    expect(err.message).toMatch(/closing/);
  });
});

describe('QueryHost', () => {
  it('reuses a warm child, replaces one killed by a timeout, retires idle ones, and refuses work once closed', async () => {
    const file = sampleDb();
    const host = new QueryHost({ idleMs: 300 });
    for (let i = 0; i < 3; i++) expect((await runReadOnlyQuery(file, 'SELECT count(*) FROM t', { host })).rows).toEqual([[10]]);
    expect(host.stats()).toEqual({ spawned: 1, idle: 1, busy: 0, waiting: 0 });
    expect((await rejection(runReadOnlyQuery(file, INFINITE, { host, timeoutMs: 200 }))).code).toBe('CANCELED');
    expect(host.stats()).toEqual({ spawned: 1, idle: 0, busy: 0, waiting: 0 });
    expect((await runReadOnlyQuery(file, 'SELECT 1', { host })).rows).toEqual([[1]]);
    expect(host.stats()).toMatchObject({ spawned: 2, idle: 1 });
    await new Promise((r) => setTimeout(r, 600));
    expect(host.stats()).toMatchObject({ idle: 0 });
    const running = runReadOnlyQuery(file, INFINITE, { host, timeoutMs: 0 });
    await new Promise((r) => setTimeout(r, 100));
    host.close();
    expect((await rejection(running)).code).toBe('CANCELED');
    expect((await rejection(runReadOnlyQuery(file, 'SELECT 1', { host }))).code).toBe('UNAVAILABLE');
  });

  it('runs concurrent queries in separate children', async () => {
    const file = sampleDb();
    const host = new QueryHost({ maxBusy: 3 });
    const results = await Promise.all([1, 2, 3].map((n) => runReadOnlyQuery(file, 'SELECT ?', { host, params: [n] })));
    expect(results.map((r) => r.rows)).toEqual([[[1]], [[2]], [[3]]]);
    expect(host.stats()).toMatchObject({ spawned: 3, busy: 0, idle: 2 });
    host.close();
  });

  it("counts a query's time limit from the moment its child is ready, not from the child's start", async () => {
    const file = sampleDb();
    // A child that takes 1.5 s to start (a preload that sleeps), as a loaded machine can make it.
    const slowStart = path.join(path.dirname(file), 'slow-start.cjs');
    fs.writeFileSync(slowStart, 'Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1500);\n');
    const saved = process.env.NODE_OPTIONS;
    process.env.NODE_OPTIONS = `${saved ?? ''} --require ${slowStart}`.trim();
    const host = new QueryHost();
    try {
      const t0 = Date.now();
      const res = await runReadOnlyQuery(file, 'SELECT count(*) FROM t', { host, timeoutMs: 500 });
      expect(res.rows).toEqual([[10]]);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(1500);
    } finally {
      if (saved === undefined) delete process.env.NODE_OPTIONS;
      else process.env.NODE_OPTIONS = saved;
      host.close();
    }
  });

  it('runs at most maxBusy children: the next request waits in line, one more is refused, a canceled waiter leaves the line', async () => {
    const file = sampleDb();
    const host = new QueryHost({ maxBusy: 1, maxWaiting: 1, maxWaitMs: 60_000 });
    const first = new AbortController();
    const running = runReadOnlyQuery(file, INFINITE, { host, timeoutMs: 0, signal: first.signal });
    await expect.poll(() => host.stats().busy).toBe(1);
    const waiter = new AbortController();
    const queued = runReadOnlyQuery(file, 'SELECT 7', { host, signal: waiter.signal });
    await expect.poll(() => host.stats().waiting).toBe(1);
    const refused = await rejection(runReadOnlyQuery(file, 'SELECT 8', { host }));
    expect(refused.code).toBe('UNAVAILABLE');
    expect(refused.message).toBe('too many queries running (1); try again when one finishes');
    // Cancel of a queued request removes it: it never runs, and its place is free again.
    waiter.abort();
    expect((await rejection(queued)).code).toBe('CANCELED');
    expect(host.stats()).toMatchObject({ waiting: 0, busy: 1, spawned: 1 });
    const next = runReadOnlyQuery(file, 'SELECT 9', { host });
    await expect.poll(() => host.stats().waiting).toBe(1);
    first.abort();
    expect((await rejection(running)).code).toBe('CANCELED');
    expect((await next).rows).toEqual([[9]]);
    expect(host.stats()).toMatchObject({ spawned: 2, busy: 0, waiting: 0 });
    // A waiter behind a query that does not finish in time is refused after the wait limit.
    const slowHost = new QueryHost({ maxBusy: 1, maxWaitMs: 300 });
    const hog = runReadOnlyQuery(file, INFINITE, { host: slowHost, timeoutMs: 0 });
    await expect.poll(() => slowHost.stats().busy).toBe(1);
    const late = await rejection(runReadOnlyQuery(file, 'SELECT 1', { host: slowHost }));
    expect(late.code).toBe('UNAVAILABLE');
    expect(late.message).toMatch(/too many queries running \(1\); try again when one finishes \(waited 300ms/);
    // Closing refuses waiters too.
    const closedWaiter = runReadOnlyQuery(file, 'SELECT 1', { host: slowHost });
    await expect.poll(() => slowHost.stats().waiting).toBe(1);
    slowHost.close();
    expect((await rejection(closedWaiter)).code).toBe('UNAVAILABLE');
    expect((await rejection(hog)).code).toBe('CANCELED');
    host.close();
  });
});
