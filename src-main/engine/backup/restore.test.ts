import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite } from '../db/sqlite.js';
import type { Engine } from '../engine.js';
import { tempHome } from '../../test/temp-home.js';
import { restoreArchive } from './restore.js';
import { accountsOf, engineOf, makeAccountsDb, readEntries, seedHome, sha256File } from './test-fixtures.js';

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

function spend(file: string, amount: number): void {
  const db = openSqlite(file);
  db.prepare('UPDATE accounts SET balance = balance - ? WHERE id = 1').run(amount);
  db.close();
}

describe('backup restore', () => {
  it('dry run lists each file as would-create / would-replace / would-skip and changes nothing', async () => {
    const th = tempHome();
    const { storage } = seedHome(th);
    engine = engineOf(th);
    await engine.backups.create({ format: 'tar', name: 'b' }).done;
    fs.rmSync(path.join(storage, 'knowledge.db'));
    const before = sha256File(path.join(storage, 'memory.db'));
    const plain = await engine.backups.restore('b', { dryRun: true }).done;
    const action = (r: typeof plain, p: string): string | undefined => r.files.find((f) => f.path === p)?.action;
    expect(plain.dry_run).toBe(true);
    expect(action(plain, 'storage/memory.db')).toBe('would-skip');
    expect(action(plain, 'storage/knowledge.db')).toBe('would-create');
    const forced = await engine.backups.restore('b', { dryRun: true, force: true }).done;
    expect(action(forced, 'storage/memory.db')).toBe('would-replace');
    expect(forced.files.find((f) => f.path === 'storage/memory.db')?.destination).toBe(path.join(storage, 'memory.db'));
    expect(fs.existsSync(path.join(storage, 'knowledge.db'))).toBe(false);
    expect(sha256File(path.join(storage, 'memory.db'))).toBe(before);
    const info = await engine.backups.info('b');
    expect(info.manifest.files.length).toBe(info.files);
    expect(info.restore_plan.find((f) => f.path === 'storage/knowledge.db')?.action).toBe('would-create');
  });

  for (const format of ['tar', 'snapshot'] as const) {
    it(`dry run with countRows: each store's rows now against rows in the backup, nothing left behind (${format})`, async () => {
      const th = tempHome();
      const { storage } = seedHome(th);
      engine = engineOf(th);
      await engine.backups.create({ format, name: 'b' }).done;
      const inBackup = accountsOf(path.join(storage, 'memory.db')).count;
      const db = openSqlite(path.join(storage, 'memory.db'));
      db.prepare('DELETE FROM accounts WHERE id <= 5').run();
      db.close();
      fs.rmSync(path.join(storage, 'knowledge.db'));
      const tmpBefore = fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith('foxctl-restore-rows-')).length;
      const plan = await engine.backups.restore('b', { dryRun: true, force: true, stores: ['MEMORY', 'KNOWLEDGE'], countRows: true }).done;
      const rows = (p: string) => plan.files.find((f) => f.path === p)?.rows;
      const memory = rows('storage/memory.db')!;
      expect(memory.backup).not.toBeNull();
      expect(memory.now).toBe(memory.backup! - 5);
      expect(memory.backup! - memory.now!).toBe(inBackup - accountsOf(path.join(storage, 'memory.db')).count);
      // No live copy: nothing now, the backup's rows.
      expect(rows('storage/knowledge.db')).toEqual({ now: null, backup: expect.any(Number) });
      expect(rows('storage/knowledge.db')!.backup).toBeGreaterThanOrEqual(5);
      // A dry run still changes nothing, and its copies are gone.
      expect(fs.existsSync(path.join(storage, 'knowledge.db'))).toBe(false);
      expect(fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith('foxctl-restore-rows-')).length).toBe(tmpBefore);
      // Without countRows a dry run reads no rows.
      const plain = await engine.backups.restore('b', { dryRun: true, stores: ['MEMORY'] }).done;
      expect(plain.files[0]!.rows).toBeUndefined();
    });
  }

  it('replaces with --force after a safety backup, closing the engine connection to the store', async () => {
    const th = tempHome();
    const { storage } = seedHome(th);
    const file = path.join(storage, 'memory.db');
    engine = engineOf(th);
    await engine.backups.create({ format: 'tar', name: 'good' }).done;
    spend(file, 50);
    // The engine holds the store open (migrations applied on first use), as the app would.
    const live = engine.stores.get('MEMORY');
    expect((live.prepare('SELECT balance FROM accounts WHERE id = 1').get() as { balance: number }).balance).toBe(50);
    const res = await engine.backups.restore('good', { stores: ['memory'], force: true }).done;
    expect(res.replaced).toBe(1);
    expect(res.files.map((f) => f.path)).toEqual(['storage/memory.db']);
    expect(res.closed_connections).toEqual([file]);
    expect(engine.stores.openFiles()).not.toContain(file);
    expect(accountsOf(file)).toEqual({ sum: 2000, count: 20 });
    // Reopening through the engine sees the restored data.
    expect((engine.stores.get('MEMORY').prepare('SELECT balance FROM accounts WHERE id = 1').get() as { balance: number }).balance).toBe(100);
    // The safety backup holds what was replaced.
    expect(res.safety_backup?.name).toMatch(/^pre-restore-/);
    const target = path.join(th.home, '..', 'safety');
    await engine.backups.restore(res.safety_backup!.name, { target }).done;
    expect(accountsOf(path.join(target, 'storage', 'memory.db')).sum).toBe(1950);
    const list = await engine.backups.list();
    expect(list.map((b) => b.name)).toContain(res.safety_backup!.name);
    expect(list.find((b) => b.name === res.safety_backup!.name)?.stores).toEqual(['MEMORY']);
    expect(fs.readdirSync(storage).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('removes a foreign stale -wal so it cannot be replayed onto the restored database', async () => {
    const th = tempHome();
    const { storage } = seedHome(th);
    const file = path.join(storage, 'memory.db');
    engine = engineOf(th);
    await engine.backups.create({ format: 'tar', name: 'b', components: ['databases'] }).done;
    // A -wal from another database with committed frames, left beside memory.db.
    const other = path.join(th.home, '..', 'other.db');
    makeAccountsDb(other, 3);
    const w = openSqlite(other);
    w.pragma('wal_autocheckpoint = 0');
    w.prepare('UPDATE accounts SET balance = 999999').run();
    fs.copyFileSync(`${other}-wal`, `${file}-wal`);
    w.close();
    fs.rmSync(file);
    const res = await engine.backups.restore('b', { stores: ['MEMORY'] }).done;
    expect(res.created).toBe(1);
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
    const db = openSqlite(file, { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
    expect(accountsOf(file)).toEqual({ sum: 2000, count: 20 });
  });

  it('restores into --target as a home-shaped tree, and honours components', async () => {
    const th = tempHome();
    const { digest } = seedHome(th);
    engine = engineOf(th);
    await engine.backups.create({ format: 'tar', name: 'b' }).done;
    const target = path.join(th.home, '..', 'target');
    const res = await engine.backups.restore('b', { target, components: ['cas', 'sessions'] }).done;
    expect(res.target).toBe(target);
    expect(fs.readFileSync(path.join(target, 'cas', 'sha256', digest), 'utf8')).toBe('{"hello":"world"}\n');
    expect(fs.existsSync(path.join(target, 'sessions', 'sessions-note.txt'))).toBe(true);
    expect(fs.existsSync(path.join(target, 'storage'))).toBe(false);
    await expect(engine.backups.restore('b', { target, components: ['nope'] }).done).rejects.toThrow(/unknown component "nope"/);
    await expect(engine.backups.restore('b', { target, stores: ['CACHE'] }).done).rejects.toThrow(/holds no database of store CACHE/);
    await expect(engine.backups.restore('b', { target, stores: ['NOPE'] }).done).rejects.toThrow(/unknown store "NOPE"/);
    fs.writeFileSync(path.join(th.home, '..', 'afile'), 'x');
    await expect(engine.backups.restore('b', { target: path.join(th.home, '..', 'afile') }).done).rejects.toThrow(/is not a directory/);
  });

  it('restores into storage roots configured outside the home', async () => {
    const th = tempHome();
    seedHome(th);
    const ext = path.join(th.home, '..', 'ext-storage');
    fs.cpSync(path.join(th.home, 'storage'), ext, { recursive: true });
    engine = engineOf(th, { FOXCTL_STORAGE_ROOT: ext });
    const made = await engine.backups.create({ format: 'tar', name: 'ext', components: ['databases'] }).done;
    const entries = await readEntries(made.path);
    expect(entries.map((e) => e.header.name)).toContain('storage/memory.db');
    fs.rmSync(path.join(ext, 'memory.db'));
    await engine.backups.restore('ext', { stores: ['MEMORY'] }).done;
    expect(accountsOf(path.join(ext, 'memory.db')).sum).toBe(2000);
  });
});

describe('backup restore cancel', () => {
  it('a cancel while extracting removes the temps and leaves the home as it was', async () => {
    const th = tempHome();
    const { storage } = seedHome(th);
    fs.writeFileSync(path.join(th.home, 'jobs', 'big.bin'), randomBytes(8 << 20));
    engine = engineOf(th);
    await engine.backups.create({ format: 'tar', name: 'c' }).done;
    spend(path.join(storage, 'memory.db'), 1);
    const before = sha256File(path.join(storage, 'memory.db'));
    const controller = new AbortController();
    let sawTemp = false;
    const archive = path.join(th.home, 'backups', 'backup_c.tar.gz');
    const host = { config: engine.config, closeFile: () => false };
    // Abort once a temp file is being extracted: deterministic, unlike a timer.
    const progress = (): void => {
      if (!sawTemp && fs.readdirSync(path.join(th.home, 'jobs')).some((n) => n.endsWith('.tmp'))) {
        sawTemp = true;
        controller.abort();
      }
    };
    const run = restoreArchive(host, 'c', archive, { force: true }, { signal: controller.signal, progress });
    await expect(run).rejects.toMatchObject({ code: 'CANCELED' });
    expect(sawTemp).toBe(true);
    expect(sha256File(path.join(storage, 'memory.db'))).toBe(before);
    const temps = fs.readdirSync(th.home, { recursive: true }).filter((n) => String(n).endsWith('.tmp'));
    expect(temps, JSON.stringify(temps)).toEqual([]);
    expect((await engine.backups.list()).map((b) => b.name)).toEqual(['c']);
  });
});

describe('backup list, delete, prune', () => {
  it('lists newest first, deletes, and prunes by count and age with a dry run first', async () => {
    const th = tempHome();
    seedHome(th);
    engine = engineOf(th);
    for (const n of ['one', 'two', 'three']) await engine.backups.create({ format: 'tar', name: n, components: ['memory'] }).done;
    const list = await engine.backups.list();
    expect(list.map((b) => b.name)).toEqual(['three', 'two', 'one']);
    expect(list[0]).toMatchObject({ file: 'backup_three.tar.gz', components: ['memory'], go_format: false });
    const dry = await engine.backups.prune({ keepLast: 1, dryRun: true });
    expect(dry.deleted.map((b) => b.name)).toEqual(['two', 'one']);
    expect((await engine.backups.list()).length).toBe(3);
    const young = await engine.backups.prune({ keepLast: 1, olderThanMs: 3_600_000 });
    expect(young.deleted).toEqual([]);
    const pruned = await engine.backups.prune({ keepLast: 2 });
    expect(pruned.deleted.map((b) => b.name)).toEqual(['one']);
    expect(pruned.bytes_freed).toBeGreaterThan(0);
    const del = await engine.backups.delete('two');
    expect(del.name).toBe('two');
    expect((await engine.backups.list()).map((b) => b.name)).toEqual(['three']);
    await expect(engine.backups.delete('two')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(engine.backups.prune({})).rejects.toThrow(/--keep-last N and\/or --older-than/);
    await expect(engine.backups.prune({ keepLast: -1 })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    // The newest clean backup is never pruned, whatever the rules say.
    const old = await engine.backups.prune({ olderThanMs: 0 });
    expect(old).toMatchObject({ deleted: [], protected: 'three' });
  });
});

describe('backup rehearse', () => {
  it('restores into a throwaway home, checks integrity and reports row counts that moved on', async () => {
    const th = tempHome();
    const { storage } = seedHome(th);
    engine = engineOf(th);
    await engine.backups.create({ format: 'tar', name: 'r' }).done;
    const db = openSqlite(path.join(storage, 'knowledge.db'));
    db.prepare("INSERT INTO accounts (id, balance) VALUES (99, 1)").run();
    db.close();
    const res = await engine.backups.rehearse('r').done;
    expect(res.ok).toBe(true);
    expect(res.databases.map((d) => [d.path, d.integrity])).toEqual([
      ['observability/events.db', 'ok'],
      ['storage/knowledge.db', 'ok'],
      ['storage/memory.db', 'ok'],
    ]);
    expect(res.differences).toEqual([{ store: 'KNOWLEDGE', path: 'storage/knowledge.db', table: 'accounts', backup_rows: 5, live_rows: 6 }]);
    expect(res.restored_files).toBeGreaterThan(5);
    // The throwaway home is gone, and the live home was not touched.
    expect(fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith(`.rehearse-${process.pid}-`))).toEqual([]);
    expect(accountsOf(path.join(storage, 'knowledge.db')).count).toBe(6);
  });
});
