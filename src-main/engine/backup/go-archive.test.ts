import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '../engine.js';
import { tempHome } from '../../test/temp-home.js';
import { accountsOf, engineOf, makeAccountsDb, writeGoArchive } from './test-fixtures.js';

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

/**
 * Builds an archive the way the Go foxctl does (internal/backup/service.go): raw copies of the
 * .db files (rollback journal here, so the raw copy is whole), paths relative to the home,
 * Go's time format with a zone offset, compressed_size 0, `agentctl_version`, no `store`.
 */
async function goArchive(dir: string, file: string): Promise<void> {
  const src = path.join(dir, 'src');
  makeAccountsDb(path.join(src, 'memory.db'), 7, { wal: false });
  makeAccountsDb(path.join(src, 'opencode.db'), 1, { wal: false });
  await writeGoArchive(file, [
    { path: 'storage/memory.db', data: fs.readFileSync(path.join(src, 'memory.db')), component: 'databases' },
    { path: 'storage/opencode.db', data: fs.readFileSync(path.join(src, 'opencode.db')), component: 'databases' },
    { path: 'sessions/s1.json', data: Buffer.from('a session file\n'), component: 'sessions' },
  ]);
}

describe('archives written by the Go foxctl', () => {
  it('are listed, verified and restored; external stores are never written', async () => {
    const th = tempHome();
    await goArchive(path.join(th.home, '..'), path.join(th.home, 'backups', 'backup_2026-11-26_221504.tar.gz'));
    engine = engineOf(th);
    const list = await engine.backups.list();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      name: '2026-11-26_221504',
      file: 'backup_2026-11-26_221504.tar.gz',
      created_at: '2026-11-27T03:15:05.987654321Z',
      go_format: true,
      stores: ['MEMORY', 'OPENCODE'],
      files: 3,
    });
    const v = await engine.backups.verify('2026-11-26_221504').done;
    expect(v.problems).toEqual([]);
    expect(v.ok).toBe(true);
    expect(v.databases_checked).toBe(2);
    const info = await engine.backups.info('backup_2026-11-26_221504.tar.gz');
    expect(info.manifest.agentctl_version).toBe('v0.42.0');
    expect(info.restore_plan.find((f) => f.store === 'OPENCODE')).toMatchObject({ action: 'would-skip', reason: expect.stringMatching(/another tool/) });
    const res = await engine.backups.restore('2026-11-26_221504').done;
    expect(res.created).toBe(2);
    expect(accountsOf(path.join(th.home, 'storage', 'memory.db'))).toEqual({ sum: 700, count: 7 });
    expect(fs.readFileSync(path.join(th.home, 'sessions', 's1.json'), 'utf8')).toBe('a session file\n');
    expect(fs.existsSync(path.join(th.home, 'storage', 'opencode.db'))).toBe(false);
    // The engine opens the restored store and adopts it (migrations run over the Go file).
    expect(engine.stores.get('MEMORY').prepare('SELECT count(*) AS c FROM accounts').get()).toEqual({ c: 7 });
  });

  it('also opens from a path outside the backups dir', async () => {
    const th = tempHome();
    const file = path.join(th.home, '..', 'copied.tar.gz');
    await goArchive(path.join(th.home, '..'), file);
    engine = engineOf(th);
    const v = await engine.backups.verify(file).done;
    expect(v.ok).toBe(true);
    expect(v.name).toBe('copied');
    // An archive dropped into the backups dir under its own name is found by that name.
    fs.mkdirSync(path.join(th.home, 'backups'), { recursive: true });
    fs.copyFileSync(file, path.join(th.home, 'backups', 'manual.tar.gz'));
    expect((await engine.backups.info('manual')).file).toBe('manual.tar.gz');
    // Bad input is refused when the job is asked for, before it starts.
    expect(() => engine!.backups.verify('missing')).toThrow(/no backup "missing"/);
    expect(() => engine!.backups.verify('bad name!')).toThrow(/invalid backup name/);
  });
});
