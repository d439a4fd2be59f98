import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '../engine.js';
import { isFoxError } from '../errors.js';
import { tempHome } from '../../test/temp-home.js';
import { BlobReader } from './repo/blob-reader.js';
import { parseList } from './repo/file-blobs.js';
import { loadIndex } from './repo/index-file.js';
import { packPath, repoPaths } from './repo/layout.js';
import { readSnapshot } from './repo/snapshot-file.js';
import { verifyRepo } from './repo/verify-repo.js';
import { engineOf, seedHome } from './test-fixtures.js';
import type { SnapshotVerifyResult } from './verify-snapshot.js';

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

/** The code a synchronous or asynchronous engine call failed with. */
async function codeOf(f: () => unknown): Promise<string> {
  try {
    await f();
  } catch (err) {
    if (isFoxError(err)) return err.code;
    throw err;
  }
  return 'no error';
}

/** Flips one byte in the middle of the frame holding the first data blob of `entry` in snapshot `name`. */
async function flipByteOf(home: string, name: string, entry: string): Promise<string> {
  const paths = repoPaths(path.join(home, 'backups', 'repository'));
  const index = await loadIndex(paths);
  const reader = new BlobReader(paths, index);
  try {
    const f = (await readSnapshot(paths, name)).files.find((x) => x.path === entry)!;
    const first = parseList(await reader.read(f.content[0]!), f.content[0]!)[0]!;
    const loc = index.blobs.get(first)!;
    const file = packPath(paths, loc.pack);
    const bytes = fs.readFileSync(file);
    const at = loc.frame.offset + Math.floor(loc.frame.length / 2);
    bytes[at] = bytes[at]! ^ 0x5a;
    fs.writeFileSync(file, bytes);
    return loc.pack;
  } finally {
    await reader.close();
  }
}

describe('backup commands on snapshots', () => {
  it('creates snapshots beside archives; list, info and names work across both forms', async () => {
    const th = tempHome();
    const { storage } = seedHome(th);
    engine = engineOf(th);
    const tar = await engine.backups.create({ format: 'tar', name: 't1', components: ['databases'] }).done;
    expect(tar).toMatchObject({ format: 'tar', added_bytes: tar.compressed_size, referenced_bytes: tar.total_size });
    const s1 = await engine.backups.create({ format: 'snapshot', name: 's1' }).done;
    expect(s1.format).toBe('snapshot');
    expect(s1.status).toBe('ok');
    expect(s1.path).toBe(path.join(th.home, 'backups', 'repository', 'snapshots', 's1.json'));
    expect(s1.added_bytes).toBeGreaterThan(0);
    expect(s1.referenced_bytes).toBe(s1.total_size);
    expect(s1.stores).toEqual(expect.arrayContaining(['MEMORY', 'KNOWLEDGE']));
    expect(s1.skipped_stores.map((s) => s.store)).toContain('OPENCODE');
    // A name is taken whichever form holds it.
    expect(await codeOf(() => engine!.backups.create({ format: 'snapshot', name: 't1' }))).toBe('CONFLICT');
    expect(await codeOf(() => engine!.backups.create({ format: 'tar', name: 's1' }))).toBe('CONFLICT');
    expect(await codeOf(() => engine!.backups.create({ format: 'snapshot', output: th.home }))).toBe('INVALID_INPUT');
    expect(await codeOf(() => engine!.backups.create({ format: 'zip' as 'tar' }))).toBe('INVALID_INPUT');

    expect(spawnSync('sqlite3', [path.join(storage, 'memory.db'), 'UPDATE accounts SET balance = 1 WHERE id = 2'], { encoding: 'utf8' }).status).toBe(0);
    const s2 = await engine.backups.create({ format: 'snapshot', name: 's2' }).done;
    expect(s2.added_bytes).toBeLessThan(s1.added_bytes / 2);
    expect(s2.referenced_bytes).toBe(s1.referenced_bytes);

    // A snapshot file that does not parse is listed as damaged, not hidden.
    fs.writeFileSync(path.join(th.home, 'backups', 'repository', 'snapshots', 'broken.json'), '{"version": 1, "files": [');
    const list = await engine.backups.list();
    expect(list.filter((b) => b.name !== 'broken').map((b) => [b.name, b.format])).toEqual([
      ['s2', 'snapshot'],
      ['s1', 'snapshot'],
      ['t1', 'tar'],
    ]);
    const broken = list.find((b) => b.name === 'broken')!;
    expect(broken).toMatchObject({ format: 'snapshot', status: 'damaged', clean: false, problem: expect.stringMatching(/does not parse/) });
    expect(list.find((b) => b.name === 's2')).toMatchObject({ size: s2.added_bytes, added_bytes: s2.added_bytes, referenced_bytes: s2.referenced_bytes, status: 'ok', clean: true, file: 'repository/snapshots/s2.json' });

    const info = await engine.backups.info('s1');
    expect(info.format).toBe('snapshot');
    expect(info.manifest.files.find((f) => f.path === 'storage/memory.db')).toMatchObject({ component: 'databases', store: 'MEMORY', checksum: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(info.manifest.stats.database_count).toBeGreaterThan(1);
    expect(info.restore_plan.find((f) => f.path === 'storage/memory.db')).toMatchObject({ action: 'would-skip', destination: path.join(storage, 'memory.db') });

    // An export into the backups dir makes the bare name ambiguous: CONFLICT says how to pick.
    const exported = await engine.backups.export('s1', { out: `${path.join(th.home, 'backups')}/` }).done;
    expect(exported.path).toBe(path.join(th.home, 'backups', 'backup_s1.tar.gz'));
    expect(await codeOf(() => engine!.backups.info('s1'))).toBe('CONFLICT');
    expect((await engine.backups.info('snapshot:s1')).format).toBe('snapshot');
    expect((await engine.backups.info('backup_s1.tar.gz')).format).toBe('tar');
    expect((await engine.backups.verify('backup_s1.tar.gz').done).ok).toBe(true);
    expect(await codeOf(() => engine!.backups.export('s1', { out: exported.path }))).toBe('CONFLICT');
  }, 120_000);

  it('verify re-hashes every blob of a snapshot; a flipped byte in a pack names the files and every snapshot using it', async () => {
    const th = tempHome();
    seedHome(th);
    engine = engineOf(th);
    await engine.backups.create({ format: 'snapshot', name: 'one' }).done;
    await engine.backups.create({ format: 'snapshot', name: 'two' }).done;
    const good = await engine.backups.verify('one').done;
    expect(good).toMatchObject({ ok: true, problems: [], archive_problems: [] });
    expect(good.databases_checked).toBeGreaterThan(1);
    expect((await engine.backups.list()).find((b) => b.name === 'one')).toMatchObject({ verified: { ok: true }, clean: true });

    const pack = await flipByteOf(th.home, 'one', 'storage/memory.db');
    const bad = (await engine.backups.verify('two').done) as SnapshotVerifyResult;
    expect(bad.ok).toBe(false);
    expect(bad.problems).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'storage/memory.db', status: 'checksum_mismatch', detail: expect.stringContaining(pack) })]));
    expect(bad.bad_blobs.length).toBeGreaterThan(0);
    const users = bad.bad_blobs.flatMap((b) => b.used_by);
    expect(users).toEqual(expect.arrayContaining([{ snapshot: 'one', path: 'storage/memory.db' }, { snapshot: 'two', path: 'storage/memory.db' }]));
    expect(bad.bad_blobs[0]!.pack).toBe(pack);
    const listed = await engine.backups.list();
    expect(listed.find((b) => b.name === 'two')).toMatchObject({ verified: { ok: false }, clean: false });
    // The record of the earlier pass of "one" still stands until "one" is verified again.
    expect((await engine.backups.verify('one').done).ok).toBe(false);
    expect((await engine.backups.list()).find((b) => b.name === 'one')).toMatchObject({ verified: { ok: false }, clean: false });
  }, 120_000);

  it('delete removes only the snapshot file; prune applies retention to both forms and frees unused packs', async () => {
    const th = tempHome();
    seedHome(th);
    engine = engineOf(th);
    const paths = repoPaths(path.join(th.home, 'backups', 'repository'));
    await engine.backups.create({ format: 'tar', name: 'old-tar', components: ['databases'] }).done;
    await engine.backups.create({ format: 'snapshot', name: 'dbs', components: ['databases'] }).done;
    await engine.backups.create({ format: 'snapshot', name: 'files', components: ['memory', 'sessions', 'jobs'] }).done;
    await engine.backups.create({ format: 'snapshot', name: 'doomed', components: ['observability'] }).done;
    const packsBefore = (await loadIndex(paths)).packs.size;
    const del = await engine.backups.delete('doomed');
    expect(del).toMatchObject({ name: 'doomed', format: 'snapshot' });
    expect(fs.existsSync(del.path)).toBe(false);
    expect((await loadIndex(paths)).packs.size).toBe(packsBefore);
    expect(await codeOf(() => engine!.backups.delete('doomed'))).toBe('NOT_FOUND');
    // What the nightly retention calls after its deletes: the packs only "doomed" used are freed.
    const freed = await engine.backups.freeUnused();
    expect(freed!.freed_bytes).toBeGreaterThan(0);
    const packsLeft = (await loadIndex(paths)).packs.size;
    expect(packsLeft).toBeLessThan(packsBefore);
    expect(await engine.backups.freeUnused()).toMatchObject({ freed_bytes: 0 });

    const dry = await engine.backups.prune({ keepLatest: 1, dryRun: true });
    expect(dry.deleted.map((b) => `${b.format}:${b.name}`)).toEqual(['snapshot:dbs', 'tar:old-tar']);
    expect(dry.kept.map((b) => b.name)).toEqual(['files']);
    expect(dry.repository).toMatchObject({ deleted_snapshots: ['dbs'] });
    expect(dry.repository!.freed_bytes).toBeGreaterThan(0);
    expect(dry.bytes_freed).toBe(dry.repository!.freed_bytes + dry.deleted.find((b) => b.format === 'tar')!.size);
    expect((await engine.backups.list()).map((b) => b.name)).toEqual(['files', 'dbs', 'old-tar']);

    const real = await engine.backups.prune({ keepLatest: 1 });
    expect(real.bytes_freed).toBe(dry.bytes_freed);
    expect((await engine.backups.list()).map((b) => b.name)).toEqual(['files']);
    expect(fs.existsSync(path.join(th.home, 'backups', 'backup_old-tar.tar.gz'))).toBe(false);
    expect((await loadIndex(paths)).packs.size).toBeLessThan(packsLeft);
    const v = await verifyRepo(paths);
    expect(v.problems).toEqual([]);
    expect((await engine.backups.verify('files').done).ok).toBe(true);
    expect(await codeOf(() => engine!.backups.prune({ keepLast: 1, keepLatest: 2 }))).toBe('INVALID_INPUT');
  }, 120_000);

  it('a backup and a prune started together lose nothing: every snapshot left verifies', async () => {
    const th = tempHome();
    seedHome(th);
    engine = engineOf(th);
    await engine.backups.create({ format: 'snapshot', name: 'r0' }).done;
    const outcomes: string[] = [];
    for (let i = 1; i <= 4; i++) {
      fs.appendFileSync(path.join(th.home, 'observability', 'events', 'foxcular_events.ndjson'), `{"ts":"2026-11-27T00:00:0${i}Z","operation":"round ${i}","status":"ok"}\n`);
      const [b, p] = await Promise.allSettled([engine.backups.create({ format: 'snapshot', name: `r${i}` }).done, engine.backups.prune({ keepLast: 1 })]);
      for (const r of [b, p]) {
        if (r.status === 'rejected') {
          expect(r.reason).toMatchObject({ code: 'CONFLICT' });
          outcomes.push('refused');
        } else outcomes.push('ran');
      }
    }
    expect(outcomes).toContain('ran');
    const paths = repoPaths(path.join(th.home, 'backups', 'repository'));
    expect((await verifyRepo(paths)).problems).toEqual([]);
    const left = await engine.backups.list();
    expect(left.length).toBeGreaterThan(0);
    for (const s of left) expect((await engine.backups.verify(s.name).done).ok, s.name).toBe(true);
  }, 180_000);
});
