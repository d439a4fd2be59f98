import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/temp-dir.js';
import { BlobReader } from './blob-reader.js';
import { writeStoredFile } from './file-blobs.js';
import { loadIndex, type IndexPack } from './index-file.js';
import { openRepo, packPath } from './layout.js';
import { readSnapshot } from './snapshot-file.js';
import { verifyRepo } from './verify-repo.js';
import { writeSnapshotOf, type SnapshotMeta, type SnapshotSource } from './write-snapshot.js';


function dir(): string {
  return tempDir('foxctl-repo-');
}

/** A store-like database: 3,000 rows of ~1.5 KB text and a 20 KB BLOB every 50th row. */
function makeDb(file: string): void {
  const db = new Database(file);
  db.pragma('journal_mode = DELETE');
  db.exec('CREATE TABLE memory (id INTEGER PRIMARY KEY, body TEXT NOT NULL, blob BLOB, updated INTEGER NOT NULL DEFAULT 0)');
  const ins = db.prepare('INSERT INTO memory (body, blob) VALUES (?, ?)');
  let seed = 1;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  db.transaction(() => {
    for (let i = 0; i < 3000; i++) {
      const words = Array.from({ length: 220 }, () => `w${rnd() % 5000}`).join(' ');
      ins.run(words, i % 50 === 0 ? crypto.randomBytes(20_000) : null);
    }
  })();
  db.close();
}

function meta(name: string): SnapshotMeta {
  return { name, tool: { name: 'test', version: '0' }, home: '/home/test/.foxctl', status: 'ok', problems: [], components: ['databases', 'observability'] };
}

function sources(home: string): SnapshotSource[] {
  return [
    { read: path.join(home, 'memory.db'), path: 'storage/memory.db', component: 'databases', store: 'MEMORY', kind: 'sqlite' },
    { read: path.join(home, 'events.ndjson'), path: 'observability/events.ndjson', component: 'observability', store: null, kind: 'file' },
  ];
}

function ndjsonLines(from: number, n: number): string {
  return Array.from({ length: n }, (_, i) => `${JSON.stringify({ ts: new Date(Date.UTC(2026, 0, 1, 0, 0, from + i)).toISOString(), name: `op.${(from + i) % 17}`, span_id: `s${from + i}`, data: { n: from + i } })}\n`).join('');
}

async function restoreAll(repoDir: string, name: string, out: string): Promise<void> {
  const repo = await openRepo(repoDir);
  const reader = new BlobReader(repo.paths, await loadIndex(repo.paths));
  try {
    for (const f of (await readSnapshot(repo.paths, name)).files) {
      const dest = path.join(out, f.path);
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      await writeStoredFile(reader, f, dest);
    }
  } finally {
    await reader.close();
  }
}

describe('snapshot repository', () => {
  it('round-trips a database and a log byte for byte; an unchanged home adds nothing, 1% of rows changed adds little', async () => {
    const home = dir();
    const repoDir = path.join(dir(), 'repository');
    makeDb(path.join(home, 'memory.db'));
    fs.writeFileSync(path.join(home, 'events.ndjson'), ndjsonLines(0, 8000));
    const repo = await openRepo(repoDir, { create: true });

    const first = await writeSnapshotOf(repo, sources(home), meta('s1'));
    expect(first.stats.new_stored_bytes).toBeGreaterThan(0);
    expect(first.stats.new_stored_bytes).toBeLessThan(first.stats.bytes);
    expect(first.stats.bytes).toBe(fs.statSync(path.join(home, 'memory.db')).size + fs.statSync(path.join(home, 'events.ndjson')).size);

    // 1% of the rows updated by another process (the sqlite3 CLI), 20 events appended.
    execFileSync('sqlite3', [path.join(home, 'memory.db'), "UPDATE memory SET updated = 1, body = body || ' edited' WHERE id % 100 = 7"]);
    fs.appendFileSync(path.join(home, 'events.ndjson'), ndjsonLines(8000, 20));
    const second = await writeSnapshotOf(repo, sources(home), meta('s2'));
    const third = await writeSnapshotOf(repo, sources(home), meta('s3'));

    // Measured, not assumed: what each backup stored against what the first stored.
    if (process.env.FOXCTL_TEST_VERBOSE) console.log(JSON.stringify([first.stats, second.stats, third.stats]));
    expect(second.stats.new_stored_bytes).toBeLessThan(first.stats.new_stored_bytes * 0.1);
    expect(second.stats.new_stored_bytes).toBeGreaterThan(0);
    expect(third.stats.new_blobs).toBe(0);
    expect(third.stats.new_stored_bytes).toBe(0);

    for (const name of ['s1', 's3']) {
      const out = dir();
      await restoreAll(repoDir, name, out);
      if (name === 's3') {
        expect(fs.readFileSync(path.join(out, 'storage/memory.db')).equals(fs.readFileSync(path.join(home, 'memory.db')))).toBe(true);
        expect(fs.readFileSync(path.join(out, 'observability/events.ndjson'), 'utf8')).toBe(fs.readFileSync(path.join(home, 'events.ndjson'), 'utf8'));
        const db = new Database(path.join(out, 'storage/memory.db'), { readonly: true });
        expect(db.prepare('SELECT count(*) AS n FROM memory WHERE updated = 1').get()).toEqual({ n: 30 });
        db.close();
      } else {
        const db = new Database(path.join(out, 'storage/memory.db'), { readonly: true });
        expect(db.prepare('SELECT count(*) AS n, sum(updated) AS u FROM memory').get()).toEqual({ n: 3000, u: 0 });
        expect(db.pragma('quick_check', { simple: true })).toBe('ok');
        db.close();
      }
    }
    const v = await verifyRepo(repo.paths);
    expect(v.problems).toEqual([]);
    expect(v.snapshots).toEqual([{ name: 's1', ok: true }, { name: 's2', ok: true }, { name: 's3', ok: true }]);
  });

  it('is readable with dd, zcat and sha256sum alone', async () => {
    const home = dir();
    fs.writeFileSync(path.join(home, 'events.ndjson'), ndjsonLines(0, 3000));
    const repo = await openRepo(path.join(dir(), 'repository'), { create: true });
    const snap = await writeSnapshotOf(repo, [sources(home)[1]!], meta('tools'));
    const index = await loadIndex(repo.paths);
    const pack = [...index.packs.values()][0]!;
    const frame = pack.frames[0]!;
    const blob = frame.blobs[frame.blobs.length - 1]!;
    const file = packPath(repo.paths, pack.pack);
    const sh = `dd if='${file}' bs=1 skip=${frame.offset} count=${frame.length} 2>/dev/null | zcat | dd bs=1 skip=${blob.offset} count=${blob.length} 2>/dev/null | sha256sum`;
    expect(execFileSync('sh', ['-c', sh], { encoding: 'utf8' }).split(' ')[0]).toBe(blob.id);
    expect(execFileSync('sh', ['-c', `sha256sum '${file}'`], { encoding: 'utf8' }).split(' ')[0]).toBe(pack.pack);
    // zcat of the whole pack is every blob it holds, in order: the log, then its list of blob ids.
    const f = snap.files[0]!;
    expect(execFileSync('sh', ['-c', `zcat '${file}' | head -c ${f.size} | sha256sum`], { encoding: 'utf8' }).split(' ')[0]).toBe(f.sha256);
    expect(execFileSync('sh', ['-c', `zcat '${file}' | tail -c +${f.size + 1} | sha256sum`], { encoding: 'utf8' }).split(' ')[0]).toBe(f.content[0]);
  });

  it('a flipped byte in a pack is found by verify, named with the snapshot and file using it, and never restored', async () => {
    const home = dir();
    makeDb(path.join(home, 'memory.db'));
    fs.writeFileSync(path.join(home, 'events.ndjson'), ndjsonLines(0, 100));
    const repoDir = path.join(dir(), 'repository');
    const repo = await openRepo(repoDir, { create: true });
    await writeSnapshotOf(repo, sources(home), meta('good'));
    const index = await loadIndex(repo.paths);
    // The pack holding the database's pages: flip one byte in the middle of its second frame.
    const target = [...index.packs.values()].find((p: IndexPack) => p.frames.length > 1)!;
    const file = packPath(repo.paths, target.pack);
    const bytes = fs.readFileSync(file);
    const at = target.frames[1]!.offset + Math.floor(target.frames[1]!.length / 2);
    bytes[at] = bytes[at]! ^ 0x40;
    fs.writeFileSync(file, bytes);

    const v = await verifyRepo(repo.paths);
    expect(v.snapshots).toEqual([{ name: 'good', ok: false }]);
    expect(v.problems.find((p) => p.kind === 'pack')?.detail).toContain('does not match its name');
    const blobs = v.problems.filter((p) => p.kind === 'blob');
    expect(blobs.length).toBeGreaterThan(0);
    expect(blobs.length).toBe(target.frames[1]!.blobs.length);
    expect(blobs[0]!.usedBy).toEqual([{ snapshot: 'good', path: 'storage/memory.db' }]);

    const out = dir();
    await expect(restoreAll(repoDir, 'good', out)).rejects.toMatchObject({ code: 'CORRUPT' });
    expect(fs.existsSync(path.join(out, 'storage/memory.db'))).toBe(false);
  });

  it('refuses a directory that is not a repository, and a newer format', async () => {
    const d = dir();
    await expect(openRepo(d)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    fs.writeFileSync(path.join(d, 'config.json'), JSON.stringify({ format: 'restic' }));
    await expect(openRepo(d)).rejects.toThrow(/not a foxctl snapshot repository/);
    fs.writeFileSync(path.join(d, 'config.json'), JSON.stringify({ format: 'foxctl-snapshots', version: 2 }));
    await expect(openRepo(d)).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });
});
