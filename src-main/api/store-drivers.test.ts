import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { openEngine } from '../engine/engine.js';
import { setStoreDriver } from '../engine/stores/store-drivers.js';
import { postgresForSuite } from '../test/pg-db.js';
import { tempHome } from '../test/temp-home.js';
import { ApiDispatcher } from './dispatch.js';
import { createHandlers } from './handlers.js';

const origin = { scope: 'test', requestId: 'r1' };
const pgServer = postgresForSuite('store-drivers');

interface Res {
  ok: boolean;
  value?: Record<string, unknown>;
  error?: { code: string; message: string };
}
interface Row {
  store: string;
  driver: string | null;
  source: string;
  from: string;
  saved: string | null;
  warning: string | null;
  error: string | null;
  location: string | null;
}

/** An engine in a temp home and a caller of its bridge handlers, recording every response. */
function setup(extraEnv: Record<string, string> = {}) {
  const th = tempHome();
  const engine = openEngine({ env: th.env(extraEnv) });
  const api = new ApiDispatcher(createHandlers(engine, { mode: 'browser', version: 'test' }));
  const responses: unknown[] = [];
  const call = async (name: string, input: unknown): Promise<Res> => {
    const r = await api.invoke(name as 'settings.get', input as Record<string, never>, origin);
    responses.push(r);
    return r as Res;
  };
  const row = async (store: string): Promise<Row> => {
    const r = await call('settings.storeDrivers', {});
    return (r.value!.stores as Row[]).find((s) => s.store === store)!;
  };
  const listed = async (store: string): Promise<Record<string, unknown>> => {
    const r = (await api.invoke('stores.list', {}, origin)) as { value: Record<string, unknown>[] };
    return r.value.find((s) => s.name === store)!;
  };
  const configFile = path.join(th.home, 'config.yaml');
  return { th, engine, call, row, listed, responses, configFile };
}

describe('store drivers in the Settings view (settings.storeDrivers / settings.setStoreDriver)', () => {
  it.skipIf(pgServer.skip !== undefined)('saves MEMORY on postgres in config.yaml, applies it at once, and resets it', async () => {
    const { engine, call, row, listed, responses, configFile } = setup();
    try {
      expect(await row('MEMORY')).toMatchObject({ driver: 'sqlite', source: 'default', from: 'db.driver (default)', saved: null });
      // Without a DSN: refused, naming the missing setting, nothing written.
      const refused = await call('settings.setStoreDriver', { store: 'MEMORY', driver: 'postgres' });
      expect(refused.error?.code).toBe('INVALID_INPUT');
      expect(refused.error?.message).toMatch(/MEMORY was not switched to postgres: .*no DSN: set \$FOXCTL_MEMORY_POSTGRES_DSN.*save the PostgreSQL form \(postgres\.dsn\) first/);
      expect(fs.existsSync(configFile)).toBe(false);

      // A DSN with a password, saved by the PostgreSQL form (the password goes to the secret store).
      const u = new URL(pgServer.dsn!);
      u.password = 'pw-Secret-42';
      const saved = await call('settings.save', { values: [{ key: 'postgres.dsn', value: u.toString() }], plaintextConsent: true });
      expect(saved.ok, JSON.stringify(saved.error)).toBe(true);

      const set = await call('settings.setStoreDriver', { store: 'MEMORY', driver: 'postgres' });
      expect(set.ok, JSON.stringify(set.error)).toBe(true);
      expect(set.value!.overriddenBy).toBeNull();
      // Written and read back.
      expect(parse(fs.readFileSync(configFile, 'utf8'))).toMatchObject({ stores: { memory: { driver: 'postgres' } } });
      const m = await row('MEMORY');
      expect(m).toMatchObject({ driver: 'postgres', source: 'file', from: 'stores.memory.driver', saved: 'postgres', error: null, warning: null });
      expect(m.location).toContain(':****@');
      // stores.list and the engine's drivers use it now.
      // The list asks the server for the store's size: the made-up password is refused, said
      // on the store's row with the secret masked.
      const onServer = await listed('MEMORY');
      expect(onServer).toMatchObject({ driver: 'postgres', schema: 'memory' });
      expect(onServer.error).toMatch(/store MEMORY .*refused the credentials/);
      expect(onServer.error).not.toContain('pw-Secret-42');
      expect(() => engine.stores.get('MEMORY')).toThrow(/uses the postgres driver/);
      // Other stores keep the default driver.
      expect(await listed('TASKS')).toMatchObject({ driver: 'sqlite' });

      // A local_only store on the shared server: allowed, with the stores list warning.
      const cache = await call('settings.setStoreDriver', { store: 'CACHE', driver: 'postgres' });
      expect(cache.ok).toBe(true);
      expect((await row('CACHE')).warning).toMatch(/CACHE is local_only \(rebuildable\) but points at a PostgreSQL database/);

      // Reset to the default: the key leaves the file.
      expect((await call('settings.setStoreDriver', { store: 'MEMORY', driver: null })).ok).toBe(true);
      expect((await call('settings.setStoreDriver', { store: 'CACHE', driver: null })).ok).toBe(true);
      expect(parse(fs.readFileSync(configFile, 'utf8'))).not.toHaveProperty('stores');
      expect(await row('MEMORY')).toMatchObject({ driver: 'sqlite', source: 'default', saved: null });
      expect(await listed('MEMORY')).toMatchObject({ driver: 'sqlite' });
      // The password never left the engine.
      expect(JSON.stringify(responses)).not.toContain('pw-Secret-42');
    } finally {
      await engine.close();
    }
  });

  it('lets FOXCTL_<STORE>_DB_DRIVER win over the saved value and says so', async () => {
    const { engine, call, row, listed, configFile } = setup({ FOXCTL_TASKS_DB_DRIVER: 'sqlite', FOXCTL_TURSO_URL: 'file:/tmp/foxctl-h7-never-opened.db' });
    try {
      const set = await call('settings.setStoreDriver', { store: 'TASKS', driver: 'turso' });
      expect(set.ok, JSON.stringify(set.error)).toBe(true);
      expect(set.value!.overriddenBy).toBe('FOXCTL_TASKS_DB_DRIVER');
      expect(parse(fs.readFileSync(configFile, 'utf8'))).toMatchObject({ stores: { tasks: { driver: 'turso' } } });
      expect(await row('TASKS')).toMatchObject({ driver: 'sqlite', source: 'env', from: '$FOXCTL_TASKS_DB_DRIVER', saved: 'turso' });
      expect(await listed('TASKS')).toMatchObject({ driver: 'sqlite' });
      // A store without an env variable takes the saved turso driver (a file: URL is not shared: no warning).
      expect((await call('settings.setStoreDriver', { store: 'BOARD', driver: 'turso' })).ok).toBe(true);
      expect(await row('BOARD')).toMatchObject({ driver: 'turso', source: 'file', warning: null, location: 'file:/tmp/foxctl-h7-never-opened.db' });
    } finally {
      await engine.close();
    }
  });

  it('refuses external stores, unknown stores and drivers, and keyed stores on a remote driver', async () => {
    const { engine, call, configFile } = setup({ FOXCTL_POSTGRES_DSN: 'postgres://u@127.0.0.1:1/db' });
    try {
      const ext = await call('settings.setStoreDriver', { store: 'OPENCODE', driver: 'sqlite' });
      expect(ext.error).toMatchObject({ code: 'UNSUPPORTED', message: expect.stringMatching(/OPENCODE is external: owned by another tool and read-only here/) });
      const unknownStore = await call('settings.setStoreDriver', { store: 'NOPE', driver: 'sqlite' });
      expect(unknownStore.error).toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/unknown store "NOPE"/) });
      // The bridge refuses a driver outside its list; the engine names it for any other caller (the CLI).
      const bridge = await call('settings.setStoreDriver', { store: 'MEMORY', driver: 'mysql' });
      expect(bridge.error?.code).toBe('INVALID_INPUT');
      expect(() => setStoreDriver(engine.config, engine.settings.baseEnv, 'MEMORY', 'mysql')).toThrow(/unknown database driver "mysql" for store MEMORY; valid drivers: sqlite, turso, postgres, libsql/);
      const keyed = await call('settings.setStoreDriver', { store: 'REPOINDEX', driver: 'postgres' });
      expect(keyed.error).toMatchObject({ code: 'UNSUPPORTED', message: expect.stringMatching(/REPOINDEX is keyed and lives only in local SQLite files/) });
      const turso = await call('settings.setStoreDriver', { store: 'MEMORY', driver: 'turso' });
      expect(turso.error?.message).toMatch(/MEMORY was not switched to turso: .*\$FOXCTL_MEMORY_DB_URL.*save the Turso \/ libSQL form \(turso\.url\) first/);
      // settings.save applies the same checks to a stores.<store>.driver key.
      const viaSave = await call('settings.save', { values: [{ key: 'stores.repoindex.driver', value: 'postgres' }] });
      expect(viaSave.error?.message).toMatch(/REPOINDEX is keyed/);
      const extViaSave = await call('settings.save', { values: [{ key: 'stores.opencode.driver', value: 'sqlite' }] });
      expect(extViaSave.error?.message).toMatch(/OPENCODE is external/);
      expect(fs.existsSync(configFile)).toBe(false);
      const ok = await call('settings.save', { values: [{ key: 'stores.memory.driver', value: 'postgres' }] });
      expect(ok.ok, JSON.stringify(ok.error)).toBe(true);
      expect(parse(fs.readFileSync(configFile, 'utf8'))).toMatchObject({ stores: { memory: { driver: 'postgres' } } });
      // A bad value written by hand is reported, never a silent fallback.
      fs.writeFileSync(configFile, 'stores:\n  memory:\n    driver: mysql\n');
      await engine.reloadSettings();
      const r = await call('settings.storeDrivers', {});
      const m = (r.value!.stores as Row[]).find((s) => s.store === 'MEMORY')!;
      expect(m).toMatchObject({ driver: null, source: 'file', saved: 'mysql' });
      expect(m.error).toMatch(/unknown database driver "mysql"/);
      expect((r.value!.external as string[])).toEqual(['OPENCODE']);
    } finally {
      await engine.close();
    }
  });
});
