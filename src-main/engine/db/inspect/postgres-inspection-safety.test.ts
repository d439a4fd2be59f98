import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, dropTestDatabase, postgresForSuite } from '../../../test/pg-db.js';
import { tempHome } from '../../../test/temp-home.js';
import { CONFORMANCE_MIGRATIONS, expectCode } from '../drivers/conformance.js';
import { startFaultServer } from '../drivers/fault-server.js';
import { openStoreDriver } from '../drivers/open.js';
import type { StoreDriver } from '../drivers/types.js';
import { DbInspector } from './inspector.js';

const server = postgresForSuite('postgres-inspection-safety');
let dsn = '';
let password = '';

async function admin<T extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, values: unknown[] = [], on = dsn): Promise<T[]> {
  const c = new pg.Client({ connectionString: on });
  await c.connect();
  try {
    return (await c.query<T>(sql, values)).rows;
  } finally {
    await c.end();
  }
}

/**
 * Terminates this store's backends running a statement like `like`, once one shows up. Only in
 * this file's own database: other test files share the server, and their KNOWLEDGE stores run
 * statements of the same shape (a view named slow) that a kill here must not reach.
 */
async function terminateWhenRunning(like: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const rows = await admin(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'foxctl KNOWLEDGE' AND query LIKE $1 AND pid <> pg_backend_pid()",
      [like],
    );
    if (rows.length > 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no backend ran ${like}`);
}

describe.skipIf(server.skip)('postgres inspection: read-only by the server, faults', () => {
  const undo: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    dsn = await createTestDatabase(server.dsn as string, 'insps');
    password = decodeURIComponent(new URL(dsn).password);
  });
  afterAll(async () => {
    if (dsn) await dropTestDatabase(server.dsn as string, dsn);
  });
  afterEach(async () => {
    for (const u of undo.splice(0).reverse()) await u().catch(() => undefined);
  });

  /** KNOWLEDGE on its own schema of `onDsn`, migrated, with 3 kv rows; the inspector and a writer driver. */
  async function store(onDsn = dsn): Promise<{ ins: DbInspector; d: StoreDriver; schema: string }> {
    const schema = `s_${crypto.randomBytes(4).toString('hex')}`;
    const config = tempHome().config({ FOXCTL_KNOWLEDGE_DB_DRIVER: 'postgres', FOXCTL_KNOWLEDGE_POSTGRES_DSN: onDsn, FOXCTL_KNOWLEDGE_POSTGRES_SCHEMA: schema });
    const d = await openStoreDriver(config, 'KNOWLEDGE', { migrations: CONFORMANCE_MIGRATIONS, migrate: true });
    undo.push(async () => void (await admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`, [], onDsn)));
    undo.push(() => d.close());
    for (const k of ['a', 'b', 'c']) await d.run('INSERT INTO kv (k, v) VALUES (?, ?)', [k, k]);
    await d.run("INSERT INTO items (name) VALUES ('one')");
    const ins = new DbInspector(config);
    undo.push(() => ins.close());
    return { ins, d, schema };
  }

  const kvCount = async (d: StoreDriver): Promise<number> => Number((await d.query<{ n: number }>('SELECT count(*) AS n FROM kv'))[0]!.n);

  it('the server refuses writes inside read(), even those our keyword check would let through', async () => {
    const { d } = await store();
    const attempts: [string, RegExp][] = [
      ['WITH gone AS (DELETE FROM kv RETURNING k) SELECT count(*) FROM gone', /read-only transaction/],
      ["SELECT nextval('items_id_seq')", /read-only transaction/],
      ['SET transaction_read_only = off', /read-write mode (inside a read-only transaction|must be set before any query)/],
    ];
    for (const [sql, why] of attempts) await expect(d.read((tx) => tx.query(sql)), sql).rejects.toThrow(why);
    // A session setting does not make the running transaction writable.
    await expectCode(
      d.read(async (tx) => {
        await tx.query('SET default_transaction_read_only = off');
        await tx.query('DELETE FROM kv');
      }),
      'UNSUPPORTED',
      /read-only transaction/,
    );
    expect(await kvCount(d)).toBe(3);
  });

  it('console statements: disguised writes, COPY TO PROGRAM and pg_terminate_backend are refused; nothing changes', async () => {
    const { ins, d } = await store();
    const marker = path.join(os.tmpdir(), `foxctl-copy-${crypto.randomBytes(4).toString('hex')}`);
    const victim = new pg.Client({ connectionString: dsn, application_name: 'foxctl-victim' });
    await victim.connect();
    undo.push(() => victim.end());
    const [{ pid }] = (await victim.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows as [{ pid: number }];
    const refused = [
      'WITH gone AS (DELETE FROM kv RETURNING k) SELECT * FROM gone',
      'SET default_transaction_read_only = off; DELETE FROM kv',
      'SELECT 1; DELETE FROM kv',
      `COPY (SELECT 1) TO PROGRAM 'touch ${marker}'`,
      `SELECT pg_terminate_backend(${pid})`,
      "SELECT nextval('items_id_seq')",
      `EXPLAIN ANALYZE DELETE FROM kv`,
    ];
    for (const sql of refused) {
      const err = await expectCode(ins.query('KNOWLEDGE', sql), 'INVALID_INPUT', /store KNOWLEDGE \(postgres:\/\/postgres:\*\*\*\*@.*only read-only queries/);
      expect(err.message).not.toContain(password);
    }
    // The same COPY through the driver with our keyword check bypassed: the server's role check stops it.
    await expectCode(d.read((tx) => tx.query(`COPY (SELECT 1) TO PROGRAM 'touch ${marker}'`), { untrusted: true }), 'INVALID_INPUT', /permission denied|must be superuser|privilege/);
    expect(fs.existsSync(marker)).toBe(false);
    expect((await victim.query('SELECT 1 AS alive')).rows).toEqual([{ alive: 1 }]);
    expect(await kvCount(d)).toBe(3);
  });

  it('session state a console statement leaves (an advisory lock) does not outlive it', async () => {
    const { ins } = await store();
    expect((await ins.query('KNOWLEDGE', 'SELECT pg_advisory_lock(4242) IS NULL AS x')).rows).toEqual([['false']]);
    const held = await admin("SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242");
    expect(held).toEqual([]);
  });

  it('check without amcheck: "not available on this server", neither ok nor an error', async () => {
    const bare = await createTestDatabase(server.dsn as string, 'noam');
    undo.push(() => dropTestDatabase(server.dsn as string, bare));
    const { ins } = await store(bare);
    const res = await ins.check('KNOWLEDGE');
    expect(res).toMatchObject({ driver: 'postgres', mode: 'bt_index_check', available: false, ok: false, problems: [] });
    expect(res.note).toMatch(/not available on this server: the amcheck extension is not installed/);
  });

  it('schema: types, NOT NULL, defaults, identity, foreign keys, checks, indexes and views from the catalog', async () => {
    const { ins, d } = await store();
    await d.run(`CREATE TABLE "Odd Name" (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, kv_k TEXT NOT NULL REFERENCES kv (k) ON DELETE CASCADE,
      at TIMESTAMPTZ NOT NULL DEFAULT now(), score NUMERIC(10, 2) DEFAULT 0 CHECK (score >= 0), tags TEXT[])`);
    await d.run('CREATE UNIQUE INDEX odd_at ON "Odd Name" (at DESC) WHERE score > 1');
    await d.run('CREATE VIEW kv_upper AS SELECT k, upper(v) AS v FROM kv');
    const objects = await ins.schema('KNOWLEDGE');
    const odd = objects.find((o) => o.name === 'Odd Name')!;
    expect(odd.sql).toContain('CREATE TABLE "Odd Name" (');
    expect(odd.sql).toContain('id bigint GENERATED ALWAYS AS IDENTITY NOT NULL');
    expect(odd.sql).toContain('kv_k text NOT NULL');
    expect(odd.sql).toContain('at timestamp with time zone DEFAULT now() NOT NULL');
    expect(odd.sql).toContain('score numeric(10,2) DEFAULT 0');
    expect(odd.sql).toContain('tags text[]');
    expect(odd.sql).toMatch(/CONSTRAINT "Odd Name_pkey" PRIMARY KEY \(id\)/);
    expect(odd.sql).toMatch(/FOREIGN KEY \(kv_k\) REFERENCES kv\(k\) ON DELETE CASCADE/);
    expect(odd.sql).toMatch(/CHECK \(score >= 0(::numeric)?\)/);
    expect(objects.find((o) => o.name === 'odd_at')).toMatchObject({ type: 'index', table: 'Odd Name', sql: expect.stringMatching(/^CREATE UNIQUE INDEX odd_at ON .*"Odd Name" USING btree \(at DESC\) WHERE \(score > /) });
    expect(objects.find((o) => o.name === 'kv_upper')).toMatchObject({ type: 'view', sql: expect.stringMatching(/^CREATE VIEW kv_upper AS\n\s*SELECT (kv\.)?k,\s+upper\((kv\.)?v\) AS v\s+FROM kv/) });
    expect(objects.at(-1)?.type).toBe('view');
  });

  it('server goes away mid-browse and mid-query: UNAVAILABLE naming the store within 10 s; rows intact; the next call works', async () => {
    const { ins, d } = await store();
    await d.run('CREATE VIEW slow AS SELECT pg_sleep(30)::text AS z, 1 AS x');
    for (const [what, run, like] of [
      ['browse', () => ins.browse('KNOWLEDGE', 'slow', { limit: 10, offset: 0, timeoutMs: 60_000 }), '%.slow LIMIT%'],
      ['query', () => ins.query('KNOWLEDGE', 'SELECT pg_sleep(30)', { timeoutMs: 60_000 }), 'FETCH FORWARD %'],
    ] as const) {
      const t0 = Date.now();
      const p = run();
      p.catch(() => undefined);
      await terminateWhenRunning(like);
      const err = await expectCode(p, 'UNAVAILABLE', /store KNOWLEDGE \(postgres:\/\/postgres:\*\*\*\*@/);
      expect(Date.now() - t0, what).toBeLessThan(10_000);
      expect(err.message).not.toContain(password);
      expect((await ins.query('KNOWLEDGE', 'SELECT count(*) AS n FROM kv')).rows).toEqual([[3]]);
    }
    expect(await kvCount(d)).toBe(3);
  });

  it('a server that accepts but never answers: UNAVAILABLE within 10 s naming the store', async () => {
    const srv = await startFaultServer('silent');
    undo.push(() => srv.close());
    const u = new URL(dsn);
    u.port = String(srv.port);
    const ins = new DbInspector(tempHome().config({ FOXCTL_KNOWLEDGE_DB_DRIVER: 'postgres', FOXCTL_KNOWLEDGE_POSTGRES_DSN: u.toString() }));
    undo.push(() => ins.close());
    const t0 = Date.now();
    const err = await expectCode(ins.tables('KNOWLEDGE'), 'UNAVAILABLE', /cannot reach store KNOWLEDGE \(postgres:\/\/postgres:\*\*\*\*@127\.0\.0\.1:\d+/);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(err.message).not.toContain(password);
  }, 30_000);
});
