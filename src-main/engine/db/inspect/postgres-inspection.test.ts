import crypto from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe } from 'vitest';
import { createTestDatabase, dropTestDatabase, postgresForSuite } from '../../../test/pg-db.js';
import { tempHome } from '../../../test/temp-home.js';
import { inspectConformance } from './inspect-conformance.js';

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
