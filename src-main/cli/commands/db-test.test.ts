import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqlite } from '../../engine/db/sqlite.js';
import { spawnCli } from '../../test/cli-runner.js';
import { createTestDatabase, dropTestDatabase, postgresForSuite } from '../../test/pg-db.js';
import { tempHome } from '../../test/temp-home.js';
import { EXIT_CODES } from '../output.js';

const server = postgresForSuite('db-test-cli');

describe.skipIf(server.skip)('foxctl db test and stores list against a real PostgreSQL', () => {
  let dsn = '';
  let password = '';
  beforeAll(async () => {
    dsn = await createTestDatabase(server.dsn as string, 'dbtest');
    password = decodeURIComponent(new URL(dsn).password);
  });
  afterAll(async () => {
    if (dsn) await dropTestDatabase(server.dsn as string, dsn);
  });

  it('reports driver, masked location, version and latency; --json carries the same', async () => {
    const env = tempHome().env({ FOXCTL_TASKS_DB_DRIVER: 'postgres', FOXCTL_TASKS_POSTGRES_DSN: dsn });
    const human = spawnCli(env, ['db', 'test', 'tasks']);
    expect(human.status, human.stderr).toBe(0);
    const out = human.stdout.toString();
    expect(out).toMatch(/^ok: store TASKS answers/);
    expect(out).toMatch(/driver\s+postgres/);
    expect(out).toMatch(/location\s+postgres:\/\/postgres:\*\*\*\*@127\.0\.0\.1:\d+\/dbtest_\w+ \(schema tasks\)/);
    expect(out).toMatch(/version\s+PostgreSQL 1\d\.\d+/);
    expect(out).toMatch(/latency\s+[\d.]+ ms \(median of 5 round trips\)/);
    expect(out).toMatch(/pgvector\s+absent: vectors disabled, embeddings stored as bytes/);
    expect(out).not.toContain(password);
    const json = spawnCli(env, ['--json', 'db', 'test', 'TASKS']);
    const env1 = JSON.parse(json.stdout.toString()) as { status: string; data: Record<string, unknown> };
    expect(env1.status).toBe('ok');
    expect(env1.data).toMatchObject({ store: 'TASKS', driver: 'postgres', schema: 'tasks', pings: 5, schema_version: null, read_only: false, pgvector: 'absent' });
    expect(env1.data.latency_ms).toEqual(expect.any(Number));
    expect(json.stdout.toString()).not.toContain(password);
  }, 60_000);

  it('exits by error code: wrong password UNAVAILABLE, missing DSN INVALID_INPUT, no SQLite file NOT_FOUND; no secret printed', async () => {
    const u = new URL(dsn);
    u.password = 'Not-The-Password-42';
    const wrong = spawnCli(tempHome().env({ FOXCTL_MEMORY_DB_DRIVER: 'postgres', FOXCTL_MEMORY_POSTGRES_DSN: u.toString() }), ['db', 'test', 'memory']);
    expect(wrong.status).toBe(EXIT_CODES.UNAVAILABLE);
    expect(wrong.stderr).toMatch(/UNAVAILABLE: .*store MEMORY.*refused the credentials/);
    expect(wrong.stderr + wrong.stdout.toString()).not.toContain('Not-The-Password-42');
    const missing = spawnCli(tempHome().env({ FOXCTL_MEMORY_DB_DRIVER: 'postgres' }), ['db', 'test', 'memory']);
    expect(missing.status).toBe(EXIT_CODES.INVALID_INPUT);
    expect(missing.stderr).toMatch(/\$FOXCTL_MEMORY_POSTGRES_DSN/);
    const h = tempHome();
    const absent = spawnCli(h.env(), ['db', 'test', 'memory']);
    expect(absent.status).toBe(EXIT_CODES.NOT_FOUND);
    openSqlite(path.join(h.home, 'storage', 'memory.db')).close();
    const ok = spawnCli(h.env(), ['db', 'test', 'memory']);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout.toString()).toMatch(/driver\s+sqlite[\s\S]*version\s+SQLite 3\./);
  }, 60_000);

  it('stores list shows each store\'s driver and masked location, and warns about local_only stores on the shared database', () => {
    const env = tempHome().env({ FOXCTL_DB_DRIVER: 'postgres', FOXCTL_POSTGRES_DSN: dsn, FOXCTL_JOBS_DB_DRIVER: 'sqlite' });
    const r = spawnCli(env, ['stores', 'list']);
    expect(r.status, r.stderr).toBe(0);
    const out = r.stdout.toString();
    expect(out).not.toContain(password);
    expect(out).toMatch(/^\s+MEMORY\s+postgres\s+-\s+postgres:\/\/postgres:\*\*\*\*@127\.0\.0\.1:\d+\/dbtest_\w+ schema memory/m);
    expect(out).toMatch(/^\s+JOBS\s+sqlite\s+absent/m);
    expect(out).toMatch(/^warning: CACHE is local_only \(rebuildable\) but points at a PostgreSQL database/m);
    expect(out).not.toMatch(/^warning: JOBS/m);
  }, 60_000);
});
