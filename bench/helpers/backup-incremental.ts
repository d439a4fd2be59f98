// Incremental backups through the built CLI, with restic initialised beside us (issue #18):
// a home of stores with text and BLOBs, NDJSON logs and CAS objects is backed up three times —
// first, after 1% of the rows of two stores changed, and with nothing changed — by
// `foxctl backup create --format snapshot` and by `restic backup` on the same files, in the
// same run. Then both restore the last backup into an empty directory, against `tar -xzf`.
// Every figure is a whole process, start-up included, as a user meets it.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { figure, report, timedCommand } from '../lib.js';

/** The stores of the generated home and their share of its size. */
const STORES: { file: string; share: number; blobs: boolean }[] = [
  { file: 'storage/memory.db', share: 0.35, blobs: false },
  { file: 'storage/sessions.db', share: 0.25, blobs: true },
  { file: 'storage/knowledge.db', share: 0.15, blobs: true },
  { file: 'storage/tasks.db', share: 0.05, blobs: false },
];
const WORDS = 'agent tool call read file wrote summary memory step plan task error retry session trace span result diff patch test build'.split(' ');

function text(words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(WORDS[crypto.randomInt(WORDS.length)]! + (i % 7 === 0 ? String(crypto.randomInt(100000)) : ''));
  return out.join(' ');
}

/** A store of about `bytes`: rows of agent-like text, one in ten with an incompressible BLOB when `blobs`. */
function generateStore(file: string, bytes: number, blobs: boolean): number {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE items (id INTEGER PRIMARY KEY, body TEXT NOT NULL, payload BLOB, updated INTEGER NOT NULL DEFAULT 0)');
  const ins = db.prepare('INSERT INTO items (body, payload) VALUES (?, ?)');
  let size = 0;
  let rows = 0;
  const batch = db.transaction(() => {
    for (let i = 0; i < 2000 && size < bytes; i++, rows++) {
      const body = text(120);
      const payload = blobs && rows % 10 === 0 ? crypto.randomBytes(6000) : null;
      ins.run(body, payload);
      size += body.length + (payload?.length ?? 0) + 16;
    }
  });
  while (size < bytes) batch();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return rows;
}

/** An NDJSON event log and file-backend CAS objects (`cas/sha256/<hex>` + `.json`): the rest of a home. */
function generateFiles(home: string, bytes: number): void {
  const logs = path.join(home, 'observability', 'events');
  fs.mkdirSync(logs, { recursive: true });
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes * 0.6; i++) {
    const ts = new Date(1_790_000_000_000 + i * 250).toISOString();
    const line = JSON.stringify({ ts, trace_id: crypto.randomBytes(13).toString('hex'), span_id: crypto.randomBytes(13).toString('hex'), operation: 'tool.call', status: 'ok', message: text(20), data: { session_id: `s${i % 40}` }, duration_ms: crypto.randomInt(900) });
    lines.push(line);
    size += line.length + 1;
  }
  fs.writeFileSync(path.join(logs, 'foxcular_events.ndjson'), `${lines.join('\n')}\n`);
  const objects = path.join(home, 'cas', 'sha256');
  fs.mkdirSync(objects, { recursive: true });
  for (let written = 0; written < bytes * 0.4; ) {
    const body = crypto.randomInt(3) === 0 ? crypto.randomBytes(40_000) : Buffer.from(text(6000));
    const digest = crypto.createHash('sha256').update(body).digest('hex');
    fs.writeFileSync(path.join(objects, digest), body);
    const meta = { digest: `sha256:${digest}`, size_bytes: body.length, kind: 'application/octet-stream', created_at: new Date().toISOString() };
    fs.writeFileSync(path.join(objects, `${digest}.json`), JSON.stringify(meta, null, 2));
    written += body.length;
  }
}

const du = (dir: string): number => Number(execFileSync('du', ['-sb', dir], { encoding: 'utf8' }).split('\t')[0]);

/** Runs the three-backup scenario in `dir` on a home of about `totalMb` MB and prints the figures. */
export async function benchIncremental(dir: string, cli: string, totalMb: number): Promise<void> {
  const home = path.join(dir, 'inc-home');
  const backups = path.join(dir, 'inc-backups');
  const bytes = totalMb * 1e6;
  const rows = STORES.map((s) => generateStore(path.join(home, s.file), bytes * s.share, s.blobs));
  generateFiles(home, bytes * 0.2);
  const homeBytes = du(home);
  process.stdout.write(`incremental: home of ${(homeBytes / 1e6).toFixed(0)} MB (${STORES.length} stores, ${rows.reduce((a, b) => a + b, 0)} rows, NDJSON, CAS files)\n`);

  const env = { ...process.env, HOME: dir, FOXCTL_HOME: home, FOXCTL_PATHS_BACKUPS: backups };
  const resticEnv = { ...process.env, RESTIC_PASSWORD: 'bench', RESTIC_REPOSITORY: path.join(dir, 'restic'), RESTIC_CACHE_DIR: path.join(dir, 'restic-cache') };
  execFileSync('restic', ['init', '-q'], { env: resticEnv });
  const foxctl = (args: string[]): number => timedWithEnv(process.execPath, [cli, ...args], env);
  const restic = (args: string[]): number => timedWithEnv('restic', args, resticEnv);

  const tarGz = path.join(dir, 'inc-home.tar.gz');
  const tarCreate = timedCommand('tar', ['-czf', tarGz, '-C', home, '.']);
  const repoDir = path.join(backups, 'repository');
  const resticDir = path.join(dir, 'restic');

  const ours: number[] = [];
  const theirs: number[] = [];
  const oursAdded: number[] = [];
  const theirsAdded: number[] = [];
  for (const [i, step] of ['first', 'after 1% of rows changed', 'nothing changed'].entries()) {
    if (i === 1) {
      for (const s of STORES.slice(0, 2)) {
        execFileSync('sqlite3', [path.join(home, s.file), "UPDATE items SET updated = updated + 1, body = body || ' edited' WHERE abs(random()) % 100 = 0;"]);
      }
    }
    const before = fs.existsSync(repoDir) ? du(repoDir) : 0;
    const resticBefore = du(resticDir);
    ours.push(foxctl(['backup', 'create', '--name', `inc-${i + 1}`, '--format', 'snapshot']));
    theirs.push(restic(['backup', '-q', home]));
    oursAdded.push(du(repoDir) - before);
    theirsAdded.push(du(resticDir) - resticBefore);
    process.stdout.write(`  backup ${i + 1} (${step}): ours ${ours[i]!.toFixed(2)} s adding ${(oursAdded[i]! / 1e6).toFixed(2)} MB, restic ${theirs[i]!.toFixed(2)} s adding ${(theirsAdded[i]! / 1e6).toFixed(2)} MB\n`);
  }
  report('snapshot 1 (first, whole home)', ours[0]!, tarCreate, 's', { anchorName: 'tar -czf', better: 'lower', goal: 1.2 });
  report('snapshot 2 time (1% of rows changed)', ours[1]!, theirs[1]!, 's', { anchorName: 'restic', better: 'lower', goal: 1 });
  report('snapshot 3 time (nothing changed)', ours[2]!, theirs[2]!, 's', { anchorName: 'restic', better: 'lower', goal: 1 });
  report('snapshot 2 bytes added / first', oursAdded[1]!, oursAdded[0]!, 'B', { anchorName: 'first', better: 'lower', goal: 0.1 });
  report('snapshot 3 bytes added / first', oursAdded[2]!, oursAdded[0]!, 'B', { anchorName: 'first', better: 'lower', goal: 0.01 });
  figure('  restic 2 bytes added / its first', theirsAdded[1]! / theirsAdded[0]!, 'x');
  figure('  repository vs tar.gz of the home', du(repoDir) / fs.statSync(tarGz).size, 'x');

  const tarOut = path.join(dir, 'inc-tar-x');
  fs.mkdirSync(tarOut);
  const tarExtract = timedCommand('tar', ['-xzf', tarGz, '-C', tarOut]);
  const oursOut = path.join(dir, 'inc-restore');
  const restore = foxctl(['backup', 'restore', 'inc-3', '--target', oursOut]);
  const resticRestore = restic(['restore', 'latest', '--target', path.join(dir, 'inc-restic-x')]);
  report('snapshot restore into an empty dir', restore, tarExtract, 's', { anchorName: 'tar -xzf', better: 'lower', goal: 1.2 });
  figure('  restic restore', resticRestore, 's');
  const a = execFileSync('sqlite3', [path.join(oursOut, STORES[0]!.file), 'SELECT count(*), sum(updated) FROM items'], { encoding: 'utf8' });
  const b = execFileSync('sqlite3', [path.join(home, STORES[0]!.file), 'SELECT count(*), sum(updated) FROM items'], { encoding: 'utf8' });
  if (a !== b) throw new Error(`restored ${STORES[0]!.file} differs from the home: ${a.trim()} vs ${b.trim()}`);
}

function timedWithEnv(cmd: string, args: string[], env: NodeJS.ProcessEnv): number {
  const t0 = process.hrtime.bigint();
  execFileSync(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 26 });
  return Number(process.hrtime.bigint() - t0) / 1e9;
}
