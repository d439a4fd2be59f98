import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { dbMigrateReportSchema } from '../../src-preload/contract.js';
import { openSqlite } from '../engine/db/sqlite.js';
import { openEngine, type Engine } from '../engine/engine.js';
import { runCliInProcess } from '../test/cli-runner.js';
import { createTestDatabase, dropTestDatabase, postgresForSuite } from '../test/pg-db.js';
import { tempHome, type TempHome } from '../test/temp-home.js';
import { dbMigrateCli } from './db-handlers.js';
import { ApiDispatcher } from './dispatch.js';
import { createHandlers } from './handlers.js';

const server = postgresForSuite('db-migrate-api');
const origin = { scope: 'test', requestId: 'r1' };

async function settled(engine: Engine, id: string) {
  for (let i = 0; i < 800; i++) {
    const j = engine.jobs.get(id);
    if (j.state === 'ok' || j.state === 'error' || j.state === 'canceled') return j;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`job ${id} did not end`);
}

/** A MAILBOX store with one table of `n` rows. */
function seedMailbox(h: TempHome, n = 20): void {
  const db = openSqlite(`${h.config().storageRoot}/mailbox.db`);
  db.exec('CREATE TABLE messages (id INTEGER PRIMARY KEY, body TEXT, payload BLOB)');
  const ins = db.prepare('INSERT INTO messages VALUES (?, ?, ?)');
  for (let i = 1; i <= n; i++) ins.run(i, `m${i}`, Buffer.from([i, 0, 255]));
  db.close();
}

describe('db.migrate CLI line', () => {
  it('masks the password and never carries the token', () => {
    expect(dbMigrateCli({ targetDsn: 'postgres://fox:s3cret@db:5432/fox', stores: ['memory', 'Tasks'], batchSize: 500, drop: true, dryRun: true, continueOnError: true })).toBe(
      "foxctl db migrate --target-dsn 'postgres://fox:***@db:5432/fox' --stores 'MEMORY,TASKS' --batch-size 500 --dry-run --continue-on-error --drop",
    );
    const turso = dbMigrateCli({ targetDsn: 'libsql://{store}-me.turso.io', targetToken: 'tok-SECRET' });
    expect(turso).not.toContain('tok-SECRET');
    expect(turso).toBe("FOXCTL_TURSO_TOKEN='***' foxctl db migrate --target-dsn 'libsql://{store}-me.turso.io'");
    expect(dbMigrateCli({ targetDsn: 'https://{store}-Me.turso.io/?authToken=abc' })).toBe("foxctl db migrate --target-dsn 'https://{store}-me.turso.io/?authToken=***'");
  });
});

describe.skipIf(server.skip)('db.migrate through the contract and the CLI', () => {
  it('starts a job whose result is the report; bad input is refused before a job exists', async () => {
    const h = tempHome();
    seedMailbox(h);
    const dsn = await createTestDatabase(server.dsn as string, 'api');
    const engine = openEngine({ env: h.env() });
    const api = new ApiDispatcher(createHandlers(engine, { mode: 'browser', version: 'test' }));
    try {
      const res = await api.invoke('db.migrate', { targetDsn: dsn, stores: ['mailbox'], batchSize: 7 }, origin);
      expect(res.ok, JSON.stringify(res)).toBe(true);
      const { jobId, cli } = (res as { value: { jobId: string; cli: string } }).value;
      expect(cli).toContain('--target-dsn');
      expect(cli).not.toContain(new URL(dsn).password);
      const job = await settled(engine, jobId);
      expect(job.state).toBe('ok');
      expect(job.title).not.toContain(new URL(dsn).password);
      const report = dbMigrateReportSchema.parse(job.result);
      expect(report.stores[0]!.tables[0]).toMatchObject({ table: 'messages', source_rows: 20, target_rows: 20, match: true });
      expect(job.progress).toMatchObject({ unit: 'rows', done: 20, total: 20 });

      const ext = await api.invoke('db.migrate', { targetDsn: dsn, stores: ['OPENCODE'] }, origin);
      expect(ext).toMatchObject({ ok: false, error: { code: 'UNSUPPORTED' } });
      const bad = await api.invoke('db.migrate', { targetDsn: 'mysql://u:pw@h/db' }, origin);
      expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
      expect(JSON.stringify(bad)).not.toContain(':pw@');
    } finally {
      await engine.close();
      await dropTestDatabase(server.dsn as string, dsn);
    }
  });

  it('foxctl db migrate: table of counts, --json envelope, non-zero exit on a conflict, password masked everywhere', async () => {
    const h = tempHome();
    seedMailbox(h, 30);
    const dsn = await createTestDatabase(server.dsn as string, 'cli');
    const password = new URL(dsn).password;
    try {
      const dry = await runCliInProcess(h.home, ['db', 'migrate', '--target-dsn', dsn, '--dry-run']);
      expect(dry.status).toBe(0);
      expect(dry.stdout).toMatch(/dry run: would copy 1 store\(s\), 1 table\(s\), 30 rows/);
      expect(dry.stdout).toMatch(/skipped \(no database file on disk\): COORDINATION, SESSIONS, TASKS/);

      const ok = await runCliInProcess(h.home, ['db', 'migrate', '--target-dsn', dsn]);
      expect(ok.status, ok.stderr).toBe(0);
      expect(ok.stdout).toMatch(/MAILBOX\s+mailbox\.messages\s+30\s+30\s+yes/);
      expect(ok.stdout).toMatch(/^ok: every table/m);

      const again = await runCliInProcess(h.home, ['--json', 'db', 'migrate', '--target-dsn', dsn, '--stores', 'mailbox']);
      expect(again.status).not.toBe(0);
      const env = JSON.parse(again.stdout.trim().split('\n').at(-1)!) as { status: string; error: { code: string; message: string } };
      expect(env).toMatchObject({ status: 'error', error: { code: 'CONFLICT' } });
      expect(env.error.message).toMatch(/--drop/);

      const dropped = await runCliInProcess(h.home, ['--json', 'db', 'migrate', '--target-dsn', dsn, '--stores', 'mailbox', '--drop', '--batch-size', '4']);
      expect(dropped.status).toBe(0);
      const okEnv = JSON.parse(dropped.stdout.trim()) as { data: { rows_copied: number; ok: boolean; target: string } };
      expect(okEnv.data).toMatchObject({ rows_copied: 30, ok: true });
      expect(okEnv.data.target).toContain('***');

      const wrong = new URL(dsn);
      wrong.password = 'NotThePassword123';
      const denied = await runCliInProcess(h.home, ['db', 'migrate', '--target-dsn', wrong.toString(), '--stores', 'mailbox']);
      expect(denied.status).not.toBe(0);
      expect(denied.stderr).toMatch(/UNAVAILABLE/);
      for (const out of [dry, ok, again, dropped, denied]) {
        expect(out.stdout + out.stderr).not.toContain(password);
        expect(out.stdout + out.stderr).not.toContain('NotThePassword123');
      }
      const rows = new pg.Client({ connectionString: dsn });
      await rows.connect();
      const n = (await rows.query<{ n: string }>('SELECT count(*) AS n FROM mailbox.messages')).rows[0]!.n;
      await rows.end();
      expect(n).toBe('30');
    } finally {
      await dropTestDatabase(server.dsn as string, dsn);
    }
  });
});
