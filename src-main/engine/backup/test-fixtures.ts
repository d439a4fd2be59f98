// Test fixtures of the backup tests: a home with real SQLite stores and files, and archive
// surgery (rewriting entries, building archives the way the Go foxctl does).
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import tar from 'tar-stream';
import { openSqlite, type SqliteDb } from '../db/sqlite.js';
import { openEngine, type Engine } from '../engine.js';
import type { TempHome } from '../../test/temp-home.js';

/** Creates a store file with an `accounts` table of `rows` rows of balance 100 (total 100*rows). */
export function makeAccountsDb(file: string, rows = 20, opts: { wal?: boolean } = {}): void {
  const db = openSqlite(file, { wal: opts.wal ?? true });
  db.exec('CREATE TABLE IF NOT EXISTS accounts (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL, note TEXT)');
  const ins = db.prepare('INSERT INTO accounts (id, balance, note) VALUES (?, 100, ?)');
  db.transaction(() => {
    for (let i = 1; i <= rows; i++) ins.run(i, `account ${i} ${'x'.repeat(200)}`);
  })();
  db.close();
}

/** Sum and count of `accounts` in a database file. */
export function accountsOf(file: string): { sum: number; count: number } {
  const db = openSqlite(file, { readonly: true });
  try {
    return db.prepare('SELECT coalesce(sum(balance), 0) AS sum, count(*) AS count FROM accounts').get() as { sum: number; count: number };
  } finally {
    db.close();
  }
}

/** A populated home: sync_critical, sync_useful, local_only and external stores, CAS, dirs, events. */
export function seedHome(th: TempHome): { storage: string; cas: string; obs: string; digest: string } {
  const storage = path.join(th.home, 'storage');
  makeAccountsDb(path.join(storage, 'memory.db'));
  makeAccountsDb(path.join(storage, 'knowledge.db'), 5);
  makeAccountsDb(path.join(storage, 'cache.db'), 3);
  makeAccountsDb(path.join(storage, 'opencode.db'), 2);
  fs.mkdirSync(path.join(storage, 'repoindex'), { recursive: true });
  makeAccountsDb(path.join(storage, 'repoindex', 'repo-repoindex-0123456789abcdef.db'), 2);
  const cas = path.join(th.home, 'cas');
  const content = Buffer.from('{"hello":"world"}\n');
  const hex = createHash('sha256').update(content).digest('hex');
  fs.mkdirSync(path.join(cas, 'sha256'), { recursive: true });
  fs.mkdirSync(path.join(cas, 'tmp'), { recursive: true });
  fs.writeFileSync(path.join(cas, 'sha256', hex), content);
  fs.writeFileSync(path.join(cas, 'sha256', `${hex}.json`), JSON.stringify({ digest: `sha256:${hex}`, size_bytes: content.length }, null, 2));
  fs.writeFileSync(path.join(cas, 'tmp', 'upload-in-progress'), 'partial');
  for (const dir of ['memory', 'sessions', 'jobs']) {
    fs.mkdirSync(path.join(th.home, dir), { recursive: true });
    fs.writeFileSync(path.join(th.home, dir, `${dir}-note.txt`), `${dir} file\n`);
  }
  const obs = path.join(th.home, 'observability');
  fs.mkdirSync(path.join(obs, 'events'), { recursive: true });
  fs.writeFileSync(path.join(obs, 'events', 'foxcular_events.ndjson'), '{"ts":"2026-11-27T00:00:00Z","operation":"x","status":"ok"}\n');
  makeAccountsDb(path.join(obs, 'events.db'), 4);
  return { storage, cas, obs, digest: hex };
}

/** Opens an engine on a temp home. */
export function engineOf(th: TempHome, extra: Record<string, string> = {}): Engine {
  return openEngine({ env: th.env(extra) });
}

/** One archive entry read into memory. */
export interface RawEntry {
  header: Partial<tar.Header> & { name: string };
  data: Buffer;
}

/** Reads every entry of a tar.gz into memory (small test archives only). */
export async function readEntries(file: string): Promise<RawEntry[]> {
  const extract = tar.extract();
  const out: RawEntry[] = [];
  const done = (async () => {
    for await (const e of extract) {
      const chunks: Buffer[] = [];
      for await (const c of e as AsyncIterable<Buffer>) chunks.push(c);
      out.push({ header: e.header, data: Buffer.concat(chunks) });
    }
  })();
  extract.end(zlib.gunzipSync(fs.readFileSync(file)));
  await done;
  return out;
}

/** Writes entries as a tar.gz, in order (how tests build hostile, lying or Go-made archives). */
export async function writeEntries(file: string, entries: RawEntry[]): Promise<void> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const c of pack as AsyncIterable<Buffer>) chunks.push(c);
  })();
  for (const e of entries) {
    await new Promise<void>((resolve, reject) => {
      pack.entry({ ...e.header, size: e.header.type === 'file' || e.header.type === undefined ? e.data.length : 0 }, e.data, (err) => (err ? reject(err) : resolve()));
    });
  }
  pack.finalize();
  await collected;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, zlib.gzipSync(Buffer.concat(chunks)));
}

/** SHA-256 hex of a file. */
export function sha256File(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Opens a writer connection that never checkpoints, so commits stay in the -wal. */
export function walHoldingWriter(file: string): SqliteDb {
  const db = openSqlite(file);
  db.pragma('wal_autocheckpoint = 0');
  return db;
}

/** One file of a Go-made archive. */
export interface GoArchiveFile {
  path: string;
  data: Buffer;
  component: string;
}

/**
 * Writes an archive the way the Go foxctl does (internal/backup/service.go): the files as given
 * (raw copies of .db files), paths relative to the home, the manifest last with Go's time format
 * and a zone offset, compressed_size 0, `agentctl_version`, no `store`. The checksums match the
 * bytes, whatever the bytes are: a backup of a store that was already broken.
 */
export async function writeGoArchive(file: string, files: GoArchiveFile[]): Promise<void> {
  const modTime = '2026-11-26T22:15:04.123456789-05:00';
  const manifest = {
    version: '1.0',
    created_at: '2026-11-27T03:15:05.987654321Z',
    agentctl_version: 'v0.42.0',
    components: ['databases', 'cas', 'memory', 'sessions', 'jobs', 'observability'],
    files: files.map((f) => ({
      path: f.path,
      original_path: `/home/someone/.foxctl/${f.path}`,
      size: f.data.length,
      mod_time: modTime,
      checksum: createHash('sha256').update(f.data).digest('hex'),
      component: f.component,
    })),
    stats: { total_files: files.length, total_size: files.reduce((a, f) => a + f.data.length, 0), compressed_size: 0, database_count: files.filter((f) => f.path.endsWith('.db')).length },
  };
  await writeEntries(file, [
    ...files.map((f) => ({ header: { name: f.path, type: 'file' as const, mode: 0o644, mtime: new Date() }, data: f.data })),
    { header: { name: 'manifest.json', type: 'file', mode: 0o644 }, data: Buffer.from(JSON.stringify(manifest, null, 2)) },
  ]);
}

/**
 * Writes a real SQLite store with python3's sqlite3 (a table and an index of 2000 rows), then, in
 * the same separate process once its connection is closed, damages it the way a disk does: the
 * page in the middle of the file is overwritten with zeros. The file still opens; quick_check
 * fails. Returns the page it zeroed.
 */
export function makeDamagedDb(file: string): number {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const script = `
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute('CREATE TABLE notes (id INTEGER PRIMARY KEY, name TEXT, body TEXT)')
c.execute('CREATE INDEX notes_name ON notes (name)')
c.executemany('INSERT INTO notes (name, body) VALUES (?, ?)', [('note-%05d' % i, 'x' * 200) for i in range(2000)])
c.commit()
ps = c.execute('PRAGMA page_size').fetchone()[0]
pc = c.execute('PRAGMA page_count').fetchone()[0]
c.close()
page = pc // 2
with open(sys.argv[1], 'r+b') as f:
    f.seek((page - 1) * ps)
    f.write(b'\\0' * ps)
print(page)
`;
  const r = spawnSync('python3', ['-c', script, file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python3 could not make a damaged db: ${r.stderr}`);
  return Number(r.stdout.trim());
}

/**
 * Starts a `sqlite3` process that takes an exclusive lock on `file` (locking_mode=EXCLUSIVE and
 * an open write transaction) and keeps it until released; resolves once the lock is held.
 */
export async function holdExclusiveLock(file: string): Promise<{ release(): Promise<void> }> {
  const child = spawn('/usr/bin/sqlite3', [file], { stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdin.write("PRAGMA locking_mode=EXCLUSIVE;\nBEGIN EXCLUSIVE;\nCREATE TABLE IF NOT EXISTS lock_probe (x);\nINSERT INTO lock_probe VALUES (1);\nSELECT 'locked';\n");
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('locked')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`sqlite3 exited (${code}) before it held the lock`)));
  });
  return {
    release: async () => {
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.stdin.end('ROLLBACK;\n');
      await gone;
    },
  };
}
