import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Overview, Store } from '../../src-preload/contract.js';
import { openStoreDriver } from '../engine/db/drivers/open.js';
import { openEngine, type Engine } from '../engine/engine.js';
import { failure, value } from '../test/bridge-result.js';
import { createTestDatabase, dropTestDatabase, postgresForSuite } from '../test/pg-db.js';
import { tempHome } from '../test/temp-home.js';
import { ApiDispatcher } from './dispatch.js';
import { createHandlers } from './handlers.js';

const server = postgresForSuite('remote-store-detail');
const origin = { scope: 'test', requestId: 'r1' };

describe.skipIf(server.skip)('the Stores view on remote drivers: detail calls and sizes from the server', () => {
  let dsn = '';
  let password = '';
  const engines: Engine[] = [];
  beforeAll(async () => {
    dsn = await createTestDatabase(server.dsn as string, 'rsd');
    password = decodeURIComponent(new URL(dsn).password);
  });
  afterAll(async () => {
    if (dsn) await dropTestDatabase(server.dsn as string, dsn);
  });
  afterEach(async () => {
    for (const e of engines.splice(0)) await e.close();
  });

  async function apiFor(env: Record<string, string | undefined>): Promise<ApiDispatcher> {
    const engine = openEngine({ env });
    engines.push(engine);
    // TASKS migrated on its driver with one row, as `foxctl init` and an agent would leave it.
    const d = await openStoreDriver(engine.config, 'TASKS', { migrate: true });
    try {
      await d.run("INSERT INTO tasks (id, title, created_at, updated_at) VALUES ('t1', 'one', 'c', 'u')");
    } finally {
      await d.close();
    }
    return new ApiDispatcher(createHandlers(engine, { mode: 'browser', version: 'test' }));
  }

  for (const kind of ['postgres', 'turso'] as const) {
    it(`${kind}: stores.list and the Overview size TASKS from the server; info, tables, schema, browse, query and check answer`, async () => {
      const h = tempHome();
      const env =
        kind === 'postgres'
          ? h.env({ FOXCTL_TASKS_DB_DRIVER: 'postgres', FOXCTL_TASKS_POSTGRES_DSN: dsn, FOXCTL_TASKS_POSTGRES_SCHEMA: `rsd_${Date.now()}` })
          : h.env({ FOXCTL_TASKS_DB_DRIVER: 'turso', FOXCTL_TASKS_DB_URL: `file:${path.join(h.home, 'tasks.turso.db')}` });
      const api = await apiFor(env);
      const tasks = value<Store[]>(await api.invoke('stores.list', {}, origin)).find((s) => s.name === 'TASKS')!;
      expect(tasks).toMatchObject({ driver: kind, exists: true, error: null, schema_version: expect.any(Number) });
      expect(tasks.size_bytes).toBeGreaterThan(0);
      const overview = value<Overview>(await api.invoke('overview.get', {}, origin));
      expect(overview.classes.find((c) => c.class === 'sync_critical')!.bytes).toBeGreaterThanOrEqual(tasks.size_bytes);

      const info = value<{ driver: string; path: string; size_bytes: number }>(await api.invoke('db.info', { store: 'tasks' }, origin));
      expect(info).toMatchObject({ driver: kind, size_bytes: tasks.size_bytes });
      expect(info.path).not.toContain(password);
      const tables = value<{ name: string; rows: number }[]>(await api.invoke('db.tables', { store: 'TASKS' }, origin));
      expect(tables.find((t) => t.name === 'tasks')).toMatchObject({ rows: 1, rows_exact: true });
      const schema = value<{ name: string; sql: string }[]>(await api.invoke('db.schema', { store: 'TASKS' }, origin));
      expect(schema.find((o) => o.name === 'tasks')?.sql).toMatch(/^CREATE TABLE tasks/);
      const page = value<{ rows: unknown[][]; columns: string[] }>(await api.invoke('db.browse', { store: 'TASKS', table: 'tasks', offset: 0, limit: 50 }, origin));
      expect(page.rows[0]?.[page.columns.indexOf('title')]).toBe('one');
      const q = value<{ rows: unknown[][] }>(await api.invoke('db.query', { store: 'TASKS', sql: 'SELECT count(*) AS n FROM tasks' }, origin));
      expect(q.rows).toEqual([[1]]);
      const refused = failure(await api.invoke('db.query', { store: 'TASKS', sql: 'DELETE FROM tasks' }, origin));
      expect(refused.code).toBe('INVALID_INPUT');
      const check = value<{ driver: string; available: boolean }>(await api.invoke('db.check', { store: 'TASKS', quick: true }, origin));
      expect(check.driver).toBe(kind);
      // The test database has no amcheck: PostgreSQL says so instead of "ok".
      expect(check.available).toBe(kind === 'turso');
    }, 60_000);
  }

  it('a server that is down: its store carries the error, the other stores still list', async () => {
    const u = new URL(dsn);
    u.port = '1';
    const api = new ApiDispatcher(createHandlers((engines[engines.push(openEngine({ env: tempHome().env({ FOXCTL_TASKS_DB_DRIVER: 'postgres', FOXCTL_TASKS_POSTGRES_DSN: u.toString() }) })) - 1]!), { mode: 'browser', version: 'test' }));
    const t0 = Date.now();
    const stores = value<Store[]>(await api.invoke('stores.list', {}, origin));
    expect(Date.now() - t0).toBeLessThan(10_000);
    const tasks = stores.find((s) => s.name === 'TASKS')!;
    expect(tasks.error).toMatch(/cannot reach store TASKS/);
    expect(tasks.error).not.toContain(password);
    expect(stores.find((s) => s.name === 'MEMORY')).toMatchObject({ driver: 'sqlite', error: null });
  });
});
