import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { isFoxError } from '../errors.js';
import { tempHome } from '../../test/temp-home.js';
import { applyMigrations, migrationChecksum, schemaVersion, type Migration } from './migrate.js';
import { migrationsFor, STORE_MIGRATIONS } from './migrations/index.js';
import { openSqlite } from './sqlite.js';

const M: Migration[] = [
  { version: 1, name: 'one', sql: 'CREATE TABLE a (id INTEGER PRIMARY KEY, v TEXT);' },
  { version: 2, name: 'two', sql: 'CREATE TABLE b (id INTEGER PRIMARY KEY); INSERT INTO b VALUES (1);' },
];

function freshDb(): { db: ReturnType<typeof openSqlite>; file: string } {
  const file = path.join(tempHome().home, 'm.db');
  return { db: openSqlite(file), file };
}

const tablesOf = (db: ReturnType<typeof openSqlite>): string[] =>
  (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);

describe('applyMigrations', () => {
  it('applies pending migrations once and is idempotent', () => {
    const { db } = freshDb();
    expect(applyMigrations(db, 'test', M)).toEqual({ applied: [1, 2], version: 2 });
    expect(applyMigrations(db, 'test', M)).toEqual({ applied: [], version: 2 });
    expect(db.prepare('SELECT count(*) AS n FROM b').get()).toEqual({ n: 1 });
    const rows = db.prepare('SELECT version, name, applied_at, checksum FROM schema_migrations ORDER BY version').all() as {
      version: number;
      name: string;
      applied_at: string;
      checksum: string;
    }[];
    expect(rows.map((r) => [r.version, r.name, r.checksum])).toEqual(M.map((m) => [m.version, m.name, migrationChecksum(m)]));
    for (const r of rows) expect(r.applied_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
    db.close();
  });

  it('applies only the new ones when migrations are added', () => {
    const { db } = freshDb();
    applyMigrations(db, 'test', M.slice(0, 1));
    expect(applyMigrations(db, 'test', M)).toEqual({ applied: [2], version: 2 });
    db.close();
  });

  it('refuses with CONFLICT when an applied migration changed, before running anything', () => {
    const { db } = freshDb();
    applyMigrations(db, 'store X', M.slice(0, 1));
    const changed: Migration[] = [{ ...M[0]!, sql: 'CREATE TABLE a (id INTEGER PRIMARY KEY, v TEXT, w TEXT);' }, M[1]!];
    try {
      applyMigrations(db, 'store X', changed);
      expect.unreachable();
    } catch (err) {
      expect(isFoxError(err, 'CONFLICT')).toBe(true);
      expect((err as Error).message).toMatch(/store X: migration 1 \(one\) was changed/);
    }
    expect(tablesOf(db)).not.toContain('b');
    db.close();
  });

  it('ignores whitespace-only line-ending changes in the checksum', () => {
    expect(migrationChecksum({ version: 1, name: 'x', sql: 'A;\r\nB;\r\n' })).toBe(migrationChecksum({ version: 1, name: 'x', sql: '  A;\nB;' }));
  });

  it('refuses migrations out of order', () => {
    const { db } = freshDb();
    expect(() => applyMigrations(db, 'test', [M[1]!, M[0]!])).toThrow(/increasing versions/);
    db.close();
  });

  it('accepts a Go-style schema_migrations without a checksum column and trusts its rows', () => {
    const { db } = freshDb();
    db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    db.exec("CREATE TABLE a (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO schema_migrations VALUES (1, 'go made this', '2025-01-01T00:00:00Z')");
    expect(applyMigrations(db, 'test', M)).toEqual({ applied: [2], version: 2 });
    const cols = (db.prepare("SELECT name FROM pragma_table_info('schema_migrations')").all() as { name: string }[]).map((c) => c.name);
    expect(cols).toContain('checksum');
    expect(db.prepare('SELECT checksum FROM schema_migrations WHERE version = 1').get()).toEqual({ checksum: null });
    expect(applyMigrations(db, 'test', M).applied).toEqual([]);
    db.close();
  });

  it('rolls a failing migration back whole and names it', () => {
    const { db } = freshDb();
    const bad: Migration[] = [M[0]!, { version: 2, name: 'broken', sql: 'CREATE TABLE c (x); INSERT INTO nowhere VALUES (1);' }];
    expect(() => applyMigrations(db, 'store Y', bad)).toThrow(/store Y migration 2 \(broken\)/);
    expect(tablesOf(db)).not.toContain('c');
    expect(schemaVersion(db)).toBe(1);
    db.close();
  });
});

describe('store migrations', () => {
  const SPEC_TABLES: Record<string, string[]> = {
    MEMORY: ['named_memory', 'embedding_metadata', 'indexer_state'],
    CONTEXTVAR: ['context_variables', 'context_sequences'],
    COMPANION: [
      'companion_turns',
      'companion_events',
      'companion_hard_state_entries',
      'companion_soft_episodes',
      'companion_evidence_snippets',
      'companion_assumptions_ledger',
    ],
    SESSIONS: ['sessions'],
    TASKS: ['tasks'],
    JOBS: ['studio_jobs'],
    REPOINDEX: ['index_meta', 'nodes', 'edges'],
  };

  for (const [store, tables] of Object.entries(SPEC_TABLES)) {
    it(`${store} creates its SPEC tables and re-applies as a no-op`, () => {
      const { db } = freshDb();
      const res = applyMigrations(db, store, migrationsFor(store));
      expect(res.applied.length).toBeGreaterThan(0);
      expect(tablesOf(db)).toEqual(expect.arrayContaining(tables));
      expect(applyMigrations(db, store, migrationsFor(store)).applied).toEqual([]);
      expect(db.pragma('foreign_key_check')).toEqual([]);
      db.close();
    });
  }

  it('REPOINDEX stamps index_meta schema_version 4 but keeps a value the Go tool wrote', () => {
    const a = freshDb();
    applyMigrations(a.db, 'REPOINDEX', migrationsFor('REPOINDEX'));
    expect(a.db.prepare("SELECT value FROM index_meta WHERE key = 'schema_version'").get()).toEqual({ value: '4' });
    a.db.close();
    const b = freshDb();
    b.db.exec("CREATE TABLE index_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO index_meta VALUES ('schema_version', '5')");
    applyMigrations(b.db, 'REPOINDEX', migrationsFor('REPOINDEX'));
    expect(b.db.prepare("SELECT value FROM index_meta WHERE key = 'schema_version'").get()).toEqual({ value: '5' });
    b.db.close();
  });

  it('adopts a memory.db the Go foxctl created, keeping its rows', () => {
    const { db, file } = freshDb();
    db.close();
    const go = new Database(file);
    go.exec(`CREATE TABLE named_memory (id TEXT PRIMARY KEY, name TEXT NOT NULL, type TEXT NOT NULL, workspace TEXT NOT NULL,
      summary TEXT, result BLOB NOT NULL, digests TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
      last_accessed TEXT NOT NULL, access_count INTEGER NOT NULL DEFAULT 0, UNIQUE(name, workspace));
      INSERT INTO named_memory VALUES ('1', 'n', 't', 'w', NULL, x'00', '[]', 'c', 'u', 'l', 3);`);
    go.close();
    const again = openSqlite(file);
    expect(applyMigrations(again, 'MEMORY', migrationsFor('MEMORY')).version).toBe(1);
    expect(again.prepare('SELECT name, access_count FROM named_memory').all()).toEqual([{ name: 'n', access_count: 3 }]);
    again.close();
  });

  it('every migration set has increasing versions and non-empty SQL', () => {
    for (const [store, list] of Object.entries(STORE_MIGRATIONS)) {
      let last = 0;
      for (const m of list) {
        expect(m.version, store).toBeGreaterThan(last);
        expect(m.sql.trim().length, store).toBeGreaterThan(0);
        last = m.version;
      }
    }
  });
});
