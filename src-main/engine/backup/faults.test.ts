import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite } from '../db/sqlite.js';
import type { Engine } from '../engine.js';
import { tempHome } from '../../test/temp-home.js';
import { accountsOf, engineOf, makeAccountsDb } from './test-fixtures.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const children: ChildProcess[] = [];
let engine: Engine | undefined;
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await engine?.close();
  engine = undefined;
});

/** Starts a child and collects its stdout; resolves with it when the child exits. */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): { child: ChildProcess; out: Promise<string> } {
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const out = new Promise<string>((resolve, reject) => {
    child.on('exit', (code, signal) => (code === 0 ? resolve(stdout) : reject(new Error(`${args.join(' ')} exited ${code ?? signal}: ${stderr}`))));
  });
  out.catch(() => undefined);
  return { child, out };
}

async function until(cond: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('backup faults', () => {
  it('four writers keep transferring during 20 backups: every restored database is whole and keeps its total', async () => {
    const th = tempHome();
    const storage = path.join(th.home, 'storage');
    const stores = { memory: path.join(storage, 'memory.db'), knowledge: path.join(storage, 'knowledge.db') };
    makeAccountsDb(stores.memory, 50);
    makeAccountsDb(stores.knowledge, 50);
    const stop = path.join(th.home, '..', 'stop');
    const writers = [stores.memory, stores.memory, stores.knowledge, stores.knowledge].map((db) =>
      run(process.execPath, [path.join(here, 'fixtures', 'transfer-writer.mjs'), db, stop, '60000']),
    );
    // Wait until every writer has committed, so the backups really race with them.
    await until(() => {
      const db = openSqlite(stores.memory, { readonly: true });
      const moved = (db.prepare('SELECT count(*) AS c FROM accounts WHERE balance != 100').get() as { c: number }).c;
      db.close();
      return moved > 10;
    }, 'the writers to start');
    engine = engineOf(th);
    const names: string[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await engine.backups.create({ format: 'tar', name: `race-${i}`, components: ['databases'] }).done;
      names.push(res.name);
    }
    fs.writeFileSync(stop, '');
    const commits = (await Promise.all(writers.map((w) => w.out))).map((o) => (JSON.parse(o) as { commits: number }).commits);
    expect(commits.every((c) => c > 0)).toBe(true);
    const states = new Set<string>();
    for (const name of names) {
      const target = path.join(th.home, '..', 'restored', name);
      await engine.backups.restore(name, { target }).done;
      for (const file of ['memory.db', 'knowledge.db']) {
        const restored = path.join(target, 'storage', file);
        const db = openSqlite(restored, { readonly: true });
        expect(db.pragma('integrity_check', { simple: true }), `${name} ${file}`).toBe('ok');
        if (file === 'memory.db') states.add(JSON.stringify(db.prepare('SELECT balance FROM accounts ORDER BY id').all()));
        db.close();
        expect(accountsOf(restored), `${name} ${file}`).toEqual({ sum: 5000, count: 50 });
      }
    }
    // The snapshots were taken at different moments of the writing, not all after it stopped.
    expect(states.size).toBeGreaterThan(5);
  }, 120_000);

  it('kill -9 during create leaves nothing under the final name; the next create succeeds and cleans up', async () => {
    const th = tempHome();
    makeAccountsDb(path.join(th.home, 'storage', 'memory.db'), 20);
    fs.mkdirSync(path.join(th.home, 'jobs'), { recursive: true });
    // Incompressible bytes make the gzip stage long enough to be killed in the middle.
    fs.writeFileSync(path.join(th.home, 'jobs', 'big.bin'), randomBytes(40 << 20));
    const backups = path.join(th.home, 'backups');
    const { child, out } = run(process.execPath, ['--import', 'tsx', path.join(here, 'fixtures', 'create-child.ts'), 'killed'], { ...process.env, ...th.env() });
    const tempOf = (): string | undefined => {
      try {
        return fs.readdirSync(backups).find((n) => n.startsWith('.backup_killed.tar.gz.create-'));
      } catch {
        return undefined;
      }
    };
    await until(() => {
      const t = tempOf();
      return t !== undefined && fs.statSync(path.join(backups, t)).size > 1 << 20;
    }, 'the child to write part of the archive', 60_000);
    child.kill('SIGKILL');
    await expect(out).rejects.toThrow(/SIGKILL/);
    expect(fs.existsSync(path.join(backups, 'backup_killed.tar.gz'))).toBe(false);
    const leftovers = fs.readdirSync(backups).filter((n) => n.startsWith('.') && n !== '.manifests');
    expect(leftovers.length).toBeGreaterThanOrEqual(1);
    engine = engineOf(th);
    const res = await engine.backups.create({ format: 'tar', name: 'killed', components: ['jobs', 'databases'] }).done;
    expect(fs.existsSync(res.path)).toBe(true);
    expect(fs.readdirSync(backups).filter((n) => n.startsWith('.') && n !== '.manifests')).toEqual([]);
    const v = await engine.backups.verify('killed').done;
    expect(v.ok).toBe(true);
    // The killed job is not left "running" forever in jobs.db.
    engine.jobs.recoverInterrupted();
    expect(engine.jobs.list().filter((j) => j.state === 'running')).toEqual([]);
  }, 120_000);
});
