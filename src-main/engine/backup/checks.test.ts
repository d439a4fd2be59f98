import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyMigrations } from '../db/migrate.js';
import { openSqlite } from '../db/sqlite.js';
import { CAS_MIGRATIONS } from '../cas/sqlite-migrations.js';
import type { Engine } from '../engine.js';
import { tempHome } from '../../test/temp-home.js';
import { engineOf, holdExclusiveLock, makeDamagedDb, readEntries, seedHome } from './test-fixtures.js';
import { createFromPlan } from './create.js';
import type { Source } from './sources.js';
import type { Manifest } from './types.js';

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

/** Names left in the backups dir besides the manifest cache (archives, temps, staging dirs). */
function backupsDirOf(home: string): string[] {
  const dir = path.join(home, 'backups');
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n !== '.manifests').sort() : [];
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('backup create checks what it archives', () => {
  it('a damaged store: completed with problems, the store named with quick_check\'s messages, recorded in the manifest and the list', async () => {
    const th = tempHome();
    seedHome(th);
    makeDamagedDb(path.join(th.home, 'storage', 'trajectory.db'));
    engine = engineOf(th);
    const res = await engine.backups.create({ format: 'tar', name: 'hurt' }).done;
    expect(res.status).toBe('completed_with_problems');
    expect(res.check).toBe('quick');
    expect(res.problems).toHaveLength(1);
    expect(res.problems[0]).toMatchObject({ kind: 'store', store: 'TRAJECTORY', path: 'storage/trajectory.db', detail: expect.stringMatching(/^PRAGMA quick_check: .*(Page \d+|btreeInitPage|malformed|never used)/) });
    // The other stores are there and fine; the damaged snapshot is archived too (the best copy there is).
    expect(res.stores).toEqual(expect.arrayContaining(['MEMORY', 'KNOWLEDGE', 'TRAJECTORY']));
    const manifest = JSON.parse((await readEntries(res.path)).at(-1)!.data.toString('utf8')) as Manifest;
    expect(manifest).toMatchObject({ check: 'quick', status: 'completed_with_problems', problems: res.problems });
    const [listed] = await engine.backups.list();
    expect(listed).toMatchObject({ name: 'hurt', status: 'completed_with_problems', problems: res.problems, clean: false, verified: null });
    // The full check finds it as well.
    const full = await engine.backups.create({ format: 'tar', name: 'hurt-full', check: 'full' }).done;
    expect(full.problems.map((p) => [p.store, p.detail.split(':')[0]])).toEqual([['TRAJECTORY', 'PRAGMA integrity_check']]);
  });

  it('a clean home is ok, and --strict with a damaged store writes nothing and names it', async () => {
    const th = tempHome();
    seedHome(th);
    engine = engineOf(th);
    const ok = await engine.backups.create({ format: 'tar', name: 'fine', strict: true }).done;
    expect(ok).toMatchObject({ status: 'ok', problems: [] });
    expect((await engine.backups.list())[0]).toMatchObject({ status: 'ok', clean: true });
    makeDamagedDb(path.join(th.home, 'storage', 'trajectory.db'));
    await expect(engine.backups.create({ format: 'tar', name: 'strict', strict: true }).done).rejects.toMatchObject({
      code: 'CORRUPT',
      message: expect.stringMatching(/backup strict was not written \(--strict\): 1 problem: store TRAJECTORY \(storage\/trajectory\.db\): PRAGMA quick_check/),
    });
    expect(backupsDirOf(th.home)).toEqual(['backup_fine.tar.gz']);
  });

  it('a file-backend CAS blob whose bytes do not match its name is a problem naming the digest', async () => {
    const th = tempHome();
    const { cas, digest } = seedHome(th);
    engine = engineOf(th);
    fs.writeFileSync(path.join(cas, 'sha256', digest), '{"hello":"w0rld"}\n');
    const res = await engine.backups.create({ format: 'tar', name: 'cas', components: ['cas'] }).done;
    expect(res.status).toBe('completed_with_problems');
    expect(res.problems).toEqual([
      { kind: 'cas_object', path: `cas/sha256/${digest}`, digest: `sha256:${digest}`, detail: `its bytes hash to sha256:${sha(Buffer.from('{"hello":"w0rld"}\n'))}` },
    ]);
  });

  it('the sqlite CAS (cas.db) is re-hashed from its snapshot: inline and chunked objects, each bad one named', async () => {
    const th = tempHome();
    seedHome(th);
    const file = path.join(th.home, 'storage', 'cas.db');
    const db = openSqlite(file);
    applyMigrations(db, 'store CAS', CAS_MIGRATIONS);
    const now = new Date().toISOString();
    const ins = db.prepare("INSERT INTO cas_objects (digest, size, kind, tags, pinned, content, created_at, updated_at) VALUES (?, ?, ?, '[]', 0, ?, ?, ?)");
    const good = Buffer.from('a good object');
    ins.run(`sha256:${sha(good)}`, good.length, 'text/plain', good, now, now);
    const bad = Buffer.from('an object that rotted');
    ins.run(`sha256:${sha(Buffer.from('what it was'))}`, bad.length, 'text/plain', bad, now, now);
    // A chunked object (our large-object layout): two chunks, the second flipped after it was named.
    const c1 = Buffer.alloc(1 << 20, 1);
    const c2 = Buffer.alloc(1000, 2);
    const bigHex = sha(Buffer.concat([c1, c2]));
    ins.run(`sha256:${bigHex}`, c1.length + c2.length, 'application/octet-stream', Buffer.alloc(0), now, now);
    const blobId = Number(db.prepare('INSERT INTO studio_cas_blobs (digest, chunk_size, started_ms) VALUES (?, ?, ?)').run(`sha256:${bigHex}`, 1 << 20, Date.now()).lastInsertRowid);
    db.prepare('INSERT INTO studio_cas_chunks (blob_id, seq, data) VALUES (?, 0, ?)').run(blobId, c1);
    c2[10] = 9;
    db.prepare('INSERT INTO studio_cas_chunks (blob_id, seq, data) VALUES (?, 1, ?)').run(blobId, c2);
    db.close();
    engine = engineOf(th);
    const res = await engine.backups.create({ format: 'tar', name: 'sqlcas', components: ['cas'] }).done;
    expect(res.stores).toContain('CAS');
    expect(res.status).toBe('completed_with_problems');
    const byDigest = Object.fromEntries(res.problems.map((p) => [p.digest, p]));
    expect(Object.keys(byDigest).sort()).toEqual([`sha256:${bigHex}`, `sha256:${sha(Buffer.from('what it was'))}`].sort());
    expect(byDigest[`sha256:${sha(Buffer.from('what it was'))}`]).toMatchObject({ kind: 'cas_object', store: 'CAS', path: 'storage/cas.db', detail: `its bytes hash to sha256:${sha(bad)}` });
    expect(byDigest[`sha256:${bigHex}`]!.detail).toMatch(/^its bytes hash to sha256:[0-9a-f]{64}$/);
  });

  it('a store locked by another process past the busy timeout: UNAVAILABLE "store MEMORY is locked", the others archived, nothing left behind', async () => {
    const th = tempHome();
    seedHome(th);
    const lock = await holdExclusiveLock(path.join(th.home, 'storage', 'memory.db'));
    try {
      engine = engineOf(th);
      const t0 = Date.now();
      const res = await engine.backups.create({ format: 'tar', name: 'locked', components: ['databases'] }).done;
      const took = Date.now() - t0;
      expect(res.status).toBe('completed_with_problems');
      expect(res.problems).toEqual([
        {
          kind: 'store_unavailable',
          store: 'MEMORY',
          path: 'storage/memory.db',
          detail: expect.stringMatching(/^UNAVAILABLE: store MEMORY is locked by another process \(.*database is locked.*\)/),
        },
      ]);
      // Within about the busy timeout (5 s), not a multiple of it.
      expect(took).toBeGreaterThanOrEqual(4500);
      expect(took).toBeLessThan(12_000);
      expect(res.stores).toEqual(['KNOWLEDGE']);
      expect((await readEntries(res.path)).map((e) => e.header.name)).not.toContain('storage/memory.db');
      // --strict: UNAVAILABLE (nothing is damaged), no archive, no staging dir.
      await expect(engine.backups.create({ format: 'tar', name: 'locked-strict', components: ['databases'], strict: true }).done).rejects.toMatchObject({
        code: 'UNAVAILABLE',
        message: expect.stringMatching(/not written \(--strict\): 1 problem: store MEMORY \(storage\/memory\.db\): UNAVAILABLE: store MEMORY is locked by another process/),
      });
      expect(backupsDirOf(th.home)).toEqual(['backup_locked.tar.gz']);
      // A safety backup (createFromPlan's default, as restore takes it) must hold every file it
      // stands for: a locked store fails it with the same clear error instead of leaving it out.
      const mem = path.join(th.home, 'storage', 'memory.db');
      const source: Source = { kind: 'sqlite', src: mem, entryPath: 'storage/memory.db', component: 'databases', store: 'MEMORY', size: fs.statSync(mem).size, mtime: new Date() };
      const out = path.join(engine.config.backupsDir, 'backup_safety.tar.gz');
      await expect(createFromPlan(engine.config, { components: ['databases'], sources: [source], skipped: [], warnings: [] }, 'safety', out, {})).rejects.toMatchObject({
        code: 'UNAVAILABLE',
        message: expect.stringMatching(/^store MEMORY is locked by another process \(/),
      });
      expect(backupsDirOf(th.home)).toEqual(['backup_locked.tar.gz']);
    } finally {
      await lock.release();
    }
  }, 45_000);

  it('-o EXISTING.tar.gz without --name answers CONFLICT naming the file (it looped forever)', async () => {
    const th = tempHome();
    seedHome(th);
    engine = engineOf(th);
    const file = path.join(th.home, '..', 'exists.tar.gz');
    fs.writeFileSync(file, 'not mine');
    expect(() => engine!.backups.create({ format: 'tar', output: file })).toThrow(expect.objectContaining({ code: 'CONFLICT', message: expect.stringContaining(`${path.resolve(file)} already exists`) }));
    expect(() => engine!.backups.create({ format: 'tar', name: 'x', output: file })).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
    expect(fs.readFileSync(file, 'utf8')).toBe('not mine');
    // A new file name still works, and a directory still gets default names that never collide.
    const made = await engine.backups.create({ format: 'tar', output: path.join(th.home, '..', 'new.tar.gz'), components: ['jobs'] }).done;
    expect(made.path).toBe(path.resolve(th.home, '..', 'new.tar.gz'));
  });
});
