import { describe, expect, it } from 'vitest';
import { countSqlitePlaceholders, hasSecondSqliteStatement, toPostgresPlaceholders } from './placeholders.js';

describe('? placeholders', () => {
  it('numbers ? for PostgreSQL outside literals, identifiers, dollar quotes and comments', () => {
    const cases: [string, string, number][] = [
      ['SELECT ?, ?', 'SELECT $1, $2', 2],
      ["SELECT '?', ?", "SELECT '?', $1", 1],
      ["SELECT 'it''s ?', ?", "SELECT 'it''s ?', $1", 1],
      ["SELECT E'a\\' ?', ?", "SELECT E'a\\' ?', $1", 1],
      ['SELECT "a?b" FROM t WHERE x = ?', 'SELECT "a?b" FROM t WHERE x = $1', 1],
      ['SELECT $$ ? $$, $tag$ ? $tag$, ?', 'SELECT $$ ? $$, $tag$ ? $tag$, $1', 1],
      ['SELECT ? -- ?\n, ?', 'SELECT $1 -- ?\n, $2', 2],
      ['SELECT /* ? /* ? */ ? */ ?', 'SELECT /* ? /* ? */ ? */ $1', 1],
      ['SELECT a - b / 2, ?', 'SELECT a - b / 2, $1', 1],
      ['SELECT x$1 FROM t WHERE y = ?', 'SELECT x$1 FROM t WHERE y = $1', 1],
    ];
    for (const [sql, want, count] of cases) expect(toPostgresPlaceholders(sql), sql).toMatchObject({ sql: want, count });
  });

  it('refuses $n written by hand', () => {
    expect(() => toPostgresPlaceholders('SELECT $1')).toThrow(/write parameters as \?/);
  });

  it('counts bare ? for SQLite, and gives up (null) on other placeholder styles', () => {
    expect(countSqlitePlaceholders("SELECT ?, '?', \"?\" -- ?")).toBe(1);
    expect(countSqlitePlaceholders('SELECT ?1, ?2')).toBeNull();
    expect(countSqlitePlaceholders('SELECT :a, @b, $c')).toBeNull();
    expect(countSqlitePlaceholders("SELECT ':a', ?")).toBe(1);
  });

  it('numbers a large multi-row INSERT (the data copy) exactly', () => {
    const tuple = `(${Array(10).fill('?').join(', ')})`;
    const sql = `INSERT INTO "t" ("a") VALUES ${Array(6553).fill(tuple).join(', ')}`;
    const r = toPostgresPlaceholders(sql);
    expect(r.count).toBe(65530);
    expect(r.sql.endsWith('$65529, $65530)')).toBe(true);
    expect(toPostgresPlaceholders(sql)).toBe(r);
  });
});

describe('hasSecondSqliteStatement', () => {
  it('sees a second statement after a ; outside literals and comments, not a trailing ; or one in a string', () => {
    expect(hasSecondSqliteStatement('SELECT 1; DELETE FROM kv')).toBe(true);
    expect(hasSecondSqliteStatement("SELECT ';' AS x; DROP TABLE t")).toBe(true);
    expect(hasSecondSqliteStatement('SELECT 1;')).toBe(false);
    expect(hasSecondSqliteStatement('SELECT 1; -- done\n ;')).toBe(false);
    expect(hasSecondSqliteStatement("SELECT ';' AS x, \"a;b\" FROM t /* ; */")).toBe(false);
  });
});
