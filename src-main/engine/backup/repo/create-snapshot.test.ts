import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempHome } from '../../../test/temp-home.js';
import { accountsOf, seedHome, walHoldingWriter } from '../test-fixtures.js';
import { collectSources } from '../sources.js';
import { COMPONENTS } from '../types.js';
import { BlobReader } from './blob-reader.js';
import { writeStoredFile } from './file-blobs.js';
import { loadIndex } from './index-file.js';
import { repoPaths } from './layout.js';
import { createSnapshotFromPlan } from './create-snapshot.js';
import { listSnapshotNames, type Snapshot } from './snapshot-file.js';

/** Restores one file of a snapshot into `dir` and returns its path. */
async function restoreEntry(repoRoot: string, snap: Snapshot, entry: string, dir: string): Promise<string> {
  const paths = repoPaths(repoRoot);
  const reader = new BlobReader(paths, await loadIndex(paths));
  try {
    const f = snap.files.find((x) => x.path === entry);
    if (!f) throw new Error(`${entry} is not in snapshot ${snap.name}`);
    const dest = path.join(dir, path.basename(entry));
    await writeStoredFile(reader, f, dest);
    return dest;
  } finally {
    await reader.close();
  }
}

describe('snapshot of a home', () => {
  it('takes WAL commits through the backup API, stores only what changed next time, and restores a store that passes quick_check', async () => {
    const th = tempHome();
    const { storage } = seedHome(th);
    const config = th.config();
    const repoRoot = path.join(config.backupsDir, 'repository');
    // A writer that never checkpoints: its commits live only in memory.db-wal.
    const writer = walHoldingWriter(path.join(storage, 'memory.db'));
    writer.prepare('INSERT INTO accounts (id, balance, note) VALUES (1000, 5, ?)').run('in the WAL only');
    try {
      const plan = (): ReturnType<typeof collectSources> => collectSources(config, [...COMPONENTS], false);
      const first = await createSnapshotFromPlan(config, plan(), 'one', repoRoot, {}, { unreadable: 'problem' });
      expect(first.status).toBe('ok');
      expect(first.files.map((f) => f.path)).toEqual(expect.arrayContaining(['storage/memory.db', 'observability/events/foxcular_events.ndjson', 'memory/memory-note.txt']));
      const restored = await restoreEntry(repoRoot, first, 'storage/memory.db', th.home);
      expect(accountsOf(restored)).toEqual({ sum: 20 * 100 + 5, count: 21 });
      expect(spawnSync('sqlite3', [restored, 'PRAGMA quick_check'], { encoding: 'utf8' }).stdout.trim()).toBe('ok');
      fs.rmSync(restored);

      // Another process (the sqlite3 CLI) changes one row; the next snapshot stores a few pages.
      writer.close();
      expect(spawnSync('sqlite3', [path.join(storage, 'memory.db'), 'UPDATE accounts SET balance = 99 WHERE id = 3'], { encoding: 'utf8' }).status).toBe(0);
      const second = await createSnapshotFromPlan(config, plan(), 'two', repoRoot, {}, { unreadable: 'problem' });
      expect(second.stats.new_blobs).toBeGreaterThan(0);
      expect(second.stats.new_bytes).toBeLessThan(first.stats.new_bytes / 4);
      const again = await restoreEntry(repoRoot, second, 'storage/memory.db', th.home);
      expect(accountsOf(again)).toEqual({ sum: 20 * 100 + 5 - 1, count: 21 });
    } finally {
      if (writer.open) writer.close();
    }
  });

  it('names an unchanged file again without reading it; a change, or a file written just before it was read, is read', async () => {
    const th = tempHome();
    const { storage } = seedHome(th);
    const config = th.config();
    const repoRoot = path.join(config.backupsDir, 'repository');
    const plan = (): ReturnType<typeof collectSources> => collectSources(config, [...COMPONENTS], false);
    const live = plan().sources.map((s) => s.src);
    // Changed "just before" being read (an mtime ahead of the read): racily clean, read again next time too.
    const soon = new Date(Date.now() + 60_000);
    for (const f of live) fs.utimesSync(f, soon, soon);
    expect(live.length).toBeGreaterThan(5);
    const first = await createSnapshotFromPlan(config, plan(), 'one', repoRoot, {});
    const second = await createSnapshotFromPlan(config, plan(), 'two', repoRoot, {});
    expect(first.stats.unchanged_files).toBe(0);
    expect(second.stats.unchanged_files).toBe(0);
    expect(second.stats.new_blobs).toBe(0);
    // Files last changed a minute ago: the next snapshot names them unread, with the same content.
    // (Their -wal files too: our own snapshots' readers created them a moment ago.)
    const old = new Date(Date.now() - 60_000);
    for (const f of live) for (const g of [f, `${f}-wal`]) if (fs.existsSync(g)) fs.utimesSync(g, old, old);
    const third = await createSnapshotFromPlan(config, plan(), 'three', repoRoot, {});
    const fourth = await createSnapshotFromPlan(config, plan(), 'four', repoRoot, {});
    expect(third.stats.unchanged_files).toBe(0);
    expect(fourth.stats.unchanged_files).toBe(live.length);
    expect(fourth.files.map((f) => f.content)).toEqual(third.files.map((f) => f.content));
    // One row changed by the sqlite3 CLI: that store is read again and the change is in the snapshot.
    expect(spawnSync('sqlite3', [path.join(storage, 'memory.db'), 'UPDATE accounts SET balance = 7 WHERE id = 1'], { encoding: 'utf8' }).status).toBe(0);
    const fifth = await createSnapshotFromPlan(config, plan(), 'five', repoRoot, {});
    expect(fifth.stats.unchanged_files).toBe(live.length - 1);
    const restored = await restoreEntry(repoRoot, fifth, 'storage/memory.db', th.home);
    expect(accountsOf(restored)).toEqual({ sum: 20 * 100 - 93, count: 20 });
  });

  it('reads an unchanged file after all when its blobs are gone from the index, and removes every staged copy', async () => {
    const th = tempHome();
    seedHome(th);
    const config = th.config();
    const repoRoot = path.join(config.backupsDir, 'repository');
    const plan = (): ReturnType<typeof collectSources> => collectSources(config, [...COMPONENTS], false);
    const live = plan().sources.map((s) => s.src);
    const old = new Date(Date.now() - 60_000);
    const age = (): void => {
      for (const f of live) for (const g of [f, `${f}-wal`]) if (fs.existsSync(g)) fs.utimesSync(g, old, old);
    };
    age();
    const first = await createSnapshotFromPlan(config, plan(), 'one', repoRoot, {});
    age();
    // The index files go (as if lost): nothing of `one` can be named again, every file is read.
    const paths = repoPaths(repoRoot);
    for (const f of fs.readdirSync(paths.index)) fs.rmSync(path.join(paths.index, f));
    const second = await createSnapshotFromPlan(config, plan(), 'two', repoRoot, {});
    expect(second.stats.unchanged_files).toBe(0);
    expect(second.status).toBe('ok');
    expect(second.files.map((f) => f.sha256)).toEqual(first.files.map((f) => f.sha256));
    const restored = await restoreEntry(repoRoot, second, 'storage/memory.db', th.home);
    expect(accountsOf(restored)).toEqual({ sum: 20 * 100, count: 20 });
    // The index is whole again: the next snapshot names every file unread.
    const third = await createSnapshotFromPlan(config, plan(), 'three', repoRoot, {});
    expect(third.stats.unchanged_files).toBe(live.length);
    // No staged copy is left behind.
    expect(fs.readdirSync(config.backupsDir).filter((n) => n.includes('staging'))).toEqual([]);
  });

  it('names a CAS blob whose bytes changed; strict publishes nothing', async () => {
    const th = tempHome();
    const { cas, digest } = seedHome(th);
    fs.writeFileSync(path.join(cas, 'sha256', digest), 'not the original bytes');
    const config = th.config();
    const repoRoot = path.join(config.backupsDir, 'repository');
    const plan = collectSources(config, [...COMPONENTS], false);
    const snap = await createSnapshotFromPlan(config, plan, 'bad', repoRoot, {}, { unreadable: 'problem' });
    expect(snap.status).toBe('problems');
    expect(snap.problems).toEqual([expect.objectContaining({ kind: 'cas_object', path: `cas/sha256/${digest}`, digest: `sha256:${digest}` })]);
    await expect(createSnapshotFromPlan(config, collectSources(config, [...COMPONENTS], false), 'strict', repoRoot, {}, { strict: true })).rejects.toMatchObject({ code: 'CORRUPT' });
    expect(await listSnapshotNames(repoPaths(repoRoot))).toEqual(['bad']);
  });
});
