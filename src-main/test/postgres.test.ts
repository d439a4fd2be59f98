import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, dropTestDatabase, postgresForSuite } from './pg-db.js';

const server = postgresForSuite('postgres');

describe.skipIf(server.skip)('test PostgreSQL server', () => {
  let dsn = '';
  beforeAll(async () => {
    dsn = await createTestDatabase(server.dsn as string);
  });
  afterAll(async () => {
    await dropTestDatabase(server.dsn as string, dsn);
  });

  it('serves a fresh database of its own', async () => {
    const c = new pg.Client({ connectionString: dsn });
    await c.connect();
    const r = await c.query<{ db: string }>('SELECT current_database() AS db');
    await c.end();
    expect(r.rows[0]?.db).toBe(new URL(dsn).pathname.slice(1));
  });

  it('refuses a wrong password (password auth is on)', async () => {
    const u = new URL(dsn);
    u.password = 'wrong';
    const c = new pg.Client({ connectionString: u.toString() });
    await expect(c.connect()).rejects.toThrow(/password authentication failed/);
  });
});
