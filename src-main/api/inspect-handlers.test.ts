import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { CLASS_DESCRIPTIONS as CONTRACT_CLASS_DESCRIPTIONS, type DbCell } from '../../src-preload/contract.js';
import { openEngine, type Engine } from '../engine/engine.js';
import { repoIndexDir } from '../engine/registry/paths.js';
import { CLASS_DESCRIPTIONS } from '../engine/registry/stores.js';
import { tempHome } from '../test/temp-home.js';
import { ApiDispatcher } from './dispatch.js';
import { createHandlers } from './handlers.js';
import { shellWord, TEXT_HEAD_CHARS } from './inspect-handlers.js';
import { failure, value } from '../test/bridge-result.js';

const origin = { scope: 'test', requestId: 'r1' };
const open: Engine[] = [];

/** The real dispatcher over a real engine in a throwaway home, with MEMORY holding test tables. */
function setup(): { api: ApiDispatcher; engine: Engine; file: string } {
  const engine = openEngine({ env: tempHome().env() });
  open.push(engine);
  const db = engine.stores.get('MEMORY');
  db.exec('CREATE TABLE t_rows (id INTEGER PRIMARY KEY, label TEXT NOT NULL); CREATE TABLE t_cells (id INTEGER PRIMARY KEY, b BLOB, t TEXT, n REAL)');
  const ins = db.prepare('INSERT INTO t_rows (label) VALUES (?)');
  db.transaction(() => {
    for (let i = 0; i < 120_000; i++) ins.run(`row ${i}`);
  })();
  const blob = Buffer.alloc(5 * 1024 * 1024, 0xab);
  blob.write('FOXBLOB', 0);
  db.prepare('INSERT INTO t_cells (b, t, n) VALUES (?, ?, ?)').run(blob, 'x'.repeat(100_000), 1.5);
  db.prepare('INSERT INTO t_cells (b, t, n) VALUES (NULL, ?, NULL)').run('short');
  const file = (db as unknown as { name: string }).name;
  return { api: new ApiDispatcher(createHandlers(engine, { mode: 'browser', version: 'test' })), engine, file };
}

afterEach(async () => {
  for (const e of open.splice(0)) await e.close();
});

type Rows = { columns: string[]; rows: DbCell[][]; truncated: boolean; offset?: number; cli?: string };

describe('db.* calls of the Stores view', () => {
  it('keeps the contract class descriptions equal to the engine registry', () => {
    expect(CONTRACT_CLASS_DESCRIPTIONS).toEqual(CLASS_DESCRIPTIONS);
  });

  it('shows info, schema and tables, with a lower bound when the count budget runs out', async () => {
    const { api, file } = setup();
    const info = value<{ path: string; store: string; tables: number; schema_version: number | null; cli: string }>(await api.invoke('db.info', { store: 'memory' }, origin));
    expect(info.path).toBe(file);
    expect(info.store).toBe('MEMORY');
    expect(info.tables).toBeGreaterThanOrEqual(2);
    expect(info.cli).toContain('foxctl db info MEMORY');
    const schema = value<{ name: string; sql: string }[]>(await api.invoke('db.schema', { store: 'MEMORY' }, origin));
    expect(schema.find((o) => o.name === 't_cells')?.sql).toContain('CREATE TABLE t_cells');
    type T = { name: string; rows: number | null; rows_exact: boolean };
    const exact = value<T[]>(await api.invoke('db.tables', { store: 'MEMORY', countBudgetMs: 10_000 }, origin));
    expect(exact.find((t) => t.name === 't_rows')).toMatchObject({ rows: 120_000, rows_exact: true });
    const bounded = value<T[]>(await api.invoke('db.tables', { store: 'MEMORY', countBudgetMs: 0 }, origin));
    const big = bounded.find((t) => t.name === 't_rows')!;
    expect(big.rows_exact).toBe(false);
    expect(big.rows).toBeGreaterThan(0);
    expect(big.rows).toBeLessThan(120_000);
  });

  it('pages through a table in rowid order and shrinks BLOBs and long text for the bridge', async () => {
    const { api } = setup();
    const page = value<Rows>(await api.invoke('db.browse', { store: 'MEMORY', table: 't_rows', offset: 119_950, limit: 100 }, origin));
    expect(page.offset).toBe(119_950);
    expect(page.rows).toHaveLength(50);
    expect(page.rows[0]).toEqual([119_951, 'row 119950']);
    expect(page.rows.at(-1)).toEqual([120_000, 'row 119999']);
    const cells = value<Rows>(await api.invoke('db.browse', { store: 'MEMORY', table: 't_cells', offset: 0, limit: 10 }, origin));
    expect(cells.columns).toEqual(['id', 'b', 't', 'n']);
    const [blob, text] = [cells.rows[0]![1], cells.rows[0]![2]];
    expect(blob).toEqual({ $blob: 5 * 1024 * 1024, hex: `${Buffer.from('FOXBLOB').toString('hex')}${'ab'.repeat(25)}` });
    expect(text).toEqual({ $text: 100_000, head: 'x'.repeat(TEXT_HEAD_CHARS) });
    expect(cells.rows[1]).toEqual([2, null, 'short', null]);
    // The whole page stays small although the row holds 5 MB + 100 KB.
    expect(JSON.stringify(cells).length).toBeLessThan(TEXT_HEAD_CHARS + 1000);
    expect(failure(await api.invoke('db.browse', { store: 'MEMORY', table: 'nope', offset: 0, limit: 10 }, origin))).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('sorts and filters a page on the bridge, with the statement it ran; a bad column or filter is named', async () => {
    const { api } = setup();
    const page = value<Rows & { sql: string }>(
      await api.invoke('db.browse', { store: 'MEMORY', table: 't_rows', offset: 1, limit: 2, sort: { column: 'id', desc: true }, where: "label LIKE 'row 11999%'" }, origin),
    );
    expect(page.rows).toEqual([
      [119_999, 'row 119998'],
      [119_998, 'row 119997'],
    ]);
    expect(page.sql).toBe(`SELECT * FROM "t_rows" WHERE (\nlabel LIKE 'row 11999%'\n) ORDER BY "id" DESC NULLS LAST, rowid LIMIT 2 OFFSET 1`);
    // An unfiltered page says nothing of a statement.
    expect(value<Rows & { sql?: string }>(await api.invoke('db.browse', { store: 'MEMORY', table: 't_rows', offset: 0, limit: 1 }, origin)).sql).toBeUndefined();
    expect(failure(await api.invoke('db.browse', { store: 'MEMORY', table: 't_rows', offset: 0, limit: 1, sort: { column: 'nope', desc: false } }, origin))).toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/"t_rows" has no column "nope" to sort by \(its columns: id, label\)/),
    });
    expect(failure(await api.invoke('db.browse', { store: 'MEMORY', table: 't_rows', offset: 0, limit: 1, where: 'nope = 1' }, origin))).toMatchObject({ message: expect.stringMatching(/no such column: nope/) });
    expect(failure(await api.invoke('db.browse', { store: 'MEMORY', table: 't_rows', offset: 0, limit: 1, where: 'x'.repeat(10_001) }, origin))).toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('runs a read-only query with a row cap and refuses a write, changing nothing', async () => {
    const { api, file } = setup();
    const res = value<Rows & { limit: number }>(await api.invoke('db.query', { store: 'MEMORY', sql: 'SELECT id, label FROM t_rows ORDER BY id', limit: 25 }, origin));
    expect(res.rows).toHaveLength(25);
    expect(res.truncated).toBe(true);
    expect(res.cli).toBe(`foxctl db query MEMORY 'SELECT id, label FROM t_rows ORDER BY id' --limit 25 --timeout 5s`);
    for (const sql of ['DELETE FROM t_rows', 'DROP TABLE t_rows', "ATTACH 'x.db' AS x", 'PRAGMA journal_mode = DELETE']) {
      const err = failure(await api.invoke('db.query', { store: 'MEMORY', sql }, origin));
      expect(err.code).toBe('INVALID_INPUT');
      expect(err.message).toMatch(/only read-only queries can run here/);
    }
    expect(failure(await api.invoke('db.query', { store: 'MEMORY', sql: 'DELETE FROM t_rows' }, origin)).message).toMatch(/would write or change the database/);
    const after = new Database(file, { readonly: true });
    try {
      expect((after.prepare('SELECT count(*) AS n FROM t_rows').get() as { n: number }).n).toBe(120_000);
    } finally {
      after.close();
    }
    expect(failure(await api.invoke('db.query', { store: 'MEMORY', sql: 'SELEC 1' }, origin))).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/syntax error/) });
  });

  it('stops a query at its time limit with a message naming the limit', async () => {
    const { api } = setup();
    const slow = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c';
    const started = Date.now();
    const err = failure(await api.invoke('db.query', { store: 'MEMORY', sql: slow, timeoutMs: 300 }, origin));
    expect(err.code).toBe('CANCELED');
    expect(err.message).toMatch(/time limit/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('reads while a writer holds a transaction, and never blocks it', async () => {
    const { api, file } = setup();
    const writer = new Database(file);
    try {
      writer.exec('BEGIN IMMEDIATE; INSERT INTO t_rows (label) VALUES (\'uncommitted\')');
      const page = value<Rows>(await api.invoke('db.browse', { store: 'MEMORY', table: 't_rows', offset: 0, limit: 5 }, origin));
      expect(page.rows).toHaveLength(5);
      const check = value<{ ok: boolean }>(await api.invoke('db.check', { store: 'MEMORY', quick: true }, origin));
      expect(check.ok).toBe(true);
      writer.exec('COMMIT');
    } finally {
      writer.close();
    }
  });

  it('leaves the file untouched: same bytes and mtime, nothing written to a -wal', async () => {
    const { api, engine, file } = setup();
    engine.stores.closeAll(); // the last writer closes: the WAL is checkpointed and removed
    const dir = path.dirname(file);
    const before = { files: fs.readdirSync(dir).sort(), sha: createHash('sha256').update(fs.readFileSync(file)).digest('hex'), mtime: fs.statSync(file).mtimeMs };
    const target = { store: 'MEMORY' };
    value(await api.invoke('db.info', target, origin));
    value(await api.invoke('db.tables', target, origin));
    value(await api.invoke('db.schema', target, origin));
    value(await api.invoke('db.browse', { ...target, table: 't_cells', offset: 0, limit: 10 }, origin));
    value(await api.invoke('db.query', { ...target, sql: 'SELECT count(*) FROM t_rows' }, origin));
    value(await api.invoke('db.check', target, origin));
    failure(await api.invoke('db.query', { ...target, sql: 'DELETE FROM t_rows' }, origin));
    expect(createHash('sha256').update(fs.readFileSync(file)).digest('hex')).toBe(before.sha);
    expect(fs.statSync(file).mtimeMs).toBe(before.mtime);
    // SQLite's read-only WAL readers may create an empty -wal and the -shm index when they are
    // missing (documented behavior): no page of data is written to either.
    const wal = `${file}-wal`;
    if (fs.existsSync(wal)) expect(fs.statSync(wal).size).toBe(0);
    expect(fs.readdirSync(dir).filter((f) => !before.files.includes(f)).sort()).toEqual(
      fs.readdirSync(dir).filter((f) => !before.files.includes(f) && /^memory\.db-(wal|shm)$/.test(f)).sort(),
    );
  });

  it('checks integrity: ok on a sound file, problems on a damaged one', async () => {
    const { api, engine, file } = setup();
    const ok = value<{ ok: boolean; mode: string; problems: string[]; cli: string }>(await api.invoke('db.check', { store: 'MEMORY' }, origin));
    expect(ok).toMatchObject({ ok: true, mode: 'integrity_check', problems: [], cli: 'foxctl db check MEMORY' });
    // Damage the index of t_rows: swap a page of the index b-tree for garbage.
    const db = engine.stores.get('MEMORY');
    db.exec('CREATE INDEX t_rows_label ON t_rows(label)');
    db.pragma('wal_checkpoint(TRUNCATE)');
    const page = (db.prepare("SELECT rootpage FROM sqlite_schema WHERE name = 't_rows_label'").get() as { rootpage: number }).rootpage;
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    engine.stores.closeAll();
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.alloc(pageSize, 0x5a), 0, pageSize, (page - 1) * pageSize);
    fs.closeSync(fd);
    const bad = value<{ ok: boolean; problems: string[] }>(await api.invoke('db.check', { store: 'MEMORY' }, origin));
    expect(bad.ok).toBe(false);
    expect(bad.problems.length).toBeGreaterThan(0);
  });

  it('refuses bad targets with the reason: paths, unknown stores, keyed stores without a key', async () => {
    const { api } = setup();
    for (const store of ['../memory.db', '/etc/passwd', 'memory.db', '']) {
      const err = failure(await api.invoke('db.info', { store }, origin));
      expect(err.code).toBe('INVALID_INPUT');
      expect(err.message).toMatch(/store/);
    }
    expect(failure(await api.invoke('db.info', { store: 'NOSUCH' }, origin))).toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/unknown store "NOSUCH"/) });
    expect(failure(await api.invoke('db.tables', { store: 'REPOINDEX' }, origin))).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/--key KEY/) });
    expect(failure(await api.invoke('db.tables', { store: 'REPOINDEX', key: '../x' }, origin))).toMatchObject({ code: 'INVALID_INPUT' });
    expect(failure(await api.invoke('db.query', { store: 'MEMORY', sql: '' }, origin)).message).toMatch(/empty/);
    expect(failure(await api.invoke('db.query', { store: 'MEMORY', sql: 'SELECT 1', limit: 0 }, origin)).message).toMatch(/limit/);
    expect(failure(await api.invoke('db.browse', { store: 'MEMORY', table: 't_rows', offset: -1, limit: 10 }, origin)).message).toMatch(/offset/);
    expect(failure(await api.invoke('db.info', { store: 'CACHE' }, origin))).toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/no database yet/) });
  });

  it('opens a keyed store by the key stores.list reports', async () => {
    const { api, engine } = setup();
    const dir = repoIndexDir(engine.config);
    fs.mkdirSync(dir, { recursive: true });
    const db = new Database(path.join(dir, 'myrepo.db'));
    db.exec("CREATE TABLE nodes (id INTEGER PRIMARY KEY, kind TEXT); INSERT INTO nodes (kind) VALUES ('file'), ('func')");
    db.close();
    const listed = value<{ name: string; key: string | null }[]>(await api.invoke('stores.list', {}, origin)).filter((s) => s.name === 'REPOINDEX');
    expect(listed.map((s) => s.key)).toEqual(['myrepo']);
    const tables = value<{ name: string; rows: number }[]>(await api.invoke('db.tables', { store: 'REPOINDEX', key: 'myrepo' }, origin));
    expect(tables).toEqual([expect.objectContaining({ name: 'nodes', rows: 2 })]);
    const res = value<Rows>(await api.invoke('db.query', { store: 'REPOINDEX', key: 'myrepo', sql: 'SELECT kind FROM nodes ORDER BY id' }, origin));
    expect(res.rows).toEqual([['file'], ['func']]);
    expect(res.cli).toMatch(/^foxctl db query REPOINDEX --key myrepo /);
    expect(failure(await api.invoke('db.tables', { store: 'REPOINDEX', key: 'other' }, origin))).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('quotes shell words for the CLI equivalent', () => {
    expect(shellWord('MEMORY')).toBe('MEMORY');
    expect(shellWord("SELECT 'a'")).toBe(`'SELECT '\\''a'\\'''`);
  });
});
