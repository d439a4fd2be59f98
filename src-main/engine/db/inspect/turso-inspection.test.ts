import path from 'node:path';
import { expect, it } from 'vitest';
import { tempHome } from '../../../test/temp-home.js';
import { CONFORMANCE_MIGRATIONS, expectCode } from '../drivers/conformance.js';
import { openStoreDriver } from '../drivers/open.js';
import { inspectConformance } from './inspect-conformance.js';
import { DbInspector } from './inspector.js';

inspectConformance('turso (file: URL)', async () => {
  const h = tempHome();
  return {
    config: h.config({ FOXCTL_KNOWLEDGE_DB_DRIVER: 'turso', FOXCTL_KNOWLEDGE_DB_URL: `file:${path.join(h.home, 'knowledge.libsql.db')}` }),
    driver: 'turso',
    // Runs for minutes: the console's query child is killed at the time limit.
    slowSql: 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c',
  };
});

it('turso (file: URL): a write that passes the keyword check is refused by the engine, and nothing changes', async () => {
  const h = tempHome();
  const config = h.config({ FOXCTL_KNOWLEDGE_DB_DRIVER: 'turso', FOXCTL_KNOWLEDGE_DB_URL: `file:${path.join(h.home, 'k.libsql.db')}` });
  const d = await openStoreDriver(config, 'KNOWLEDGE', { migrations: CONFORMANCE_MIGRATIONS, migrate: true });
  const ins = new DbInspector(config);
  try {
    await d.run("INSERT INTO kv (k, v) VALUES ('a', 'A')");
    for (const sql of ['WITH a AS (SELECT 1) DELETE FROM kv', "WITH a AS (SELECT 1) INSERT INTO kv (k, v) VALUES ('b', 'B')", 'SELECT 1; DELETE FROM kv']) {
      await expectCode(ins.query('KNOWLEDGE', sql), 'INVALID_INPUT', /only (read-only queries|one statement)/);
    }
    expect(await d.query('SELECT k FROM kv')).toEqual([{ k: 'a' }]);
  } finally {
    await ins.close();
    await d.close();
  }
});

it('turso (file: URL): a deep page and the integrity check run in a query child, so their time limit holds', async () => {
  const h = tempHome();
  const config = h.config({ FOXCTL_KNOWLEDGE_DB_DRIVER: 'turso', FOXCTL_KNOWLEDGE_DB_URL: `file:${path.join(h.home, 'deep.libsql.db')}` });
  const d = await openStoreDriver(config, 'KNOWLEDGE', { migrations: CONFORMANCE_MIGRATIONS, migrate: true });
  await d.run("WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 1000000) INSERT INTO kv (k, v) SELECT printf('k%07d', i), hex(randomblob(8)) FROM s");
  const ins = new DbInspector(config);
  try {
    // The page is the one an OFFSET query returns.
    const deep = await ins.browse('KNOWLEDGE', 'kv', { limit: 3, offset: 900_000 });
    const want = await d.query<{ k: string }>('SELECT k FROM kv ORDER BY rowid LIMIT 3 OFFSET 900000');
    expect(deep.rows.map((r) => r[deep.columns.indexOf('k')])).toEqual(want.map((r) => r.k));
    // Walking 900,000 rows takes tens of ms: a 1 ms limit stops it (on this thread nothing could).
    await expectCode(ins.browse('KNOWLEDGE', 'kv', { limit: 3, offset: 900_000, timeoutMs: 1 }), 'CANCELED', /time limit/);
    const check = await ins.check('KNOWLEDGE');
    expect(check).toMatchObject({ driver: 'turso', mode: 'integrity_check', available: true, ok: true, problems: [] });
    await expectCode(ins.check('KNOWLEDGE', { timeoutMs: 1 }), 'CANCELED', /time limit/);
    // A shallow page still reads on this thread, and sees the same rows.
    expect((await ins.browse('KNOWLEDGE', 'kv', { limit: 1, offset: 0 })).rows[0]?.[deep.columns.indexOf('k')]).toBe('k0000001');
  } finally {
    await ins.close();
    await d.close();
  }
}, 60_000);
