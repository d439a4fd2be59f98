import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnCli } from '../test/cli-runner.js';
import { backendRequired } from '../test/require.js';
import { openEngine, type Engine } from './engine.js';
import { isFoxError } from './errors.js';

/** Rows of a table, read by the sqlite3 CLI (another process, as a user would check). */
function countRows(file: string, table: string): number {
  return Number(execFileSync('/usr/bin/sqlite3', [file, `SELECT count(*) FROM ${table}`]).toString().trim());
}

/** Fills the file system of `dir` with one file until it reports ENOSPC. */
function fill(file: string): void {
  const fd = fs.openSync(file, 'w');
  const block = Buffer.alloc(4096, 0x5a);
  try {
    for (;;) fs.writeSync(fd, block);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    fs.closeSync(fd);
  }
}

describe('stores on a full disk', () => {
  let root = '';
  let mnt = '';
  let unavailable = '';
  const engines: Engine[] = [];
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'foxctl-full-'));
    mnt = path.join(root, 'small-disk');
    fs.mkdirSync(mnt);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mnt], { stdio: 'pipe' });
    } catch (err) {
      unavailable = `cannot mount a small tmpfs (${String((err as { stderr?: Buffer }).stderr ?? err).trim()})`;
    }
  });
  afterAll(async () => {
    for (const e of engines.splice(0)) await e.close().catch(() => undefined);
    if (!unavailable) {
      try {
        execFileSync('umount', [mnt], { stdio: 'pipe' });
      } catch {
        execFileSync('umount', ['-l', mnt]); // still busy after a failure: detach it anyway
      }
    }
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('fails a store write with IO "the disk is full" naming the store, and loses nothing committed before', async (ctx) => {
    if (unavailable) {
      if (backendRequired('tmpfs')) throw new Error(unavailable);
      console.log(`skipped: ${unavailable}`);
      ctx.skip();
    }
    const env = {
      HOME: root,
      FOXCTL_HOME: path.join(root, '.foxctl'),
      FOXCTL_STORAGE_ROOT: path.join(mnt, 'storage'),
      FOXCTL_OBS_DIR: path.join(mnt, 'observability'),
    };
    const events = (n: number, tag: string): string => Array.from({ length: n }, (_, i) => JSON.stringify({ operation: `full.${tag}`, message: `event ${i}` })).join('\n');
    expect(spawnCli(env, ['events', 'emit', '--persist', 'sql'], events(20, 'before')).status).toBe(0);
    const engine = openEngine({ env });
    engines.push(engine);
    const memory = engine.stores.get('MEMORY');
    memory.exec('CREATE TABLE kept (id INTEGER PRIMARY KEY, v TEXT)');
    const ins = memory.prepare('INSERT INTO kept (v) VALUES (?)');
    memory.transaction(() => {
      for (let i = 0; i < 100; i++) ins.run(`row ${i}`);
    })();
    await engine.close();
    // An engine whose events.db connection is open (its -shm allocated) before the disk fills.
    const live = openEngine({ env });
    engines.push(live);
    await live.events.emitMany([{ operation: 'full.open' }], { persist: 'sql' });

    fill(path.join(mnt, 'filler'));

    const messages: string[] = [];
    // A write on an open connection: the WAL cannot grow (SQLITE_FULL); the transaction rolls back.
    let err: unknown;
    try {
      await live.events.emitMany(Array.from({ length: 400 }, (_, i) => ({ operation: 'full.big', message: `${i} ${'x'.repeat(8000)}` })), { persist: 'sql' });
    } catch (e) {
      err = e;
    }
    expect(isFoxError(err, 'IO')).toBe(true);
    expect((err as Error).message).toMatch(/^events\.db: the disk is full: free some space and try again \(SQLITE_FULL\)$/);
    messages.push((err as Error).message);
    await live.close();
    // A foxctl command that writes a store (the failed checkpoint at close left the -wal and -shm).
    const emit = spawnCli(env, ['events', 'emit', '--persist', 'sql'], events(50, 'after'));
    expect(emit.status).toBe(18);
    expect(emit.stderr).toMatch(/^foxctl: IO: events\.db: the disk is full: free some space and try again \(SQLITE_FULL\)$/m);
    expect(emit.stderr).not.toMatch(/disk I\/O error/);
    messages.push(emit.stderr.trim());
    // The engine's store connections: opening a WAL database cannot allocate its -shm file
    // (the failed command freed a few pages: fill them too).
    fill(path.join(mnt, 'filler-2'));
    const again = openEngine({ env });
    engines.push(again);
    err = undefined;
    try {
      again.stores.get('MEMORY');
    } catch (e) {
      err = e;
    } finally {
      await again.close();
    }
    expect(isFoxError(err, 'IO')).toBe(true);
    expect((err as Error).message).toMatch(/^store MEMORY \(.*memory\.db\): the disk is full/);
    messages.push((err as Error).message);
    console.log(`full disk:\n${messages.join('\n')}`);

    fs.rmSync(path.join(mnt, 'filler'));
    fs.rmSync(path.join(mnt, 'filler-2'));
    expect(countRows(path.join(mnt, 'storage', 'memory.db'), 'kept')).toBe(100);
    expect(countRows(path.join(mnt, 'observability', 'events.db'), 'foxcular_events')).toBe(21);
  }, 60_000);
});
