// The inspection conformance suite: the same migrated store with the same rows, inspected through
// engine.inspect (DbInspector) on each driver, gives the same answers (type names aside).
import { afterEach, describe, expect, it } from 'vitest';
import type { FoxConfig } from '../../config/resolve.js';
import { CONFORMANCE_MIGRATIONS, expectCode } from '../drivers/conformance.js';
import { openStoreDriver } from '../drivers/open.js';
import type { StoreDriver } from '../drivers/types.js';
import { DbInspector } from './inspector.js';

/** The store every fixture configures onto its driver. */
export const INSPECT_STORE = 'KNOWLEDGE';

/** What a driver's test file provides: a config that puts KNOWLEDGE on that driver, over an empty database. */
export interface InspectFixture {
  config: FoxConfig;
  /** The driver name `info` and `check` report. */
  driver: string;
  /** A statement of this dialect that runs for seconds (null: the driver cannot be interrupted, see its test). */
  slowSql: string | null;
  cleanup?(): Promise<void>;
}

/** Rows of items seeded in every fixture. */
const ITEMS = 250;

/** Seeds the same rows on every driver (dialect-specific bulk SQL for the big table). */
async function seed(d: StoreDriver): Promise<void> {
  await d.transaction(async (tx) => {
    for (let i = 1; i <= ITEMS; i++) {
      await tx.run('INSERT INTO items (name, data, n, f, note) VALUES (?, ?, ?, ?, ?)', [`n${String(i).padStart(3, '0')}`, Buffer.from([i % 256, 0, 255]), i, i / 2, i % 2 === 0 ? null : `odd ${i}`]);
    }
    for (const k of ['a', 'b', 'c']) await tx.run('INSERT INTO kv (k, v) VALUES (?, ?)', [k, k.toUpperCase()]);
  });
}

/** Registers the inspection conformance suite over one driver. */
export function inspectConformance(label: string, factory: () => Promise<InspectFixture>): void {
  describe(`store inspection conformance: ${label}`, () => {
    const undo: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const u of undo.splice(0).reverse()) await u().catch(() => undefined);
    });

    async function fresh(): Promise<{ fx: InspectFixture; d: StoreDriver; ins: DbInspector }> {
      const fx = await factory();
      if (fx.cleanup) undo.push(fx.cleanup);
      const d = await openStoreDriver(fx.config, INSPECT_STORE, { migrations: CONFORMANCE_MIGRATIONS, migrate: true });
      undo.push(() => d.close());
      await seed(d);
      const ins = new DbInspector(fx.config);
      undo.push(() => ins.close());
      return { fx, d, ins };
    }

    it('info: driver, schema version, object counts as SQLite counts them, a size from the server', async () => {
      const { fx, ins } = await fresh();
      const info = await ins.info(INSPECT_STORE);
      expect(info).toMatchObject({ driver: fx.driver, store: INSPECT_STORE, class: 'sync_useful', schema_version: 2, tables: 3, indexes: 1, views: 0, triggers: 0 });
      expect(info.size_bytes).toBeGreaterThan(0);
      expect(info.server_version).toMatch(/^(SQLite|libSQL \(SQLite|PostgreSQL) \d+\.\d+/);
      expect(info.path).not.toMatch(/:(?!\*\*\*\*@)[^/:@]+@/);
    });

    it('tables: the same names, kinds, column counts and exact row counts', async () => {
      const { ins } = await fresh();
      expect(await ins.tables(INSPECT_STORE)).toEqual([
        { name: 'items', type: 'table', columns: 6, without_rowid: false, rows: ITEMS, rows_exact: true },
        { name: 'kv', type: 'table', columns: 2, without_rowid: false, rows: 3, rows_exact: true },
        { name: 'schema_migrations', type: 'table', columns: 4, without_rowid: false, rows: 2, rows_exact: true },
      ]);
    });

    it('tables: past the count budget a big table says "at least 50,000", not its exact count', async () => {
      const { d, ins } = await fresh();
      const sql =
        d.dialect === 'postgres'
          ? "INSERT INTO kv (k, v) SELECT 'big' || i, NULL FROM generate_series(1, 60000) AS g(i)"
          : "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 60000) INSERT INTO kv (k, v) SELECT 'big' || i, NULL FROM s";
      await d.run(sql);
      const kv = (await ins.tables(INSPECT_STORE, { countBudgetMs: 0 })).find((t) => t.name === 'kv');
      expect(kv).toMatchObject({ rows: 50_000, rows_exact: false });
    });

    it('schema: one CREATE per table and index, in the same order, with the columns and constraints', async () => {
      const { ins } = await fresh();
      const objects = await ins.schema(INSPECT_STORE);
      expect(objects.map((o) => [o.type, o.name, o.table])).toEqual([
        ['table', 'items', 'items'],
        ['index', 'items_n', 'items'],
        ['table', 'kv', 'kv'],
        ['table', 'schema_migrations', 'schema_migrations'],
      ]);
      const items = objects[0]!.sql;
      expect(items).toMatch(/^CREATE TABLE items \(/);
      for (const col of ['id', 'name', 'data', 'n', 'f', 'note']) expect(items).toMatch(new RegExp(`\\b${col}\\b`));
      expect(items).toMatch(/name TEXT NOT NULL UNIQUE|name text NOT NULL[\s\S]*UNIQUE \(name\)/);
      expect(items).toMatch(/PRIMARY KEY/);
      expect(objects[1]!.sql).toMatch(/^CREATE INDEX items_n ON (\w+\.)?items .*\(n\)$/);
    });

    it('browse: pages in key order with the same cells (bytes as size + hex), NOT_FOUND for no table', async () => {
      const { ins } = await fresh();
      const first = await ins.browse(INSPECT_STORE, 'items', { limit: 3, offset: 0 });
      expect(first.columns).toEqual(['id', 'name', 'data', 'n', 'f', 'note']);
      expect(first.rows).toEqual([
        [1, 'n001', { $blob: 3, hex: '0100ff' }, 1, 0.5, 'odd 1'],
        [2, 'n002', { $blob: 3, hex: '0200ff' }, 2, 1, null],
        [3, 'n003', { $blob: 3, hex: '0300ff' }, 3, 1.5, 'odd 3'],
      ]);
      expect(first.truncated).toBe(false);
      const last = await ins.browse(INSPECT_STORE, 'items', { limit: 20, offset: 240 });
      expect(last.rows.map((r) => r[0])).toEqual([241, 242, 243, 244, 245, 246, 247, 248, 249, 250]);
      expect((await ins.browse(INSPECT_STORE, 'kv', { limit: 10, offset: 0 })).rows).toEqual([
        ['a', 'A'],
        ['b', 'B'],
        ['c', 'C'],
      ]);
      await expectCode(ins.browse(INSPECT_STORE, 'no_such', { limit: 10, offset: 0 }), 'NOT_FOUND', /no table or view named "no_such"/);
    });

    it('browse: sorted by a column (NULLs first going up) and filtered by a WHERE, ties in key order, as a console query', async () => {
      const { ins } = await fresh();
      const ids = async (opts: Parameters<DbInspector['browse']>[2]): Promise<unknown[]> => (await ins.browse(INSPECT_STORE, 'items', opts)).rows.map((r) => r[0]);
      const small = 'n <= 6';
      expect(await ids({ limit: 10, offset: 0, where: small, sort: { column: 'note', desc: true } })).toEqual([5, 3, 1, 2, 4, 6]);
      expect(await ids({ limit: 10, offset: 0, where: small, sort: { column: 'note' } })).toEqual([2, 4, 6, 1, 3, 5]);
      expect(await ids({ limit: 2, offset: 2, where: small, sort: { column: 'note', desc: true } })).toEqual([1, 2]);
      expect(await ids({ limit: 3, offset: 0, sort: { column: 'n', desc: true } })).toEqual([250, 249, 248]);
      const page = await ins.browse(INSPECT_STORE, 'items', { limit: 5, offset: 0, where: "name LIKE 'n24%' -- a comment ends with its line" });
      expect(page.rows.map((r) => r[1])).toEqual(['n240', 'n241', 'n242', 'n243', 'n244']);
      expect(page.columns).toEqual(['id', 'name', 'data', 'n', 'f', 'note']);
      expect(page.sql).toMatch(/WHERE \(\nname LIKE 'n24%' -- a comment ends with its line\n\)/);
      await expectCode(ins.browse(INSPECT_STORE, 'items', { limit: 5, offset: 0, sort: { column: 'nope' } }), 'INVALID_INPUT', /"items" has no column "nope" to sort by \(its columns: id, name, data, n, f, note\)/);
      await expect(ins.browse(INSPECT_STORE, 'items', { limit: 5, offset: 0, where: 'nope_col = 1' })).rejects.toThrow(/nope_col/);
      // A second statement hidden in the filter is refused, and nothing is written.
      await expect(ins.browse(INSPECT_STORE, 'items', { limit: 5, offset: 0, where: '1\n); DELETE FROM items; SELECT (1' })).rejects.toThrow();
      await expectCode(ins.browse(INSPECT_STORE, 'no_such', { limit: 10, offset: 0, where: '1 = 1' }), 'NOT_FOUND', /no table or view named "no_such"/);
      expect((await ins.query(INSPECT_STORE, 'SELECT count(*) FROM items')).rows).toEqual([[ITEMS]]);
    });

    it('query: ? parameters, the row cap, and columns of an empty result', async () => {
      const { ins } = await fresh();
      const r = await ins.query(INSPECT_STORE, 'SELECT name, n FROM items WHERE n >= ? ORDER BY n', { params: [248], limit: 10 });
      expect(r).toMatchObject({ columns: ['name', 'n'], rows: [['n248', 248], ['n249', 249], ['n250', 250]], truncated: false });
      const capped = await ins.query(INSPECT_STORE, 'SELECT k FROM kv ORDER BY k', { limit: 2 });
      expect(capped).toMatchObject({ rows: [['a'], ['b']], truncated: true });
      expect(await ins.query(INSPECT_STORE, "SELECT k, v FROM kv WHERE k = 'zz'")).toMatchObject({ columns: ['k', 'v'], rows: [] });
    });

    it('query: writes are refused (INVALID_INPUT) and nothing changes', async () => {
      const { d, ins } = await fresh();
      for (const sql of ['DELETE FROM kv', 'UPDATE kv SET v = 1', 'DROP TABLE kv', 'WITH gone AS (DELETE FROM kv RETURNING k) SELECT * FROM gone', 'SELECT 1; DELETE FROM kv']) {
        await expectCode(ins.query(INSPECT_STORE, sql), 'INVALID_INPUT');
      }
      expect(await d.query('SELECT count(*) AS n FROM kv')).toEqual([{ n: 3 }]);
    });

    it('query: a statement past its time limit is interrupted (CANCELED) and the store answers after', async () => {
      const { fx, ins } = await fresh();
      if (fx.slowSql === null) {
        console.warn(`[not applicable] ${label}: a local libSQL statement blocks the thread it runs on; the time limit applies to remote servers`);
        return;
      }
      const t0 = Date.now();
      await expectCode(ins.query(INSPECT_STORE, fx.slowSql, { timeoutMs: 300 }), 'CANCELED', /time limit/);
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect((await ins.query(INSPECT_STORE, 'SELECT count(*) AS n FROM kv')).rows).toEqual([[3]]);
    });

    it('check: the store is found sound', async () => {
      const { fx, ins } = await fresh();
      const res = await ins.check(INSPECT_STORE);
      expect(res).toMatchObject({ driver: fx.driver, available: true, ok: true, problems: [] });
    });
  });
}
