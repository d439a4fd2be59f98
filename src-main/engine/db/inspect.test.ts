import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../engine.js';
import { isFoxError } from '../errors.js';
import { repoIndexKey } from '../registry/paths.js';
import { tempHome } from '../../test/temp-home.js';

const engines: Engine[] = [];
afterEach(async () => {
  for (const e of engines.splice(0)) await e.close();
});

function engineFor(extra: Record<string, string> = {}): Engine {
  const e = openEngine({ env: tempHome().env(extra) });
  engines.push(e);
  return e;
}

async function rejection(p: Promise<unknown>): Promise<Error & { code: string }> {
  try {
    await p;
  } catch (err) {
    if (isFoxError(err)) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

/** A database with a big rowid table, a WITHOUT ROWID table, a table shadowing rowid, and a view. */
function bigDb(dir: string, rows: number): string {
  const file = path.join(dir, 'big.db');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec(`CREATE TABLE big (id INTEGER PRIMARY KEY, v TEXT);
    CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT) WITHOUT ROWID;
    CREATE TABLE odd (rowid TEXT, _rowid_ TEXT, oid TEXT);
    CREATE VIEW big_view AS SELECT * FROM big;
    INSERT INTO kv VALUES ('a', '1'), ('b', '2');
    INSERT INTO odd VALUES ('x', 'y', 'z');`);
  db.prepare(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) INSERT INTO big SELECT i, 'v' FROM n`).run(rows);
  db.close();
  return file;
}

describe('db inspection', () => {
  it('resolves store names in any case, paths, and bare file names of the working directory', () => {
    const e = engineFor();
    e.stores.get('MEMORY');
    const file = path.join(e.config.storageRoot, 'memory.db');
    expect(e.inspect.resolve(' Memory ').file).toBe(file);
    expect(e.inspect.resolve(' Memory ').subject).toBe(`store MEMORY (${file})`);
    expect(e.inspect.resolve(file).store).toBeNull();
    expect(e.inspect.resolve('memory.db', { cwd: e.config.storageRoot }).file).toBe(file);
    fs.copyFileSync(file, path.join(e.config.storageRoot, 'plain'));
    expect(e.inspect.resolve('plain', { cwd: e.config.storageRoot }).file).toBe(path.join(e.config.storageRoot, 'plain'));
  });

  it('says how to create a store that has no file yet, and lists valid names for an unknown one', async () => {
    const e = engineFor();
    const missing = await rejection(e.inspect.info('tasks'));
    expect(missing.code).toBe('NOT_FOUND');
    expect(missing.message).toMatch(/store TASKS has no database yet at .*tasks\.db \(run foxctl init/);
    const unknown = await rejection(e.inspect.info('taskz'));
    expect(unknown.message).toMatch(/valid stores: .*TASKS/);
  });

  it('needs a key for keyed stores and lists the keys on disk', async () => {
    const e = engineFor();
    const repo = '/home/alice/src/My-Repo.v2';
    e.stores.get('REPOINDEX', { repo });
    const err = await rejection(e.inspect.info('repoindex'));
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toContain(repoIndexKey(repo));
    const info = await e.inspect.info('repoindex', { repo });
    expect(info.key).toBe('MyRepov2-repoindex-96e83577a667a6ca');
    expect(info.index_schema_version).toBe('4');
    expect((await e.inspect.info('repoindex', { key: info.key! })).path).toBe(info.path);
  });

  it('inspects a store on another driver through that driver: its settings are checked, not "SQLite files only"', async () => {
    const e = engineFor({ FOXCTL_MEMORY_DB_DRIVER: 'postgres' });
    const err = await rejection(e.inspect.info('memory'));
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toMatch(/\$FOXCTL_MEMORY_POSTGRES_DSN/);
    expect(err.message).not.toMatch(/SQLite files only/);
  });

  it('info reports size with the -wal, pages, journal mode, schema version and object counts', async () => {
    const e = engineFor();
    const db = e.stores.get('MEMORY'); // held open: its writes stay in the -wal
    db.prepare(`INSERT INTO named_memory (id, name, type, workspace, result, digests, created_at, updated_at, last_accessed)
                VALUES ('1', 'n', 't', 'w', x'00', '[]', 'c', 'u', 'l')`).run();
    const info = await e.inspect.info('memory');
    expect(info).toMatchObject({ store: 'MEMORY', class: 'sync_critical', journal_mode: 'wal', schema_version: 1, encoding: 'UTF-8' });
    expect(info.wal_bytes).toBeGreaterThan(0);
    expect(info.size_bytes).toBeGreaterThan(fs.statSync(info.path).size);
    expect(info.tables).toBe(4); // 3 SPEC tables + schema_migrations
    expect(info.indexes).toBeGreaterThan(0);
    expect(info.page_size).toBeGreaterThan(0);
    expect(info.page_count).toBeGreaterThan(0);
  });

  it('tables counts rows exactly within the budget, and reports a lower bound past it', async () => {
    const e = engineFor();
    const file = bigDb(e.config.home, 120_000);
    const exact = await e.inspect.tables(file, { countBudgetMs: 10_000 });
    const by = Object.fromEntries(exact.map((t) => [t.name, t]));
    expect(by.big).toMatchObject({ rows: 120_000, rows_exact: true, type: 'table', columns: 2, without_rowid: false });
    expect(by.kv).toMatchObject({ rows: 2, rows_exact: true, without_rowid: true });
    expect(by.odd).toMatchObject({ rows: 1, rows_exact: true });
    expect(by.big_view).toMatchObject({ type: 'view', rows: null, rows_exact: false });
    const bounded = await e.inspect.tables(file, { countBudgetMs: 0 });
    const big = bounded.find((t) => t.name === 'big')!;
    expect(big.rows_exact).toBe(false);
    expect(big.rows).toBeGreaterThanOrEqual(50_000);
    expect(big.rows).toBeLessThan(120_000);
    expect(bounded.find((t) => t.name === 'kv')).toMatchObject({ rows: 2, rows_exact: true });
  });

  it('schema returns the CREATE statements, tables before their indexes', async () => {
    const e = engineFor();
    e.stores.get('CONTEXTVAR');
    const objects = await e.inspect.schema('contextvar');
    const names = objects.map((o) => o.name);
    expect(names).toEqual(expect.arrayContaining(['context_variables', 'context_sequences', 'schema_migrations']));
    expect(names.indexOf('context_variables')).toBeLessThan(names.indexOf('idx_context_variables_session'));
    for (const o of objects) expect(o.sql).toMatch(/^CREATE /);
  });

  it('browse pages through a table and refuses an unknown one', async () => {
    const e = engineFor();
    const file = bigDb(e.config.home, 30);
    const page = await e.inspect.browse(file, 'big', { limit: 5, offset: 10 });
    expect(page.rows.map((r) => r[0])).toEqual([11, 12, 13, 14, 15]);
    expect((await rejection(e.inspect.browse(file, 'nope'))).code).toBe('NOT_FOUND');
  });

  it('browse reads bounded pages on a cached connection that sees writes, a dropped table, a replaced file, and never holds a checkpoint back', async () => {
    const e = engineFor();
    const file = bigDb(e.config.home, 30);
    expect((await e.inspect.browse(file, 'big', { limit: 3, offset: 0 })).rows.map((r) => r[0])).toEqual([1, 2, 3]);
    const w = new Database(file);
    try {
      w.prepare('UPDATE big SET v = ? WHERE id = 1').run('changed');
      expect((await e.inspect.browse(file, 'big', { limit: 1, offset: 0 })).rows[0]).toEqual([1, 'changed']);
      // The page reader holds no read transaction between pages: a TRUNCATE checkpoint gets every frame.
      expect(w.pragma('wal_checkpoint(TRUNCATE)')).toEqual([{ busy: 0, log: 0, checkpointed: 0 }]);
      w.exec('DROP VIEW big_view');
      await expect(rejection(e.inspect.browse(file, 'big_view', { limit: 1, offset: 0 }))).resolves.toMatchObject({ code: 'NOT_FOUND' });
      // Integers past 2^53 stay exact (as text, as the query child gives them); REALs stay numbers.
      w.exec('CREATE TABLE ints (v); INSERT INTO ints VALUES (42), (9007199254740993), (-9007199254740993), (1e300), (9007199254740992.0)');
      expect((await e.inspect.browse(file, 'ints', { limit: 10, offset: 0 })).rows).toEqual([[42], ['9007199254740993'], ['-9007199254740993'], [1e300], [9007199254740992]]);
      w.exec('DELETE FROM ints WHERE abs(v) > 1e15');
      expect((await e.inspect.browse(file, 'ints', { limit: 10, offset: 0 })).rows).toEqual([[42]]);
      w.exec('ALTER TABLE big ADD COLUMN extra INTEGER DEFAULT 7');
      expect((await e.inspect.browse(file, 'big', { limit: 1, offset: 1 })).columns).toEqual(['id', 'v', 'extra']);
    } finally {
      w.close();
    }
    // A restore puts a new file in place: the next page reads the new one, not the old inode.
    const other = path.join(e.config.home, 'other.db');
    const n = new Database(other);
    n.exec("CREATE TABLE big (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO big VALUES (100, 'new file')");
    n.close();
    fs.renameSync(other, file);
    for (const f of [`${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
    expect((await e.inspect.browse(file, 'big', { limit: 5, offset: 0 })).rows).toEqual([[100, 'new file']]);
    // A deep page goes to a query child and answers the same way.
    expect((await e.inspect.browse(file, 'big', { limit: 5, offset: 200_000 })).rows).toEqual([]);
  });

  it('browse pages after the first resolve nothing again, yet follow each key and directory, and say what went missing', async () => {
    const e = engineFor();
    // Two keys of one keyed store, paged in turns: each page comes from its own file.
    const repos = ['/home/alice/src/one', '/home/alice/src/two'];
    for (const [i, repo] of repos.entries()) {
      const db = e.stores.get('REPOINDEX', { repo });
      db.exec(`CREATE TABLE mark (v TEXT); INSERT INTO mark VALUES ('repo ${i}')`);
    }
    for (let round = 0; round < 2; round++) {
      for (const [i, repo] of repos.entries()) {
        expect((await e.inspect.browse('repoindex', 'mark', { repo })).rows).toEqual([[`repo ${i}`]]);
        expect((await e.inspect.browse('repoindex', 'mark', { key: repoIndexKey(repo) })).rows).toEqual([[`repo ${i}`]]);
      }
    }
    // One relative path from two working directories: two files.
    const dirs = ['a', 'b'].map((d) => path.join(e.config.home, d));
    for (const [i, dir] of dirs.entries()) {
      fs.mkdirSync(dir);
      const db = new Database(path.join(dir, 'x.db'));
      db.exec(`CREATE TABLE mark (v TEXT); INSERT INTO mark VALUES ('dir ${i}')`);
      db.close();
    }
    for (let round = 0; round < 2; round++) {
      for (const [i, cwd] of dirs.entries()) expect((await e.inspect.browse('./x.db', 'mark', { cwd })).rows).toEqual([[`dir ${i}`]]);
    }
    // A store browsed before, then deleted: the store's own NOT_FOUND, not a stale page or a bare ENOENT.
    e.stores.get('MEMORY');
    const memory = path.join(e.config.storageRoot, 'memory.db');
    expect((await e.inspect.browse('memory', 'schema_migrations', { limit: 1 })).rows).toHaveLength(1);
    e.stores.closeStore('MEMORY');
    for (const f of [memory, `${memory}-wal`, `${memory}-shm`]) fs.rmSync(f, { force: true });
    const gone = await rejection(e.inspect.browse('memory', 'schema_migrations', { limit: 1 }));
    expect(gone.code).toBe('NOT_FOUND');
    expect(gone.message).toMatch(/store MEMORY has no database yet at .*memory\.db \(run foxctl init/);
    // A directory in its place: named as no SQLite database.
    fs.mkdirSync(memory);
    const dir = await rejection(e.inspect.browse('memory', 'schema_migrations', { limit: 1 }));
    expect(dir.code).toBe('INVALID_INPUT');
    expect(dir.message).toMatch(/is not a regular file/);
    // Bad bounds on the quick path are still named.
    fs.rmSync(memory, { recursive: true });
    e.stores.get('MEMORY');
    expect((await e.inspect.browse('memory', 'schema_migrations', { limit: 1 })).rows).toHaveLength(1);
    expect((await rejection(e.inspect.browse('memory', 'schema_migrations', { limit: 1, offset: -1 }))).message).toMatch(/offset must be a whole number/);
  });

  it('browse walks a deep page by rowid without holding the thread: the same rows as one OFFSET query, stopped by its time limit and by Cancel', async () => {
    const e = engineFor();
    const file = path.join(e.config.home, 'deep.db');
    const w = new Database(file);
    w.pragma('journal_mode = WAL');
    w.exec(`CREATE TABLE big (id INTEGER PRIMARY KEY, v TEXT);
      WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 400000) INSERT INTO big SELECT i * 3, 'v' || i FROM s;
      DELETE FROM big WHERE id % 7 = 0;
      CREATE TABLE odd (rowid TEXT, v INTEGER);
      WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 120000) INSERT INTO odd SELECT 'r' || (120000 - i), i FROM s;`);
    const plain = (table: string, offset: number): unknown[][] => w.prepare(`SELECT * FROM ${table} ORDER BY rowid LIMIT 100 OFFSET ?`).raw(true).all(offset) as unknown[][];
    try {
      let ticks = 0;
      let ticking = true;
      const tick = (): void => {
        ticks++;
        if (ticking) setImmediate(tick);
      };
      setImmediate(tick);
      const deep = await e.inspect.browse(file, 'big', { limit: 100, offset: 300_001 });
      ticking = false;
      expect(deep.columns).toEqual(['id', 'v']);
      expect(deep.rows).toEqual(plain('big', 300_001));
      // The walk gave the event loop a turn between its chunks (300,001 rows: at least 5 of them).
      expect(ticks).toBeGreaterThanOrEqual(5);
      expect((await e.inspect.browse(file, 'big', { limit: 100, offset: 342_800 })).rows).toEqual(plain('big', 342_800));
      expect((await e.inspect.browse(file, 'big', { limit: 100, offset: 900_000 })).rows).toEqual([]);
      // A column named rowid hides the real one: that table's deep page comes from a query child, the same as one OFFSET query.
      expect((await e.inspect.browse(file, 'odd', { limit: 100, offset: 110_000 })).rows).toEqual(plain('odd', 110_000));
      await expect(rejection(e.inspect.browse(file, 'big', { limit: 100, offset: 340_000, timeoutMs: 1 }))).resolves.toMatchObject({ code: 'CANCELED', message: expect.stringMatching(/time limit/) });
      const ac = new AbortController();
      const p = e.inspect.browse(file, 'big', { limit: 100, offset: 340_000, signal: ac.signal });
      ac.abort();
      await expect(rejection(p)).resolves.toMatchObject({ code: 'CANCELED' });
      // The walk's read transaction ended: a TRUNCATE checkpoint gets every frame.
      w.prepare("UPDATE big SET v = 'x' WHERE id = 3").run();
      expect(w.pragma('wal_checkpoint(TRUNCATE)')).toEqual([{ busy: 0, log: 0, checkpointed: 0 }]);
    } finally {
      w.close();
    }
  }, 60_000);

  it('check passes a healthy store and lists the problems of a damaged file', async () => {
    const e = engineFor();
    e.stores.get('COMPANION');
    expect(await e.inspect.check('companion')).toMatchObject({ ok: true, mode: 'integrity_check', problems: [] });
    expect(await e.inspect.check('companion', { quick: true })).toMatchObject({ ok: true, mode: 'quick_check' });

    const file = path.join(e.config.home, 'damaged.db');
    const db = new Database(file);
    db.pragma('journal_mode = DELETE');
    db.exec('CREATE TABLE t (x); CREATE INDEX i ON t (x);');
    const ins = db.prepare('INSERT INTO t VALUES (?)');
    db.transaction(() => {
      for (let i = 0; i < 2000; i++) ins.run(`v${i}`);
    })();
    const root = (db.prepare("SELECT rootpage FROM sqlite_schema WHERE name = 'i'").get() as { rootpage: number }).rootpage;
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    db.close();
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.alloc(pageSize - 200, 0x41), 0, pageSize - 200, (root - 1) * pageSize + 100);
    fs.closeSync(fd);
    const few = await e.inspect.check(file, { maxErrors: 3 });
    expect(few.ok).toBe(false);
    expect(few.problems.length).toBeGreaterThan(0);
    expect(few.problems.join('\n')).toMatch(/page/i);
    expect(few.problems.join('\n')).not.toMatch(/\*\*\*/);
    const quick = await e.inspect.check(file, { quick: true });
    expect(quick).toMatchObject({ ok: false, mode: 'quick_check' });
    expect(quick.problems.length).toBeGreaterThan(0);
    // With more errors allowed SQLite gives up on this damage with SQLITE_CORRUPT: still a verdict.
    const full = await e.inspect.check(file);
    expect(full.ok).toBe(false);
    expect(full.problems.length).toBeGreaterThan(0);
  });

  it('never changes the file it inspects', async () => {
    const e = engineFor();
    const file = bigDb(e.config.home, 1000);
    const before = fs.readFileSync(file);
    const mtime = fs.statSync(file).mtimeMs;
    await e.inspect.info(file);
    await e.inspect.tables(file);
    await e.inspect.schema(file);
    await e.inspect.query(file, 'SELECT count(*) FROM big');
    await e.inspect.check(file);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(fs.statSync(file).mtimeMs).toBe(mtime);
  });
});
