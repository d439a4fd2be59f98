import { execFileSync, spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoPaths } from '../../engine/backup/repo/layout.js';
import { verifyRepo } from '../../engine/backup/repo/verify-repo.js';
import { seedHome } from '../../engine/backup/test-fixtures.js';
import { tempHome } from '../../test/temp-home.js';
import { EXIT_CODES } from '../output.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
// Its own bundle file: other CLI test files build theirs at the same time.
const builtCli = path.join(repo, 'out', 'vitest-cli', 'foxctl-backup-snapshot.mjs');
beforeAll(() => {
  buildSync({ entryPoints: [path.join(repo, 'src-main/cli/index.ts')], outfile: builtCli, bundle: true, platform: 'node', target: 'node20', format: 'esm', packages: 'external', logLevel: 'warning' });
});

function foxctl(env: Record<string, string | undefined>, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [builtCli, ...args], { cwd: repo, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Reads an archive as a Go-side reader would, with nothing of ours: Python's tarfile and hashlib.
const PY_CHECK = `
import hashlib, json, sys, tarfile
with tarfile.open(sys.argv[1], 'r:gz') as t:
    names = [m.name for m in t.getmembers()]
    manifest = json.load(t.extractfile('manifest.json'))
    bad = [f['path'] for f in manifest['files'] if hashlib.sha256(t.extractfile(f['path']).read()).hexdigest() != f['checksum']]
print(json.dumps({'last': names[-1], 'files': len(manifest['files']), 'bad': bad}))
`;

describe('foxctl backup on snapshots (built CLI)', () => {
  it('create --format snapshot, list, info, verify, export, prune and delete', () => {
    const th = tempHome();
    seedHome(th);
    const env = th.env();
    const first = foxctl(env, 'backup', 'create', '--format', 'snapshot', '--name', 'a');
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/^created snapshot a: .*repository\/snapshots\/a\.json$/m);
    expect(first.stdout).toMatch(/added .* \(\d+ files unchanged\)/);
    expect(foxctl(env, 'backup', 'create', '--format', 'tar', '--name', 't').status).toBe(0);
    const bad = foxctl(env, 'backup', 'create', '--format', 'zip');
    expect(bad.status).toBe(EXIT_CODES.INVALID_INPUT);
    expect(bad.stderr).toMatch(/--format must be snapshot or tar \(got "zip"\)/);
    expect(foxctl(env, 'backup', 'create', '--format', 'snapshot', '--name', 't').status).toBe(EXIT_CODES.CONFLICT);
    expect(foxctl(env, 'backup', 'create', '--format', 'snapshot', '--name', 'b').status).toBe(0);

    const listed = foxctl(env, 'backup', 'list');
    expect(listed.stdout).toMatch(/^NAME\s+FORMAT\s+CREATED \(UTC\)\s+SIZE/);
    expect(listed.stdout).toMatch(/^b\s+snapshot\s+.*\+\S+ \S+ of \S+ \S+/m);
    expect(listed.stdout).toMatch(/^t\s+tar\s+/m);
    const json = JSON.parse(foxctl(env, '--json', 'backup', 'list').stdout) as { data: { backups: { name: string; format: string; added_bytes: number; referenced_bytes: number }[] } };
    expect(json.data.backups.map((x) => [x.name, x.format])).toEqual([
      ['b', 'snapshot'],
      ['t', 'tar'],
      ['a', 'snapshot'],
    ]);
    const b = json.data.backups[0]!;
    expect(b.added_bytes).toBeLessThan(json.data.backups[2]!.added_bytes);
    expect(b.referenced_bytes).toBeGreaterThan(b.added_bytes);

    const info = foxctl(env, 'backup', 'info', 'a');
    expect(info.status).toBe(0);
    expect(info.stdout).toMatch(/^restore \(without --force\) would:/m);
    expect(info.stdout).toMatch(/would-skip\s+storage\/memory\.db/);
    const verified = foxctl(env, 'backup', 'verify', 'a');
    expect(verified.stdout).toMatch(/^ok: \d+ files match their checksums, \d+ databases pass integrity_check/m);
    expect(verified.status).toBe(0);

    const out = path.join(th.home, '..', 'exported.tar.gz');
    const exported = foxctl(env, 'backup', 'export', 'a', '--out', out);
    expect(exported.stderr).toBe('');
    expect(exported.stdout).toMatch(/^exported snapshot a to .*exported\.tar\.gz/);
    const read = JSON.parse(execFileSync('python3', ['-c', PY_CHECK, out], { encoding: 'utf8' })) as { last: string; files: number; bad: string[] };
    expect(read).toMatchObject({ last: 'manifest.json', bad: [] });
    expect(read.files).toBeGreaterThan(5);

    const dry = foxctl(env, 'backup', 'prune', '--keep-latest', '1', '--dry-run');
    expect(dry.status).toBe(0);
    expect(dry.stdout).toMatch(/^would delete:/m);
    expect(dry.stdout).toMatch(/^snapshot repository: would delete \d+ packs/m);
    const del = foxctl(env, 'backup', 'delete', 'a');
    expect(del.stdout).toMatch(/^deleted snapshot a .*freed by the next backup prune/);
    const pruned = foxctl(env, '--json', 'backup', 'prune', '--keep-daily', '1');
    expect(pruned.status).toBe(0);
    const r = JSON.parse(pruned.stdout) as { data: { deleted: { name: string }[]; kept: { name: string }[]; repository: { freed_bytes: number } } };
    expect(r.data.kept.map((x) => x.name)).toEqual(['b']);
    expect(r.data.deleted.map((x) => x.name)).toEqual(['t']);
    expect(r.data.repository.freed_bytes).toBeGreaterThanOrEqual(0);
    expect(foxctl(env, 'backup', 'verify', 'b').status).toBe(0);
  }, 240_000);

  it('kill -9 of create --format snapshot mid-run: the repository verifies clean and the earlier snapshot still exports', async () => {
    const th = tempHome();
    seedHome(th);
    const env = th.env();
    expect(foxctl(env, 'backup', 'create', '--format', 'snapshot', '--name', 'before').status).toBe(0);
    // ~96 MB of log text (about five 16 MB packs, four written at once): the snapshot is
    // published only after the last of them, well after the first one appears.
    const big = path.join(th.home, 'observability', 'events', 'big.ndjson');
    const fd = fs.openSync(big, 'w');
    for (let i = 0; i < 96; i++) fs.writeSync(fd, `${crypto.randomBytes(384 * 1024).toString('base64')}\n`);
    fs.closeSync(fd);
    const packs = repoPaths(path.join(th.home, 'backups', 'repository')).packs;
    const packCount = (): number => fs.readdirSync(packs).flatMap((d) => (fs.statSync(path.join(packs, d)).isDirectory() ? fs.readdirSync(path.join(packs, d)) : [d])).length;
    const before = packCount();
    const child = spawn(process.execPath, [builtCli, 'backup', 'create', '--format', 'snapshot', '--name', 'killed'], { cwd: repo, env: { ...process.env, ...env }, stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
    // Killed as soon as its first new pack file appears (a pack being written), long before the
    // snapshot is published. Waiting for a second one let the kill land after the publication
    // now and then: with four packs written at once, they end together.
    const deadline = Date.now() + 90_000;
    while (packCount() <= before && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    const list = JSON.parse(foxctl(env, '--json', 'backup', 'list').stdout) as { data: { backups: { name: string }[] } };
    expect(list.data.backups.map((x) => x.name)).toEqual(['before']);
    expect((await verifyRepo(repoPaths(path.join(th.home, 'backups', 'repository')))).problems).toEqual([]);
    expect(foxctl(env, 'backup', 'verify', 'before').status).toBe(0);
    const out = path.join(th.home, '..', 'before.tar.gz');
    expect(foxctl(env, 'backup', 'export', 'before', '--out', out).status).toBe(0);
    expect(JSON.parse(execFileSync('python3', ['-c', PY_CHECK, out], { encoding: 'utf8' }))).toMatchObject({ last: 'manifest.json', bad: [] });
    // The dead process's lock is stale: the next backup runs, and a prune reclaims what the kill left.
    const again = foxctl(env, 'backup', 'create', '--format', 'snapshot', '--name', 'after');
    expect(again.stderr).toBe('');
    expect(again.status).toBe(0);
    expect(foxctl(env, 'backup', 'prune', '--keep-last', '5').status).toBe(0);
    expect(foxctl(env, 'backup', 'verify', 'after').status).toBe(0);
    expect(foxctl(env, 'backup', 'verify', 'before').status).toBe(0);
  }, 240_000);
});
