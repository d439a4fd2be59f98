import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempHome } from '../../../test/temp-home.js';
import { CONFORMANCE_MIGRATIONS } from './conformance.js';
import { openStoreDriver } from './open.js';

describe('turso driver read() on a local file', () => {
  it('the library refuses every write inside read(), even past our statement check and after PRAGMA query_only = OFF', async () => {
    const h = tempHome();
    const config = h.config({ FOXCTL_KNOWLEDGE_DB_DRIVER: 'turso', FOXCTL_KNOWLEDGE_DB_URL: `file:${path.join(h.home, 'k.libsql.db')}` });
    const w = await openStoreDriver(config, 'KNOWLEDGE', { migrations: CONFORMANCE_MIGRATIONS, migrate: true });
    await w.run("INSERT INTO kv (k, v) VALUES ('a', 'A')");
    await w.close();
    const d = await openStoreDriver(config, 'KNOWLEDGE', { readOnly: true });
    try {
      // libSQL's read mode alone lets a DELETE through on a local file: these must all fail.
      for (const sql of [
        "INSERT INTO kv (k, v) VALUES ('b', 'B')",
        'DELETE FROM kv',
        'DELETE FROM kv RETURNING k',
        'WITH a AS (SELECT 1) DELETE FROM kv',
        'CREATE TABLE t (x)',
        "UPDATE kv SET v = 'x' RETURNING v",
        'COMMIT',
        "ATTACH 'other.db' AS o",
      ]) {
        const err = await d.read((tx) => tx.query(sql)).then(() => null, (e: unknown) => e as Error);
        expect(err?.message, sql).toMatch(/readonly|read-only|read only/i);
      }
      const off = await d.read(async (tx) => {
        await expect(tx.query('PRAGMA query_only = OFF')).rejects.toThrow(/read-only/);
        return tx.query('DELETE FROM kv').then(() => 'deleted', (e: unknown) => (e as Error).message);
      });
      expect(off).toMatch(/readonly|read-only|read only/i);
      expect(await d.read((tx) => tx.query('SELECT k FROM kv'))).toEqual([{ k: 'a' }]);
    } finally {
      await d.close();
    }
  });
});
