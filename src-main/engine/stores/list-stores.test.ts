import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Env } from '../config/resolve.js';
import { openEngine, type Engine } from '../engine.js';
import { repoIndexKey } from '../registry/paths.js';
import { STORE_CLASSES, STORES } from '../registry/stores.js';
import { tempHome } from '../../test/temp-home.js';
import { listStores } from './list-stores.js';

const engines: Engine[] = [];
afterEach(async () => {
  for (const e of engines.splice(0)) await e.close();
});

function engineFor(env: Env): Engine {
  const e = openEngine({ env });
  engines.push(e);
  return e;
}

describe('listStores', () => {
  it('lists every store, grouped by class, absent ones as absent, keyed ones as a pattern', async () => {
    const e = engineFor(tempHome().env());
    const rows = await listStores(e.config);
    expect(rows.map((r) => r.name).sort()).toEqual(STORES.map((s) => s.name).sort());
    const order = rows.map((r) => STORE_CLASSES.indexOf(r.class));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    for (const r of rows) {
      expect(r).toMatchObject({ exists: false, size_bytes: 0, schema_version: null, error: null, driver: 'sqlite' });
    }
    expect(rows.find((r) => r.name === 'REPOINDEX')).toMatchObject({ key: null, keyed: true, path: path.join(e.config.storageRoot, 'repoindex', '<key>.db') });
    expect(rows.find((r) => r.name === 'OPENCODE')).toMatchObject({ read_only: true, backed_up_by_default: false });
  });

  it('shows size with the -wal, schema version, one row per key on disk, and never writes', async () => {
    const e = engineFor(tempHome().env());
    const mem = e.stores.get('MEMORY');
    mem.prepare(`INSERT INTO named_memory (id, name, type, workspace, result, digests, created_at, updated_at, last_accessed)
                 VALUES ('1', 'n', 't', 'w', randomblob(20000), '[]', 'c', 'u', 'l')`).run();
    e.stores.get('REPOINDEX', { repo: '/a/one' });
    e.stores.get('REPOINDEX', { repo: '/b/two' });
    const file = path.join(e.config.storageRoot, 'memory.db');
    const before = fs.statSync(file).mtimeMs;
    const rows = await listStores(e.config);
    const memory = rows.find((r) => r.name === 'MEMORY')!;
    expect(memory).toMatchObject({ exists: true, schema_version: 1, path: file, error: null });
    expect(memory.wal_bytes).toBeGreaterThan(20000);
    expect(memory.size_bytes).toBeGreaterThanOrEqual(fs.statSync(file).size + memory.wal_bytes);
    const repo = rows.filter((r) => r.name === 'REPOINDEX');
    expect(repo.map((r) => r.key)).toEqual([repoIndexKey('/a/one'), repoIndexKey('/b/two')].sort());
    for (const r of repo) expect(r).toMatchObject({ exists: true, schema_version: 1 });
    expect(fs.statSync(file).mtimeMs).toBe(before);
  });

  it('reports an invalid driver and a file that is not SQLite on their rows', async () => {
    const e = engineFor(tempHome().env({ FOXCTL_TEAMS_DB_DRIVER: 'oracle' }));
    fs.mkdirSync(e.config.storageRoot, { recursive: true });
    fs.writeFileSync(path.join(e.config.storageRoot, 'agents.db'), Buffer.alloc(4096, 7));
    const rows = await listStores(e.config);
    expect(rows.find((r) => r.name === 'TEAMS')).toMatchObject({ driver: null, error: expect.stringMatching(/unknown database driver "oracle"/) });
    expect(rows.find((r) => r.name === 'AGENTS')).toMatchObject({ exists: true, schema_version: null, error: expect.stringMatching(/not a SQLite database/) });
  });

  it('shows each remote store\'s driver and masked location, and warns about local_only stores on shared servers', async () => {
    const e = engineFor(
      tempHome().env({
        FOXCTL_DB_DRIVER: 'postgres',
        FOXCTL_POSTGRES_DSN: 'postgres://fox:Pa55w0rd-xyz@db.example:5432/foxctl',
        FOXCTL_TASKS_POSTGRES_SCHEMA: 'team_tasks',
        FOXCTL_MEMORY_DB_DRIVER: 'turso',
        FOXCTL_MEMORY_DB_URL: 'libsql://mem-org.turso.io',
        FOXCTL_MEMORY_DB_TOKEN: 'tok-abcdef-123456',
        FOXCTL_CACHE_DB_DRIVER: 'turso',
        FOXCTL_CACHE_DB_URL: 'file:/tmp/cache-turso.db',
        FOXCTL_JOBS_DB_DRIVER: 'sqlite',
        FOXCTL_AGENTS_DB_DRIVER: 'turso',
      }),
    );
    const rows = await listStores(e.config);
    const by = (n: string) => rows.find((r) => r.name === n)!;
    expect(JSON.stringify(rows)).not.toContain('Pa55w0rd-xyz');
    expect(JSON.stringify(rows)).not.toContain('tok-abcdef-123456');
    expect(by('SESSIONS')).toMatchObject({ driver: 'postgres', location: 'postgres://fox:****@db.example:5432/foxctl', schema: 'sessions', path: null, warning: null, error: null });
    expect(by('TASKS')).toMatchObject({ schema: 'team_tasks' });
    expect(by('MEMORY')).toMatchObject({ driver: 'turso', schema: null, warning: null, location: `libsql://mem-org.turso.io (replica ${path.join(e.config.storageRoot, 'memory.turso.replica')})` });
    // local_only: on a shared server -> warned; on a local file or on sqlite -> not.
    expect(by('BOARD')).toMatchObject({ driver: 'postgres', warning: expect.stringMatching(/BOARD is local_only \(rebuildable\) but points at a PostgreSQL database.*FOXCTL_BOARD_DB_DRIVER=sqlite/) });
    expect(by('QUOTAS').warning).toMatch(/device-local/);
    expect(by('CACHE')).toMatchObject({ driver: 'turso', location: 'file:/tmp/cache-turso.db', warning: null });
    expect(by('JOBS')).toMatchObject({ driver: 'sqlite', location: path.join(e.config.storageRoot, 'jobs.db'), warning: null });
    // Missing settings are the row's error, naming the variable.
    expect(by('AGENTS')).toMatchObject({ driver: 'turso', location: null, error: expect.stringMatching(/\$FOXCTL_AGENTS_DB_URL/) });
    expect(by('REPOINDEX').error).toMatch(/keyed/);
  });
});
