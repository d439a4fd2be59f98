import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { BlobReader } from '../../engine/backup/repo/blob-reader.js';
import { parseList } from '../../engine/backup/repo/file-blobs.js';
import { loadIndex } from '../../engine/backup/repo/index-file.js';
import { packPath, repoPaths } from '../../engine/backup/repo/layout.js';
import { readSnapshot } from '../../engine/backup/repo/snapshot-file.js';
import { seedHome, writeGoArchive } from '../../engine/backup/test-fixtures.js';
import type { VerifyAllResult } from '../../engine/backup/verify-all.js';
import { tempHome, type TempHome } from '../../test/temp-home.js';
import { EXIT_CODES } from '../output.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
// Its own bundle file: other CLI test files build theirs at the same time.
const builtCli = path.join(repo, 'out', 'vitest-cli', 'foxctl-backup-verify-all.mjs');
beforeAll(() => {
  buildSync({ entryPoints: [path.join(repo, 'src-main/cli/index.ts')], outfile: builtCli, bundle: true, platform: 'node', target: 'node20', format: 'esm', packages: 'external', logLevel: 'warning' });
});

function foxctl(env: Record<string, string | undefined>, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [builtCli, ...args], { cwd: repo, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The verify record files in backups/.manifests (what list reads). */
function records(th: TempHome): Record<string, { ok: boolean; problems: number }> {
  const dir = path.join(th.home, 'backups', '.manifests');
  const out: Record<string, { ok: boolean; problems: number }> = {};
  if (!fs.existsSync(dir)) return out;
  for (const n of fs.readdirSync(dir).filter((x) => x.endsWith('.verify.json'))) {
    const r = JSON.parse(fs.readFileSync(path.join(dir, n), 'utf8')) as { ok: boolean; problems: number };
    out[n.replace(/\.verify\.json$/, '')] = { ok: r.ok, problems: r.problems };
  }
  return out;
}

/**
 * Two snapshots, `good` and then `bad` (which adds sessions/added.bin, its blobs in packs of their
 * own), a flipped byte in the frame of added.bin's first blob, and a Go archive `go1`.
 */
async function homeWithBackups(th: TempHome, goBytes = 0): Promise<void> {
  seedHome(th);
  const env = th.env();
  expect(foxctl(env, 'backup', 'create', '--name', 'good').status).toBe(0);
  fs.writeFileSync(path.join(th.home, 'sessions', 'added.bin'), crypto.randomBytes(200_000));
  expect(foxctl(env, 'backup', 'create', '--name', 'bad').status).toBe(0);
  const paths = repoPaths(path.join(th.home, 'backups', 'repository'));
  const snap = await readSnapshot(paths, 'bad');
  const entry = snap.files.find((f) => f.path === 'sessions/added.bin')!;
  const index = await loadIndex(paths);
  const reader = new BlobReader(paths, index);
  const first = parseList(await reader.read(entry.content[0]!), entry.content[0]!)[0]!;
  await reader.close();
  const loc = index.blobs.get(first)!;
  const fd = fs.openSync(packPath(paths, loc.pack), 'r+');
  const at = loc.frame.offset + Math.floor(loc.frame.length / 2);
  const b = Buffer.alloc(1);
  fs.readSync(fd, b, 0, 1, at);
  fs.writeSync(fd, Buffer.from([b[0]! ^ 0x10]), 0, 1, at);
  fs.closeSync(fd);
  await writeGoArchive(path.join(th.home, 'backups', 'backup_go1.tar.gz'), [
    { path: 'sessions/s1.json', data: Buffer.from('a session file\n'), component: 'sessions' },
    ...(goBytes > 0 ? [{ path: 'sessions/big.bin', data: crypto.randomBytes(goBytes), component: 'sessions' }] : []),
  ]);
}

describe('foxctl backup verify --all (built CLI)', () => {
  it('verifies archives and snapshots, names the damaged one, records each outcome and exits CORRUPT', async () => {
    const th = tempHome();
    await homeWithBackups(th);
    const env = th.env();
    const r = foxctl(env, 'backup', 'verify', '--all');
    expect(r.status).toBe(EXIT_CODES.CORRUPT);
    const lines = r.stdout.trim().split('\n');
    // Newest first: the two snapshots of today, then the Go archive of 2026-11-27.
    expect(lines[0]).toMatch(/^FAILED\s+snapshot\s+bad\s+1 problem: sessions\/added\.bin: checksum_mismatch/);
    expect(lines[1]).toMatch(/^ok\s+snapshot\s+good\s+\d+ files, \d+ databases, .* read, \d+ already verified in an earlier snapshot/);
    expect(lines[2]).toMatch(/^ok\s+tar\s+go1\s+1 files, 0 databases/);
    expect(lines[3]).toBe('FAILED: 3 backups verified, 1 failed: bad');
    expect(records(th)).toEqual({ snapshot_bad: { ok: false, problems: 1 }, snapshot_good: { ok: true, problems: 0 }, 'backup_go1.tar.gz': { ok: true, problems: 0 } });
    // list reads the records: the damaged snapshot no longer counts as clean.
    const listed = JSON.parse(foxctl(env, '--json', 'backup', 'list').stdout) as { data: { backups: { name: string; verified: { ok: boolean } | null; clean: boolean }[] } };
    expect(listed.data.backups.map((b) => [b.name, b.verified?.ok, b.clean])).toEqual([
      ['bad', false, false],
      ['good', true, true],
      ['go1', true, true],
    ]);

    const json = foxctl(env, '--json', 'backup', 'verify', '--all');
    expect(json.status).toBe(EXIT_CODES.CORRUPT);
    const env1 = JSON.parse(json.stdout) as { status: string; command: string; data: VerifyAllResult };
    expect(env1).toMatchObject({ status: 'ok', command: 'foxctl.backup.verify', data: { ok: false, verified: 3, passed: 2, failed: ['bad'] } });
    const good = env1.data.backups.find((b) => b.name === 'good')!;
    // Every file of `good` is also in `bad` unchanged: verified once, in `bad`.
    expect(good.reused_files).toBe(good.files);
    expect(good.bytes).toBe(0);

    // Once repaired (the damaged snapshot deleted), the run passes.
    expect(foxctl(env, 'backup', 'delete', 'bad').status).toBe(0);
    const again = foxctl(env, 'backup', 'verify', '--all');
    expect(again.stdout.trim().split('\n').at(-1)).toBe('ok: 2 backups verified, all passed');
    expect(again.status).toBe(0);
  }, 240_000);

  it('bad input is a usage error naming what was wrong', () => {
    const th = tempHome();
    const env = th.env();
    const both = foxctl(env, 'backup', 'verify', 'x', '--all');
    expect(both.status).toBe(EXIT_CODES.INVALID_INPUT);
    expect(both.stderr).toMatch(/give a backup name or --all, not both \(got "x" and --all\)/);
    const none = foxctl(env, 'backup', 'verify');
    expect(none.status).toBe(EXIT_CODES.INVALID_INPUT);
    expect(none.stderr).toMatch(/give the name of the backup to verify, or --all for every backup/);
    const empty = foxctl(env, 'backup', 'verify', '--all');
    expect(empty.status).toBe(0);
    expect(empty.stdout.trim()).toBe('no backups to verify');
  }, 60_000);

  it('Ctrl-C exits 130: the backups verified are recorded, the unfinished one keeps its earlier record', async () => {
    const th = tempHome();
    // A Go archive big enough to be mid-verify when the interrupt lands.
    await homeWithBackups(th, 96 * 1024 * 1024);
    const env = th.env();
    // An earlier verify of the archive alone: its record must come out of the canceled run untouched.
    expect(foxctl(env, 'backup', 'verify', 'go1').status).toBe(0);
    const goRecord = path.join(th.home, 'backups', '.manifests', 'backup_go1.tar.gz.verify.json');
    const before = fs.readFileSync(goRecord, 'utf8');
    expect(Object.keys(records(th))).toEqual(['backup_go1.tar.gz']);
    const child = spawn(process.execPath, [builtCli, 'backup', 'verify', '--all'], { cwd: repo, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let sent = false;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      // After the second snapshot's line, while the archive is being read.
      if (!sent && /^ok\s+snapshot\s+good/m.test(out)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(sent).toBe(true);
    expect(code).toBe(130);
    expect(out).not.toMatch(/go1/);
    expect(records(th)).toEqual({ snapshot_bad: { ok: false, problems: 1 }, snapshot_good: { ok: true, problems: 0 }, 'backup_go1.tar.gz': { ok: true, problems: 0 } });
    expect(fs.readFileSync(goRecord, 'utf8')).toBe(before);
    expect(fs.readdirSync(path.dirname(goRecord)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  }, 240_000);
});
