import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempHome } from '../../../test/temp-home.js';
import { driverConformance, expectCode } from './conformance.js';
import { openStoreDriver } from './open.js';
import { startFaultServer } from './fault-server.js';

driverConformance('turso (file:)', async () => {
  const h = tempHome();
  const config = h.config({ FOXCTL_KNOWLEDGE_DB_DRIVER: 'turso', FOXCTL_KNOWLEDGE_DB_URL: `file:${path.join(h.home, 'remote', 'knowledge.db')}` });
  return { open: (migrations) => openStoreDriver(config, 'KNOWLEDGE', { ...(migrations ? { migrations } : {}) }) };
});

describe('turso store driver', () => {
  it('opens an explicit file: target, and the file is a SQLite database the sqlite driver reads', async () => {
    const h = tempHome();
    const file = path.join(h.home, 'target', 'tasks.db');
    const t = await openStoreDriver(h.config(), 'TASKS', { target: { url: `file:${file}` }, migrate: true });
    expect(t).toMatchObject({ driver: 'turso', dialect: 'sqlite', location: `file:${file}` });
    await t.run("INSERT INTO tasks (id, title, created_at, updated_at) VALUES (?, ?, 'c', 'u')", ['1', 'hello']);
    await t.close();
    const s = await openStoreDriver(h.config({ FOXCTL_TASKS_DB_PATH: file }), 'TASKS', { migrate: true });
    try {
      expect(await s.migrate()).toEqual({ applied: [], version: 1 });
      expect(await s.query('SELECT title FROM tasks')).toEqual([{ title: 'hello' }]);
    } finally {
      await s.close();
    }
  });

  it('two drivers on one local file in one process: a write waits for the other\'s transaction (no self-deadlock)', async () => {
    const h = tempHome();
    const target = { url: `file:${path.join(h.home, 'one.db')}` };
    const migrations = [{ version: 1, name: 'kv', sql: 'CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT)' }];
    const a = await openStoreDriver(h.config(), 'KNOWLEDGE', { target, migrations, migrate: true });
    const b = await openStoreDriver(h.config(), 'KNOWLEDGE', { target: { url: `file:${path.join(h.home, '.', 'one.db')}` }, migrations });
    try {
      const order: string[] = [];
      const tx = a.transaction(async (t) => {
        await t.run('INSERT INTO kv VALUES (?, ?)', ['a', '1']);
        await new Promise((r) => setTimeout(r, 300));
        order.push('a commits');
      });
      await new Promise((r) => setTimeout(r, 50));
      const t0 = Date.now();
      await b.run('INSERT INTO kv VALUES (?, ?)', ['b', '2']);
      order.push('b wrote');
      await tx;
      expect(order).toEqual(['a commits', 'b wrote']);
      expect(Date.now() - t0).toBeLessThan(5000);
      expect(await b.query('SELECT k FROM kv ORDER BY k')).toEqual([{ k: 'a' }, { k: 'b' }]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('fails with UNAVAILABLE within 10 s naming the store when the server is unreachable; the token never shows', async () => {
    const h = tempHome();
    const token = 'tok-SECRET-1234567890';
    // A local libSQL server URL on a port nobody listens on (http: needs no token; the token is sent anyway).
    const config = h.config({ FOXCTL_MEMORY_DB_DRIVER: 'turso', FOXCTL_MEMORY_DB_URL: 'http://127.0.0.1:9', FOXCTL_MEMORY_DB_TOKEN: token });
    const t0 = Date.now();
    const d = await openStoreDriver(config, 'MEMORY');
    const err = await expectCode(d.ping(), 'UNAVAILABLE', /store MEMORY/);
    await d.close();
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(err.message).not.toContain(token);
    expect(JSON.stringify(err)).not.toContain(token);
  });

  it('syncs an embedded replica of a remote URL at open: unreachable -> UNAVAILABLE, token masked', async () => {
    const h = tempHome();
    const token = 'replica-TOKEN-abcdef123456';
    const config = h.config({ FOXCTL_MEMORY_DB_DRIVER: 'turso', FOXCTL_MEMORY_DB_URL: 'https://127.0.0.1:9', FOXCTL_MEMORY_DB_TOKEN: token, FOXCTL_MEMORY_SYNC_INTERVAL: '30' });
    const t0 = Date.now();
    const err = await expectCode(openStoreDriver(config, 'MEMORY'), 'UNAVAILABLE', /store MEMORY/);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(err.message).not.toContain(token);
  });

  it('a server that drops every connection: UNAVAILABLE naming the store', async () => {
    const srv = await startFaultServer('reset');
    const token = 'drop-TOKEN-0987654321';
    const d = await openStoreDriver(tempHome().config({ FOXCTL_MEMORY_DB_DRIVER: 'turso', FOXCTL_MEMORY_DB_URL: `http://127.0.0.1:${srv.port}`, FOXCTL_MEMORY_DB_TOKEN: token }), 'MEMORY');
    try {
      const err = await expectCode(d.query('SELECT 1'), 'UNAVAILABLE', /cannot reach store MEMORY/);
      expect(err.message).not.toContain(token);
    } finally {
      await d.close();
      await srv.close();
    }
  });

  it('a server that never answers: UNAVAILABLE within 10 s, not a hang', async () => {
    const srv = await startFaultServer('silent');
    const d = await openStoreDriver(tempHome().config({ FOXCTL_MEMORY_DB_DRIVER: 'turso', FOXCTL_MEMORY_DB_URL: `http://127.0.0.1:${srv.port}` }), 'MEMORY');
    const t0 = Date.now();
    try {
      await expectCode(d.ping(), 'UNAVAILABLE', /store MEMORY .* did not answer within 8 s/);
      expect(Date.now() - t0).toBeLessThan(10_000);
    } finally {
      await d.close();
      await srv.close();
    }
  }, 30_000);
});
