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
