import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '../engine.js';
import { tempHome } from '../../test/temp-home.js';
import { engineOf, readEntries, seedHome, sha256File, writeEntries, type RawEntry } from './test-fixtures.js';
import type { Manifest } from './types.js';

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

/** A home with one good backup named "b", and the live memory.db changed after it. */
async function setup(): Promise<{ archive: string; storage: string; liveHash: string; home: string }> {
  const th = tempHome();
  const { storage } = seedHome(th);
  engine = engineOf(th);
  const res = await engine.backups.create({ format: 'tar', name: 'b' }).done;
  fs.writeFileSync(path.join(th.home, 'sessions', 'sessions-note.txt'), 'changed since the backup\n');
  return { archive: res.path, storage, liveHash: sha256File(path.join(storage, 'memory.db')), home: th.home };
}

/** Snapshot of every file under a directory (path -> sha256), to prove nothing changed. */
function treeOf(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const p = path.join(e.parentPath, e.name);
    if (e.isFile() && !p.includes(`${path.sep}backups${path.sep}`) && !/jobs\.db(-wal|-shm)?$/.test(p)) out[path.relative(dir, p)] = sha256File(p);
  }
  return out;
}

async function expectRefusedUnchanged(home: string, match: RegExp): Promise<void> {
  const before = treeOf(home);
  await expect(engine!.backups.restore('b', { force: true }).done).rejects.toMatchObject({ code: 'CORRUPT', message: expect.stringMatching(match) });
  expect(treeOf(home)).toEqual(before);
  // No temp files left beside the destinations.
  expect(Object.keys(treeOf(home)).filter((p) => p.endsWith('.tmp'))).toEqual([]);
}

describe('damaged archives', () => {
  it('a flipped byte in one entry: verify names the file, restore refuses before changing anything', async () => {
    const { archive, home } = await setup();
    const entries = await readEntries(archive);
    const mem = entries.find((e) => e.header.name === 'storage/memory.db')!;
    mem.data.writeUInt8(mem.data.readUInt8(mem.data.length - 100) ^ 0xff, mem.data.length - 100);
    fs.rmSync(archive);
    await writeEntries(archive, entries);
    const v = await engine!.backups.verify('b').done;
    expect(v.ok).toBe(false);
    expect(v.problems.map((p) => [p.path, p.status])).toEqual([['storage/memory.db', 'checksum_mismatch']]);
    expect(v.files.filter((f) => f.status === 'ok').length).toBe(v.files.length - 1);
    await expectRefusedUnchanged(home, /storage\/memory\.db: checksum mismatch/);
  });

  it('a truncated archive: verify names the entry where it breaks, restore refuses', async () => {
    const { archive, home } = await setup();
    const bytes = fs.readFileSync(archive);
    fs.writeFileSync(archive, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const v = await engine!.backups.verify('b').done;
    expect(v.ok).toBe(false);
    expect(v.archive_problems[0]).toMatch(/damaged or truncated while reading entry "[^"]+"/);
    expect(v.archive_problems.join(' ')).toMatch(/manifest.json is missing/);
    await expectRefusedUnchanged(home, /truncated|manifest/);
    const list = await engine!.backups.list();
    expect(list[0]?.problem).toMatch(/truncated|manifest/);
  });

  it('a manifest that lies (wrong size, wrong checksum, a file it does not hold): each named', async () => {
    const { archive, home } = await setup();
    const entries = await readEntries(archive);
    const last = entries.at(-1)!;
    const m = JSON.parse(last.data.toString('utf8')) as Manifest;
    m.files.find((f) => f.path === 'storage/knowledge.db')!.size += 1;
    m.files.find((f) => f.path === 'memory/memory-note.txt')!.checksum = createHash('sha256').update('other').digest('hex');
    m.files.push({ ...m.files[0]!, path: 'storage/ghost.db' });
    last.data = Buffer.from(JSON.stringify(m));
    fs.rmSync(archive);
    await writeEntries(archive, entries);
    const v = await engine!.backups.verify('b').done;
    expect(Object.fromEntries(v.problems.map((p) => [p.path, p.status]))).toEqual({
      'storage/knowledge.db': 'size_mismatch',
      'memory/memory-note.txt': 'checksum_mismatch',
      'storage/ghost.db': 'missing',
    });
    await expectRefusedUnchanged(home, /knowledge\.db|memory-note|ghost/);
  });

  it('a database that is damaged inside a checksum-correct archive fails integrity_check', async () => {
    const { archive } = await setup();
    const entries = await readEntries(archive);
    const mem = entries.find((e) => e.header.name === 'storage/memory.db')!;
    // Scribble over a b-tree page, then make the manifest agree with the damaged bytes.
    mem.data.fill(0x41, 4096 + 8, 4096 + 600);
    const last = entries.at(-1)!;
    const m = JSON.parse(last.data.toString('utf8')) as Manifest;
    m.files.find((f) => f.path === 'storage/memory.db')!.checksum = createHash('sha256').update(mem.data).digest('hex');
    last.data = Buffer.from(JSON.stringify(m));
    fs.rmSync(archive);
    await writeEntries(archive, entries);
    const v = await engine!.backups.verify('b').done;
    expect(v.problems.map((p) => [p.path, p.status])).toEqual([['storage/memory.db', 'integrity_failed']]);
    expect(v.databases_checked).toBeGreaterThanOrEqual(3);
  });

  it('an archive that is not gzip at all', async () => {
    const { archive, home } = await setup();
    fs.writeFileSync(archive, 'this is not a backup');
    const v = await engine!.backups.verify('b').done;
    expect(v.ok).toBe(false);
    expect(v.archive_problems[0]).toMatch(/damaged or truncated/);
    await expectRefusedUnchanged(home, /damaged/);
  });
});

describe('hostile archives', () => {
  const hostile: [string, RawEntry][] = [
    ['a ".." entry', { header: { name: 'storage/../../evil.txt', type: 'file' }, data: Buffer.from('evil') }],
    ['an absolute entry', { header: { name: '/tmp/foxctl-evil-absolute.txt', type: 'file' }, data: Buffer.from('evil') }],
    ['a symlink pointing outside', { header: { name: 'storage/link.db', type: 'symlink', linkname: '/etc/passwd' }, data: Buffer.alloc(0) }],
    ['a hard link pointing outside', { header: { name: 'storage/hard.db', type: 'link', linkname: '../../../etc/passwd' }, data: Buffer.alloc(0) }],
    ['a device file', { header: { name: 'storage/dev', type: 'character-device', devmajor: 1, devminor: 3 }, data: Buffer.alloc(0) }],
  ];
  for (const [what, bad] of hostile) {
    it(`refuses ${what}`, async () => {
      const { archive, home } = await setup();
      const entries = await readEntries(archive);
      const manifest = entries.pop()!;
      const m = JSON.parse(manifest.data.toString('utf8')) as Manifest;
      m.files.push({ path: bad.header.name, original_path: '', size: bad.data.length, mod_time: '', checksum: createHash('sha256').update(bad.data).digest('hex'), component: 'databases' });
      manifest.data = Buffer.from(JSON.stringify(m));
      fs.rmSync(archive);
      await writeEntries(archive, [bad, ...entries, manifest]);
      const v = await engine!.backups.verify('b').done;
      expect(v.ok).toBe(false);
      expect(v.problems.some((p) => p.status === 'unsafe' && p.path === bad.header.name)).toBe(true);
      await expectRefusedUnchanged(home, /unsafe|refused|\.\.|absolute/);
      await expect(engine!.backups.restore('b', { target: path.join(home, '..', 't') }).done).rejects.toMatchObject({ code: 'CORRUPT' });
      expect(fs.existsSync(path.join(home, '..', 'evil.txt'))).toBe(false);
      expect(fs.existsSync('/tmp/foxctl-evil-absolute.txt')).toBe(false);
    });
  }
});
