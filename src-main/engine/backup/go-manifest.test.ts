import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '../engine.js';
import { writeGoBackupArchive } from '../../test/go-home/backup.js';
import { tempHome, type TempHome } from '../../test/temp-home.js';
import { accountsOf, engineOf, makeAccountsDb } from './test-fixtures.js';

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

/**
 * A newer Go backup (foxctl_version) whose create listed a session file it then failed to add:
 * Go's Create keeps the entry with checksum "" and writes no tar entry for it.
 */
function goArchive(th: TempHome, out: string): void {
  makeAccountsDb(path.join(th.home, 'storage', 'memory.db'), 3, { wal: false });
  fs.mkdirSync(path.join(th.home, 'sessions'), { recursive: true });
  writeGoBackupArchive({
    home: th.home,
    out,
    writerVersion: 'v1.4.0',
    files: [
      { component: 'databases', original: path.join(th.home, 'storage', 'memory.db') },
      { component: 'sessions', original: path.join(th.home, 'sessions', 'gone.json'), vanished: { size: 12 } },
    ],
  });
  fs.rmSync(path.join(th.home, 'storage'), { recursive: true });
}

describe('manifests of newer Go builds', () => {
  it('a file Go listed but could not add is a warning of verify, not a failure, and restore skips it', async () => {
    const th = tempHome();
    goArchive(th, path.join(th.home, 'backups', 'before migration.tar.gz'));
    engine = engineOf(th);
    const v = await engine.backups.verify('before migration').done;
    expect(v.ok).toBe(true);
    expect(v.problems).toEqual([]);
    expect(v.warnings).toEqual([expect.objectContaining({ path: 'sessions/gone.json', status: 'not_added' })]);
    const info = await engine.backups.info('before migration');
    expect(info.restore_plan.find((f) => f.path === 'sessions/gone.json')).toMatchObject({ action: 'would-skip', reason: expect.stringMatching(/could not add/) });
    const r = await engine.backups.restore('before migration').done;
    expect(r.created).toBe(1);
    expect(r.files.find((f) => f.path === 'sessions/gone.json')).toMatchObject({ action: 'skipped', reason: expect.stringMatching(/could not add/) });
    expect(accountsOf(path.join(th.home, 'storage', 'memory.db')).count).toBe(3);
  });

  it('say who wrote them (foxctl_version)', async () => {
    const th = tempHome();
    goArchive(th, path.join(th.home, 'backups', 'backup_nightly.tar.gz'));
    engine = engineOf(th);
    const info = await engine.backups.info('nightly');
    expect(info.manifest.foxctl_version).toBe('v1.4.0');
    const { writerOf } = await import('./manifest.js');
    expect(writerOf(info.manifest)).toBe('v1.4.0');
  });

  it('a bare name resolves to <home>/backups/NAME(.tar.gz) as in Go, even with paths.backups elsewhere', async () => {
    const th = tempHome();
    goArchive(th, path.join(th.home, 'backups', 'backup_2026-12-01_101500.tar.gz'));
    engine = engineOf(th, { FOXCTL_PATHS_BACKUPS: path.join(th.home, '..', 'elsewhere') });
    // Go's own form of the same archive: the file name without .tar.gz.
    expect((await engine.backups.info('backup_2026-12-01_101500')).file).toBe('backup_2026-12-01_101500.tar.gz');
    expect((await engine.backups.info('backup_2026-12-01_101500.tar.gz')).file).toBe('backup_2026-12-01_101500.tar.gz');
    expect(() => engine!.backups.verify('no-such-one')).toThrow(/no backup "no-such-one"/);
  });
});
