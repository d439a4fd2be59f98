import crypto from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCode } from '../drivers/conformance.js';
import { openStoreDriver } from '../drivers/open.js';
import { createTestDatabase, dropTestDatabase, postgresForSuite } from '../../../test/pg-db.js';
import { tempHome } from '../../../test/temp-home.js';
import { inspectConformance } from './inspect-conformance.js';
import { DbInspector } from './inspector.js';

const server = postgresForSuite('postgres-inspection');
let dsn = '';

/** Runs one statement on the test database as the superuser. */
async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: dsn });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

describe.skipIf(server.skip)('postgres store inspection', () => {
  beforeAll(async () => {
    dsn = await createTestDatabase(server.dsn as string, 'insp');
    // amcheck ships with PostgreSQL's contrib: installed here so that check has something to run.
    await admin('CREATE EXTENSION IF NOT EXISTS amcheck');
  });
  afterAll(async () => {
    if (dsn) await dropTestDatabase(server.dsn as string, dsn);
  });

  it('a store whose schema does not exist is NOT_FOUND naming the store, the schema and the masked server, and looking creates nothing', async () => {
    const schema = `gone_${crypto.randomBytes(4).toString('hex')}`;
    const password = decodeURIComponent(new URL(dsn).password);
    const ins = new DbInspector(tempHome().config({ FOXCTL_KNOWLEDGE_DB_DRIVER: 'postgres', FOXCTL_KNOWLEDGE_POSTGRES_DSN: dsn, FOXCTL_KNOWLEDGE_POSTGRES_SCHEMA: schema }));
    try {
      const named = new RegExp(`^store KNOWLEDGE has no schema "${schema}" on postgres://[^ ]*127\\.0\\.0\\.1:\\d+/insp_\\w+ yet`);
      const calls: (() => Promise<unknown>)[] = [
        () => ins.info('KNOWLEDGE'),
        () => ins.tables('KNOWLEDGE'),
        () => ins.schema('KNOWLEDGE'),
        () => ins.browse('KNOWLEDGE', 'items', { limit: 10, offset: 0 }),
        () => ins.query('KNOWLEDGE', 'SELECT 1'),
        () => ins.check('KNOWLEDGE'),
      ];
      for (const call of calls) {
        const err = await expectCode(call(), 'NOT_FOUND', named);
        if (password) expect(err.message).not.toContain(password);
      }
    } finally {
      await ins.close();
    }
    const c = new pg.Client({ connectionString: dsn });
    await c.connect();
    try {
      expect((await c.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).rows).toEqual([]);
    } finally {
      await c.end();
    }
  });

  it('browse: each page keeps the time limit it asked for, and the one-statement page is read-only', async () => {
    const schema = `lim_${crypto.randomBytes(4).toString('hex')}`;
    await admin(`CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.items (id int PRIMARY KEY, v text); INSERT INTO ${schema}.items VALUES (1, 'a'), (2, 'b');
      CREATE VIEW ${schema}.slow AS SELECT 1 AS n FROM pg_sleep(1);
      CREATE FUNCTION ${schema}.scribble() RETURNS int LANGUAGE sql AS 'INSERT INTO ${schema}.items VALUES (3, ''c'') RETURNING 1';
      CREATE VIEW ${schema}.writes AS SELECT ${schema}.scribble() AS n`);
    const config = tempHome().config({ FOXCTL_KNOWLEDGE_DB_DRIVER: 'postgres', FOXCTL_KNOWLEDGE_POSTGRES_DSN: dsn, FOXCTL_KNOWLEDGE_POSTGRES_SCHEMA: schema });
    const ins = new DbInspector(config);
    const ro = await openStoreDriver(config, 'KNOWLEDGE', { readOnly: true });
    try {
      const items = (): Promise<unknown> => ins.browse('KNOWLEDGE', 'items', { limit: 10, offset: 0 }).then((r) => r.rows);
      const slow = (timeoutMs: number): Promise<unknown> => ins.browse('KNOWLEDGE', 'slow', { limit: 1, offset: 0, timeoutMs }).then((r) => r.rows);
      // The first page of a table learns its order in a transaction; later pages are one statement.
      expect(await items()).toEqual([[1, 'a'], [2, 'b']]);
      expect(await items()).toEqual([[1, 'a'], [2, 'b']]);
      expect(await slow(5000)).toEqual([[1]]);
      // Each page runs under the limit it asked for, whatever the page before it asked.
      await expectCode(slow(200), 'CANCELED', /time limit/);
      expect(await slow(5000)).toEqual([[1]]);
      expect(await slow(5000)).toEqual([[1]]);
      await expectCode(slow(200), 'CANCELED', /time limit/);
      expect(await items()).toEqual([[1, 'a'], [2, 'b']]);
      // A view whose function writes is refused by the server, and nothing is written.
      await expectCode(ins.browse('KNOWLEDGE', 'writes', { limit: 1, offset: 0 }), 'UNSUPPORTED', /read-only transaction/);
      // The same statement through the one-statement path (no BEGIN READ ONLY): the session refuses it.
      for (let i = 0; i < 2; i++) {
        await expectCode(ro.read((tx) => tx.rows(`SELECT n FROM ${schema}.writes`, [], 1, { bounded: true, only: true })), 'UNSUPPORTED', /read-only transaction/);
      }
      expect(await items()).toEqual([[1, 'a'], [2, 'b']]);
    } finally {
      await ro.close();
      await ins.close();
      await admin(`DROP SCHEMA ${schema} CASCADE`);
    }
  });

  inspectConformance('postgres', async () => {
    const schema = `insp_${crypto.randomBytes(4).toString('hex')}`;
    return {
      config: tempHome().config({ FOXCTL_KNOWLEDGE_DB_DRIVER: 'postgres', FOXCTL_KNOWLEDGE_POSTGRES_DSN: dsn, FOXCTL_KNOWLEDGE_POSTGRES_SCHEMA: schema }),
      driver: 'postgres',
      slowSql: 'SELECT pg_sleep(5)',
      cleanup: () => admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`),
    };
  });
});
