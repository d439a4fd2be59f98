import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, dropTestDatabase, postgresForSuite } from '../../../test/pg-db.js';
import { tempHome } from '../../../test/temp-home.js';
import type { Migration } from '../migrate.js';
import { openStoreDriver, type DriverTarget } from './open.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../../..');
const PROCESSES = 10;
const server = postgresForSuite('postgres');

/** Eight migrations, each a table with one row: applied twice, a table would hold two rows (or fail). */
const EXTRA: Migration[] = Array.from({ length: 8 }, (_, i) => ({
  version: i + 1,
  name: `t${i}`,
  sql: `CREATE TABLE t${i} (x INTEGER); INSERT INTO t${i} VALUES (${i});`,
  postgres: `CREATE TABLE t${i} (x BIGINT); INSERT INTO t${i} VALUES (${i});`,
}));

/** A slow migration: writes rows, then keeps the database busy for a long time inside its transaction. */
const SLOW: Migration = {
  version: 9,
  name: 'slow',
  sql: 'CREATE TABLE big (x INTEGER); WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000) INSERT INTO big SELECT x FROM c; WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000000000) SELECT count(*) FROM c;',
  postgres: 'CREATE TABLE big (x BIGINT); INSERT INTO big SELECT generate_series(1, 100000); SELECT pg_sleep(60);',
};
const QUICK: Migration = { version: 9, name: 'slow (rerun)', sql: 'CREATE TABLE big (x INTEGER)', postgres: 'CREATE TABLE big (x BIGINT)' };

/** A child that says "ready", waits for the go file, opens the target and migrates. */
function childSource(home: string, target: DriverTarget, migrations: readonly Migration[], goFile: string): string {
  return `
import fs from 'node:fs';
import { resolveConfig } from ${JSON.stringify(path.join(here, '../../config/resolve.ts'))};
import { openStoreDriver } from ${JSON.stringify(path.join(here, 'open.ts'))};
const config = resolveConfig({ env: { HOME: ${JSON.stringify(home)}, FOXCTL_HOME: ${JSON.stringify(home)} } });
process.stdout.write('ready\\n');
while (!fs.existsSync(${JSON.stringify(goFile)})) await new Promise((r) => setTimeout(r, 2));
const d = await openStoreDriver(config, 'KNOWLEDGE', { target: ${JSON.stringify(target)}, migrations: ${JSON.stringify(migrations)} });
process.stdout.write('migrating\\n');
const res = await d.migrate();
await d.close();
process.stdout.write(JSON.stringify(res.applied) + '\\n');
`;
}

interface Child {
  proc: ChildProcess;
  out: () => string;
  err: () => string;
  done: Promise<number | null>;
  waitFor(text: string): Promise<void>;
}

function start(script: string): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', script], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  proc.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
    for (const w of waiters.splice(0)) {
      if (out.includes(w.text)) w.resolve();
      else waiters.push(w);
    }
  });
  proc.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const done = new Promise<number | null>((resolve) => proc.on('close', (code) => resolve(code)));
  return {
    proc,
    out: () => out,
    err: () => err,
    done,
    waitFor: (text) => (out.includes(text) ? Promise.resolve() : new Promise((resolve) => waiters.push({ text, resolve }))),
  };
}

/** Runs PROCESSES children released at one instant; returns what each applied. */
async function race(home: string, target: DriverTarget): Promise<number[][]> {
  const dir = fs.mkdtempSync(path.join(home, 'race-'));
  const goFile = path.join(dir, 'go');
  const script = path.join(dir, 'child.mts');
  fs.writeFileSync(script, childSource(home, target, EXTRA, goFile));
  const children = Array.from({ length: PROCESSES }, () => start(script));
  await Promise.all(children.map((c) => c.waitFor('ready')));
  fs.writeFileSync(goFile, '');
  const codes = await Promise.all(children.map((c) => c.done));
  codes.forEach((code, i) => expect(code, children[i]!.err()).toBe(0));
  return children.map((c) => JSON.parse(c.out().trim().split('\n').pop()!) as number[]);
}

/** Starts one child on the slow migration, kills it with SIGKILL once `inside()` says it is mid-migration. */
async function killDuringSlowMigration(home: string, target: DriverTarget, inside: () => Promise<boolean>): Promise<void> {
  const dir = fs.mkdtempSync(path.join(home, 'kill-'));
  const goFile = path.join(dir, 'go');
  const script = path.join(dir, 'child.mts');
  fs.writeFileSync(script, childSource(home, target, [...EXTRA, SLOW], goFile));
  fs.writeFileSync(goFile, '');
  const child = start(script);
  await child.waitFor('migrating');
  let seen = false;
  for (let i = 0; i < 200 && !seen; i++) {
    await new Promise((r) => setTimeout(r, 50));
    seen = await inside();
  }
  expect(seen, `the child never got inside the slow migration: ${child.err()}`).toBe(true);
  child.proc.kill('SIGKILL');
  expect(await child.done).toBeNull();
}

describe('store driver migrations across processes', () => {
  it(`turso file: ${PROCESSES} processes at once apply each migration exactly once`, async () => {
    const h = tempHome();
    const file = path.join(h.home, 'shared', 'race.db');
    const applied = await race(h.home, { url: `file:${file}` });
    expect(applied.flat().sort((a, b) => a - b)).toEqual(EXTRA.map((m) => m.version));
    const d = await openStoreDriver(h.config(), 'KNOWLEDGE', { target: { url: `file:${file}` }, migrations: EXTRA });
    try {
      expect(await d.query('SELECT version, count(*) AS n FROM schema_migrations GROUP BY version ORDER BY version')).toEqual(EXTRA.map((m) => ({ version: m.version, n: 1 })));
      expect(await d.tables()).toEqual(EXTRA.map((_, i) => ({ name: `t${i}`, rows: 1 })));
    } finally {
      await d.close();
    }
  }, 120_000);

  it('turso file: kill -9 during a migration rolls it back, and a rerun completes', async () => {
    const h = tempHome();
    const file = path.join(h.home, 'shared', 'kill.db');
    const target = { url: `file:${file}` };
    // Inside the slow migration: its transaction holds the write lock, so a write from here is refused at once.
    const inside = async (): Promise<boolean> => {
      const Database = (await import('better-sqlite3')).default;
      const db = new Database(file, { timeout: 0 });
      try {
        const has8 = db.prepare("SELECT 1 FROM sqlite_schema WHERE name = 't7'").get();
        if (!has8) return false;
        db.exec('BEGIN IMMEDIATE; ROLLBACK');
        return false;
      } catch (err) {
        return /locked|busy/i.test((err as Error).message);
      } finally {
        db.close();
      }
    };
    await killDuringSlowMigration(h.home, target, inside);
    const d = await openStoreDriver(h.config(), 'KNOWLEDGE', { target, migrations: [...EXTRA, QUICK] });
    try {
      expect(await d.query("SELECT name FROM sqlite_schema WHERE name = 'big'")).toEqual([]);
      expect(await d.query('SELECT max(version) AS v FROM schema_migrations')).toEqual([{ v: 8 }]);
      expect(await d.migrate()).toEqual({ applied: [9], version: 9 });
      expect((await d.tables()).find((t) => t.name === 'big')).toEqual({ name: 'big', rows: 0 });
      expect(await d.query('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    } finally {
      await d.close();
    }
  }, 120_000);

  describe.skipIf(server.skip)('postgres', () => {
    let dsn = '';
    beforeAll(async () => {
      dsn = await createTestDatabase(server.dsn as string, 'procs');
    });
    afterAll(async () => {
      if (dsn) await dropTestDatabase(server.dsn as string, dsn);
    });
    const admin = async <T extends pg.QueryResultRow>(sql: string): Promise<T[]> => {
      const c = new pg.Client({ connectionString: dsn });
      await c.connect();
      try {
        return (await c.query<T>(sql)).rows;
      } finally {
        await c.end();
      }
    };

    it(`${PROCESSES} processes at once on an empty database apply each migration exactly once; the waiting ones succeed`, async () => {
      const h = tempHome();
      const applied = await race(h.home, { dsn, schema: 'race' });
      expect(applied.flat().sort((a, b) => a - b)).toEqual(EXTRA.map((m) => m.version));
      expect(await admin('SELECT version::int, count(*)::int AS n FROM race.schema_migrations GROUP BY version ORDER BY version')).toEqual(EXTRA.map((m) => ({ version: m.version, n: 1 })));
      for (let i = 0; i < EXTRA.length; i++) expect(await admin(`SELECT x::int FROM race.t${i}`)).toEqual([{ x: i }]);
    }, 120_000);

    it('kill -9 during a migration rolls it back (the server drops the dead session), and a rerun completes', async () => {
      const h = tempHome();
      const target = { dsn, schema: 'killed' };
      const inside = async (): Promise<boolean> =>
        (await admin("SELECT 1 FROM pg_stat_activity WHERE application_name = 'foxctl KNOWLEDGE' AND query LIKE '%pg_sleep(60)%' AND state = 'active'")).length > 0;
      await killDuringSlowMigration(h.home, target, inside);
      const t0 = Date.now();
      const d = await openStoreDriver(h.config(), 'KNOWLEDGE', { target, migrations: [...EXTRA, QUICK] });
      try {
        expect(await d.migrate()).toEqual({ applied: [9], version: 9 });
        // Waited for the dead session's lock only as long as the server needed to notice (not the 60 s sleep).
        expect(Date.now() - t0).toBeLessThan(15_000);
        expect((await d.tables()).find((t) => t.name === 'big')).toEqual({ name: 'big', rows: 0 });
        expect(await d.query('SELECT count(*) AS n FROM schema_migrations')).toEqual([{ n: 9 }]);
      } finally {
        await d.close();
      }
    }, 120_000);
  });
});
