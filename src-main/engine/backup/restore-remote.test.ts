// A store on a server written back from its backup copy (issue #15): the dry run shows rows now
// vs rows in the backup and changes nothing; the restore makes every table the backup's, checked
// by count and content, with PostgreSQL sequences past the restored ids.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStoreDriver } from '../db/drivers/open.js';
import type { StoreDriver } from '../db/drivers/types.js';
import { createTestDatabase, dropTestDatabase, postgresForSuite } from '../../test/pg-db.js';
import { tempHome, type TempHome } from '../../test/temp-home.js';
import { dumpRemoteStore } from './remote-dump.js';
import { restoreRemoteStore } from './restore-remote.js';

const server = postgresForSuite('postgres');
const NOW = '2026-12-02T03:00:00Z';

async function seed(d: StoreDriver, n: number): Promise<void> {
  await d.transaction(async (tx) => {
    for (let i = 0; i < n; i++) {
      await tx.run('INSERT INTO named_memory (id, name, type, workspace, result, digests, created_at, updated_at, last_accessed, access_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', [
        `m${String(i).padStart(3, '0')}`,
        `note-${i}`,
        'note',
        'ws',
        Buffer.from([i % 256, 7]),
        '[]',
        NOW,
        NOW,
        NOW,
        i,
      ]);
    }
  });
}

/** The table's content as one string, ordered, the same on every driver. */
async function contentOf(d: StoreDriver): Promise<string> {
  const rows = await d.query<{ id: string; access_count: unknown; name: string }>('SELECT id, access_count, name FROM named_memory ORDER BY id');
  return rows.map((r) => `${r.id}:${String(r.access_count)}:${r.name}`).join(',');
}

/** Backs the store up through its driver, damages the server's copy, and restores it. */
async function roundTrip(th: TempHome, env: Record<string, string>): Promise<void> {
  const config = th.config(env);
  const d = await openStoreDriver(config, 'MEMORY', { migrate: true });
  try {
    await seed(d, 120);
    await d.run(`CREATE TABLE IF NOT EXISTS facts (id ${d.dialect === 'postgres' ? 'BIGSERIAL' : 'INTEGER'} PRIMARY KEY, body TEXT)`);
    for (let i = 1; i <= 5; i++) await d.run('INSERT INTO facts (body) VALUES (?)', [`fact ${i}`]);
    const before = await contentOf(d);
    const file = path.join(th.home, 'memory-copy.db');
    await dumpRemoteStore(config, 'MEMORY', file);

    // After the backup: rows deleted, changed and added on the server.
    await d.run("DELETE FROM named_memory WHERE id < 'm010'");
    await d.run("UPDATE named_memory SET access_count = 999 WHERE id = 'm050'");
    await seed(d, 0);
    await d.run("INSERT INTO named_memory (id, name, type, workspace, result, digests, created_at, updated_at, last_accessed) VALUES ('intruder', 'x', 'note', 'ws', ?, '[]', ?, ?, ?)", [Buffer.from([1]), NOW, NOW, NOW]);
    if (d.dialect === 'postgres') {
      // The server was reset: its sequence starts again at 1, below ids the backup holds.
      await d.run('TRUNCATE facts RESTART IDENTITY');
      for (let i = 1; i <= 2; i++) await d.run('INSERT INTO facts (body) VALUES (?)', [`new ${i}`]);
    } else {
      await d.run('DELETE FROM facts WHERE id > 2');
    }

    const dry = await restoreRemoteStore(config, 'MEMORY', file, { dryRun: true });
    expect(dry.tables.find((t) => t.table === 'named_memory')).toMatchObject({ rows_now: 111, rows_in_backup: 120, rows_after: null });
    expect(dry.tables.find((t) => t.table === 'facts')).toMatchObject({ rows_now: 2, rows_in_backup: 5 });
    expect(await contentOf(d)).not.toBe(before);

    const progress: number[] = [];
    const done = await restoreRemoteStore(config, 'MEMORY', file, { onRows: (n) => progress.push(n) });
    expect(done.tables.find((t) => t.table === 'named_memory')).toMatchObject({ rows_now: 111, rows_in_backup: 120, rows_after: 120 });
    expect(await contentOf(d)).toBe(before);
    expect(progress.at(-1)).toBeGreaterThan(0);
    // The next insert after a restore gets a fresh id, not one the backup brought back.
    await d.run('INSERT INTO facts (body) VALUES (?)', ['after']);
    expect((await d.query<{ id: unknown }>("SELECT id FROM facts WHERE body = 'after'")).map((r) => Number(r.id))).toEqual([6]);
  } finally {
    await d.close();
  }
}

describe.skipIf(server.skip)('restore of a store on PostgreSQL from its backup copy', () => {
  let dsn = '';
  beforeAll(async () => {
    dsn = await createTestDatabase(server.dsn as string, 'remote_restore');
  }, 60_000);
  afterAll(async () => {
    if (dsn) await dropTestDatabase(server.dsn as string, dsn);
  });

  it('dry run changes nothing; restore makes every table the backup’s, sequences moved on', async () => {
    const th = tempHome();
    await roundTrip(th, { FOXCTL_MEMORY_DB_DRIVER: 'postgres', FOXCTL_MEMORY_POSTGRES_DSN: dsn });
  });
});

describe('restore of a store on libSQL (turso file:) from its backup copy', () => {
  it('dry run changes nothing; restore makes every table the backup’s', async () => {
    const th = tempHome();
    await roundTrip(th, { FOXCTL_MEMORY_DB_DRIVER: 'turso', FOXCTL_MEMORY_DB_URL: `file:${path.join(th.home, 'remote', 'memory.db')}` });
  });
});
