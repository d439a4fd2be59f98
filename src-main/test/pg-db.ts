import crypto from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { dsnWithDatabase } from './postgres.js';
import { backendRequired } from './require.js';

/**
 * The PostgreSQL server of this test run, for a suite: `{ dsn }`, or `{ skip }` with the printed
 * reason. Under FOXCTL_TEST_REQUIRE=all (CI) a missing server throws instead: no silent skip.
 */
export function postgresForSuite(suite: string): { dsn: string; skip?: undefined } | { skip: string; dsn?: undefined } {
  const p = inject('postgres');
  if ('dsn' in p) return { dsn: p.dsn };
  if (backendRequired('postgres') || backendRequired(suite)) throw new Error(`${suite}: PostgreSQL is required (FOXCTL_TEST_REQUIRE) but ${p.unavailable}`);
  console.warn(`[skip] ${suite}: ${p.unavailable}`);
  return { skip: p.unavailable };
}

/** Creates a fresh database on the server and returns its DSN (dropped by `dropTestDatabase`). */
export async function createTestDatabase(serverDsn: string, prefix = 't'): Promise<string> {
  const name = `${prefix}_${crypto.randomBytes(6).toString('hex')}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const client = new pg.Client({ connectionString: serverDsn });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return dsnWithDatabase(serverDsn, name);
}

/** Drops a database made by `createTestDatabase`, closing whatever still holds it. */
export async function dropTestDatabase(serverDsn: string, dsn: string): Promise<void> {
  const name = new URL(dsn).pathname.slice(1);
  const client = new pg.Client({ connectionString: serverDsn });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
