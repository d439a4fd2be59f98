// Browse a backup (archive or snapshot) without restoring: stores, tables, rows, read from a
// checked copy of the one database asked for.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '../engine.js';
import { tempHome, type TempHome } from '../../test/temp-home.js';
import { snapshotRepoRoot } from './backup-source.js';
import { createSnapshotFromPlan } from './repo/create-snapshot.js';
import { collectSources } from './sources.js';
import { engineOf, seedHome, sha256File } from './test-fixtures.js';
import { COMPONENTS } from './types.js';

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

async function snapshotHome(th: TempHome, name: string): Promise<void> {
  const config = th.config();
  await createSnapshotFromPlan(config, collectSources(config, [...COMPONENTS], false), name, snapshotRepoRoot(config), {}, { unreadable: 'problem' });
}

/** The browse temp directories of this process that exist now. */
function browseDirs(): string[] {
  return fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith('foxctl-browse-')).map((n) => path.join(os.tmpdir(), n));
}

describe('backup browse', () => {
  it('lists the stores, tables and paged rows of an archive and of a snapshot, and leaves the live home alone', async () => {
    const th = tempHome();
    const { storage } = seedHome(th);
    engine = engineOf(th);
    await engine.backups.create({ name: 'arch', components: ['databases'], format: 'tar' }).done;
    await snapshotHome(th, 'snap');
    // The live store moves on; browse shows the backup's rows, not these.
    const live = path.join(storage, 'memory.db');
    const db = engine.stores.get('MEMORY');
    db.prepare('UPDATE accounts SET note = ? WHERE id = 1').run('live only');
    engine.stores.closeFile(live);
    const before = sha256File(live);
    const dirsBefore = new Set(browseDirs());
    for (const [name, format] of [['arch', 'tar'], ['snap', 'snapshot']] as const) {
      const b = await engine.backups.browse(name);
      expect(b.format).toBe(format);
      expect(b.stores.map((s) => s.store)).toEqual(expect.arrayContaining(['KNOWLEDGE', 'MEMORY']));
      const t = await engine.backups.browseTables(name, 'memory');
      expect(t.path).toBe('storage/memory.db');
      expect(t.tables.find((x) => x.name === 'accounts')).toMatchObject({ rows: 20, rows_exact: true });
      const page = await engine.backups.browseRows(name, 'MEMORY', 'accounts', { limit: 5, offset: 0 });
      expect(page.columns).toEqual(['id', 'balance', 'note']);
      expect(page.rows.map((r) => r[0])).toEqual([1, 2, 3, 4, 5]);
      expect(page.rows[0]![2]).not.toBe('live only');
      expect(page.truncated).toBe(true);
      const last = await engine.backups.browseRows(name, 'MEMORY', 'accounts', { limit: 5, offset: 18 });
      expect(last.rows.map((r) => r[0])).toEqual([19, 20]);
      expect(last.truncated).toBe(false);
      await expect(engine.backups.browseRows(name, 'MEMORY', 'nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(engine.backups.browseTables(name, 'TASKS')).rejects.toThrow(/holds no database of store TASKS \(it holds .*MEMORY/);
    }
    // One materialized copy per (backup, store), in one temp dir of the session, gone on close.
    const mine = browseDirs().filter((d) => !dirsBefore.has(d));
    expect(mine).toHaveLength(1);
    expect(fs.readdirSync(mine[0]!).sort()).toEqual(['1-memory.db', '2-memory.db']);
    expect(sha256File(live)).toBe(before);
    await engine.close();
    engine = undefined;
    expect(fs.existsSync(mine[0]!)).toBe(false);
  });

  it('refuses to show a database whose bytes do not match the backup: CORRUPT naming the backup and the file', async () => {
    const th = tempHome();
    seedHome(th);
    await snapshotHome(th, 'snap');
    // Every pack damaged in its middle: memory.db's pages cannot all be right.
    const packs = path.join(snapshotRepoRoot(th.config()), 'packs');
    for (const rel of fs.readdirSync(packs, { recursive: true }) as string[]) {
      const f = path.join(packs, rel);
      if (!f.endsWith('.pack')) continue;
      const bytes = fs.readFileSync(f);
      bytes[Math.floor(bytes.length / 2)]! ^= 0x40;
      fs.writeFileSync(f, bytes);
    }
    engine = engineOf(th);
    expect((await engine.backups.browse('snap')).stores.length).toBeGreaterThan(2);
    await expect(engine.backups.browseTables('snap', 'MEMORY')).rejects.toThrow(/^backup snap: storage\/memory\.db: .*it cannot be browsed/);
  });
});
