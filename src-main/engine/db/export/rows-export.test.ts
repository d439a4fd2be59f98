import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFORMANCE_MIGRATIONS, expectCode } from '../drivers/conformance.js';
import { openStoreDriver } from '../drivers/open.js';
import { DbInspector } from '../inspect/inspector.js';
import { openEngine } from '../../engine.js';
import { tempHome } from '../../../test/temp-home.js';
import { exportToFileJob, rowsExportFileName } from './export-file.js';
import { uniqueColumns } from './rows-format.js';

/** Collects an export's text. */
function collector(): { write: (t: string) => void; text: () => string; chunks: number } {
  const parts: string[] = [];
  const c = {
    write: (t: string) => {
      parts.push(t);
      c.chunks++;
    },
    text: () => parts.join(''),
    chunks: 0,
  };
  return c;
}

let dir = '';
let file = '';
let ins: DbInspector;
const BIG = 100_000;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'foxctl-export-'));
  file = path.join(dir, 'values.db');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec(`CREATE TABLE v (id INTEGER PRIMARY KEY, label TEXT, n INTEGER, r REAL, b BLOB);
    CREATE TABLE big (id INTEGER PRIMARY KEY, name TEXT, pad TEXT);`);
  const ins1 = db.prepare('INSERT INTO v (id, label, n, r, b) VALUES (?, ?, ?, ?, ?)');
  ins1.safeIntegers(true);
  ins1.run(1n, null, null, null, null);
  ins1.run(2n, '', 0n, 0.1, Buffer.alloc(0));
  ins1.run(3n, 'comma, "quote"\nline\r\nbreak', 9007199254740993n, 1e-7, Buffer.from([0, 1, 0xfe, 0xff]));
  ins1.run(4n, 'ünïcödé 🦊 日本', -9223372036854775808n, 1 / 3, Buffer.alloc(100, 0xab));
  ins1.run(5n, 'x'.repeat(10_000), 42n, 1e308 * 10, null);
  const ins2 = db.prepare('INSERT INTO big (id, name, pad) VALUES (?, ?, ?)');
  db.transaction(() => {
    for (let i = 1; i <= BIG; i++) ins2.run(i, `row ${i}`, 'p'.repeat(50));
  })();
  db.close();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('db export over SQLite', () => {
  beforeAll(() => {
    ins = new DbInspector(tempHome().config());
  });
  afterAll(async () => ins.close());

  it('CSV carries whole values: NULL empty, "" quoted, exact big integers, hex BLOBs, shortest REALs, RFC 4180 quoting', async () => {
    const plan = await ins.planExport(file, { table: 'v' });
    const c = collector();
    const r = await plan.run('csv', c.write);
    expect(r).toEqual({ rows: 5, columns: ['id', 'label', 'n', 'r', 'b'] });
    expect(c.text()).toBe(
      [
        'id,label,n,r,b',
        '1,,,,',
        '2,"",0,0.1,',
        '3,"comma, ""quote""\nline\r\nbreak",9007199254740993,1e-7,0001feff',
        `4,ünïcödé 🦊 日本,-9223372036854775808,0.3333333333333333,${'ab'.repeat(100)}`,
        // Whole text, not the browser's head; an overflowing REAL is SQLite's Inf.
        `5,${'x'.repeat(10_000)},42,Infinity,`,
        '',
      ].join('\r\n'),
    );
  });

  it('JSON is one array of objects: NULL is null, big integers strings of their digits, BLOBs {"$base64"}', async () => {
    const plan = await ins.planExport(file, { table: 'v' });
    const c = collector();
    await plan.run('json', c.write);
    const rows = JSON.parse(c.text()) as Record<string, unknown>[];
    expect(rows).toHaveLength(5);
    expect(rows[0]).toEqual({ id: 1, label: null, n: null, r: null, b: null });
    expect(rows[1]).toEqual({ id: 2, label: '', n: 0, r: 0.1, b: { $base64: '' } });
    expect(rows[2]).toEqual({ id: 3, label: 'comma, "quote"\nline\r\nbreak', n: '9007199254740993', r: 1e-7, b: { $base64: Buffer.from([0, 1, 0xfe, 0xff]).toString('base64') } });
    expect(rows[3]).toMatchObject({ label: 'ünïcödé 🦊 日本', n: '-9223372036854775808', r: 1 / 3 });
    expect(Buffer.from((rows[3]?.b as { $base64: string }).$base64, 'base64')).toEqual(Buffer.alloc(100, 0xab));
    expect(rows[4]).toMatchObject({ label: 'x'.repeat(10_000), n: 42, r: 'Infinity' });
  });

  it("exports the browser's sort and WHERE filter, and a console query's whole result with duplicate names made unique", async () => {
    const sorted = await ins.planExport(file, { table: 'big', where: 'id % 10000 = 0', sort: { column: 'id', desc: true } });
    expect(sorted.sql).toContain('WHERE (\nid % 10000 = 0\n)');
    const c = collector();
    expect((await sorted.run('csv', c.write)).rows).toBe(10);
    expect(c.text().split('\r\n').slice(0, 3)).toEqual(['id,name,pad', `100000,row 100000,${'p'.repeat(50)}`, `90000,row 90000,${'p'.repeat(50)}`]);

    const q = await ins.planExport(file, { sql: "SELECT id AS name, label AS name, 'x' AS name_2, n AS name FROM v WHERE id <= 2" });
    const j = collector();
    const r = await q.run('json', j.write);
    expect(r.columns).toEqual(['name', 'name_3', 'name_2', 'name_4']);
    expect(JSON.parse(j.text())).toEqual([
      { name: 1, name_3: null, name_2: 'x', name_4: null },
      { name: 2, name_3: '', name_2: 'x', name_4: 0 },
    ]);
    const csv = collector();
    await q.run('csv', csv.write);
    expect(csv.text().split('\r\n')[0]).toBe('name,name_3,name_2,name_4');
    expect(uniqueColumns(['', 'a', 'a'])).toEqual(['column_1', 'a', 'a_2']);
  });

  it('streams 100,000 rows page by page, reading the next page only once the writer is done with the last', async () => {
    const plan = await ins.planExport(file, { table: 'big' });
    let progress = 0;
    let maxChunk = 0;
    let chunks = 0;
    let bytes = 0;
    let heldAt = -1;
    let afterHold = -1;
    let lines = 0;
    let inFlight = 0;
    let maxInFlight = 0;
    const r = await plan.run(
      'csv',
      async (t) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        chunks++;
        bytes += t.length;
        maxChunk = Math.max(maxChunk, t.length);
        for (let i = t.indexOf('\n'); i >= 0; i = t.indexOf('\n', i + 1)) lines++;
        if (chunks === 3) {
          // A slow reader: while it holds the third write, no further page is read.
          heldAt = progress;
          await new Promise((res) => setTimeout(res, 300));
          afterHold = progress;
        }
        inFlight--;
      },
      { onProgress: (n) => (progress = n) },
    );
    expect(r.rows).toBe(BIG);
    // One write at a time, and none of the next page read while the writer held the third.
    expect(maxInFlight).toBe(1);
    expect(heldAt).toBeGreaterThan(0);
    expect(afterHold).toBe(heldAt);
    expect(lines).toBe(BIG + 1);
    expect(chunks).toBeGreaterThan(100);
    // No write holds more than a page (500 rows of ~70 bytes), so the export never held the table.
    expect(maxChunk).toBeLessThan(64 * 1024);
    expect(bytes).toBeGreaterThan(BIG * 60);
  });

  it('cancel mid-way stops the export with CANCELED, and a file job leaves no file', async () => {
    const plan = await ins.planExport(file, { table: 'big' });
    const ac = new AbortController();
    let seen = 0;
    await expectCode(
      plan.run('json', () => undefined, {
        signal: ac.signal,
        onProgress: (n) => {
          seen = n;
          if (n >= 5000) ac.abort();
        },
      }),
      'CANCELED',
    );
    expect(seen).toBeGreaterThanOrEqual(5000);
    expect(seen).toBeLessThan(BIG);

    const engine = openEngine({ env: tempHome().env() });
    const jobs = engine.jobs;

    // A statement that runs for seconds before its first row: the signal kills its child at once.
    const slow = await ins.planExport(file, { sql: 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000000) SELECT x FROM c WHERE x < 0' });
    const stop = new AbortController();
    const started = Date.now();
    setTimeout(() => stop.abort(), 300);
    await expectCode(slow.run('csv', () => undefined, { signal: stop.signal }), 'CANCELED');
    expect(Date.now() - started).toBeLessThan(2000);
    const out = path.join(dir, 'out', 'big.csv');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    const job = exportToFileJob(jobs, plan, 'csv', out, { onRows: (n) => n >= 2000 && job.cancel() });
    await expectCode(job.done, 'CANCELED');
    expect(fs.readdirSync(path.dirname(out))).toEqual([]);

    const ok = exportToFileJob(jobs, await ins.planExport(file, { table: 'v' }), 'csv', out);
    const res = await ok.done;
    expect(res).toMatchObject({ rows: 5, path: out });
    expect(fs.statSync(out).size).toBe(res.size_bytes);
    expect(fs.readdirSync(path.dirname(out))).toEqual(['big.csv']);
    await engine.close();
  });

  it('a bad statement, an unknown table or column, and a write are refused clearly at plan time', async () => {
    await expectCode(ins.planExport(file, { sql: 'SELEC 1' }), 'INVALID_INPUT', /syntax error/);
    await expectCode(ins.planExport(file, { table: 'nope' }), 'NOT_FOUND', /no table or view named "nope"/);
    await expectCode(ins.planExport(file, { table: 'v', sort: { column: 'zz' } }), 'INVALID_INPUT', /no column "zz"/);
    await expectCode(ins.planExport(file, { table: 'v', where: 'no_such_col = 1' }), 'INVALID_INPUT', /no such column: no_such_col/);
    await expectCode(ins.planExport(file, { sql: 'DELETE FROM v' }), 'INVALID_INPUT', /only read-only queries.*would write/);
    await expectCode(ins.planExport(file, { sql: 'SELECT 1; SELECT 2' }), 'INVALID_INPUT', /one statement/);
    expect(new Database(file, { readonly: true }).prepare('SELECT count(*) AS n FROM v').get()).toEqual({ n: 5 });
    expect(rowsExportFileName('MEMORY', { table: 'Named Notes' }, 'csv')).toBe('memory-named_notes.csv');
    expect(rowsExportFileName('MEMORY', { sql: 'SELECT 1' }, 'json')).toBe('memory-query.json');
  });
});


describe('db export on other drivers', () => {
  it('a turso store (file: URL) is UNSUPPORTED, naming the driver, before any file exists', async () => {
    const h = tempHome();
    const config = h.config({ FOXCTL_KNOWLEDGE_DB_DRIVER: 'turso', FOXCTL_KNOWLEDGE_DB_URL: `file:${path.join(h.home, 'k.libsql.db')}` });
    const d = await openStoreDriver(config, 'KNOWLEDGE', { migrations: CONFORMANCE_MIGRATIONS, migrate: true });
    const other = new DbInspector(config);
    try {
      await expectCode(other.planExport('KNOWLEDGE', { table: 'kv' }), 'UNSUPPORTED', /store KNOWLEDGE .*the turso driver cannot export yet/);
    } finally {
      await other.close();
      await d.close();
    }
  });
});
