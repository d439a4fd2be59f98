// `backup push / pull / list --remote` on snapshots (issue #18): only the packs the bucket lacks
// travel, a pulled snapshot verifies clean and holds the same rows, and a home without a
// repository takes the bucket's, so it can push back.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { expectCode } from '../cas/conformance.js';
import type { Engine } from '../engine.js';
import { openEngine } from '../engine.js';
import { S3RVER_CREDENTIALS, startS3rver } from '../../test/s3rver.js';
import { tempHome, type TempHome } from '../../test/temp-home.js';
import { BlobReader } from './repo/blob-reader.js';
import { createSnapshotFromPlan } from './repo/create-snapshot.js';
import { writeStoredFile } from './repo/file-blobs.js';
import { loadIndex } from './repo/index-file.js';
import { openRepo } from './repo/layout.js';
import { readSnapshot } from './repo/snapshot-file.js';
import { verifyRepo } from './repo/verify-repo.js';
import { openRemoteBackups, startBackupPull, startBackupPush } from './remote.js';
import { snapshotRepoRoot } from './remote-snapshots.js';
import { collectSources } from './sources.js';
import { accountsOf, seedHome } from './test-fixtures.js';
import { COMPONENTS } from './types.js';

const s3 = await startS3rver('snapshot-push');
afterAll(() => s3.stop());
const overrides = { credentials: S3RVER_CREDENTIALS };
const engines: Engine[] = [];
afterEach(async () => {
  for (const e of engines.splice(0)) await e.close();
});

function open(th: TempHome, prefix: string): Engine {
  const e = openEngine({ env: th.env({ FOXCTL_CAS_S3_BUCKET: s3.bucket, FOXCTL_CAS_S3_ENDPOINT: s3.endpoint, FOXCTL_CAS_S3_FORCE_PATH_STYLE: 'true', FOXCTL_BACKUP_S3_PREFIX: prefix }) });
  engines.push(e);
  return e;
}

async function snapshot(e: Engine, name: string): Promise<void> {
  const plan = collectSources(e.config, [...COMPONENTS], false);
  await createSnapshotFromPlan(e.config, plan, name, snapshotRepoRoot(e.config), {}, { unreadable: 'problem' });
}

describe('snapshots in the backup bucket', () => {
  it('push sends only missing packs; pull into an empty home verifies clean, holds the same rows, and can push back', async () => {
    const th = tempHome();
    const { storage } = seedHome(th);
    const e = open(th, 'team/snaps');
    await snapshot(e, 'one');
    const progress: number[] = [];
    const first = await startBackupPush(e, 'one', { overrides, onProgress: (d) => progress.push(d) }).done;
    expect(first).toMatchObject({ name: 'one', format: 'snapshot', transferred: true });
    expect('packs_needed' in first && first.packs_moved === first.packs_needed && first.packs_needed > 0).toBe(true);
    expect(progress.at(-1)).toBe(first.size);

    // The sqlite3 CLI changes one row: the next snapshot needs a pack or two more, not all again.
    expect(spawnSync('sqlite3', [path.join(storage, 'memory.db'), 'UPDATE accounts SET balance = 7 WHERE id = 2'], { encoding: 'utf8' }).status).toBe(0);
    await snapshot(e, 'two');
    const second = await startBackupPush(e, 'two', { overrides }).done;
    expect(second.transferred).toBe(true);
    if (!('packs_needed' in second)) throw new Error('a snapshot push names its packs');
    expect(second.packs_moved).toBeLessThan(second.packs_needed);
    expect(second.size).toBeLessThan(first.size);
    expect((await startBackupPush(e, 'two', { overrides }).done).transferred).toBe(false);

    const remote = openRemoteBackups(e.config, overrides);
    try {
      const listed = await remote.list();
      expect(listed.filter((b) => b.format === 'snapshot').map((b) => b.name).sort()).toEqual(['one', 'two']);
      expect(listed.find((b) => b.name === 'two')?.components).toEqual(expect.arrayContaining(['databases']));
    } finally {
      remote.close();
    }

    const other = tempHome();
    const o = open(other, 'team/snaps');
    const pulled = await startBackupPull(o, 'two', { overrides }).done;
    expect(pulled).toMatchObject({ name: 'two', format: 'snapshot', transferred: true });
    const repo = await openRepo(snapshotRepoRoot(o.config));
    expect(repo.config.id).toBe((await openRepo(snapshotRepoRoot(e.config))).config.id);
    expect((await verifyRepo(repo.paths)).problems).toEqual([]);
    const reader = new BlobReader(repo.paths, await loadIndex(repo.paths));
    const out = path.join(other.home, 'memory-from-bucket.db');
    try {
      const entry = (await readSnapshot(repo.paths, 'two')).files.find((f) => f.path === 'storage/memory.db')!;
      await writeStoredFile(reader, entry, out);
    } finally {
      await reader.close();
    }
    expect(accountsOf(out)).toEqual(accountsOf(path.join(storage, 'memory.db')));
    expect((await startBackupPull(o, 'two', { overrides }).done).transferred).toBe(false);

    // The pulled home is the same repository: a snapshot made there pushes, it is not refused.
    fs.rmSync(out);
    seedHome(other);
    await snapshot(o, 'three');
    expect((await startBackupPush(o, 'three', { overrides }).done).transferred).toBe(true);
  });

  it('pull of a name the bucket does not hold says neither form exists', async () => {
    const e = open(tempHome(), 'team/none');
    await expectCode(startBackupPull(e, 'nope', { overrides }).done, 'NOT_FOUND', /neither an archive nor a snapshot/);
  });
});
