import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES } from '../engine/registry/stores.js';
import { buildCliBundle, type CliBundle } from '../test/cli-bundle.js';
import { tempHome } from '../test/temp-home.js';
import { EXIT_CODES } from './output.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');
let cli: CliBundle | undefined;
let bundle = '';

// The CLI as it ships, bundled once for this file (src-main/test/cli-bundle.ts).
beforeAll(async () => {
  cli = await buildCliBundle();
  bundle = cli.file;
}, 60_000);
afterAll(() => cli?.remove());

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI in a child process. */
function foxctl(env: Record<string, string | undefined>, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bundle, ...args], { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The one envelope a --json run prints. */
function envelope(r: Run): { status: string; command: string; data: never; error?: { code: string; message: string }; meta: { ts: string; duration_ms: number } } {
  const lines = r.stdout.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  const env = JSON.parse(lines[0]!) as ReturnType<typeof envelope>;
  expect(env).toMatchObject({ version: 1 });
  expect(typeof env.meta.ts).toBe('string');
  expect(typeof env.meta.duration_ms).toBe('number');
  return env;
}

describe('foxctl CLI', () => {
  it('stores list with an unknown driver lists every store, names the bad one and fails', async () => {
    const h = tempHome();
    const env = { ...h.env(), FOXCTL_MEMORY_DB_DRIVER: 'mysql' };
    const text = await foxctl(env, 'stores', 'list');
    expect(text.code).toBe(EXIT_CODES.INVALID_INPUT);
    expect(text.stdout).toMatch(/SESSIONS\s+sqlite/);
    expect(text.stderr).toContain('foxctl: INVALID_INPUT: unknown database driver "mysql" for store MEMORY (from $FOXCTL_MEMORY_DB_DRIVER)');
    const json = await foxctl(env, 'stores', 'list', '--json');
    expect(json.code).toBe(EXIT_CODES.INVALID_INPUT);
    const memory = (envelope(json).data as { stores: { name: string; driver: string | null; error: string | null }[] }).stores.find((r) => r.name === 'MEMORY');
    expect(memory).toMatchObject({ driver: null, error: expect.stringContaining('"mysql"') });

    // The same name hand-edited into config.yaml: the error names the key and the file.
    fs.writeFileSync(path.join(h.home, 'config.yaml'), 'stores:\n  memory:\n    driver: mysql\n');
    const edited = await foxctl(h.env(), 'stores', 'list');
    expect(edited.code).toBe(EXIT_CODES.INVALID_INPUT);
    expect(edited.stderr).toContain(`unknown database driver "mysql" for store MEMORY (from stores.memory.driver in ${path.join(h.home, 'config.yaml')})`);
    const query = await foxctl(h.env(), 'db', 'tables', 'MEMORY');
    expect(query.code).toBe(EXIT_CODES.INVALID_INPUT);
    expect(query.stderr).toContain('stores.memory.driver');
  });

  it('init creates every store, then stores list --json shows each with its class', async () => {
    const h = tempHome();
    const env = h.env();
    const init = await foxctl(env, 'init');
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toMatch(/created directories: .*storage/);
    expect(init.stdout).toMatch(/27 stores: 27 created, 0 migrated, 0 up to date/);

    const again = await foxctl(env, '--json', 'init');
    expect(again.code).toBe(0);
    const second = envelope(again);
    expect(second).toMatchObject({ status: 'ok', command: 'foxctl.init' });
    const data = second.data as { created_dirs: string[]; stores: { name: string; status: string }[] };
    expect(data.created_dirs).toEqual([]);
    expect(new Set(data.stores.map((s) => s.status))).toEqual(new Set(['ok']));

    const list = await foxctl(env, 'stores', 'list', '--json');
    expect(list.code, list.stderr).toBe(0);
    const rows = (envelope(list).data as { stores: { name: string; class: string; exists: boolean; path: string; schema_version: number | null; size_bytes: number }[] }).stores;
    for (const s of STORES) {
      const row = rows.find((r) => r.name === s.name);
      expect(row, s.name).toBeDefined();
      expect(row!.class, s.name).toBe(s.class);
      expect(row!.exists, s.name).toBe(!s.keyed && !s.readOnly);
    }
    expect(rows.find((r) => r.name === 'MEMORY')).toMatchObject({ schema_version: 1, path: path.join(h.home, 'storage', 'memory.db') });
    expect(rows.find((r) => r.name === 'MEMORY')!.size_bytes).toBeGreaterThan(0);
    // Grouped by class, in the registry's class order.
    const classes = rows.map((r) => r.class);
    expect(classes.indexOf('sync_useful')).toBeGreaterThan(classes.lastIndexOf('sync_critical'));
    expect(classes.at(-1)).toBe('external');

    const human = await foxctl(env, 'stores', 'list');
    expect(human.stdout).toMatch(/^sync_critical - /m);
    expect(human.stdout).toMatch(/^\s+MEMORY\s+sqlite\s+\S+ KiB\s+1\s+storage\/memory\.db/m);
  }, 60_000);

  it('two init processes started at once on a fresh home both succeed', async () => {
    const h = tempHome();
    fs.rmSync(h.home, { recursive: true });
    const env = h.env();
    const runs = await Promise.all([foxctl(env, '--json', 'init'), foxctl(env, '--json', 'init')]);
    for (const r of runs) {
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect((envelope(r).data as { errors: number }).errors).toBe(0);
    }
    const list = envelope(await foxctl(env, '--json', 'stores', 'list')).data as { stores: { name: string; exists: boolean; error: string | null }[] };
    for (const s of STORES.filter((x) => !x.keyed && !x.readOnly)) {
      expect(list.stores.find((r) => r.name === s.name), s.name).toMatchObject({ exists: true, error: null });
    }
  }, 60_000);

  it('stores path, db query and db info work end to end', async () => {
    const h = tempHome();
    const env = h.env();
    expect((await foxctl(env, 'init')).code).toBe(0);
    const p = await foxctl(env, 'stores', 'path', 'repoindex', '--repo', '/home/alice/src/My-Repo.v2');
    expect(p.stdout.trim()).toBe(path.join(h.home, 'storage', 'repoindex', 'MyRepov2-repoindex-96e83577a667a6ca.db'));
    const q = await foxctl(env, '--json', 'db', 'query', 'jobs', "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name", '--limit', '1');
    expect(q.code, q.stderr).toBe(0);
    expect(envelope(q).data).toMatchObject({ columns: ['name'], rows: [['schema_migrations']], truncated: true });
    const param = await foxctl(env, '--json', 'db', 'query', 'jobs', 'SELECT name FROM sqlite_schema WHERE type = ? AND name LIKE ?', '-p', 'table', '-p', 'studio%');
    expect(envelope(param).data).toMatchObject({ rows: [['studio_jobs']] });
    const info = await foxctl(env, 'db', 'info', 'MEMORY');
    expect(info.stdout).toMatch(/^schema version 1$/m);
    expect(info.stdout).toMatch(/^journal mode\s+wal$/m);
  }, 60_000);

  it('fails with an error envelope and the exit status of the error code', async () => {
    const h = tempHome();
    const env = h.env();
    const write = await foxctl(env, '--json', 'db', 'query', path.join(h.home, 'x.db'), 'SELECT 1');
    expect(write.code).toBe(EXIT_CODES.NOT_FOUND);
    expect(envelope(write)).toMatchObject({ status: 'error', command: 'foxctl.db.query', data: null, error: { code: 'NOT_FOUND' } });

    fs.writeFileSync(path.join(h.home, 'x.db'), 'not a database at all, just text that is long enough to have a header of 100 bytes........');
    const bad = await foxctl(env, 'db', 'info', path.join(h.home, 'x.db'));
    expect(bad.code).toBe(EXIT_CODES.CORRUPT);
    expect(bad.stderr).toContain(`foxctl: CORRUPT: ${path.join(h.home, 'x.db')} is not a SQLite database`);
    expect(bad.stdout).toBe('');

    const unknown = await foxctl(env, '--json', 'stores', 'path', 'nosuch');
    expect(unknown.code).toBe(EXIT_CODES.NOT_FOUND);
    expect(envelope(unknown).error!.message).toMatch(/valid stores: COORDINATION/);

    const usage = await foxctl(env, 'db', 'query');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/missing required argument/);
  }, 60_000);

  it('db --help explains the commands with examples', async () => {
    const r = await foxctl(tempHome().env(), 'db', '--help');
    expect(r.code).toBe(0);
    for (const c of ['info', 'tables', 'schema', 'query', 'check']) expect(r.stdout).toMatch(new RegExp(`^\\s+${c} `, 'm'));
    expect(r.stdout).toMatch(/Examples:/);
    expect(r.stdout).toMatch(/read-only/);
  }, 30_000);

  it('jobs list shows jobs and refuses a bad state', async () => {
    const h = tempHome();
    const env = h.env();
    const empty = await foxctl(env, 'jobs', 'list');
    expect(empty.code, empty.stderr).toBe(0);
    expect(empty.stdout.trim()).toBe('no jobs');
    expect(fs.existsSync(path.join(h.home, 'storage'))).toBe(false); // reading created nothing
    const bad = await foxctl(env, '--json', 'jobs', 'list', '--state', 'done');
    expect(bad.code).toBe(EXIT_CODES.INVALID_INPUT);
    expect(envelope(bad).error!.message).toMatch(/--state must be one of queued, running, ok, error, canceled/);
    const missing = await foxctl(env, 'jobs', 'show', '01HZZZZZZZZZZZZZZZZZZZZZZZ');
    expect(missing.code).toBe(EXIT_CODES.NOT_FOUND);
  }, 30_000);

  it('a home or store directory on /proc or under a file is refused clearly, not an endless mkdir', async () => {
    const h = tempHome();
    const cases: [Record<string, string>, string[], RegExp][] = [
      [{ FOXCTL_STORAGE_ROOT: '/proc/self/foxctl-storage' }, ['init'], /cannot use \/proc\/self\/foxctl-storage for the foxctl home .*\/proc\/self is on procfs, a special file system/],
      [{ FOXCTL_MEMORY_DB_PATH: '/dev/null/memory.db' }, ['db', 'info', 'MEMORY'], /store MEMORY \(\/dev\/null\/memory\.db\): .*not a directory/],
    ];
    for (const [extra, args, message] of cases) {
      const t0 = Date.now();
      const r = await foxctl(h.env(extra), ...args);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(Date.now() - t0).toBeLessThan(10_000);
    }
    // An event appended to a stream under /proc (stdin carries the event).
    const child = spawn(process.execPath, [bundle, 'events', 'emit', '--persist', 'ndjson'], {
      cwd: repoRoot,
      env: { ...process.env, ...h.env({ FOXCTL_OBS_DIR: '/proc/self/foxctl-obs' }) },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdin.end('{"operation":"probe.proc"}\n');
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearTimeout(killer);
    expect(stderr).toMatch(/cannot use \/proc\/self\/foxctl-obs\/events for events file .*procfs/);
    expect(code).toBe(EXIT_CODES.INVALID_INPUT);
  }, 60_000);
});
