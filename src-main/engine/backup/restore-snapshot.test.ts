// Restore and rehearse of a snapshot (docs/snapshot-repository.md) through the same engine calls
// as archives: the same plan, checks, safety backup and in-use rules, with real SQLite files and
// real other processes.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite } from '../db/sqlite.js';
import type { Engine } from '../engine.js';
import { isFoxError } from '../errors.js';
import { tempHome, type TempHome } from '../../test/temp-home.js';
import { resolveBackupSource, snapshotRepoRoot } from './backup-source.js';
import { restoreBackup } from './restore.js';
import { createSnapshotFromPlan } from './repo/create-snapshot.js';
import { loadIndex } from './repo/index-file.js';
import { packPath, repoPaths } from './repo/layout.js';
import { parseList } from './repo/file-blobs.js';
import { BlobReader } from './repo/blob-reader.js';
import type { Snapshot } from './repo/snapshot-file.js';
import { collectSources } from './sources.js';
import { accountsOf, engineOf, seedHome, sha256File } from './test-fixtures.js';
import { COMPONENTS, type RestoreOptions } from './types.js';
import { holdStoreOpen } from './in-use-holder.js';

let engine: Engine | undefined;
const releases: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const r of releases.splice(0)) await r();
  await engine?.close();
  engine = undefined;
});

/** Takes a snapshot of the whole home (what `backup create --format snapshot` does). */
async function snapshotHome(th: TempHome, name: string): Promise<Snapshot> {
  const config = th.config();
  return createSnapshotFromPlan(config, collectSources(config, [...COMPONENTS], false), name, snapshotRepoRoot(config), {}, { unreadable: 'problem' });
}

/**
 * SHA-256 of every file of the home outside backups/, by relative path; not the engine's own
 * jobs.db (the restore job is recorded there) nor -shm files (a reader's index, not data).
 */
function homeHashes(th: TempHome): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rel of fs.readdirSync(th.home, { recursive: true }) as string[]) {
    if (rel.split(path.sep)[0] === 'backups' || rel.startsWith(path.join('storage', 'jobs.db')) || rel.endsWith('-shm')) continue;
    const abs = path.join(th.home, rel);
    if (fs.statSync(abs).isFile()) out[rel] = sha256File(abs);
  }
  return out;
}

function spend(file: string, amount: number): void {
  const db = openSqlite(file);
  db.prepare('UPDATE accounts SET balance = balance - ? WHERE id = 1').run(amount);
  db.close();
}

async function refusal(p: Promise<unknown>): Promise<Error & { code: string }> {
  try {
    await p;
  } catch (err) {
    if (isFoxError(err)) return err;
    throw err;
  }
  throw new Error('expected the restore to be refused');
}

function safetyBackups(th: TempHome): string[] {
  return fs.readdirSync(path.join(th.home, 'backups')).filter((n) => n.startsWith('backup_pre-restore-'));
}

describe('restore of a snapshot', () => {
  it('plans, restores one store after a safety backup, restores into --target, and rehearses, by the snapshot name', async () => {
    const th = tempHome();
    const { storage, digest } = seedHome(th);
    const memory = path.join(storage, 'memory.db');
    await snapshotHome(th, 'snap');
    spend(memory, 30);
    fs.writeFileSync(path.join(th.home, 'memory', 'memory-note.txt'), 'changed since\n');
    engine = engineOf(th);

    const dry = await engine.backups.restore('snap', { dryRun: true, force: true }).done;
    expect(dry.dry_run).toBe(true);
    expect(dry.files.find((f) => f.path === 'storage/memory.db')).toMatchObject({ action: 'would-replace', destination: memory, store: 'MEMORY' });
    expect(accountsOf(memory).sum).toBe(1970);

    const res = await engine.backups.restore('snap', { stores: ['memory'], force: true }).done;
    expect(res.files.map((f) => [f.path, f.action])).toEqual([['storage/memory.db', 'replaced']]);
    expect(accountsOf(memory)).toEqual({ sum: 2000, count: 20 });
    expect(execFileSync('sqlite3', [memory, 'PRAGMA integrity_check'], { encoding: 'utf8' }).trim()).toBe('ok');
    // The safety backup (an archive) holds what the snapshot replaced.
    expect(res.safety_backup?.name).toMatch(/^pre-restore-/);
    const back = path.join(th.home, '..', 'safety');
    await engine.backups.restore(res.safety_backup!.name, { target: back }).done;
    expect(accountsOf(path.join(back, 'storage', 'memory.db')).sum).toBe(1970);
    // The note was not selected: untouched.
    expect(fs.readFileSync(path.join(th.home, 'memory', 'memory-note.txt'), 'utf8')).toBe('changed since\n');

    const target = path.join(th.home, '..', 'target');
    const into = await engine.backups.restore('snap', { target, components: ['cas', 'memory'] }).done;
    expect(into.target).toBe(target);
    expect(fs.readFileSync(path.join(target, 'cas', 'sha256', digest), 'utf8')).toBe('{"hello":"world"}\n');
    expect(fs.readFileSync(path.join(target, 'memory', 'memory-note.txt'), 'utf8')).toBe('memory file\n');
    expect(fs.existsSync(path.join(target, 'storage'))).toBe(false);

    spend(path.join(storage, 'knowledge.db'), 1);
    const db = openSqlite(path.join(storage, 'knowledge.db'));
    db.prepare('INSERT INTO accounts (id, balance) VALUES (99, 1)').run();
    db.close();
    const r = await engine.backups.rehearse('snap').done;
    expect(r.ok).toBe(true);
    expect(r.databases.map((d) => d.path)).toEqual(expect.arrayContaining(['storage/memory.db', 'storage/knowledge.db', 'observability/events.db']));
    expect(r.databases.every((d) => d.integrity === 'ok')).toBe(true);
    expect(r.differences).toEqual([{ store: 'KNOWLEDGE', path: 'storage/knowledge.db', table: 'accounts', backup_rows: 5, live_rows: 6 }]);
  }, 90_000);

  it('names both places when a name is neither an archive nor a snapshot', async () => {
    const th = tempHome();
    seedHome(th);
    await snapshotHome(th, 'snap');
    engine = engineOf(th);
    const err = await refusal(Promise.resolve().then(() => engine!.backups.restore('nope').done));
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toContain(path.join(th.home, 'backups', 'backup_nope.tar.gz'));
    expect(err.message).toContain(path.join(th.home, 'backups', 'repository', 'snapshots', 'nope.json'));
  });

  it('a flipped byte in a pack fails the restore before anything is installed: the home is byte for byte as it was', async () => {
    const th = tempHome();
    const { storage } = seedHome(th);
    const snap = await snapshotHome(th, 'snap');
    spend(path.join(storage, 'memory.db'), 30);
    fs.rmSync(path.join(storage, 'knowledge.db'));
    // Flip a byte in the middle of the frame that holds memory.db's first page.
    const paths = repoPaths(snapshotRepoRoot(th.config()));
    const index = await loadIndex(paths);
    const entry = snap.files.find((f) => f.path === 'storage/memory.db')!;
    const reader = new BlobReader(paths, index);
    const firstPage = parseList(await reader.read(entry.content[0]!), entry.content[0]!)[0]!;
    await reader.close();
    const loc = index.blobs.get(firstPage)!;
    const pack = packPath(paths, loc.pack);
    const fd = fs.openSync(pack, 'r+');
    const at = loc.frame.offset + Math.floor(loc.frame.length / 2);
    const b = Buffer.alloc(1);
    fs.readSync(fd, b, 0, 1, at);
    fs.writeSync(fd, Buffer.from([b[0]! ^ 0x40]), 0, 1, at);
    fs.closeSync(fd);
    const before = homeHashes(th);
    engine = engineOf(th);
    // The whole restore (that frame may also hold pages of a file restored earlier), then memory.db alone.
    const cases: [RestoreOptions, string][] = [[{ force: true }, '\\S+'], [{ force: true, stores: ['MEMORY'] }, 'storage/memory\\.db']];
    for (const [opts, file] of cases) {
      const err = await refusal(engine.backups.restore('snap', opts).done);
      expect(err.code).toBe('CORRUPT');
      expect(err.message).toMatch(new RegExp(`^snapshot snap: ${file}: (blob|pack) .*nothing was restored`));
      expect(homeHashes(th)).toEqual(before);
      expect(safetyBackups(th)).toEqual([]);
    }
    // knowledge.db (would-create) was not installed either, though its own blobs are good.
    expect(fs.existsSync(path.join(storage, 'knowledge.db'))).toBe(false);
    expect((await refusal(engine.backups.rehearse('snap').done)).code).toBe('CORRUPT');
  });

  it('refuses a store another process has open, as for archives; with forceInUse that process goes on in the restored data', async () => {
    const th = tempHome();
    const { storage } = seedHome(th);
    const live = path.join(storage, 'memory.db');
    await snapshotHome(th, 'snap');
    spend(live, 10);
    const holder = await holdStoreOpen(live);
    releases.push(holder.release);
    const before = sha256File(live);
    engine = engineOf(th);
    const plan = await engine.backups.restore('snap', { force: true, stores: ['MEMORY'], dryRun: true }).done;
    expect(plan.files[0]!.in_use).toBe(`sqlite3 (pid ${holder.pid})`);
    const err = await refusal(engine.backups.restore('snap', { force: true, stores: ['MEMORY'] }).done);
    expect(err.code).toBe('CONFLICT');
    expect(err.message).toMatch(/^MEMORY is in use by another process \(sqlite3 \(pid \d+\) has \S+memory\.db open\); stop it or pass --force-in-use/);
    expect(sha256File(live)).toBe(before);
    expect(safetyBackups(th)).toEqual([]);
    const res = await engine.backups.restore('snap', { force: true, stores: ['MEMORY'], forceInUse: true }).done;
    expect(res.replaced).toBe(1);
    // The sqlite3 process's next read, on its open connection, sees the restored rows.
    expect(await holder.query('SELECT sum(balance) FROM accounts;')).toBe('2000');
  });
});

describe('cancel of a snapshot restore', () => {
  it('a cancel while files are re-assembled removes the temps and leaves the home as it was', async () => {
    const th = tempHome();
    const { storage } = seedHome(th);
    await snapshotHome(th, 'snap');
    spend(path.join(storage, 'memory.db'), 5);
    const before = homeHashes(th);
    const controller = new AbortController();
    const config = th.config();
    let at = '';
    const run = restoreBackup({ config, closeFile: () => false }, resolveBackupSource(config, 'snap'), { force: true }, {
      signal: controller.signal,
      // Abort as the first file starts: its temp exists, its blobs are not all read.
      progress: (_d, _t, message) => {
        if (at === '' && message) {
          at = message;
          controller.abort();
        }
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'CANCELED' });
    expect(at).not.toBe('');
    expect(homeHashes(th)).toEqual(before);
    expect((fs.readdirSync(th.home, { recursive: true }) as string[]).filter((n) => /\.tmp$|\.restore\.lock/.test(n))).toEqual([]);
    expect(safetyBackups(th)).toEqual([]);
  });
});

describe('kill -9 during a snapshot restore', () => {
  it('leaves every file as it was or fully restored, wherever it lands; the next restore finishes and cleans up', async () => {
    const th = tempHome();
    const { storage } = seedHome(th);
    await snapshotHome(th, 'snap');
    const note = path.join(th.home, 'sessions', 'sessions-note.txt');
    const memory = path.join(storage, 'memory.db');
    const knowledge = path.join(storage, 'knowledge.db');
    // The same changed state each time, whatever the last kill left.
    const changeLive = (): void => {
      for (const [file, sql] of [[memory, 'UPDATE accounts SET balance = 70 WHERE id = 1'], [knowledge, 'INSERT OR REPLACE INTO accounts (id, balance) VALUES (99, 1)']] as const) {
        const db = openSqlite(file);
        db.prepare(sql).run();
        db.close();
      }
      fs.writeFileSync(note, 'changed since\n');
    };
    /** Whether each file is in one of its two whole states; returns which ones are restored. */
    const states = (): string[] => {
      const restored: string[] = [];
      for (const [file, old, fresh] of [
        [memory, { sum: 1970, count: 20 }, { sum: 2000, count: 20 }],
        [knowledge, { sum: 501, count: 6 }, { sum: 500, count: 5 }],
      ] as const) {
        expect(execFileSync('sqlite3', [file, 'PRAGMA integrity_check'], { encoding: 'utf8' }).trim()).toBe('ok');
        const now = accountsOf(file);
        expect([old, fresh]).toContainEqual(now);
        if (now.count === fresh.count && now.sum === fresh.sum) restored.push(path.basename(file));
      }
      const text = fs.readFileSync(note, 'utf8');
      expect(['changed since\n', 'sessions file\n']).toContain(text);
      if (text === 'sessions file\n') restored.push('note');
      return restored;
    };
    // Kill points: while files are re-assembled, at the database checks, and at and after the safety backup.
    const points: [RegExp, number][] = [[/step storage\/memory\.db/, 0], [/step quick_check/, 0], [/step safety backup/, 0], [/step safety backup/, 30], [/step safety backup/, 80]];
    let killed = 0;
    for (const [at, delayMs] of points) {
      changeLive();
      const r = await runChild(th, 'snap', at, delayMs);
      if (r === 'killed') killed++;
      states();
    }
    expect(killed).toBeGreaterThanOrEqual(3);
    // A restore run to the end afterwards installs everything and takes over the dead restore's lock and temps.
    expect(await runChild(th, 'snap', null, 0)).toBe('finished');
    expect(states().sort()).toEqual(['knowledge.db', 'memory.db', 'note']);
    const left = (fs.readdirSync(th.home, { recursive: true }) as string[]).filter((n) => /\.restore-\d+-\w+\.tmp|\.restore\.lock/.test(n));
    expect(left).toEqual([]);
  }, 120_000);
});

/** Runs fixtures/restore-child.ts; SIGKILLs it `delayMs` after its stdout matches `at` (null: let it finish). */
function runChild(th: TempHome, name: string, at: RegExp | null, delayMs: number): Promise<'killed' | 'finished'> {
  const here = path.dirname(new URL(import.meta.url).pathname);
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'fixtures', 'restore-child.ts'), name], { env: { ...process.env, ...th.env() }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (at && at.test(out) && child.exitCode === null) {
      at = null;
      setTimeout(() => child.kill('SIGKILL'), delayMs);
    }
  });
  return new Promise((resolve, reject) => {
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve('killed');
      else if (code === 0 && out.includes('finished')) resolve('finished');
      else reject(new Error(`restore child exited ${String(code ?? signal)}: ${out.slice(-400)} ${err.slice(-800)}`));
    });
  });
}
