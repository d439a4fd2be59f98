// Restore never installs a broken database and never loses a live writer's rows: the refusals
// of a restore, each with a real archive and, where it matters, a real other process.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '../engine.js';
import { isFoxError } from '../errors.js';
import { tempHome, type TempHome } from '../../test/temp-home.js';
import { inUseBy } from './restore-db.js';
import { RESTORE_LOCK } from './restore-lock.js';
import { accountsOf, engineOf, makeAccountsDb, seedHome, sha256File, writeGoArchive } from './test-fixtures.js';

let engine: Engine | undefined;
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  await engine?.close();
  engine = undefined;
});

/** The FoxError a job rejects with. */
async function refusal(p: Promise<unknown>): Promise<Error & { code: string }> {
  try {
    await p;
  } catch (err) {
    if (isFoxError(err)) return err;
    throw err;
  }
  throw new Error('expected the restore to be refused');
}

/** Every temp or lock a restore may leave, anywhere under `dir`. */
function leftovers(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((n) => /\.restore-\d+-\w+\.tmp|\.restore\.lock|\.staging-/.test(n));
}

/** The files of the backups dir (an archive, a safety backup, caches). */
function backupsOf(th: TempHome): string[] {
  const dir = path.join(th.home, 'backups');
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n.endsWith('.tar.gz')).sort() : [];
}

/**
 * Another process holding a store open as the Go foxctl's connection pool does: WAL, one
 * read done, then idle. It inserts a row each time it reads a line on stdin.
 */
function pythonWriter(file: string): { proc: ChildProcess; ready: Promise<void>; insert(tag: string): Promise<void> } {
  const proc = spawn(
    'python3',
    [
      '-c',
      `import sqlite3, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=5)
c.execute('PRAGMA journal_mode=WAL')
c.execute('SELECT count(*) FROM accounts').fetchall()
print('ready', flush=True)
for line in sys.stdin:
    c.execute('INSERT INTO accounts (balance, note) VALUES (1, ?)', (line.strip(),))
    print('done', flush=True)`,
      file,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  children.push(proc);
  const lines: ((l: string) => void)[] = [];
  let buf = '';
  proc.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      buf = buf.slice(i + 1);
      lines.shift()?.(buf);
    }
  });
  const next = (): Promise<void> => new Promise((resolve) => lines.push(() => resolve()));
  const ready = next();
  return {
    proc,
    ready,
    insert: (tag) => {
      const done = next();
      proc.stdin!.write(`${tag}\n`);
      return done;
    },
  };
}

describe('restore refuses what is broken and what is in use', () => {
  it('never installs a database that is not one: 19 bytes of text with a matching checksum are CORRUPT, nothing changes', async () => {
    const th = tempHome();
    const { storage } = seedHome(th);
    const live = path.join(storage, 'memory.db');
    const before = sha256File(live);
    await writeGoArchive(path.join(th.home, 'backups', 'backup_textdb.tar.gz'), [
      { path: 'storage/memory.db', data: Buffer.from('not a database at all'.slice(0, 19)), component: 'databases' },
      { path: 'storage/knowledge.db', data: fs.readFileSync(path.join(storage, 'knowledge.db')), component: 'databases' },
    ]);
    engine = engineOf(th);
    const err = await refusal(engine.backups.restore('textdb', { force: true }).done);
    expect(err.code).toBe('CORRUPT');
    expect(err.message).toBe('storage/memory.db in the backup is not a SQLite database (its header is not "SQLite format 3"); nothing was restored');
    expect(err.message).not.toContain('.tmp');
    expect(sha256File(live)).toBe(before);
    // No safety backup either: nothing was about to change.
    expect(backupsOf(th)).toEqual(['backup_textdb.tar.gz']);
    expect(leftovers(th.home)).toEqual([]);
  });

  it('never installs a database that fails quick_check', async () => {
    const th = tempHome();
    const { storage } = seedHome(th);
    const live = path.join(storage, 'memory.db');
    const before = sha256File(live);
    // A real database whose table b-tree page was overwritten, as a failing disk does.
    const broken = path.join(th.home, '..', 'broken.db');
    makeAccountsDb(broken, 2000, { wal: false });
    const fd = fs.openSync(broken, 'r+');
    fs.writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, 4096 * 3);
    fs.closeSync(fd);
    await writeGoArchive(path.join(th.home, 'backups', 'backup_torn.tar.gz'), [{ path: 'storage/memory.db', data: fs.readFileSync(broken), component: 'databases' }]);
    engine = engineOf(th);
    const err = await refusal(engine.backups.restore('torn', { force: true }).done);
    expect(err.code).toBe('CORRUPT');
    expect(err.message).toMatch(/storage\/memory\.db in the backup is damaged \(.*(quick_check|malformed)/);
    expect(sha256File(live)).toBe(before);
    expect(leftovers(th.home)).toEqual([]);
  });

  it('treats a --target that is the live home (a symlink to it) as a live restore: safety backup first', async () => {
    const th = tempHome();
    const { storage } = seedHome(th);
    engine = engineOf(th);
    await engine.backups.create({ format: 'tar', name: 'b', components: ['databases'] }).done;
    const db = new Database(path.join(storage, 'memory.db'));
    db.prepare('UPDATE accounts SET balance = 1').run();
    db.close();
    const link = path.join(th.home, '..', 'home-link');
    fs.symlinkSync(th.home, link);
    for (const target of [link, `${th.home}/./`]) {
      const res = await engine.backups.restore('b', { target, force: true, stores: ['MEMORY'] }).done;
      expect(res.target).toBeNull();
      expect(res.replaced).toBe(1);
      expect(res.safety_backup?.name).toMatch(/^pre-restore-/);
    }
    expect(accountsOf(path.join(storage, 'memory.db'))).toEqual({ sum: 2000, count: 20 });
    // The first safety backup holds the changed balances.
    const safety = backupsOf(th).filter((n) => n.includes('pre-restore-'));
    expect(safety).toHaveLength(2);
  });

  it('refuses a live store another process has open (CONFLICT naming it); with forceInUse the writer goes on in the restored data', async () => {
    const th = tempHome();
    const { storage } = seedHome(th);
    const live = path.join(storage, 'memory.db');
    engine = engineOf(th);
    await engine.backups.create({ format: 'tar', name: 'b', components: ['databases'] }).done;
    const writer = pythonWriter(live);
    await writer.ready;
    await writer.insert('before-restore');
    const before = sha256File(live);
    // Both ways of seeing it: /proc/locks (names the process) and, where that is missing, SQLite's exclusive lock.
    expect(inUseBy(live, 'store MEMORY')).toBe(`python3 (pid ${writer.proc.pid})`);
    expect(inUseBy(live, 'store MEMORY', { procLocks: false })).toBe('another process');

    // The dry run says so first, naming the process.
    const plan = await engine.backups.restore('b', { force: true, stores: ['MEMORY'], dryRun: true }).done;
    expect(plan.files.map((f) => [f.path, f.action, f.in_use])).toEqual([['storage/memory.db', 'would-replace', `python3 (pid ${writer.proc.pid})`]]);
    const err = await refusal(engine.backups.restore('b', { force: true, stores: ['MEMORY'] }).done);
    expect(err.code).toBe('CONFLICT');
    expect(err.message).toMatch(/^MEMORY is in use by another process \(python3 \(pid \d+\) has \S+memory\.db open\); stop it or pass --force-in-use/);
    expect(sha256File(live)).toBe(before);
    expect(backupsOf(th).filter((n) => n.includes('pre-restore-'))).toEqual([]);
    expect(leftovers(th.home)).toEqual([]);

    const free = path.join(storage, 'knowledge.db');
    expect([inUseBy(free, 'store KNOWLEDGE'), inUseBy(free, 'store KNOWLEDGE', { procLocks: false })]).toEqual([null, null]);

    const res = await engine.backups.restore('b', { force: true, stores: ['MEMORY'], forceInUse: true }).done;
    expect(res.replaced).toBe(1);
    expect(res.safety_backup).not.toBeNull();
    // The writer still has its connection: its next commit lands in the restored database.
    await writer.insert('after-restore');
    writer.proc.stdin!.end();
    await new Promise((r) => writer.proc.once('exit', r));
    const owners = execFileSync('sqlite3', [live, "SELECT note FROM accounts WHERE note LIKE '%-restore' ORDER BY id; SELECT count(*) FROM accounts; PRAGMA integrity_check;"], {
      encoding: 'utf8',
    })
      .trim()
      .split('\n');
    expect(owners).toEqual(['after-restore', '21', 'ok']);
  });

  it('runs one restore at a time per home: a second one, or one while another process restores, gets CONFLICT', async () => {
    const th = tempHome();
    seedHome(th);
    engine = engineOf(th);
    await engine.backups.create({ format: 'tar', name: 'b', components: ['databases'] }).done;
    const first = engine.backups.restore('b', { force: true });
    const second = await refusal(engine.backups.restore('b', { force: true }).done);
    expect(second.code).toBe('CONFLICT');
    expect(second.message).toMatch(/another restore is running into .* \(backup b, process \d+/);
    await first.done;
    expect(leftovers(th.home)).toEqual([]);

    // Another process's lock (a live process), then the same lock once that process is gone.
    const other = spawn('sleep', ['60']);
    children.push(other);
    fs.writeFileSync(path.join(th.home, RESTORE_LOCK), JSON.stringify({ pid: other.pid, host: (await import('node:os')).hostname(), started_at: new Date().toISOString(), backup: 'x' }));
    expect((await refusal(engine.backups.restore('b', { force: true }).done)).message).toContain(`process ${other.pid}`);
    other.kill('SIGKILL');
    await new Promise((r) => other.once('exit', r));
    expect((await engine.backups.restore('b', { force: true }).done).replaced).toBeGreaterThan(0);
    expect(leftovers(th.home)).toEqual([]);
  });

  it('leaves nothing behind when refused: no temp file, no directory it made', async () => {
    const th = tempHome();
    const { storage } = seedHome(th);
    await writeGoArchive(path.join(th.home, 'backups', 'backup_bad.tar.gz'), [
      { path: 'storage/repoindex/repo-repoindex-0123456789abcdef.db', data: fs.readFileSync(path.join(storage, 'knowledge.db')), component: 'databases' },
      { path: 'sessions/deep/dir/note.txt', data: Buffer.from('a note\n'), component: 'sessions' },
      { path: 'storage/memory.db', data: Buffer.from('SQLite format 3\0 but not really'), component: 'databases' },
    ]);
    engine = engineOf(th);
    const target = path.join(th.home, '..', 'fresh-target');
    const err = await refusal(engine.backups.restore('bad', { target }).done);
    expect(err.code).toBe('CORRUPT');
    expect(fs.existsSync(target)).toBe(false);
    fs.rmSync(path.join(th.home, 'sessions'), { recursive: true });
    fs.rmSync(path.join(storage, 'memory.db'));
    expect((await refusal(engine.backups.restore('bad', {}).done)).code).toBe('CORRUPT');
    expect(fs.existsSync(path.join(th.home, 'sessions'))).toBe(false);
    expect(leftovers(th.home)).toEqual([]);
  });
});
