import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/temp-dir.js';
import { BlobReader } from './blob-reader.js';
import { writeStoredFile } from './file-blobs.js';
import { loadIndex } from './index-file.js';
import { openRepo, type RepoPaths } from './layout.js';
import { listLocks } from './locks.js';
import { pruneRepo, type PrunePhase } from './prune-repo.js';
import { listSnapshotNames, readSnapshot } from './snapshot-file.js';
import { verifyRepo } from './verify-repo.js';
import { writeSnapshotOf } from './write-snapshot.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const projectRoot = path.resolve(here, '../../../..');
const SIZES = { frame: 64 * 1024, pack: 256 * 1024, concurrency: 2 };

function dir(): string {
  return tempDir('foxctl-repo-crash-');
}

/** A log of `mb` MB whose lines differ by `seed` (hash-chained, so it neither repeats nor compresses away). */
function writeLog(file: string, seed: string, mb: number): void {
  const lines: string[] = [];
  let h = crypto.createHash('sha256').update(seed).digest('hex');
  let size = 0;
  while (size < mb * 1024 * 1024) {
    h = crypto.createHash('sha256').update(h).digest('hex');
    const line = `${JSON.stringify({ seed, h, note: h.slice(0, 40).repeat(3) })}\n`;
    lines.push(line);
    size += line.length;
  }
  fs.writeFileSync(file, lines.join(''));
}

function child(args: string[]): { proc: ChildProcess; waitFor(re: RegExp): Promise<void>; exited: Promise<number | null> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'crash-child.ts'), ...args], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters: { re: RegExp; resolve(): void }[] = [];
  proc.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
    for (const w of waiters.splice(0)) if (w.re.test(out)) w.resolve();
      else waiters.push(w);
  });
  proc.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return {
    proc,
    exited,
    waitFor: (re) =>
      new Promise<void>((resolve, reject) => {
        if (re.test(out)) return resolve();
        waiters.push({ re, resolve });
        void exited.then((code) => reject(new Error(`child exited ${String(code)} before ${String(re)}: ${out.slice(-300)} ${err}`)));
      }),
  };
}

/** Pack files (and pack temps) on disk. */
function countPacks(repoDir: string): number {
  const packs = path.join(repoDir, 'packs');
  if (!fs.existsSync(packs)) return 0;
  return fs.readdirSync(packs, { recursive: true }).filter((n) => String(n).endsWith('.pack')).length;
}

/** Restores every file of a snapshot and compares it with the original it was taken from. */
async function expectRestores(paths: RepoPaths, name: string, originals: Record<string, string>): Promise<void> {
  const reader = new BlobReader(paths, await loadIndex(paths));
  try {
    for (const f of (await readSnapshot(paths, name)).files) {
      const dest = path.join(dir(), 'out');
      await writeStoredFile(reader, f, dest);
      expect(fs.readFileSync(dest).equals(fs.readFileSync(originals[f.path]!)), `${name} ${f.path}`).toBe(true);
    }
  } finally {
    await reader.close();
  }
}

const META = { tool: { name: 'test', version: '0' }, home: '/h', status: 'ok' as const, problems: [], components: ['observability'] };

describe('snapshot repository under kill -9', () => {
  it('a backup killed at any point leaves the repository verifying clean and every earlier snapshot restorable', async () => {
    const work = dir();
    const repoDir = path.join(work, 'repository');
    const repo = await openRepo(repoDir, { create: true });
    const base = path.join(work, 'base.ndjson');
    writeLog(base, 'base', 1);
    await writeSnapshotOf(repo, [{ read: base, path: 'observability/big.ndjson', component: 'observability', store: null, kind: 'file' }], { ...META, name: 'base' }, { packSizes: SIZES });

    let orphansSeen = 0;
    const before = countPacks(repoDir);
    for (const [i, packsBeforeKill] of [1, 2, 4].entries()) {
      const big = path.join(work, `big${i}.ndjson`);
      writeLog(big, `run${i}`, 6);
      const c = child(['backup', repoDir, big, `killed${i}`]);
      // SIGKILL once this backup has closed some packs: mid-write, before its index and snapshot.
      const start = countPacks(repoDir);
      while (countPacks(repoDir) < start + packsBeforeKill && c.proc.exitCode === null) await new Promise((r) => setTimeout(r, 2));
      c.proc.kill('SIGKILL');
      expect(await c.exited, 'the child was killed, not finished').toBeNull();
      expect((await listLocks(repo.paths)).map((l) => l.info.kind), 'the dead backup left its lock').toEqual(['backup']);

      const v = await verifyRepo(repo.paths);
      expect(v.problems).toEqual([]);
      expect(v.snapshots).toEqual([{ name: 'base', ok: true }]);
      await expectRestores(repo.paths, 'base', { 'observability/big.ndjson': base });
      const dry = await pruneRepo(repo.paths, [], { dryRun: true });
      orphansSeen += dry.orphans;
    }
    expect(countPacks(repoDir)).toBeGreaterThan(before);
    expect(orphansSeen).toBeGreaterThan(0);

    // The dead children's locks were removed as stale; a prune reclaims what they left.
    expect(await listLocks(repo.paths)).toEqual([]);
    const again = path.join(work, 'again.ndjson');
    writeLog(again, 'again', 1);
    await writeSnapshotOf(repo, [{ read: again, path: 'observability/big.ndjson', component: 'observability', store: null, kind: 'file' }], { ...META, name: 'again' }, { packSizes: SIZES });
    const pruned = await pruneRepo(repo.paths, []);
    expect(pruned.orphans).toBeGreaterThan(0);
    expect((await pruneRepo(repo.paths, [], { dryRun: true })).orphans).toBe(0);
    expect((await verifyRepo(repo.paths)).problems).toEqual([]);
    await expectRestores(repo.paths, 'again', { 'observability/big.ndjson': again });
  }, 120_000);

  it('a prune killed at each of its steps leaves every remaining snapshot whole, and the next prune finishes', async () => {
    const phases: PrunePhase[] = ['snapshots-deleted', 'marked', 'repacked', 'index-written', 'old-index-deleted'];
    for (const phase of phases) {
      const work = dir();
      const repoDir = path.join(work, 'repository');
      const repo = await openRepo(repoDir, { create: true });
      const files: Record<string, string> = {};
      // s2 keeps half of s1's log (its prefix), so s1's packs are partly used: they get repacked.
      const log1 = path.join(work, 's1.ndjson');
      writeLog(log1, 's1', 1);
      const log2 = path.join(work, 's2.ndjson');
      fs.writeFileSync(log2, fs.readFileSync(log1).subarray(0, 512 * 1024));
      fs.appendFileSync(log2, 'tail of s2\n');
      const log3 = path.join(work, 's3.ndjson');
      writeLog(log3, 's3', 1);
      for (const [name, file] of [['s1', log1], ['s2', log2], ['s3', log3]] as const) {
        await writeSnapshotOf(repo, [{ read: file, path: 'observability/big.ndjson', component: 'observability', store: null, kind: 'file' }], { ...META, name }, { packSizes: SIZES });
        files[name] = file;
      }
      const c = child(['prune', repoDir, 's1', phase]);
      await c.waitFor(new RegExp(`phase ${phase}`));
      c.proc.kill('SIGKILL');
      await c.exited;

      const v = await verifyRepo(repo.paths);
      for (const s of v.snapshots) expect(s.ok, `${phase}: ${s.name}`).toBe(true);
      expect(v.problems, phase).toEqual([]);
      for (const name of ['s2', 's3']) await expectRestores(repo.paths, name, { 'observability/big.ndjson': files[name]! });

      const done = await pruneRepo(repo.paths, ['s1'], { packSizes: SIZES });
      expect(done.keptSnapshots).toEqual(['s2', 's3']);
      const after = await verifyRepo(repo.paths);
      expect(after.problems, phase).toEqual([]);
      expect((await loadIndex(repo.paths)).files).toHaveLength(1);
      for (const name of ['s2', 's3']) await expectRestores(repo.paths, name, { 'observability/big.ndjson': files[name]! });
    }
  }, 180_000);

  it('a backup and a prune started together never both run, and no blob of a kept snapshot is lost', async () => {
    const work = dir();
    const repoDir = path.join(work, 'repository');
    const repo = await openRepo(repoDir, { create: true });
    const originals: Record<string, Record<string, string>> = {};
    for (let i = 0; i < 4; i++) {
      const log = path.join(work, `r${i}.ndjson`);
      writeLog(log, `race${i % 2}`, 1); // Runs 0/2 and 1/3 share content: dedup across the race.
      const c = child(['backup', repoDir, log, `race${i}`]);
      const prune = pruneRepo(repo.paths, i > 1 ? [`race${i - 2}`] : [], { packSizes: SIZES }).then(
        () => 'pruned',
        (err: { code?: string }) => (err.code === 'CONFLICT' ? 'refused' : Promise.reject(err as Error)),
      );
      const [code] = await Promise.all([c.exited, prune]);
      if (code === 0) originals[`race${i}`] = { 'observability/big.ndjson': log };
    }
    for (const name of await listSnapshotNames(repo.paths)) if (originals[name]) await expectRestores(repo.paths, name, originals[name]!);
    const v = await verifyRepo(repo.paths);
    expect(v.problems).toEqual([]);
    expect(Object.keys(originals).length, 'at least one backup of the race ran').toBeGreaterThan(0);
  }, 120_000);
});
