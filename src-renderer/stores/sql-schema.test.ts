import { describe, expect, it } from 'vitest';
import type { DbTable } from '../../src-preload/contract';
import { columnsOfCreate, completionSchema, dialectOf, tablesIn } from './sql-schema';

const table = (name: string, type: DbTable['type'] = 'table'): DbTable => ({ name, type, columns: 0, without_rowid: false, rows: 0, rows_exact: true });

describe('columnsOfCreate', () => {
  it('reads the columns of a SQLite CREATE TABLE, leaving out table constraints', () => {
    const sql = `CREATE TABLE events (
      id INTEGER PRIMARY KEY, -- the rowid
      "kind" TEXT NOT NULL DEFAULT 'a,b', [at] REAL CHECK (at > 0), \`odd "name"\` BLOB,
      payload TEXT, CONSTRAINT k UNIQUE (kind, at), PRIMARY KEY (id), FOREIGN KEY (kind) REFERENCES kinds (k), CHECK (id > 0)
    )`;
    expect(columnsOfCreate(sql)).toEqual(['id', 'kind', 'at', 'odd "name"', 'payload']);
  });

  it('reads the CREATE TABLE the engine rebuilds for PostgreSQL', () => {
    const sql = 'CREATE TABLE "Odd Name" (\n  id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,\n  "Kv ""K""" text DEFAULT \'x\'::text NOT NULL,\n  CONSTRAINT "Odd Name_pkey" PRIMARY KEY (id)\n)';
    expect(columnsOfCreate(sql)).toEqual(['id', 'Kv "K"']);
  });

  it('reads an FTS5 table without its options, and nothing from CREATE TABLE ... AS SELECT', () => {
    expect(columnsOfCreate("CREATE VIRTUAL TABLE docs USING fts5(title, body UNINDEXED, content='', tokenize = 'porter')")).toEqual(['title', 'body']);
    expect(columnsOfCreate('CREATE TABLE copy AS SELECT count(*) AS n FROM t')).toEqual([]);
    expect(columnsOfCreate('CREATE TABLE copy AS (SELECT 1 AS n)')).toEqual([]);
  });
});

describe('completionSchema', () => {
  it('lists every table and view without shadow tables, with the columns db.schema gave', () => {
    const schema = completionSchema([table('kv'), table('v', 'view'), table('docs_data', 'shadow')], [
      { type: 'table', name: 'kv', sql: 'CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT)' },
      { type: 'index', name: 'kv_v', sql: 'CREATE INDEX kv_v ON kv (v)' },
    ]);
    expect(schema).toEqual({ kv: ['k', 'v'], v: [] });
  });

  it('lists the tables alone until db.schema answers', () => {
    expect(completionSchema([table('kv')], null)).toEqual({ kv: [] });
  });
});

describe('tablesIn', () => {
  it('finds the tables a statement names, bare in any case or quoted', () => {
    const schema = { kv: ['k'], 'Odd Name': ['x'], other: [] };
    expect(tablesIn('select * from KV join "Odd Name" on 1', schema)).toEqual(['kv', 'Odd Name']);
    expect(tablesIn('SELECT 1', schema)).toEqual([]);
  });
});

describe('dialectOf', () => {
  it('speaks PostgreSQL to postgres and SQLite to sqlite, turso and libsql', () => {
    expect(dialectOf('postgres')).toBe('postgres');
    for (const d of ['sqlite', 'turso', 'libsql', null, undefined]) expect(dialectOf(d)).toBe('sqlite');
  });
});
