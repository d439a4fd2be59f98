// What a CLI command costs to start: the bundled CLI (split as scripts/build-cli.mjs splits it)
// run as a real process under a probe that records every module it resolves and every child
// process it starts. A command loads only its own code and libraries; `db query` runs in the
// CLI's own process; `--version` prints the version.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCliBundle, REPO_ROOT, type CliBundle } from '../test/cli-bundle.js';
import { tempHome } from '../test/temp-home.js';

const probe = path.join(REPO_ROOT, 'src-main', 'test', 'load-probe', 'probe.mjs');
const version = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
/** Libraries a command that does not talk to S3, libSQL, PostgreSQL, archives or config.yaml must not load. */
const HEAVY = ['@aws-sdk', '@libsql', '/node_modules/pg/', '/node_modules/pg-', 'tar-stream', '/node_modules/yaml/', 'zod'];

let bundle: CliBundle;
beforeAll(async () => {
  bundle = await buildCliBundle();
});
afterAll(() => bundle?.remove());

/** Runs the bundled CLI under the probe; returns its output and what it loaded and spawned. */
function run(env: Record<string, string | undefined>, args: string[]): { status: number | null; stdout: string; stderr: string; loaded: string[]; spawned: string[] } {
  const log = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'foxctl-probe-')), 'probe.log');
  fs.writeFileSync(log, '');
  const r = spawnSync(process.execPath, ['--import', probe, bundle.file, ...args], { env: { ...process.env, ...env, FOXCTL_LOAD_PROBE: log }, encoding: 'utf8', timeout: 30_000 });
  const lines = fs.readFileSync(log, 'utf8').split('\n');
  fs.rmSync(path.dirname(log), { recursive: true, force: true });
  return {
    status: r.status,
    stdout: r.stdout,
    stderr: r.stderr,
    loaded: lines.filter((l) => l.startsWith('load ')).map((l) => l.slice(5)),
    spawned: lines.filter((l) => l.startsWith('spawn ')).map((l) => l.slice(6)),
  };
}

const heavyIn = (loaded: string[]): string[] => loaded.filter((m) => HEAVY.some((h) => m.includes(h) || m === h.replace(/\//g, '')));

describe('CLI startup', () => {
  it('prints the version with --version and -V, loading no command', () => {
    for (const flag of ['--version', '-V']) {
      const r = run({}, [flag]);
      expect(r.status).toBe(0);
      expect(r.stdout.trim()).toBe(version);
      expect(r.loaded.filter((m) => /commands|better-sqlite3/.test(m))).toEqual([]);
    }
  });

  it('stores list, config show, cas head and events query load none of the heavy libraries', { timeout: 120_000 }, () => {
    const h = tempHome();
    expect(run(h.env(), ['init']).status).toBe(0);
    const cases: string[][] = [['stores', 'list'], ['config', 'show'], ['cas', 'head', '0'.repeat(64)], ['events', 'query', '--limit', '10']];
    for (const args of cases) {
      const r = run(h.env(), args);
      expect(r.stderr, args.join(' ')).not.toMatch(/unexpected error/);
      expect(heavyIn(r.loaded), args.join(' ')).toEqual([]);
      // Only the command's own chunk: no other command module is parsed.
      expect(r.loaded.filter((m) => /\/(backup|studio|dev|jobs)-[A-Z0-9]+\.mjs$/.test(m)), args.join(' ')).toEqual([]);
    }
  });

  it('db query runs in its own process: no child, same rows', { timeout: 90_000 }, () => {
    const h = tempHome();
    expect(run(h.env(), ['init']).status).toBe(0);
    const r = run(h.env(), ['--json', 'db', 'query', 'MEMORY', "SELECT 1 AS one, x'ff' AS b, 9007199254740993 AS big", '--limit', '5']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'ok', data: { columns: ['one', 'b', 'big'], rows: [[1, { $blob: 1, hex: 'ff' }, '9007199254740993']], truncated: false } });
    expect(r.spawned).toEqual([]);
    expect(heavyIn(r.loaded)).toEqual([]);
    // Writes are refused in this process as they were in the child.
    const w = run(h.env(), ['db', 'query', 'MEMORY', 'DELETE FROM named_memory']);
    expect(w.status).toBe(11);
    expect(w.stderr).toMatch(/only read-only queries can run here/);
  });

  it('a query past its time limit prints the CANCELED error and ends the process', { timeout: 90_000 }, () => {
    const h = tempHome();
    expect(run(h.env(), ['init']).status).toBe(0);
    const forever = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c';
    const t = run(h.env(), ['db', 'query', 'MEMORY', forever, '--timeout', '1s']);
    expect(t.status).toBe(null); // SIGKILL: one sqlite3_step cannot be interrupted from JavaScript
    expect(t.stderr).toMatch(/^foxctl: CANCELED: store MEMORY .*: query interrupted: it ran longer than its 1s time limit/m);
    const j = run(h.env(), ['--json', 'db', 'query', 'MEMORY', forever, '--timeout', '1s']);
    const env = JSON.parse(j.stdout) as { status: string; error: { code: string }; meta: { duration_ms: number } };
    expect(env).toMatchObject({ status: 'error', command: 'foxctl.db.query', error: { code: 'CANCELED' } });
    expect(env.meta.duration_ms).toBeGreaterThanOrEqual(1000);
  });
});
