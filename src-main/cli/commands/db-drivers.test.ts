import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStoreDriver } from '../../engine/db/drivers/open.js';
import { spawnCli } from '../../test/cli-runner.js';
import { createTestDatabase, dropTestDatabase, postgresForSuite } from '../../test/pg-db.js';
import { tempHome } from '../../test/temp-home.js';
import { EXIT_CODES } from '../output.js';

const server = postgresForSuite('db-drivers-cli');

/** TASKS migrated on the configured driver with two rows, written through the driver. */
async function seedTasks(env: Record<string, string | undefined>): Promise<void> {
  const { resolveConfig } = await import('../../engine/config/resolve.js');
  const d = await openStoreDriver(resolveConfig({ env }), 'TASKS', { migrate: true });
  try {
    const cols = (await d.tables()).find((t) => t.name === 'tasks');
    expect(cols).toBeDefined();
    for (const id of ['t1', 't2']) {
      await d.run("INSERT INTO tasks (id, title, status, created_at, updated_at) VALUES (?, ?, 'pending', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')", [id, `title ${id}`]);
    }
  } finally {
    await d.close();
  }
}

/** The `--json` envelope of a run. */
function envelope(r: { stdout: Buffer }): { status: string; data: Record<string, unknown>; error?: { code: string; message: string } } {
  return JSON.parse(r.stdout.toString()) as never;
}

describe.skipIf(server.skip)('foxctl db info|tables|schema|query|check through the store driver', () => {
  let dsn = '';
  let password = '';
  beforeAll(async () => {
    dsn = await createTestDatabase(server.dsn as string, 'dbcli');
    password = decodeURIComponent(new URL(dsn).password);
  });
  afterAll(async () => {
    if (dsn) await dropTestDatabase(server.dsn as string, dsn);
  });

  it('postgres: same commands, same envelopes, the masked DSN, never the password', async () => {
    const env = tempHome().env({ FOXCTL_TASKS_DB_DRIVER: 'postgres', FOXCTL_TASKS_POSTGRES_DSN: dsn });
    await seedTasks(env);
    const info = spawnCli(env, ['db', 'info', 'tasks']);
    expect(info.status, info.stderr).toBe(0);
    expect(info.stdout.toString()).toMatch(/^driver\s+postgres$/m);
    expect(info.stdout.toString()).toMatch(/^location\s+postgres:\/\/postgres:\*\*\*\*@127\.0\.0\.1:\d+\/dbcli_\w+ \(schema tasks\)$/m);
    expect(info.stdout.toString()).toMatch(/^server\s+PostgreSQL 1\d\.\d+$/m);
    expect(info.stdout.toString()).not.toMatch(/not a SQLite file/);

    const tables = spawnCli(env, ['--json', 'db', 'tables', 'TASKS']);
    expect(tables.status, tables.stderr).toBe(0);
    expect(envelope(tables).data.tables).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'tasks', type: 'table', rows: 2, rows_exact: true })]));

    const schema = spawnCli(env, ['db', 'schema', 'tasks']);
    expect(schema.status, schema.stderr).toBe(0);
    expect(schema.stdout.toString()).toMatch(/^CREATE TABLE tasks \(\n {2}id text NOT NULL,/m);

    const query = spawnCli(env, ['db', 'query', 'tasks', 'SELECT id, title FROM tasks WHERE id = ? ORDER BY id', '-p', 't2']);
    expect(query.status, query.stderr).toBe(0);
    expect(query.stdout.toString()).toMatch(/t2\s+title t2[\s\S]*1 row in \d+ ms/);

    const write = spawnCli(env, ['--json', 'db', 'query', 'tasks', 'WITH gone AS (DELETE FROM tasks RETURNING id) SELECT * FROM gone']);
    expect(write.status).toBe(EXIT_CODES.INVALID_INPUT);
    expect(envelope(write).error?.message).toMatch(/^store TASKS \(postgres:\/\/postgres:\*\*\*\*@.*only read-only queries/);

    // The test database has no amcheck: "not checked", its own exit status, status ok in the envelope.
    const check = spawnCli(env, ['--json', 'db', 'check', 'tasks']);
    expect(check.status).toBe(EXIT_CODES.UNSUPPORTED);
    expect(envelope(check)).toMatchObject({ status: 'ok', data: { driver: 'postgres', available: false, ok: false } });

    for (const r of [info, tables, schema, query, write, check]) expect(r.stdout.toString() + r.stderr).not.toContain(password);
    const again = spawnCli(env, ['--json', 'db', 'query', 'tasks', 'SELECT count(*) AS n FROM tasks']);
    expect(envelope(again).data).toMatchObject({ columns: ['n'], rows: [[2]] });
  }, 120_000);

  it('postgres: a store whose schema does not exist is NOT_FOUND (exit status and envelope), naming store, schema and masked DSN', async () => {
    const env = tempHome().env({ FOXCTL_TASKS_DB_DRIVER: 'postgres', FOXCTL_TASKS_POSTGRES_DSN: dsn, FOXCTL_TASKS_POSTGRES_SCHEMA: 'never_made' });
    const info = spawnCli(env, ['--json', 'db', 'info', 'tasks']);
    expect(info.status, info.stderr).toBe(EXIT_CODES.NOT_FOUND);
    expect(envelope(info).error).toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/^store TASKS has no schema "never_made" on postgres:\/\/postgres:\*\*\*\*@127\.0\.0\.1:\d+\/dbcli_\w+ yet/) });
    const tables = spawnCli(env, ['db', 'tables', 'tasks']);
    expect(tables.status).toBe(EXIT_CODES.NOT_FOUND);
    expect(tables.stderr.toString()).toMatch(/no schema "never_made"/);
    for (const r of [info, tables]) expect(r.stdout.toString() + r.stderr).not.toContain(password);
  }, 60_000);

  it('turso file: URL: the same commands through libSQL', async () => {
    const h = tempHome();
    const env = h.env({ FOXCTL_TASKS_DB_DRIVER: 'turso', FOXCTL_TASKS_DB_URL: `file:${path.join(h.home, 'tasks.turso.db')}` });
    await seedTasks(env);
    const info = spawnCli(env, ['--json', 'db', 'info', 'tasks']);
    expect(info.status, info.stderr).toBe(0);
    expect(envelope(info).data).toMatchObject({ driver: 'turso', store: 'TASKS', schema_version: expect.any(Number), server_version: expect.stringMatching(/^libSQL \(SQLite 3\./) });
    const query = spawnCli(env, ['db', 'query', 'tasks', 'SELECT id FROM tasks ORDER BY id']);
    expect(query.status, query.stderr).toBe(0);
    expect(query.stdout.toString()).toMatch(/t1\s*\n\s*t2[\s\S]*2 rows/);
    const check = spawnCli(env, ['db', 'check', 'tasks']);
    expect(check.status, check.stderr).toBe(0);
    expect(check.stdout.toString()).toMatch(/^ok: integrity_check found no problems in file:/);
  }, 120_000);
});
