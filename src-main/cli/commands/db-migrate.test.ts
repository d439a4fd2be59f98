import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openSqlite } from '../../engine/db/sqlite.js';
import { createTestDatabase, dropTestDatabase, postgresForSuite } from '../../test/pg-db.js';
import { tempHome } from '../../test/temp-home.js';
import { runCliInProcess } from '../../test/cli-runner.js';
import { EXIT_CODES } from '../output.js';

const server = postgresForSuite('db-migrate-cli');
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

async function scalar(dsn: string, sql: string): Promise<string> {
  const c = new pg.Client({ connectionString: dsn });
  await c.connect();
  try {
    const r = await c.query<{ v: string }>(sql);
    return String(r.rows[0]?.v ?? '');
  } finally {
    await c.end();
  }
}

/** Waits (bounded) until the copy's INSERTs reach the server. */
async function waitForInserts(dsn: string, running: () => boolean): Promise<boolean> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && running()) {
    if ((await scalar(dsn, "SELECT count(*) AS v FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'INSERT INTO \"messages\"%'")) !== '0') return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

describe.skipIf(server.skip)('foxctl db migrate and Ctrl-C', () => {
  it('SIGINT mid-copy cancels the job: exit status CANCELED, the table in progress rolled back', { timeout: 90_000 }, async () => {
    const h = tempHome();
    const db = openSqlite(`${h.config().storageRoot}/mailbox.db`);
    db.exec('CREATE TABLE messages (id INTEGER PRIMARY KEY, body TEXT)');
    const ins = db.prepare('INSERT INTO messages VALUES (?, ?)');
    db.transaction(() => {
      for (let i = 1; i <= 400_000; i++) ins.run(i, `message ${i}`);
    })();
    db.close();
    const dsn = await createTestDatabase(server.dsn as string, 'sigint');
    const child = spawn(process.execPath, ['--import', 'tsx', 'src-main/cli/index.ts', 'db', 'migrate', '--target-dsn', dsn, '--stores', 'mailbox', '--batch-size', '20'], {
      cwd: repo,
      env: { ...process.env, FOXCTL_HOME: h.home, HOME: path.dirname(h.home) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      // Wait (bounded) until the copy is inserting rows, then press Ctrl-C.
      const deadline = Date.now() + 60_000;
      let inserting = false;
      while (!inserting && Date.now() < deadline && child.exitCode === null) {
        inserting = (await scalar(dsn, "SELECT count(*) AS v FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'INSERT INTO \"messages\"%'")) !== '0';
        if (!inserting) await new Promise((r) => setTimeout(r, 50));
      }
      expect(inserting, `the copy never started: ${stderr}`).toBe(true);
      child.kill('SIGINT');
      const code = await exited;
      expect(stderr).toMatch(/interrupted: canceling/);
      expect(stderr).toMatch(/CANCELED/);
      expect(code).toBe(EXIT_CODES.CANCELED);
      expect(stdout + stderr).not.toContain(new URL(dsn).password);
      // One transaction per table: nothing of it stays.
      expect(await scalar(dsn, 'SELECT count(*) AS v FROM mailbox.messages')).toBe('0');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await dropTestDatabase(server.dsn as string, dsn);
    }
  });

  it('kill -9 mid-copy: the server rolls the table back, the dead job is marked, a rerun with --drop completes', { timeout: 120_000 }, async () => {
    const h = tempHome();
    const db = openSqlite(`${h.config().storageRoot}/mailbox.db`);
    db.exec('CREATE TABLE messages (id INTEGER PRIMARY KEY, body TEXT)');
    const ins = db.prepare('INSERT INTO messages VALUES (?, ?)');
    db.transaction(() => {
      for (let i = 1; i <= 300_000; i++) ins.run(i, `message ${i}`);
    })();
    db.close();
    const dsn = await createTestDatabase(server.dsn as string, 'kill9');
    const child = spawn(process.execPath, ['--import', 'tsx', 'src-main/cli/index.ts', 'db', 'migrate', '--target-dsn', dsn, '--stores', 'mailbox', '--batch-size', '20'], {
      cwd: repo,
      env: { ...process.env, FOXCTL_HOME: h.home, HOME: path.dirname(h.home) },
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      expect(await waitForInserts(dsn, () => child.exitCode === null)).toBe(true);
      child.kill('SIGKILL');
      await exited;
      // The server notices the dead peer and rolls back; give it a bounded moment.
      let rows = '';
      for (let i = 0; i < 100 && rows !== '0'; i++) {
        rows = await scalar(dsn, 'SELECT count(*) AS v FROM mailbox.messages');
        if (rows !== '0') await new Promise((r) => setTimeout(r, 100));
      }
      expect(rows).toBe('0');
      const jobs = await runCliInProcess(h.home, ['--json', 'jobs', 'list']);
      const all = (JSON.parse(jobs.stdout.trim()) as { data: { jobs: { kind: string; state: string }[] } }).data.jobs;
      expect(all.find((j) => j.kind === 'db.migrate')?.state).toBe('error');
      const again = await runCliInProcess(h.home, ['db', 'migrate', '--target-dsn', dsn, '--stores', 'mailbox', '--drop', '--batch-size', '1000']);
      expect(again.status, again.stderr).toBe(0);
      expect(again.stdout).toMatch(/mailbox\.messages\s+300,000\s+300,000\s+yes/);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await dropTestDatabase(server.dsn as string, dsn);
    }
  });
});
