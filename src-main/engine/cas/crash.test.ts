import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { tempHome } from '../../test/temp-home.js';
import { createFileBackend } from './file-backend.js';
import { CasStore } from './guarded-store.js';
import { createSqliteBackend } from './sqlite-backend.js';
import type { CasBackend } from './types.js';
import { verifyStore } from './verify.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../../..');
const RUNS = 3;

/** Runs the child until it has acknowledged `killAfter` puts (plus a random moment), then SIGKILLs it. */
function runAndKill(kind: string, location: string, seed: number, killAfter: number): Promise<{ acked: string[]; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'crash-child.ts'), kind, location, String(seed), '1000'], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let killed = false;
    const acked = (): string[] => out.split('\n').slice(0, -1);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!killed && acked().length >= killAfter) {
        killed = true;
        // A random moment inside the next put(s): data write, fsync, rename or commit.
        setTimeout(() => child.kill('SIGKILL'), Math.floor(Math.random() * 15));
      }
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      if (signal !== 'SIGKILL' && code !== 0) reject(new Error(`child failed (${code}): ${err}`));
      else resolve({ acked: acked(), killed: signal === 'SIGKILL' });
    });
  });
}

async function checkAfterCrashes(kind: string, open: (tmpSafeAgeMs?: number) => CasBackend, location: string, tempCount: () => number): Promise<void> {
  const all = new Set<string>();
  for (let run = 0; run < RUNS; run++) {
    const killAfter = 10 + Math.floor(Math.random() * 90);
    const { acked, killed } = await runAndKill(kind, location, run + 1, killAfter);
    expect(killed).toBe(true);
    expect(acked.length).toBeGreaterThanOrEqual(killAfter);
    for (const d of acked) all.add(d);
  }
  // The safe-age rule itself (younger temp data is kept) is in the conformance suite; here every
  // leftover is old enough, so opening cleans it all.
  const store = new CasStore(open(0));
  await store.open();
  expect(tempCount()).toBe(0);
  for (const d of all) expect(await store.has(d), `acknowledged ${d} is missing`).toBe(true);
  const v = await verifyStore(store);
  expect(v.corrupt).toEqual([]);
  expect(v.problems).toEqual([]);
  expect(v.objects_checked).toBeGreaterThanOrEqual(all.size);
  await store.close();
}

describe('CAS: kill -9 in the middle of 1,000 puts, repeated', () => {
  it('file backend: no object that does not hash to its name, no acknowledged put lost, temp cleaned', async () => {
    const dir = path.join(tempHome().home, 'cas');
    await checkAfterCrashes('file', (age) => createFileBackend({ dir, tmpSafeAgeMs: age }), dir, () => fs.readdirSync(path.join(dir, 'tmp')).length);
  }, 120_000);

  it('sqlite backend: the same, with chunked objects', async () => {
    const file = path.join(tempHome().home, 'cas.db');
    const count = (): number => {
      const db = new Database(file, { readonly: true });
      try {
        return db.prepare('SELECT count(*) FROM studio_cas_blobs WHERE digest IS NULL').pluck().get() as number;
      } finally {
        db.close();
      }
    };
    await checkAfterCrashes('sqlite', (age) => createSqliteBackend({ file, chunkSize: 64 * 1024, tmpSafeAgeMs: age }), file, count);
  }, 120_000);
});
