// Backups of stores that live on a server (issue #15): the store is copied through its driver
// into a SQLite file archived as `storage/<file>`, which the sqlite3 CLI (standing in for the Go
// tool) reads like any local store; a leftover local file is never archived in its place.
import { execFileSync } from 'node:child_process';
import pg from 'pg';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openStoreDriver } from '../db/drivers/open.js';
import type { Engine } from '../engine.js';
import { createTestDatabase, dropTestDatabase, postgresForSuite } from '../../test/pg-db.js';
import { tempHome, type TempHome } from '../../test/temp-home.js';
import { engineOf, readEntries } from './test-fixtures.js';
import type { Manifest } from './types.js';

const server = postgresForSuite('postgres');
let engine: Engine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

const NOW = '2026-12-02T03:00:00Z';

/** Puts `n` memories into the store through its driver, the way another foxctl process would. */
async function seedMemory(th: TempHome, env: Record<string, string>, n: number): Promise<void> {
  const d = await openStoreDriver(th.config(env), 'MEMORY', { migrate: true });
  try {
    for (let i = 0; i < n; i++) {
      await d.run('INSERT INTO named_memory (id, name, type, workspace, result, digests, created_at, updated_at, last_accessed, access_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', [
        `m${i}`,
        `note-${i}`,
        'note',
        'ws',
        Buffer.from([0, 1, 2, i % 256]),
        '[]',
        NOW,
        NOW,
        NOW,
        i,
      ]);
    }
  } finally {
    await d.close();
  }
}

/** A stale local memory.db holding a row the server does not have, written by the sqlite3 CLI. */
function staleLocalMemory(th: TempHome): void {
  const file = path.join(th.home, 'storage', 'memory.db');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  execFileSync('sqlite3', [file, "CREATE TABLE named_memory (id TEXT PRIMARY KEY, name TEXT); INSERT INTO named_memory VALUES ('stale', 'left behind');"]);
}

/** Extracts one archive entry to a file and returns the sqlite3 CLI's answer to `sql` on it. */
async function queryEntry(archive: string, entry: string, sql: string): Promise<string> {
  const e = (await readEntries(archive)).find((x) => x.header.name === entry);
  if (!e) throw new Error(`${entry} is not in ${archive}`);
  const file = path.join(path.dirname(archive), `check-${path.basename(entry)}`);
  fs.writeFileSync(file, e.data);
  return execFileSync('sqlite3', [file, sql], { encoding: 'utf8' }).trim();
}

async function manifestOf(archive: string): Promise<Manifest> {
  const m = (await readEntries(archive)).find((x) => x.header.name === 'manifest.json')!;
  return JSON.parse(m.data.toString('utf8')) as Manifest;
}

describe.skipIf(server.skip)('backup of a store on PostgreSQL', () => {
  let dsn = '';
  beforeAll(async () => {
    dsn = await createTestDatabase(server.dsn as string, 'remote_backup');
  }, 60_000);
  afterAll(async () => {
    if (dsn) await dropTestDatabase(server.dsn as string, dsn);
  });

  it('archives the server copy as storage/memory.db, every row and byte, and leaves the stale local file out', async () => {
    const th = tempHome();
    const env = { FOXCTL_MEMORY_DB_DRIVER: 'postgres', FOXCTL_MEMORY_POSTGRES_DSN: dsn };
    await seedMemory(th, env, 250);
    staleLocalMemory(th);
    engine = engineOf(th, env);
    const res = await engine.backups.create({ format: 'tar', name: 'pg', components: ['databases'] }).done;
    expect(res.status, JSON.stringify(res.problems)).toBe('ok');
    expect(res.warnings.join('\n')).toMatch(/store MEMORY uses the postgres driver: backed up from the server; the local file storage\/memory\.db/);
    const manifest = await manifestOf(res.path);
    expect(manifest.files.filter((f) => f.path === 'storage/memory.db')).toHaveLength(1);
    expect(await queryEntry(res.path, 'storage/memory.db', 'SELECT count(*), sum(access_count), hex(result) FROM named_memory WHERE id = \'m7\'')).toBe('1|7|00010207');
    expect(await queryEntry(res.path, 'storage/memory.db', 'SELECT count(*) FROM named_memory')).toBe('250');
    expect(await queryEntry(res.path, 'storage/memory.db', "SELECT count(*) FROM named_memory WHERE id = 'stale'")).toBe('0');
    // The copy has the store's own SQLite schema at the server's version, indexes included.
    expect(await queryEntry(res.path, 'storage/memory.db', "SELECT count(*) FROM sqlite_master WHERE name = 'idx_named_memory_ws_updated'")).toBe('1');
    expect(Number(await queryEntry(res.path, 'storage/memory.db', 'SELECT max(version) FROM schema_migrations'))).toBeGreaterThan(0);
    expect(await queryEntry(res.path, 'storage/memory.db', 'PRAGMA integrity_check')).toBe('ok');
  });

  it('the server ends the connection mid-copy: a problem naming MEMORY, no half-written copy in the archive', { timeout: 60_000 }, async () => {
    const th = tempHome();
    const own = await createTestDatabase(server.dsn as string, 'remote_cut');
    const env = { FOXCTL_MEMORY_DB_DRIVER: 'postgres', FOXCTL_MEMORY_POSTGRES_DSN: own };
    await seedMemory(th, env, 1);
    const admin = new pg.Client({ connectionString: own });
    await admin.connect();
    try {
      const schema = (await admin.query<{ s: string }>("SELECT table_schema AS s FROM information_schema.tables WHERE table_name = 'named_memory'")).rows[0]!.s;
      // Enough rows that the copy is still fetching when the server ends its connection.
      await admin.query(
        `INSERT INTO "${schema}".named_memory (id, name, type, workspace, result, digests, created_at, updated_at, last_accessed)
         SELECT 'g' || i, 'bulk-' || i, 'note', 'ws', convert_to(repeat('x', 2000), 'UTF8'), '[]', $1, $1, $1 FROM generate_series(1, 60000) i`,
        [NOW],
      );
      engine = engineOf(th, env);
      const job = engine.backups.create({ format: 'tar', name: 'cut', components: ['databases'] });
      let killed = 0;
      for (let i = 0; i < 400 && killed === 0; i++) {
        const r = await admin.query("SELECT pg_terminate_backend(pid) AS k FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'FETCH FORWARD%' AND pid <> pg_backend_pid()");
        killed = r.rows.length;
        if (killed === 0) await new Promise((res) => setTimeout(res, 25));
      }
      expect(killed, 'the copy was never seen fetching').toBeGreaterThan(0);
      const t0 = Date.now();
      const res = await job.done;
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(res.status).toBe('completed_with_problems');
      expect(res.problems.find((x) => x.store === 'MEMORY')?.detail).toMatch(/^UNAVAILABLE: .*store MEMORY/);
      expect((await manifestOf(res.path)).files.map((f) => f.path)).not.toContain('storage/memory.db');
    } finally {
      await admin.end();
      await engine?.close();
      engine = undefined;
      await dropTestDatabase(server.dsn as string, own);
    }
  });

  it('restore writes the backup copy back to the server, with a dry run and a safety copy of what it replaced', { timeout: 90_000 }, async () => {
    const th = tempHome();
    const own = await createTestDatabase(server.dsn as string, 'remote_back');
    const env = { FOXCTL_MEMORY_DB_DRIVER: 'postgres', FOXCTL_MEMORY_POSTGRES_DSN: own };
    try {
      await seedMemory(th, env, 40);
      engine = engineOf(th, env);
      for (const format of ['tar', 'snapshot'] as const) {
        const name = `back-${format}`;
        const made = await engine.backups.create({ name, components: ['databases'], format }).done;
        expect(made.status, JSON.stringify(made.problems)).toBe('ok');
        // After the backup the server loses rows and gains one.
        const d = await openStoreDriver(th.config(env), 'MEMORY');
        try {
          await d.run("DELETE FROM named_memory WHERE id IN ('m1', 'm2', 'm3')");
          await d.run("UPDATE named_memory SET access_count = 999 WHERE id = 'm4'");
          const plan = await engine.backups.restore(name, { stores: ['MEMORY'], dryRun: true }).done;
          const f = plan.files.find((x) => x.store === 'MEMORY')!;
          expect(f).toMatchObject({ through: 'postgres', action: 'would-skip' });
          expect(f.reason).toMatch(/store MEMORY is on postgres \(pass --force/);
          const done = await engine.backups.restore(name, { stores: ['MEMORY'], force: true }).done;
          expect(done.files.find((x) => x.store === 'MEMORY')?.action).toBe('replaced');
          const rows = await d.query<{ n: unknown; s: unknown }>('SELECT count(*) AS n, sum(access_count) AS s FROM named_memory');
          expect({ n: Number(rows[0]!.n), s: Number(rows[0]!.s) }).toEqual({ n: 40, s: (39 * 40) / 2 });
          // The safety backup holds the server's state from just before: 37 rows, m4 at 999.
          expect(done.safety_backup).not.toBeNull();
          expect(await queryEntry(done.safety_backup!.path, 'storage/memory.db', "SELECT count(*), max(access_count) FROM named_memory")).toBe('37|999');
        } finally {
          await d.close();
        }
      }
    } finally {
      await engine?.close();
      engine = undefined;
      await dropTestDatabase(server.dsn as string, own);
    }
  });

  it('a server that cannot be reached: the backup finishes with a problem naming the store within 10 s', async () => {
    const th = tempHome();
    staleLocalMemory(th);
    engine = engineOf(th, { FOXCTL_MEMORY_DB_DRIVER: 'postgres', FOXCTL_MEMORY_POSTGRES_DSN: 'postgres://fox:secret-pw@127.0.0.1:9/none' });
    const t0 = Date.now();
    const res = await engine.backups.create({ format: 'tar', name: 'down', components: ['databases'] }).done;
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(res.status).toBe('completed_with_problems');
    const p = res.problems.find((x) => x.store === 'MEMORY');
    expect(p?.kind).toBe('store_unavailable');
    expect(p?.detail).toMatch(/UNAVAILABLE/);
    expect(JSON.stringify(res)).not.toContain('secret-pw');
    expect((await manifestOf(res.path)).files.map((f) => f.path)).not.toContain('storage/memory.db');
  });
});

describe('backup of stores on libSQL and with an unknown driver', () => {
  it('a turso (file:) store is archived from the driver, readable by sqlite3', async () => {
    const th = tempHome();
    const url = `file:${path.join(th.home, 'remote', 'knowledge.db')}`;
    const env = { FOXCTL_KNOWLEDGE_DB_DRIVER: 'turso', FOXCTL_KNOWLEDGE_DB_URL: url };
    const d = await openStoreDriver(th.config(env), 'KNOWLEDGE', { migrate: true });
    await d.run('CREATE TABLE facts (id INTEGER PRIMARY KEY, body TEXT, raw BLOB)');
    await d.run('CREATE INDEX facts_body ON facts (body)');
    await d.transaction(async (tx) => {
      for (let i = 0; i < 1500; i++) await tx.run('INSERT INTO facts (body, raw) VALUES (?, ?)', [`fact ${i}`, Buffer.from([i % 256])]);
    });
    await d.close();
    engine = engineOf(th, env);
    const res = await engine.backups.create({ format: 'tar', name: 'turso', components: ['databases'] }).done;
    expect(res.status, JSON.stringify(res.problems)).toBe('ok');
    expect(await queryEntry(res.path, 'storage/knowledge.db', 'SELECT count(*), max(id), sum(unicode(body)) > 0 FROM facts')).toBe('1500|1500|1');
    expect(await queryEntry(res.path, 'storage/knowledge.db', "SELECT count(*) FROM sqlite_master WHERE name = 'facts_body'")).toBe('1');
  });

  it('an unknown driver name is a problem naming where it came from, and no copy of that store is archived', async () => {
    const th = tempHome();
    staleLocalMemory(th);
    execFileSync('sqlite3', [path.join(th.home, 'storage', 'tasks.db'), 'CREATE TABLE t (x); INSERT INTO t VALUES (1);']);
    engine = engineOf(th, { FOXCTL_MEMORY_DB_DRIVER: 'mysql' });
    const res = await engine.backups.create({ format: 'tar', name: 'bad', components: ['databases'] }).done;
    expect(res.status).toBe('completed_with_problems');
    const p = res.problems.find((x) => x.store === 'MEMORY');
    expect(p?.detail).toMatch(/unknown database driver "mysql" for store MEMORY \(from \$FOXCTL_MEMORY_DB_DRIVER\)/);
    const paths = (await manifestOf(res.path)).files.map((f) => f.path);
    expect(paths).not.toContain('storage/memory.db');
    expect(paths).toContain('storage/tasks.db');
  });
});
