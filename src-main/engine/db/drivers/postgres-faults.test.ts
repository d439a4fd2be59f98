import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, dropTestDatabase, postgresForSuite } from '../../../test/pg-db.js';
import { tempHome } from '../../../test/temp-home.js';
import { expectCode } from './conformance.js';
import { openStoreDriver } from './open.js';
import { startFaultServer } from './fault-server.js';
import type { StoreDriver } from './types.js';

const server = postgresForSuite('postgres');
let dsn = '';

async function admin<T extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: dsn });
  await c.connect();
  try {
    return (await c.query<T>(sql, values)).rows;
  } finally {
    await c.end();
  }
}

/** Asserts that no form of the error carries a secret. */
function expectNoSecret(err: Error, ...secrets: string[]): void {
  for (const s of secrets) {
    expect(err.message).not.toContain(s);
    expect(JSON.stringify(err)).not.toContain(s);
    expect(String(err.stack)).not.toContain(s);
  }
}

/** Opens MEMORY on the configured chain with this DSN. */
async function openMemory(withDsn: string): Promise<StoreDriver> {
  return openStoreDriver(tempHome().config({ FOXCTL_MEMORY_DB_DRIVER: 'postgres', FOXCTL_MEMORY_POSTGRES_DSN: withDsn }), 'MEMORY');
}

/** Terminates the backends of this driver's pool that run a statement matching `like`, when one shows up. */
async function terminateWhenRunning(like: string): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const rows = await admin<{ ok: boolean }>(
      "SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'foxctl MEMORY' AND query LIKE $1 AND pid <> pg_backend_pid()",
      [like],
    );
    if (rows.length > 0) return rows.length;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no backend ran ${like}`);
}

describe.skipIf(server.skip)('postgres store driver faults', () => {
  beforeAll(async () => {
    dsn = await createTestDatabase(server.dsn as string, 'faults');
  });
  afterAll(async () => {
    if (dsn) await dropTestDatabase(server.dsn as string, dsn);
  });

  it('wrong password: UNAVAILABLE within 10 s naming the store, no password in the error', async () => {
    const u = new URL(dsn);
    const real = decodeURIComponent(u.password);
    u.password = 'Wr0ng-Secret-Pa55';
    const d = await openMemory(u.toString());
    const t0 = Date.now();
    try {
      const err = await expectCode(d.ping(), 'UNAVAILABLE', /store MEMORY.*refused the credentials.*password authentication failed/);
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(err).toMatchObject({ subject: 'store MEMORY' });
      expectNoSecret(err, 'Wr0ng-Secret-Pa55', real);
      expect(err.message).toContain('****');
      await expectCode(d.migrate(), 'UNAVAILABLE', /store MEMORY/);
    } finally {
      await d.close();
    }
  });

  it('unreachable endpoint (closed port): UNAVAILABLE within 10 s naming the store', async () => {
    const u = new URL(dsn);
    u.port = '1';
    const d = await openMemory(u.toString());
    const t0 = Date.now();
    try {
      const err = await expectCode(d.query('SELECT 1'), 'UNAVAILABLE', /cannot reach store MEMORY \(postgres:\/\/postgres:\*\*\*\*@127\.0\.0\.1:1\//);
      expect(Date.now() - t0).toBeLessThan(10_000);
      expectNoSecret(err, decodeURIComponent(u.password));
    } finally {
      await d.close();
    }
  });

  it('an endpoint that accepts but never answers: UNAVAILABLE within 10 s (the 8 s connect timeout)', async () => {
    const srv = await startFaultServer('silent');
    const u = new URL(dsn);
    u.port = String(srv.port);
    const d = await openMemory(u.toString());
    const t0 = Date.now();
    try {
      const err = await expectCode(d.ping(), 'UNAVAILABLE', /cannot reach store MEMORY/);
      expect(Date.now() - t0).toBeLessThan(10_000);
      expectNoSecret(err, decodeURIComponent(u.password));
    } finally {
      await d.close();
      await srv.close();
    }
  }, 30_000);

  it('a database that does not exist: UNAVAILABLE naming the store', async () => {
    const u = new URL(dsn);
    u.pathname = '/no_such_database';
    const d = await openMemory(u.toString());
    try {
      await expectCode(d.ping(), 'UNAVAILABLE', /store MEMORY.*no_such_database/);
    } finally {
      await d.close();
    }
  });

  it('server goes away mid-query (backend terminated): UNAVAILABLE at once; the next call works on a new connection', async () => {
    const d = await openMemory(dsn);
    try {
      await d.migrate();
      const t0 = Date.now();
      const running = d.query('SELECT pg_sleep(30)');
      running.catch(() => undefined);
      await terminateWhenRunning('SELECT pg_sleep(30)%');
      const err = await expectCode(running, 'UNAVAILABLE', /store MEMORY/);
      expect(Date.now() - t0).toBeLessThan(10_000);
      expectNoSecret(err, decodeURIComponent(new URL(dsn).password));
      expect(await d.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    } finally {
      await d.close();
    }
  });

  it('server goes away mid-transaction: UNAVAILABLE, nothing of the transaction is kept', async () => {
    const d = await openMemory(dsn);
    try {
      await d.migrate();
      const tx = d.transaction(async (t) => {
        await t.run("INSERT INTO embedding_metadata (workspace, provider, model, dimensions, created_at, updated_at) VALUES (?, 'p', 'm', 3, 'c', 'u')", ['ws-tx']);
        await t.query('SELECT pg_sleep(30)');
      });
      tx.catch(() => undefined);
      await terminateWhenRunning('SELECT pg_sleep(30)%');
      await expectCode(tx, 'UNAVAILABLE', /store MEMORY/);
      expect(await d.query('SELECT workspace FROM embedding_metadata')).toEqual([]);
    } finally {
      await d.close();
    }
  });

  it('idle connections dropped by the server do not crash the process; the pool reconnects', async () => {
    const d = await openMemory(dsn);
    try {
      await Promise.all([d.query('SELECT pg_sleep(0.1)'), d.query('SELECT pg_sleep(0.1)')]);
      // This file's database only: other files' MEMORY stores share the server.
      await admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'foxctl MEMORY'");
      await new Promise((r) => setTimeout(r, 200));
      expect(await d.query('SELECT 2 AS two')).toEqual([{ two: 2 }]);
    } finally {
      await d.close();
    }
  });
});
