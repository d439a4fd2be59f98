import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeGoLibsqlStore } from '../../../test/go-home/config.js';
import { tempHome } from '../../../test/temp-home.js';
import { driverConformance, expectCode } from './conformance.js';
import { openStoreDriver } from './open.js';
import { libsqlStoreSettings } from './settings.js';
import { lookupStore } from '../../registry/stores.js';

driverConformance('libsql (local file)', async () => {
  const config = tempHome().config({ FOXCTL_KNOWLEDGE_DB_DRIVER: 'libsql' });
  return { open: (migrations) => openStoreDriver(config, 'KNOWLEDGE', { ...(migrations ? { migrations } : {}) }) };
});

describe('libsql store driver (the Go foxctl\'s local-first libSQL files)', () => {
  it('opens <storage.root>/<name>.libsql, the file Go wrote, and reads its rows', async () => {
    const h = tempHome();
    const file = path.join(h.home, 'storage', 'memory.libsql');
    writeGoLibsqlStore(file, "CREATE TABLE named_memory (name TEXT PRIMARY KEY, value TEXT);\nINSERT INTO named_memory VALUES ('greeting', 'hello from Go');\n");
    const d = await openStoreDriver(h.config({ FOXCTL_DB_DRIVER: 'libsql' }), 'MEMORY');
    try {
      expect(d).toMatchObject({ driver: 'libsql', dialect: 'sqlite', location: file });
      expect(await d.query('SELECT value FROM named_memory')).toEqual([{ value: 'hello from Go' }]);
    } finally {
      await d.close();
    }
    // FOXCTL_<STORE>_DB_PATH names the file as it is; stores with their own file name keep it.
    const custom = path.join(h.home, 'elsewhere', 'm.libsql');
    expect(libsqlStoreSettings(h.config({ FOXCTL_MEMORY_DB_PATH: custom }), lookupStore('MEMORY')).location).toBe(custom);
    expect(libsqlStoreSettings(h.config(), lookupStore('TESTWATCH')).location).toBe(path.join(h.home, 'storage', 'test_watch.libsql'));
  });

  it('with FOXCTL_<STORE>_SYNC_URL -> FOXCTL_LIBSQL_SYNC_URL it is an embedded replica; unreachable -> UNAVAILABLE, token masked', async () => {
    const h = tempHome();
    const token = 'sync-TOKEN-13572468';
    const store = lookupStore('MEMORY');
    const s = libsqlStoreSettings(h.config({ FOXCTL_LIBSQL_SYNC_URL: 'http://127.0.0.1:9', FOXCTL_LIBSQL_SYNC_TOKEN: token, FOXCTL_MEMORY_SYNC_INTERVAL: '60' }), store);
    expect(s).toMatchObject({ url: 'http://127.0.0.1:9', authToken: token, replicaPath: path.join(h.home, 'storage', 'memory.libsql'), syncIntervalSec: 60, urlFrom: '$FOXCTL_LIBSQL_SYNC_URL' });
    const own = libsqlStoreSettings(h.config({ FOXCTL_LIBSQL_SYNC_URL: 'http://127.0.0.1:9', FOXCTL_MEMORY_SYNC_URL: 'http://127.0.0.1:10', FOXCTL_MEMORY_SYNC_TOKEN: 'own' }), store);
    expect(own).toMatchObject({ url: 'http://127.0.0.1:10', authToken: 'own', urlFrom: '$FOXCTL_MEMORY_SYNC_URL' });
    const t0 = Date.now();
    const err = await expectCode(openStoreDriver(h.config({ FOXCTL_MEMORY_DB_DRIVER: 'libsql', FOXCTL_LIBSQL_SYNC_URL: 'http://127.0.0.1:9', FOXCTL_LIBSQL_SYNC_TOKEN: token }), 'MEMORY'), 'UNAVAILABLE', /store MEMORY/);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(JSON.stringify({ message: err.message })).not.toContain(token);
    expect(() => libsqlStoreSettings(h.config({ FOXCTL_MEMORY_SYNC_URL: 'ftp://x' }), store)).toThrow(/FOXCTL_MEMORY_SYNC_URL has an unsupported scheme/);
  });

  it('keyed stores stay local SQLite files', async () => {
    await expectCode(openStoreDriver(tempHome().config({ FOXCTL_DB_DRIVER: 'libsql' }), 'REPOINDEX', { key: 'repo-repoindex-0123456789abcdef' }), 'UNSUPPORTED', /keyed/);
  });
});
