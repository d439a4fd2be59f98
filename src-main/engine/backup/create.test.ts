import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '../engine.js';
import { isFoxError } from '../errors.js';
import { tempHome } from '../../test/temp-home.js';
import { accountsOf, engineOf, readEntries, seedHome, sha256File, walHoldingWriter } from './test-fixtures.js';
import type { Manifest } from './types.js';

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

describe('backup create', () => {
  it('writes the Go archive format: entries relative to home, manifest.json last with every field', async () => {
    const th = tempHome();
    const { digest } = seedHome(th);
    engine = engineOf(th);
    const res = await engine.backups.create({ format: 'tar', name: 'nightly' }).done;
    expect(res.path).toBe(path.join(th.home, 'backups', 'backup_nightly.tar.gz'));
    const entries = await readEntries(res.path);
    const names = entries.map((e) => e.header.name);
    expect(names.at(-1)).toBe('manifest.json');
    expect(names).toEqual(
      expect.arrayContaining([
        'storage/memory.db',
        'storage/knowledge.db',
        'observability/events.db',
        'observability/events/foxcular_events.ndjson',
        `cas/sha256/${digest}`,
        `cas/sha256/${digest}.json`,
        'memory/memory-note.txt',
        'sessions/sessions-note.txt',
        'jobs/jobs-note.txt',
      ]),
    );
    // local_only and external stores are left out by default, uploads in progress too.
    expect(names).not.toContain('storage/cache.db');
    expect(names).not.toContain('storage/opencode.db');
    expect(names.some((n) => n.startsWith('storage/repoindex/'))).toBe(false);
    expect(names).not.toContain('cas/tmp/upload-in-progress');
    expect(names.some((n) => n.endsWith('-wal') || n.endsWith('-shm'))).toBe(false);

    const manifest = JSON.parse(entries.at(-1)!.data.toString('utf8')) as Manifest;
    expect(Object.keys(manifest)).toEqual(expect.arrayContaining(['version', 'created_at', 'components', 'files', 'stats']));
    expect(manifest.version).toBe('1.0');
    expect(manifest.components).toEqual(['databases', 'cas', 'memory', 'sessions', 'jobs', 'observability']);
    expect(Object.keys(manifest.stats).sort()).toEqual(['compressed_size', 'database_count', 'total_files', 'total_size']);
    const mem = manifest.files.find((f) => f.path === 'storage/memory.db')!;
    expect(Object.keys(mem)).toEqual(expect.arrayContaining(['path', 'original_path', 'size', 'mod_time', 'checksum', 'component']));
    expect(mem.original_path).toBe(path.join(th.home, 'storage', 'memory.db'));
    expect(mem.component).toBe('databases');
    expect(mem.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(manifest.stats.total_files).toBe(manifest.files.length);
    expect(manifest.stats.database_count).toBe(3);
    // JOBS is there because the engine records the backup job itself in jobs.db.
    expect(manifest.skipped_stores?.map((s) => s.store).sort()).toEqual(['CACHE', 'JOBS', 'OPENCODE', 'REPOINDEX']);
    expect(manifest.skipped_stores?.find((s) => s.store === 'OPENCODE')?.reason).toMatch(/external/);
    expect(manifest.skipped_stores?.find((s) => s.store === 'CACHE')?.reason).toMatch(/local_only/);
    // The list shows what was left out, so a user sees it without opening the archive.
    const [listed] = await engine.backups.list();
    expect(listed!.skipped_stores).toEqual(['CACHE', 'JOBS', 'OPENCODE', 'REPOINDEX']);
    // No temp file or staging dir is left beside the archive.
    expect(fs.readdirSync(path.join(th.home, 'backups')).filter((n) => n !== '.manifests')).toEqual(['backup_nightly.tar.gz']);
  });

  it('includes committed data that is still only in the -wal', async () => {
    const th = tempHome();
    seedHome(th);
    const file = path.join(th.home, 'storage', 'memory.db');
    const writer = walHoldingWriter(file);
    try {
      writer.prepare("INSERT INTO accounts (id, balance, note) VALUES (1000, 5, 'only in wal')").run();
      expect(fs.statSync(`${file}-wal`).size).toBeGreaterThan(0);
      engine = engineOf(th);
      const res = await engine.backups.create({ format: 'tar', name: 'wal', components: ['databases'] }).done;
      const target = path.join(th.home, '..', 'restored');
      await engine.backups.restore('wal', { target }).done;
      expect(accountsOf(path.join(target, 'storage', 'memory.db'))).toEqual({ sum: 2005, count: 21 });
      expect(res.components).toEqual(['databases']);
    } finally {
      writer.close();
    }
  });

  it('includes local_only stores only when asked, never external ones', async () => {
    const th = tempHome();
    seedHome(th);
    engine = engineOf(th);
    const res = await engine.backups.create({ format: 'tar', name: 'all', includeLocalOnly: true, components: ['databases'] }).done;
    expect(res.stores.sort()).toEqual(['CACHE', 'JOBS', 'KNOWLEDGE', 'MEMORY', 'REPOINDEX']);
    expect(res.skipped_stores.map((s) => s.store)).toEqual(['OPENCODE']);
  });

  it('honours --exclude and refuses unknown or empty component sets', async () => {
    const th = tempHome();
    seedHome(th);
    engine = engineOf(th);
    const res = await engine.backups.create({ format: 'tar', name: 'nocas', exclude: ['cas', 'observability'] }).done;
    expect(res.components).toEqual(['databases', 'memory', 'sessions', 'jobs']);
    expect(() => engine!.backups.create({ format: 'tar', components: ['databases', 'photos'] })).toThrow(/unknown component "photos"; valid components: databases, cas/);
    expect(() => engine!.backups.create({ format: 'tar', components: ['cas'], exclude: ['cas'] })).toThrow(/no components left/);
  });

  it('validates names and never overwrites an existing backup', async () => {
    const th = tempHome();
    seedHome(th);
    engine = engineOf(th);
    for (const bad of ['../x', 'a/b', 'a\\b', '', '..', '.hidden', 'x'.repeat(200)]) {
      let err: unknown;
      try {
        engine.backups.create({ format: 'tar', name: bad });
      } catch (e) {
        err = e;
      }
      expect(isFoxError(err, 'INVALID_INPUT'), `name ${JSON.stringify(bad)}`).toBe(true);
    }
    const first = await engine.backups.create({ format: 'tar', name: 'same' }).done;
    const before = fs.readFileSync(first.path);
    expect(() => engine!.backups.create({ format: 'tar', name: 'same' })).toThrow(/already exists/);
    expect(fs.readFileSync(first.path).equals(before)).toBe(true);
    // Two jobs racing for one name: exactly one archive, the other job fails with CONFLICT.
    const racers = [engine.backups.create({ format: 'tar', name: 'race' }), engine.backups.create({ format: 'tar', name: 'race' })];
    const settled = await Promise.allSettled(racers.map((r) => r.done));
    expect(settled.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(settled.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'CONFLICT' } });
    expect(fs.readdirSync(path.join(th.home, 'backups')).filter((n) => n.startsWith('.backup_'))).toEqual([]);
    // Default names are local time and never collide.
    const a = await engine.backups.create({ format: 'tar', components: ['memory'] }).done;
    const b = await engine.backups.create({ format: 'tar', components: ['memory'] }).done;
    expect(a.name).toMatch(/^\d{4}-\d{2}-\d{2}_\d{6}(_\d+)?$/);
    expect(b.name).not.toBe(a.name);
  });

  it('writes to --output and fails clearly when there is nothing to back up', async () => {
    const th = tempHome();
    seedHome(th);
    engine = engineOf(th);
    const outDir = path.join(th.home, '..', 'elsewhere');
    fs.mkdirSync(outDir);
    const res = await engine.backups.create({ format: 'tar', name: 'out', output: outDir, components: ['jobs'] }).done;
    expect(res.path).toBe(path.join(outDir, 'backup_out.tar.gz'));
    expect(() => engine!.backups.create({ format: 'tar', name: 'x', output: path.join(outDir, 'file.zip') })).toThrow(/must be a directory or a file name ending in .tar.gz/);
    const empty = tempHome();
    const e2 = engineOf(empty);
    try {
      await expect(e2.backups.create({ format: 'tar', name: 'empty' }).done).rejects.toThrow(/nothing to back up/);
    } finally {
      await e2.close();
    }
  });

  it('reports progress in bytes and cancels without leaving anything behind', async () => {
    const th = tempHome();
    seedHome(th);
    // A larger plain file so the job is still running when it is canceled.
    fs.writeFileSync(path.join(th.home, 'jobs', 'big.bin'), Buffer.alloc(64 << 20, 7));
    engine = engineOf(th);
    const seen: number[] = [];
    const unsubscribe = engine.jobs.subscribe((j) => {
      if (j.kind === 'backup.create' && j.progress.total) seen.push(j.progress.total);
    });
    const ok = await engine.backups.create({ format: 'tar', name: 'progress', components: ['jobs'] }).done;
    unsubscribe();
    expect(seen.length).toBeGreaterThan(0);
    expect(ok.total_size).toBeGreaterThan(64 << 20);
    const job = engine.backups.create({ format: 'tar', name: 'canceled', components: ['jobs'] });
    setTimeout(() => job.cancel(), 30);
    await expect(job.done).rejects.toMatchObject({ code: 'CANCELED' });
    const left = fs.readdirSync(path.join(th.home, 'backups')).filter((n) => n !== '.manifests');
    expect(left).toEqual(['backup_progress.tar.gz']);
    expect(engine.jobs.get(job.id).state).toBe('canceled');
  });

  for (const format of ['tar', 'snapshot'] as const) {
    it(`reports progress against the home's size, not twice it (${format})`, async () => {
      // The Backups view showed "903 MB of 1.7 GB" for an 878 MB home: the archive counted every
      // database twice, once as its snapshot was taken and again as it was archived.
      const th = tempHome();
      seedHome(th);
      const big = path.join(th.home, 'storage', 'memory.db');
      const db = new Database(big);
      db.exec('CREATE TABLE IF NOT EXISTS filler(b BLOB)');
      const ins = db.prepare('INSERT INTO filler VALUES (randomblob(65536))');
      for (let i = 0; i < 64; i++) ins.run();
      db.close();
      engine = engineOf(th);
      const seen: { done: number; total: number | null }[] = [];
      const unsubscribe = engine.jobs.subscribe((j) => {
        if (j.kind === 'backup.create') seen.push({ done: j.progress.done, total: j.progress.total });
      });
      const res = await engine.backups.create({ format, name: `sized-${format}` }).done;
      unsubscribe();
      const home = res.total_size;
      const totals = seen.map((s) => s.total ?? 0);
      expect(Math.max(...totals)).toBeGreaterThan(0);
      // Every total reported is the home's size (within a WAL checkpoint's difference), never twice it.
      for (const t of totals.filter((x) => x > 0)) expect(t).toBeLessThanOrEqual(home * 1.1);
      for (const s of seen) expect(s.done).toBeLessThanOrEqual((s.total ?? Infinity) + 1);
      expect(seen.at(-1)!.done).toBe(seen.at(-1)!.total);
    });
  }

  it('writes gzip members that tar -xzf and gzip -t read as one archive', async () => {
    const th = tempHome();
    seedHome(th);
    // Several 4 MiB blocks, so the archive really is many gzip members.
    fs.writeFileSync(path.join(th.home, 'jobs', 'big.txt'), 'some log line of a job\n'.repeat(1 << 20));
    engine = engineOf(th);
    const res = await engine.backups.create({ format: 'tar', name: 'interop' }).done;
    expect(spawnSync('gzip', ['-t', res.path]).status).toBe(0);
    const out = path.join(th.home, '..', 'tar-x');
    fs.mkdirSync(out);
    const tar = spawnSync('tar', ['-xzf', res.path, '-C', out], { encoding: 'utf8' });
    expect(tar.stderr).toBe('');
    expect(tar.status).toBe(0);
    const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')) as Manifest;
    for (const f of manifest.files) expect(sha256File(path.join(out, f.path)), f.path).toBe(f.checksum);
    expect(accountsOf(path.join(out, 'storage', 'memory.db'))).toEqual({ sum: 2000, count: 20 });
  });
});
