import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { tempHome } from '../../test/temp-home.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');
const CHILDREN = 4;

/** A child that waits for a common start time, then opens the file and migrates it. */
const childSource = (dbFile: string, startAt: number): string => `
import { openSqlite } from ${JSON.stringify(path.join(here, 'sqlite.ts'))};
import { applyMigrations } from ${JSON.stringify(path.join(here, 'migrate.ts'))};
import { migrationsFor } from ${JSON.stringify(path.join(here, 'migrations/index.ts'))};
const extra = Array.from({ length: 8 }, (_, i) => ({
  version: 100 + i,
  name: 'extra ' + i,
  sql: 'CREATE TABLE t' + i + ' (x); INSERT INTO t' + i + ' VALUES (' + i + ');',
}));
while (Date.now() < ${startAt}) await new Promise((r) => setTimeout(r, 2));
const db = openSqlite(${JSON.stringify(dbFile)}, { subject: 'child' });
const res = applyMigrations(db, 'child', [...migrationsFor('COMPANION'), ...extra]);
db.close();
process.stdout.write(JSON.stringify(res.applied));
`;

function run(script: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

describe('migrations across processes', () => {
  it('apply exactly once when several processes start on the same new file at once', async () => {
    const h = tempHome();
    const dbFile = path.join(h.home, 'storage', 'race.db');
    const script = path.join(h.home, 'child.mts');
    // Children take ~1 s to boot tsx: start them all, then release them at one instant.
    fs.writeFileSync(script, childSource(dbFile, Date.now() + 2500));
    const results = await Promise.all(Array.from({ length: CHILDREN }, () => run(script)));
    for (const r of results) expect(r.code, r.err).toBe(0);
    const applied = results.flatMap((r) => JSON.parse(r.out) as number[]);
    const expected = [1, ...Array.from({ length: 8 }, (_, i) => 100 + i)];
    expect([...applied].sort((a, b) => a - b)).toEqual(expected);
    const db = new Database(dbFile, { readonly: true });
    const rows = db.prepare('SELECT version, count(*) AS n FROM schema_migrations GROUP BY version ORDER BY version').all();
    expect(rows).toEqual(expected.map((v) => ({ version: v, n: 1 })));
    for (let i = 0; i < 8; i++) expect(db.prepare(`SELECT count(*) AS n FROM t${i}`).get()).toEqual({ n: 1 });
    db.close();
  }, 60_000);

  it('open and migrate new files side by side without "database is locked" (the WAL switch and the first write race)', async () => {
    const h = tempHome();
    const dir = path.join(h.home, 'storage');
    const script = path.join(h.home, 'rounds.mts');
    const rounds = 40;
    // Every child opens round k's new file at the same instant as the others: the first open of
    // a fresh file switches it to WAL and creates schema_migrations, a read-to-write upgrade that
    // SQLite refuses at once (no busy wait) when another process got there first.
    fs.writeFileSync(
      script,
      `
import { openSqlite } from ${JSON.stringify(path.join(here, 'sqlite.ts'))};
import { applyMigrations } from ${JSON.stringify(path.join(here, 'migrate.ts'))};
import { migrationsFor } from ${JSON.stringify(path.join(here, 'migrations/index.ts'))};
const t0 = ${Date.now() + 3000};
const errors = [];
for (let k = 0; k < ${rounds}; k++) {
  while (Date.now() < t0 + k * 120) await new Promise((r) => setTimeout(r, 1));
  try {
    const db = openSqlite(${JSON.stringify(dir)} + '/race-' + k + '.db', { subject: 'round ' + k });
    applyMigrations(db, 'round ' + k, migrationsFor('MEMORY'));
    db.close();
  } catch (err) {
    errors.push(err.message);
  }
}
process.stdout.write(JSON.stringify(errors));
`,
    );
    const results = await Promise.all(Array.from({ length: CHILDREN }, () => run(script)));
    for (const r of results) expect(r.code, r.err).toBe(0);
    expect(results.flatMap((r) => JSON.parse(r.out) as string[])).toEqual([]);
  }, 60_000);
});
