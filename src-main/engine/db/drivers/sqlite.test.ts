import { describe, expect, it } from 'vitest';
import { tempHome } from '../../../test/temp-home.js';
import { driverConformance, expectCode } from './conformance.js';
import { openStoreDriver } from './open.js';

driverConformance('sqlite', async () => {
  const config = tempHome().config();
  return { open: (migrations) => openStoreDriver(config, 'KNOWLEDGE', { ...(migrations ? { migrations } : {}) }) };
});

describe('sqlite store driver', () => {
  it('opens the store file of FOXCTL_<STORE>_DB_PATH and applies the store migrations', async () => {
    const h = tempHome();
    const config = h.config({ FOXCTL_TASKS_DB_PATH: `${h.home}/elsewhere/t.db` });
    const d = await openStoreDriver(config, 'tasks', { migrate: true });
    try {
      expect(d).toMatchObject({ driver: 'sqlite', dialect: 'sqlite', location: `${h.home}/elsewhere/t.db`, schema: null, readOnly: false });
      expect((await d.tables()).map((t) => t.name)).toEqual(['task_dependencies', 'tasks']);
    } finally {
      await d.close();
    }
  });

  it('opens an external store read-only: reads work, writes are UNSUPPORTED', async () => {
    const h = tempHome();
    const config = h.config();
    const w = await openStoreDriver(config, 'KNOWLEDGE', { migrations: [{ version: 1, name: 't', sql: 'CREATE TABLE t (x)' }], migrate: true });
    await w.run('INSERT INTO t VALUES (?)', [1]);
    await w.close();
    const fs = await import('node:fs');
    fs.copyFileSync(`${config.storageRoot}/knowledge.db`, `${config.storageRoot}/opencode.db`);
    const d = await openStoreDriver(config, 'opencode');
    try {
      expect(d.readOnly).toBe(true);
      expect(await d.query('SELECT x FROM t')).toEqual([{ x: 1 }]);
      await expectCode(d.run('INSERT INTO t VALUES (2)'), 'UNSUPPORTED', /read-only/);
      await expectCode(d.query('DELETE FROM t'), 'UNSUPPORTED', /read-only/);
      await expectCode(d.transaction(async () => 1), 'UNSUPPORTED', /read-only/);
      await expectCode(d.migrate(), 'UNSUPPORTED', /read-only/);
    } finally {
      await d.close();
    }
  });

  it('refuses an unknown driver and a keyed store on a remote driver', async () => {
    const h = tempHome();
    await expectCode(openStoreDriver(h.config({ FOXCTL_MEMORY_DB_DRIVER: 'mysql' }), 'MEMORY'), 'INVALID_INPUT', /unknown database driver "mysql".*FOXCTL_MEMORY_DB_DRIVER/);
    await expectCode(openStoreDriver(h.config({ FOXCTL_REPOINDEX_DB_DRIVER: 'postgres' }), 'REPOINDEX', { key: 'x' }), 'UNSUPPORTED', /keyed/);
  });
});
