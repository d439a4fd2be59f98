// Backup benchmark, two parts in one run:
// - archives: create / restore / verify of ~1 GB of generated stores, against tar on the same
//   files (`FOXCTL_BENCH_BACKUP_MB=64` for a quick run);
// - incremental snapshots through the built CLI, restic beside us (bench/helpers/backup-incremental.ts;
//   `FOXCTL_BENCH_BACKUP_INC_MB`, default 400).
// `FOXCTL_BENCH_BACKUP_PART=archive|incremental` runs one part only.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { openEngine } from '../src-main/engine/engine.js';
import { benchIncremental } from './helpers/backup-incremental.js';
import { figure, report, scratch, timed, timedCommand } from './lib.js';

const totalMb = Number(process.env.FOXCTL_BENCH_BACKUP_MB ?? 1024);
if (!Number.isFinite(totalMb) || totalMb <= 0) throw new Error(`FOXCTL_BENCH_BACKUP_MB must be a positive number (got ${process.env.FOXCTL_BENCH_BACKUP_MB})`);
const STORES = ['memory.db', 'knowledge.db', 'trajectory.db', 'companion.db'];

/** A store of about `mb` MB: rows of text that compress about as well as agent state does (~2:1). */
function generate(file: string, mb: number): void {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE turns (id INTEGER PRIMARY KEY, session TEXT NOT NULL, body TEXT NOT NULL, created_at TEXT NOT NULL)');
  const ins = db.prepare('INSERT INTO turns (session, body, created_at) VALUES (?, ?, ?)');
  const rowBytes = 4096;
  const rows = Math.ceil((mb * 1024 * 1024) / rowBytes);
  const words = 'the agent read the file and wrote a summary of the changes to memory before the next step '.repeat(8);
  const batch = db.transaction((n: number, base: number) => {
    for (let i = 0; i < n; i++) {
      const body = `${randomBytes(rowBytes / 4).toString('hex')} ${words.slice(0, rowBytes / 2 - 1)}`;
      ins.run(`session-${(base + i) % 97}`, body, new Date(1_700_000_000_000 + (base + i) * 1000).toISOString());
    }
  });
  for (let done = 0; done < rows; done += 1000) batch(Math.min(1000, rows - done), done);
  db.close();
}

const part = process.env.FOXCTL_BENCH_BACKUP_PART ?? 'all';
if (!['all', 'archive', 'incremental'].includes(part)) throw new Error(`FOXCTL_BENCH_BACKUP_PART must be archive or incremental (got ${part})`);

if (part !== 'incremental') await benchArchive();
if (part !== 'archive') {
  const incMb = Number(process.env.FOXCTL_BENCH_BACKUP_INC_MB ?? 400);
  if (!Number.isFinite(incMb) || incMb <= 0) throw new Error(`FOXCTL_BENCH_BACKUP_INC_MB must be a positive number (got ${process.env.FOXCTL_BENCH_BACKUP_INC_MB})`);
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  execFileSync(process.execPath, [path.join(root, 'scripts', 'build-cli.mjs')], { cwd: root, stdio: 'inherit' });
  const inc = scratch('backup-inc');
  try {
    await benchIncremental(inc.dir, path.join(root, 'out', 'cli', 'foxctl.mjs'), incMb);
  } finally {
    inc.cleanup();
  }
}

/** Full archives through the engine, against tar. */
async function benchArchive(): Promise<void> {
  const s = scratch('backup');
  try {
    const home = path.join(s.dir, 'home');
    const storage = path.join(home, 'storage');
    fs.mkdirSync(storage, { recursive: true });
    const gen = await timed(() => {
      for (const f of STORES) generate(path.join(storage, f), totalMb / STORES.length);
    });
    const bytes = STORES.reduce((a, f) => a + fs.statSync(path.join(storage, f)).size, 0);
    const mb = bytes / 1e6;
    process.stdout.write(`generated ${STORES.length} stores, ${mb.toFixed(0)} MB, in ${gen.seconds.toFixed(1)}s\n`);

    // Anchor: tar -czf over a plain copy of the same files (the copy is not timed).
    const plain = path.join(s.dir, 'plain');
    fs.mkdirSync(path.join(plain, 'storage'), { recursive: true });
    for (const f of STORES) timedCommand('cp', [path.join(storage, f), path.join(plain, 'storage', f)]);
    const tarGz = path.join(s.dir, 'plain.tar.gz');

    // The machine is shared: each side runs `rounds` times, alternating, and the best time counts.
    const rounds = Math.max(1, Number(process.env.FOXCTL_BENCH_ROUNDS ?? 2));
    const engine = openEngine({ env: { HOME: s.dir, FOXCTL_HOME: home } });
    const freshHome = path.join(s.dir, 'fresh');
    // One engine per round on the empty home: removing a home under an open engine cuts its
    // jobs.db connection off (the engine says so and reopens it), which is not a restore's cost.
    let fresh = openEngine({ env: { HOME: s.dir, FOXCTL_HOME: freshHome } });
    try {
      let tarCreate = Infinity;
      let ours = Infinity;
      let tarExtract = Infinity;
      let tarExtractSync = Infinity;
      let restore = Infinity;
      let verify = Infinity;
      let archive = '';
      let compressed = 0;
      for (let r = 0; r < rounds; r++) {
        fs.rmSync(tarGz, { force: true });
        tarCreate = Math.min(tarCreate, timedCommand('tar', ['-czf', tarGz, '-C', plain, 'storage']));
        if (archive) await engine.backups.delete('bench');
        const created = await timed(() => engine.backups.create({ name: 'bench', components: ['databases'], format: 'tar' }).done);
        ours = Math.min(ours, created.seconds);
        archive = created.value.path;
        compressed = created.value.compressed_size;

        const extractDir = path.join(s.dir, 'tar-x');
        fs.rmSync(extractDir, { recursive: true, force: true });
        fs.mkdirSync(extractDir);
        const t0 = Date.now();
        tarExtract = Math.min(tarExtract, timedCommand('tar', ['-xzf', archive, '-C', extractDir]));
        // The same, made durable as a restore must be: fsync every extracted file.
        for (const f of STORES) {
          const fd = fs.openSync(path.join(extractDir, 'storage', f), 'r');
          fs.fsyncSync(fd);
          fs.closeSync(fd);
        }
        tarExtractSync = Math.min(tarExtractSync, (Date.now() - t0) / 1000);
        fs.rmSync(extractDir, { recursive: true, force: true });
        // A live restore into an empty home (the disk-was-lost case): the durable path.
        await fresh.close();
        fs.rmSync(freshHome, { recursive: true, force: true });
        fresh = openEngine({ env: { HOME: s.dir, FOXCTL_HOME: freshHome } });
        restore = Math.min(restore, (await timed(() => fresh.backups.restore(archive).done)).seconds);

        const verified = await timed(() => engine.backups.verify('bench').done);
        if (!verified.value.ok) throw new Error(`verify failed: ${JSON.stringify(verified.value.problems)}`);
        verify = Math.min(verify, verified.seconds);
      }
      process.stdout.write(`best of ${rounds} rounds each\n`);
      report('backup create (snapshot+sha256+tar+gzip)', ours, tarCreate, 's', { anchorName: 'tar -czf', better: 'lower', goal: 1.2 });
      figure('  create throughput', mb / ours, 'MB/s');
      figure('  archive size vs tar -czf', compressed / fs.statSync(tarGz).size, 'x');
      report('backup restore (gunzip+sha256+fsync+rename)', restore, tarExtract, 's', { anchorName: 'tar -xzf', better: 'lower', goal: 1.2 });
      report('  same, vs a durable tar (fsync each file)', restore, tarExtractSync, 's', { anchorName: 'tar -xzf+fsync', better: 'lower', goal: 1.2 });
      figure('backup verify (sha256 + integrity_check)', mb / verify, 'MB/s');
    } finally {
      await engine.close();
      await fresh.close();
    }
  } finally {
    s.cleanup();
  }
}
