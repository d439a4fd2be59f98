import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import { makeDamagedDb, seedHome } from '../../engine/backup/test-fixtures.js';
import { tempHome } from '../../test/temp-home.js';
import { EXIT_CODES } from '../output.js';

const cli = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'index.ts');

function foxctl(env: Record<string, string | undefined>, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('foxctl backup', () => {
  it('runs the spec examples verbatim and speaks JSON envelopes', () => {
    const th = tempHome();
    seedHome(th);
    const env = th.env();
    // The spec's example, verbatim: a snapshot now (the default); --format tar writes the Go archive.
    const created = foxctl(env, 'backup', 'create', '--name', 'nightly');
    expect(created.stderr).toBe('');
    expect(created.status).toBe(0);
    expect(created.stdout).toMatch(/created snapshot nightly: .*repository\/snapshots\/nightly\.json/);
    expect(created.stdout).toMatch(/skipped OPENCODE: external/);
    const listed = foxctl(env, 'backup', 'list');
    expect(listed.status).toBe(0);
    expect(listed.stdout).toMatch(/^NAME\s+FORMAT\s+CREATED \(UTC\)\s+SIZE/);
    expect(listed.stdout).toMatch(/nightly .*MEMORY/);
    const json = foxctl(env, '--json', 'backup', 'list');
    const envelope = JSON.parse(json.stdout) as { status: string; command: string; data: { backups: { name: string }[] } };
    expect(envelope).toMatchObject({ status: 'ok', command: 'foxctl.backup.list' });
    expect(envelope.data.backups.map((b) => b.name)).toEqual(['nightly']);
  }, 60_000);

  it('verify, dry-run restore and bad input give clear results and exit codes', () => {
    const th = tempHome();
    seedHome(th);
    const env = th.env();
    expect(foxctl(env, 'backup', 'create', '--format', 'tar', '-n', 'b', '-c', 'databases', 'memory', '-e', 'memory').status).toBe(0);
    const verified = foxctl(env, 'backup', 'verify', 'b');
    expect(verified.stdout).toMatch(/^ok: \d+ files match their checksums, 2 databases pass integrity_check/m);
    expect(verified.status).toBe(0);
    const dry = foxctl(env, '--json', 'backup', 'restore', 'b', '--store', 'memory', '--store', 'KNOWLEDGE', '--dry-run', '-f');
    const plan = JSON.parse(dry.stdout) as { data: { files: { path: string; action: string }[] } };
    expect(plan.data.files.map((f) => [f.path, f.action])).toEqual([
      ['storage/knowledge.db', 'would-replace'],
      ['storage/memory.db', 'would-replace'],
    ]);
    const prune = foxctl(env, 'backup', 'prune');
    expect(prune.status).toBe(EXIT_CODES.INVALID_INPUT);
    expect(prune.stderr).toMatch(/INVALID_INPUT: prune needs --keep-last N and\/or --older-than/);
    const badAge = foxctl(env, 'backup', 'prune', '--older-than', 'soon');
    expect(badAge.stderr).toMatch(/invalid --older-than "soon"/);
    const missing = foxctl(env, 'backup', 'info', 'nope');
    expect(missing.status).toBe(EXIT_CODES.NOT_FOUND);
    expect(missing.stderr).toMatch(/no backup "nope"/);
  }, 60_000);

  it('create names a damaged store, exits CORRUPT with status in --json; --strict writes nothing; -o EXISTING is CONFLICT', () => {
    const th = tempHome();
    seedHome(th);
    makeDamagedDb(path.join(th.home, 'storage', 'trajectory.db'));
    const env = th.env();
    const human = foxctl(env, 'backup', 'create', '--format', 'tar', '-n', 'hurt', '-c', 'databases');
    expect(human.status).toBe(EXIT_CODES.CORRUPT);
    expect(human.stdout).toMatch(/^COMPLETED WITH PROBLEMS: backup hurt: .*backup_hurt\.tar\.gz$/m);
    expect(human.stdout).toMatch(/^problem: store TRAJECTORY \(storage\/trajectory\.db\): PRAGMA quick_check: /m);
    const json = foxctl(env, '--json', 'backup', 'create', '--format', 'tar', '-n', 'hurt2', '-c', 'databases', '--integrity');
    expect(json.status).toBe(EXIT_CODES.CORRUPT);
    const envelope = JSON.parse(json.stdout) as { status: string; data: { status: string; check: string; problems: { store: string; detail: string }[] } };
    expect(envelope.data).toMatchObject({ status: 'completed_with_problems', check: 'full', problems: [{ store: 'TRAJECTORY', detail: expect.stringMatching(/^PRAGMA integrity_check: /) }] });
    const strict = foxctl(env, 'backup', 'create', '--format', 'tar', '-n', 'strict', '-c', 'databases', '--strict');
    expect(strict.status).toBe(EXIT_CODES.CORRUPT);
    expect(strict.stderr).toMatch(/CORRUPT: backup strict was not written \(--strict\): 1 problem: store TRAJECTORY/);
    expect(fs.existsSync(path.join(th.home, 'backups', 'backup_strict.tar.gz'))).toBe(false);
    const listed = foxctl(env, 'backup', 'list');
    expect(listed.stdout).toMatch(/^hurt2? .*PROBLEMS \(1\)\s+store TRAJECTORY/m);
    // -o an existing file without --name looped forever at 100% CPU: now CONFLICT, at once.
    const existing = path.join(th.home, 'backups', 'backup_hurt.tar.gz');
    const before = fs.readFileSync(existing);
    const t0 = Date.now();
    const conflict = foxctl(env, 'backup', 'create', '--format', 'tar', '-o', existing);
    expect(conflict.status).toBe(EXIT_CODES.CONFLICT);
    expect(conflict.stderr).toMatch(new RegExp(`CONFLICT: ${existing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} already exists; backups are never overwritten`));
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(fs.readFileSync(existing).equals(before)).toBe(true);
  }, 90_000);
});
