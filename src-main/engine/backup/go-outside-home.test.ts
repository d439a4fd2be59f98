import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '../engine.js';
import { writeGoBackupArchive } from '../../test/go-home/backup.js';
import { tempHome, type TempHome } from '../../test/temp-home.js';
import { accountsOf, engineOf, makeAccountsDb, writeEntries } from './test-fixtures.js';
import { CACHE_DIR } from './verify-record.js';

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

/**
 * A Go home whose storage root, CAS and observability dir were outside the home
 * (FOXCTL_STORAGE_ROOT=<root>/data/storage and so on), backed up by the Go foxctl: its entry
 * names are `../data/storage/memory.db`. The sources are removed afterwards, so a restore that
 * wrote to the literal path would make them reappear.
 */
function goArchiveFromOutside(th: TempHome): { root: string; hex: string } {
  const root = path.dirname(th.home);
  const storage = path.join(root, 'data', 'storage');
  makeAccountsDb(path.join(storage, 'memory.db'), 7, { wal: false });
  fs.mkdirSync(path.join(storage, 'repoindex'), { recursive: true });
  makeAccountsDb(path.join(storage, 'repoindex', 'repo-repoindex-0123456789abcdef.db'), 2, { wal: false });
  const content = Buffer.from('{"outside":true}\n');
  const hex = createHash('sha256').update(content).digest('hex');
  const cas = path.join(root, 'data', 'cas');
  fs.mkdirSync(path.join(cas, 'sha256'), { recursive: true });
  fs.writeFileSync(path.join(cas, 'sha256', hex), content);
  const obs = path.join(root, 'obs');
  fs.mkdirSync(path.join(obs, 'events'), { recursive: true });
  fs.writeFileSync(path.join(obs, 'events', 'foxcular_events.ndjson'), '{"ts":"2026-12-01T00:00:00Z","operation":"x","status":"ok"}\n');
  fs.mkdirSync(path.join(th.home, 'sessions'), { recursive: true });
  fs.writeFileSync(path.join(th.home, 'sessions', 's1.json'), 'session\n');
  writeGoBackupArchive({
    home: th.home,
    out: path.join(th.home, 'backups', 'backup_outside.tar.gz'),
    files: [
      { component: 'databases', original: path.join(storage, 'memory.db') },
      { component: 'databases', original: path.join(storage, 'repoindex', 'repo-repoindex-0123456789abcdef.db') },
      { component: 'cas', original: path.join(cas, 'sha256', hex) },
      { component: 'sessions', original: path.join(th.home, 'sessions', 's1.json') },
      { component: 'observability', original: path.join(obs, 'events', 'foxcular_events.ndjson') },
    ],
  });
  fs.rmSync(path.join(root, 'data'), { recursive: true });
  fs.rmSync(obs, { recursive: true });
  fs.rmSync(path.join(th.home, 'sessions'), { recursive: true });
  return { root, hex };
}

describe('Go archives of directories outside the home', () => {
  it('restore each `../` entry at the configured place of its component, never at the literal path', async () => {
    const th = tempHome();
    const { root, hex } = goArchiveFromOutside(th);
    engine = engineOf(th);
    const [summary] = await engine.backups.list();
    expect(summary).toMatchObject({ name: 'outside', stores: ['MEMORY', 'REPOINDEX'], go_format: true });
    const v = await engine.backups.verify('outside').done;
    expect(v.problems).toEqual([]);
    expect(v.databases_checked).toBe(2);
    const res = await engine.backups.restore('outside').done;
    expect(res.created).toBe(5);
    expect(accountsOf(path.join(th.home, 'storage', 'memory.db'))).toEqual({ sum: 700, count: 7 });
    expect(accountsOf(path.join(th.home, 'storage', 'repoindex', 'repo-repoindex-0123456789abcdef.db')).count).toBe(2);
    expect(fs.readFileSync(path.join(th.home, 'cas', 'sha256', hex), 'utf8')).toBe('{"outside":true}\n');
    expect(fs.existsSync(path.join(th.home, 'observability', 'events', 'foxcular_events.ndjson'))).toBe(true);
    expect(fs.readFileSync(path.join(th.home, 'sessions', 's1.json'), 'utf8')).toBe('session\n');
    expect(fs.existsSync(path.join(root, 'data'))).toBe(false);
    expect(fs.existsSync(path.join(root, 'obs'))).toBe(false);
  });

  it('follow the current config when the component lives elsewhere now', async () => {
    const th = tempHome();
    const { root } = goArchiveFromOutside(th);
    const elsewhere = path.join(root, 'now', 'storage');
    engine = engineOf(th, { FOXCTL_STORAGE_ROOT: elsewhere });
    const info = await engine.backups.info('outside');
    expect(info.restore_plan.find((f) => f.store === 'MEMORY')).toMatchObject({ path: 'storage/memory.db', destination: path.join(elsewhere, 'memory.db') });
    await engine.backups.restore('outside', { stores: ['MEMORY'] }).done;
    expect(accountsOf(path.join(elsewhere, 'memory.db')).count).toBe(7);
  });

  it('read the archive again over a manifest cached by an older reader that kept the `../` names', async () => {
    const th = tempHome();
    goArchiveFromOutside(th);
    engine = engineOf(th);
    await engine.backups.list();
    const cacheDir = path.join(th.home, 'backups', CACHE_DIR);
    const cache = path.join(cacheDir, fs.readdirSync(cacheDir).find((f) => f.startsWith('backup_outside'))!);
    const rec = JSON.parse(fs.readFileSync(cache, 'utf8')) as { reader?: number; manifest: { files: { path: string; original_path: string }[] } };
    delete rec.reader;
    for (const f of rec.manifest.files) f.path = path.relative(th.home, f.original_path);
    fs.writeFileSync(cache, JSON.stringify(rec));
    const info = await engine.backups.info('outside');
    expect(info.restore_plan.find((f) => f.store === 'MEMORY')).toMatchObject({ destination: path.join(th.home, 'storage', 'memory.db') });
  });

  it('still refuse hostile `../` entries: nothing is written outside', async () => {
    const th = tempHome();
    const root = path.dirname(th.home);
    const evil = Buffer.from('evil\n');
    const sum = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
    const file = (p: string, original: string, component: string) => ({ path: p, original_path: original, size: evil.length, mod_time: '2026-12-01T00:00:00Z', checksum: sum(evil), component });
    const manifest = {
      version: '1.0',
      created_at: '2026-12-01T00:00:00Z',
      foxctl_version: 'v1.4.0',
      components: ['databases', 'sessions'],
      files: [
        // sessions live in the home in every Go version: a climbing one is an attack.
        file('../../escaped.txt', path.join(root, '..', 'escaped.txt'), 'sessions'),
        // original_path does not end with the entry's path: the name lies about where it came from.
        file('../data/storage/x.db', '/somewhere/else/x.db', 'databases'),
      ],
      stats: { total_files: 2, total_size: 2 * evil.length, compressed_size: 0, database_count: 1 },
    };
    await writeEntries(path.join(th.home, 'backups', 'backup_hostile.tar.gz'), [
      { header: { name: '../../escaped.txt', type: 'file', mode: 0o644 }, data: evil },
      { header: { name: '../data/storage/x.db', type: 'file', mode: 0o644 }, data: evil },
      { header: { name: 'manifest.json', type: 'file', mode: 0o644 }, data: Buffer.from(JSON.stringify(manifest, null, 2)) },
    ]);
    engine = engineOf(th);
    const v = await engine.backups.verify('hostile').done;
    expect(v.ok).toBe(false);
    expect(new Set(v.problems.map((p) => p.status))).toEqual(new Set(['unsafe']));
    expect(new Set(v.problems.map((p) => p.path))).toEqual(new Set(['../../escaped.txt', '../data/storage/x.db']));
    await expect(engine.backups.restore('hostile').done).rejects.toThrow(/unsafe/);
    expect(fs.existsSync(path.join(root, '..', 'escaped.txt'))).toBe(false);
    expect(fs.existsSync(path.join(th.home, 'storage', 'x.db'))).toBe(false);
    expect(fs.existsSync(path.join(root, 'data'))).toBe(false);
  });
});
