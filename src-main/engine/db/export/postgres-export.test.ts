import crypto from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCode } from '../drivers/conformance.js';
import { DbInspector } from '../inspect/inspector.js';
import { createTestDatabase, dropTestDatabase, postgresForSuite } from '../../../test/pg-db.js';
import { tempHome } from '../../../test/temp-home.js';

const server = postgresForSuite('postgres-export');
let dsn = '';

/** Runs statements on the test database as the superuser. */
async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: dsn });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** Runs an export to text. */
async function text(ins: DbInspector, what: Parameters<DbInspector['planExport']>[1], format: 'csv' | 'json', opts: { onProgress?: (n: number) => void; signal?: AbortSignal } = {}): Promise<string> {
  const plan = await ins.planExport('KNOWLEDGE', what);
  let out = '';
  await plan.run(format, (t) => void (out += t), opts);
  return out;
}

describe.skipIf(server.skip)('db export over PostgreSQL', () => {
  const schema = `exp_${crypto.randomBytes(4).toString('hex')}`;
  let ins: DbInspector;
  beforeAll(async () => {
    dsn = await createTestDatabase(server.dsn as string, 'exp');
    await admin(`CREATE SCHEMA ${schema};
      CREATE TABLE ${schema}.v (id int8 PRIMARY KEY, label text, n int8, r float8, b bytea, ok boolean);
      INSERT INTO ${schema}.v VALUES
        (1, NULL, NULL, NULL, NULL, NULL),
        (2, '', 0, 0.1, '\\x', true),
        (3, E'comma, "quote"\\nline\\r\\nbreak', 9007199254740993, 1e-7, '\\x0001feff', false),
        (4, 'ünïcödé 🦊 日本', -9223372036854775808, 1.0/3, '\\xabab', NULL);
      CREATE TABLE ${schema}.big (id int PRIMARY KEY, name text);
      INSERT INTO ${schema}.big SELECT i, 'row ' || i FROM generate_series(1, 20000) i;`);
    ins = new DbInspector(tempHome().config({ FOXCTL_KNOWLEDGE_DB_DRIVER: 'postgres', FOXCTL_KNOWLEDGE_POSTGRES_DSN: dsn, FOXCTL_KNOWLEDGE_POSTGRES_SCHEMA: schema }));
  });
  afterAll(async () => {
    await ins?.close();
    if (dsn) await dropTestDatabase(server.dsn as string, dsn);
  });

  it('the same values as SQLite through the driver: CSV and JSON', async () => {
    expect(await text(ins, { table: 'v' }, 'csv')).toBe(
      [
        'id,label,n,r,b,ok',
        '1,,,,,',
        '2,"",0,0.1,,true',
        '3,"comma, ""quote""\nline\r\nbreak",9007199254740993,1e-7,0001feff,false',
        '4,ünïcödé 🦊 日本,-9223372036854775808,0.3333333333333333,abab,',
        '',
      ].join('\r\n'),
    );
    const rows = JSON.parse(await text(ins, { table: 'v' }, 'json')) as unknown[];
    expect(rows).toEqual([
      { id: 1, label: null, n: null, r: null, b: null, ok: null },
      { id: 2, label: '', n: 0, r: 0.1, b: { $base64: '' }, ok: true },
      { id: 3, label: 'comma, "quote"\nline\r\nbreak', n: '9007199254740993', r: 1e-7, b: { $base64: 'AAH+/w==' }, ok: false },
      { id: 4, label: 'ünïcödé 🦊 日本', n: '-9223372036854775808', r: 1 / 3, b: { $base64: 'q6s=' }, ok: null },
    ]);
  });

  it('a sorted, filtered table and a query with duplicate names, FETCHed in pages from one cursor', async () => {
    const csv = await text(ins, { table: 'big', where: 'id % 1000 = 0', sort: { column: 'id', desc: true } }, 'csv');
    expect(csv.split('\r\n').slice(0, 3)).toEqual(['id,name', '20000,row 20000', '19000,row 19000']);
    const pages: number[] = [];
    const all = await text(ins, { sql: 'SELECT id AS name, name FROM big ORDER BY id' }, 'json', { onProgress: (n) => pages.push(n) });
    const parsed = JSON.parse(all) as { name: number; name_2: string }[];
    expect(parsed).toHaveLength(20_000);
    expect(parsed[19_999]).toEqual({ name: 20_000, name_2: 'row 20000' });
    expect(pages.length).toBeGreaterThanOrEqual(40);
    expect(pages.at(-1)).toBe(20_000);
  });

  it('cancel mid-way is CANCELED; a write, a bad statement or an unknown table is refused before any row', async () => {
    const ac = new AbortController();
    const plan = await ins.planExport('KNOWLEDGE', { table: 'big' });
    await expectCode(plan.run('csv', () => undefined, { signal: ac.signal, onProgress: (n) => n >= 2000 && ac.abort() }), 'CANCELED');
    // The pool still serves after the cut connection.
    expect((await ins.query('KNOWLEDGE', 'SELECT count(*)::int AS n FROM big')).rows).toEqual([[20_000]]);
    await expectCode(ins.planExport('KNOWLEDGE', { sql: 'DELETE FROM big' }), 'INVALID_INPUT', /only read-only queries/);
    await expectCode(ins.planExport('KNOWLEDGE', { sql: 'SELEC 1' }), 'INVALID_INPUT', /only read-only queries/);
    await expectCode(ins.planExport('KNOWLEDGE', { sql: 'SELECT * FROM nope' }), 'INVALID_INPUT', /relation "nope" does not exist/);
    await expectCode(ins.planExport('KNOWLEDGE', { table: 'nope' }), 'NOT_FOUND', /no table or view named "nope"/);
    await expectCode(ins.planExport('KNOWLEDGE', { sql: 'EXPLAIN SELECT 1' }), 'INVALID_INPUT', /only SELECT, WITH, VALUES or TABLE/);
  });
});
