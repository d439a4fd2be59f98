import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCliBundle, REPO_ROOT, type CliBundle } from '../cli-bundle.js';
import { tempDir } from '../temp-dir.js';
import { buildGoHome, type GoHome } from './home.js';

let cli: CliBundle | undefined;
beforeAll(async () => {
  cli = await buildCliBundle();
}, 60_000);
afterAll(() => cli?.remove());

/** Runs the shipped CLI in its own process against the Go home, with the Go home's environment. */
function foxctl(g: GoHome, ...args: string[]): { status: number | null; out: string; err: string; json: () => { status: string; data: never } } {
  const r = spawnSync(process.execPath, [cli!.file, ...args], { cwd: REPO_ROOT, env: { PATH: process.env.PATH, ...g.env }, encoding: 'utf8', maxBuffer: 1 << 26 });
  return { status: r.status, out: r.stdout, err: r.stderr, json: () => JSON.parse(r.stdout) as { status: string; data: never } };
}

function ok(g: GoHome, ...args: string[]): ReturnType<typeof foxctl> {
  const r = foxctl(g, ...args);
  expect(r.status, `foxctl ${args.join(' ')}: ${r.err}`).toBe(0);
  return r;
}

// Issue #14's "done when": a home built the Go way passes through every CLI command.
describe('a home the Go foxctl wrote, through every CLI command', () => {
  it('config, stores and db: Go keys named with their source, the libsql store opened through its driver', () => {
    const g = buildGoHome(tempDir('foxctl-gohome-'));
    const config = ok(g, 'config', 'show').out;
    expect(config).toMatch(/turso\.url\s+libsql:\/\/fox-go\.turso\.io.*database\.turso\.url/);
    expect(config).not.toContain('go-token-abcd1234');
    expect(config).toContain(g.storageRoot);
    const stores = ok(g, '--json', 'stores', 'list').json().data as { stores: { name: string; driver: string | null; location: string | null }[] };
    expect(stores.stores.find((s) => s.name === 'MEMORY')).toMatchObject({ driver: 'libsql' });
    const test = ok(g, 'db', 'test', 'MEMORY').out;
    expect(test).toMatch(/driver\s+libsql/);
    expect(test).toContain(g.libsqlFile);
    expect(ok(g, 'db', 'tables', 'SESSIONS').out).toMatch(/sessions\s+table\s+2\s+1/);
    expect(ok(g, 'db', 'query', 'SESSIONS', 'select title from sessions').out).toContain('a Go session');
  });

  it('cas: objects of both Go places, tags sorted as Go sorts them, the pin, bytes verified', () => {
    const g = buildGoHome(tempDir('foxctl-gohome-'));
    const [pinned, plain] = g.fileObjects;
    const head = ok(g, '--json', 'cas', 'head', pinned!.digest).json().data as { tags: string[]; pinned: boolean; kind: string };
    expect(head).toMatchObject({ tags: pinned!.tags, pinned: true, kind: 'application/json' });
    expect((ok(g, '--json', 'cas', 'head', plain!.digest).json().data as { tags: string[] }).tags).toEqual([]);
    const list = ok(g, '--json', 'cas', 'list').json().data as { items: { digest: string }[] };
    expect(list.items.map((o) => o.digest).sort()).toEqual(g.fileObjects.map((o) => o.digest).sort());
    expect(ok(g, 'cas', 'get', plain!.digest).out).toBe('plain notes from the Go CLI\n');
    const stats = ok(g, 'cas', 'stats').out;
    expect(stats).toContain(path.join(g.home, 'storage', 'cas.db'));
    expect(stats).toMatch(/cas migrate/);
    expect(ok(g, 'cas', 'verify').out).toMatch(/checked 2 objects .*: no problems/);
    // The runtime's cas.db merges into the file store; its 3 MiB object comes out byte for byte.
    ok(g, 'cas', 'migrate', '--from', path.join(g.home, 'storage', 'cas.db'), '--to', 'file');
    const big = foxctl(g, 'cas', 'get', g.sqliteObjects[1]!.digest);
    expect(big.status, big.err).toBe(0);
    expect(big.out.length).toBe(3 * 1024 * 1024);
    expect((ok(g, '--json', 'cas', 'head', g.sqliteObjects[0]!.digest).json().data as { tags: string[] }).tags).toEqual(['runtime']);
    // An artifact of a large output, in the envelope the Go runtime writes.
    const big64k = JSON.stringify({ version: 1, status: 'ok', command: 'evidence.collect', data: { records: Array.from({ length: 800 }, (_, i) => ({ i, text: 'x'.repeat(60) })) }, meta: {} });
    const art = spawnSync(process.execPath, [cli!.file, 'cas', 'artifactize', '--command', 'evidence.collect'], { cwd: REPO_ROOT, env: { PATH: process.env.PATH, ...g.env }, input: big64k, encoding: 'utf8' });
    expect(art.status, art.stderr).toBe(0);
    const env = JSON.parse(art.stdout) as { data: { summary: string; artifact: string }; meta: { cas_digest: string } };
    expect(env.data.summary).toMatch(/800 records/);
    expect(env.meta.cas_digest).toBe(env.data.artifact);
    expect(ok(g, 'cas', 'get', env.data.artifact).out).toBe(big64k);
  });

  it('events: Go names as commands, zoned timestamps filtered and ordered as instants, rotations read', () => {
    const g = buildGoHome(tempDir('foxctl-gohome-'));
    const turns = g.events.filter((e) => e.name === 'agent.turn').length;
    expect(ok(g, '--json', 'events', 'count', '--db', path.join(g.home, 'observability', 'events.db'), '--command', 'agent.turn').json().data).toMatchObject({ count: turns });
    // A window of the 24 events, given in UTC: their ts were written in three zones.
    const ms = (e: { ts: string }): number => Date.parse(e.ts);
    const from = new Date(ms(g.events[5]!)).toISOString();
    const to = new Date(ms(g.events[15]!)).toISOString();
    const inWindow = g.events.filter((e) => ms(e) >= Date.parse(from) && ms(e) < Date.parse(to));
    const q = ok(g, '--json', 'events', 'query', '--db', path.join(g.home, 'observability', 'events.db'), '--since', from, '--until', to, '--limit', '100').json().data as { rows: { span_id: string; ts: string }[] };
    expect(q.rows.map((e) => e.span_id).sort()).toEqual(inWindow.map((e) => e.span_id).sort());
    const order = q.rows.map((e) => Date.parse(e.ts));
    expect(order).toEqual([...order].sort((a, b) => b - a));
    const all = ok(g, '--json', 'events', 'query', '--all-streams', '--limit', '100').json().data as { rows: { span_id: string }[] };
    for (const e of g.rotatedOnly) expect(all.rows.map((x) => x.span_id)).toContain(e.span_id);
  });

  it('backup: the Go archive with ../ names is listed, verified and restores to the configured places', () => {
    const g = buildGoHome(tempDir('foxctl-gohome-'));
    expect(ok(g, 'backup', 'list').out).toContain(g.backupName);
    ok(g, 'backup', 'verify', g.backupName);
    const plan = ok(g, '--json', 'backup', 'restore', g.backupName, '--dry-run').json().data as { files: { path: string; destination: string }[] };
    const sessions = plan.files.find((f) => f.destination.endsWith('sessions.db'));
    expect(sessions?.destination).toBe(path.join(g.storageRoot, 'sessions.db'));
    for (const f of plan.files) expect(f.path.startsWith('..'), f.path).toBe(false);
    // A restore into a scratch target: nothing lands outside it.
    const target = tempDir('foxctl-gohome-restore-');
    ok(g, 'backup', 'restore', g.backupName, '--target', target, '--force');
    expect(fs.readdirSync(target, { recursive: true }).map(String)).toEqual(expect.arrayContaining([expect.stringMatching(/sessions\.db$/)]));
  });
});
