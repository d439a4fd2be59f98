import crypto from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCode } from '../drivers/conformance.js';
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
