import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../engine.js';
import { isFoxError } from '../errors.js';
import { tempHome } from '../../test/temp-home.js';
import { assertSqliteFile, openSqlite } from './sqlite.js';

const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), crypto.randomBytes(200)]);

/** A real database of several pages in rollback mode, cut in half. */
function truncatedDb(file: string): void {
  const db = new Database(file);
  db.pragma('journal_mode = DELETE');
  db.exec('CREATE TABLE t (x TEXT)');
  const ins = db.prepare('INSERT INTO t VALUES (?)');
  db.transaction(() => {
    for (let i = 0; i < 200; i++) ins.run('x'.repeat(500));
  })();
  db.close();
  const size = fs.statSync(file).size;
  fs.truncateSync(file, Math.floor(size / 2 / 4096) * 4096);
}

const CASES: [string, (file: string) => void, RegExp][] = [
  ['an empty file', (f) => fs.writeFileSync(f, ''), /is empty, not a SQLite database/],
  ['random bytes', (f) => fs.writeFileSync(f, crypto.randomBytes(8192)), /is not a SQLite database/],
  ['a PNG', (f) => fs.writeFileSync(f, PNG), /is not a SQLite database/],
  ['a short text file', (f) => fs.writeFileSync(f, 'SQLite format 3'), /is not a SQLite database/],
  ['a truncated database', truncatedDb, /is a truncated or damaged SQLite database/],
];

const engines: Engine[] = [];
afterEach(async () => {
  for (const e of engines.splice(0)) await e.close();
});

/** The FoxError a promise rejects with. */
async function rejection(p: Promise<unknown>): Promise<Error & { code: string }> {
  try {
    await p;
  } catch (err) {
    if (isFoxError(err)) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

describe('files that are not SQLite', () => {
  for (const [what, make, message] of CASES) {
    it(`${what}: every read path refuses it naming the file, and leaves it byte-for-byte unchanged`, async () => {
      const h = tempHome();
      const file = path.join(h.home, 'suspect.db');
      make(file);
      const before = fs.readFileSync(file);
      const past = new Date(Date.now() - 3_600_000);
      fs.utimesSync(file, past, past);
      const mtime = fs.statSync(file).mtimeMs;

      const engine = openEngine({ env: h.env() });
      engines.push(engine);
      const attempts: [string, () => Promise<unknown>][] = [
        ['openSqlite read-only', async () => openSqlite(file, { readonly: true })],
        ['db info', () => engine.inspect.info(file)],
        ['db tables', () => engine.inspect.tables(file)],
        ['db schema', () => engine.inspect.schema(file)],
        ['db query', () => engine.inspect.query(file, 'SELECT 1')],
        ['db check', () => engine.inspect.check(file)],
      ];
      for (const [name, attempt] of attempts) {
        const err = await rejection(attempt());
        expect(err.code, name).toBe('CORRUPT');
        expect(err.message, name).toContain(file);
        expect(err.message, name).toMatch(message);
      }
      expect(fs.readFileSync(file).equals(before)).toBe(true);
      expect(fs.statSync(file).mtimeMs).toBe(mtime);
      expect(fs.readdirSync(h.home).sort()).toEqual(['suspect.db']);
    });
  }

  it('a foreign file at a store path is refused by the writable store open and left unchanged', () => {
    const h = tempHome();
    const engine = openEngine({ env: h.env() });
    engines.push(engine);
    const file = path.join(engine.config.storageRoot, 'memory.db');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, PNG);
    expect(() => engine.stores.get('memory')).toThrow(/memory\.db is not a SQLite database/);
    expect(fs.readFileSync(file).equals(PNG)).toBe(true);
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
  });

  it('a directory is refused as INVALID_INPUT', () => {
    const dir = path.join(tempHome().home, 'dir.db');
    fs.mkdirSync(dir);
    expect(() => assertSqliteFile(dir)).toThrow(/is a directory/);
  });

  it('a missing file is reported as absent, not created, by read paths', async () => {
    const h = tempHome();
    const engine = openEngine({ env: h.env() });
    engines.push(engine);
    const file = path.join(h.home, 'missing.db');
    expect(assertSqliteFile(file)).toBe(false);
    expect((await rejection(engine.inspect.info(file))).code).toBe('NOT_FOUND');
    expect(() => openSqlite(file, { readonly: true })).toThrow(/does not exist/);
    expect(fs.existsSync(file)).toBe(false);
  });

  it('writable opens accept a 0-byte file as SQLite does (a database another process is creating)', () => {
    const file = path.join(tempHome().home, 'new.db');
    fs.writeFileSync(file, '');
    const db = openSqlite(file);
    db.exec('CREATE TABLE t (x)');
    db.close();
    expect(assertSqliteFile(file)).toBe(true);
  });
});
