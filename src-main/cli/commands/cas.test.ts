import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { digestBytes } from '../../engine/cas/digest.js';
import { openEngine } from '../../engine/engine.js';
import { runCliInProcess, spawnCli } from '../../test/cli-runner.js';
import { goFilePin, goFilePut, goFileReadMeta } from '../../test/go-home/cas.js';
import { tempHome } from '../../test/temp-home.js';
import { EXIT_CODES } from '../output.js';

/** Runs the real CLI from source in a child process, with `input` on stdin. */
const foxctl = (env: NodeJS.ProcessEnv, args: string[], input?: Buffer | string) => spawnCli(env, args, input);
const inProcess = runCliInProcess;

afterEach(() => {
  process.exitCode = 0;
});

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** The CLI bundled as `npm run build` bundles it, from the current sources (out/ may be stale). */
const builtCli = path.join(repo, 'out', 'vitest-cli', 'foxctl.mjs');
beforeAll(() => {
  buildSync({ entryPoints: [path.join(repo, 'src-main/cli/index.ts')], outfile: builtCli, bundle: true, platform: 'node', target: 'node20', format: 'esm', packages: 'external', logLevel: 'warning' });
});

/** What a run of the built CLI did. */
interface BuiltRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
  ms: number;
}

/**
 * Runs the built CLI as users run it; `stdinOpen` keeps its stdin open (nothing piped, no EOF),
 * `onStart` gets the child. It is SIGKILLed after `killAfterMs`, so a hang fails the test instead of the run.
 */
function runBuilt(env: NodeJS.ProcessEnv, args: string[], opts: { killAfterMs?: number; onStart?: (pid: number) => void } = {}): Promise<BuiltRun> {
  const t0 = Date.now();
  const child = spawn(process.execPath, [builtCli, ...args], { cwd: repo, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), opts.killAfterMs ?? 60_000);
  opts.onStart?.(child.pid!);
  return new Promise((resolve) =>
    child.on('close', (status, signal) => {
      clearTimeout(killer);
      resolve({ status, signal, stdout: Buffer.concat(out), stderr, ms: Date.now() - t0 });
    }),
  );
}

describe('foxctl cas (child process: stdin and stdout as users have them)', () => {
  it('foxctl cas put < file, then get to stdout, and gc --older-than=168h --dry-run', () => {
    const h = tempHome();
    const content = Buffer.from(JSON.stringify({ artifact: true, rows: [1, 2, 3] }));
    const put = foxctl(h.env(), ['cas', 'put'], content);
    expect(put.stderr).toBe('');
    expect(put.status).toBe(0);
    const digest = put.stdout.toString().trim();
    expect(digest).toBe(digestBytes(content));
    const got = foxctl(h.env(), ['cas', 'get', digest]);
    expect(got.status).toBe(0);
    expect(got.stdout.equals(content)).toBe(true);
    const gc = foxctl(h.env(), ['--json', 'cas', 'gc', '--older-than=168h', '--dry-run']);
    // The object just put is too new: skipped, as the Go gc counts it.
    expect(JSON.parse(gc.stdout.toString())).toMatchObject({ status: 'ok', command: 'foxctl.cas.gc', data: { dry_run: true, objects_deleted: 0, objects_skipped: 1, skipped_fresh: 1, errors: 0 } });
  }, 120_000);

  it("gc defaults to the Go CLI's 72h and counts pinned and too-new objects as skipped, on a store the Go foxctl wrote", async () => {
    const h = tempHome();
    const dir = path.join(h.home, 'cas');
    const hour = 3_600_000;
    const old = goFilePut(dir, { content: Buffer.from('73 h old'), createdAt: new Date(Date.now() - 73 * hour) });
    goFilePut(dir, { content: Buffer.from('71 h old'), createdAt: new Date(Date.now() - 71 * hour) });
    const pinned = goFilePut(dir, { content: Buffer.from('old and pinned'), tags: ['keep'], createdAt: new Date(Date.now() - 500 * hour) });
    const pinTime = goFilePin(dir, pinned);
    const t0 = Date.now();
    const r = await inProcess(h.home, ['--json', 'cas', 'gc', '--dry-run']);
    expect(r.stderr).toBe('');
    const data = (JSON.parse(r.stdout) as { data: { cutoff: string; candidates: { digest: string }[] } & Record<string, unknown> }).data;
    expect(data).toMatchObject({ objects_deleted: 1, objects_skipped: 2, skipped_pinned: 1, skipped_fresh: 1, errors: 0 });
    expect(data.candidates.map((c) => c.digest)).toEqual([old]);
    expect(Math.abs(Date.parse(data.cutoff) - (t0 - 72 * hour))).toBeLessThan(60_000);
    const head = await inProcess(h.home, ['--json', 'cas', 'head', pinned]);
    expect(JSON.parse(head.stdout)).toMatchObject({ data: { pinned: true, pinned_at: pinTime, tags: ['keep'] } });
    // Put again: Go's reader still sees the first created_at; head says when it was last put.
    const src = path.join(h.home, 'again.bin');
    fs.writeFileSync(src, '73 h old');
    const before = goFileReadMeta(dir, old).created_at;
    expect((await inProcess(h.home, ['cas', 'put', '--tag', 'again', src])).stdout.trim()).toBe(old);
    expect(goFileReadMeta(dir, old)).toMatchObject({ created_at: before, tags: ['again', 'name:again.bin'] });
    expect((await inProcess(h.home, ['cas', 'head', old])).stdout).toMatch(/^last put +\d{4}-\d\d-\d\dT/m);
    expect(JSON.parse((await inProcess(h.home, ['--json', 'cas', 'gc', '--dry-run'])).stdout)).toMatchObject({ data: { objects_deleted: 0, skipped_fresh: 2 } });
  }, 120_000);

  it('get of a corrupt object to stdout writes not one byte and fails with the CORRUPT exit status', async () => {
    const h = tempHome();
    const e = openEngine({ env: h.env() });
    const a = (await e.cas.put(Buffer.from('object a'))).digest;
    await e.close();
    fs.writeFileSync(path.join(h.home, 'cas', 'sha256', a.slice(7)), 'object A');
    const get = await runBuilt(h.env(), ['cas', 'get', a]);
    expect(get.stderr).toMatch(/CORRUPT: .*is corrupt/);
    expect(get.status).toBe(EXIT_CODES.CORRUPT);
    expect(get.stdout.length).toBe(0);
  }, 120_000);

  it('get of an object above 64 MiB streams it whole when intact, and never whole when corrupt', async () => {
    const h = tempHome();
    const data = randomBytes(70 << 20);
    const e = openEngine({ env: h.env() });
    const d = (await e.cas.put(data)).digest;
    await e.close();
    const good = await runBuilt(h.env(), ['cas', 'get', d]);
    expect(good.status).toBe(0);
    expect(good.stdout.equals(data)).toBe(true);
    // One flipped byte near the end, by hand, as a failing disk would leave it.
    const file = path.join(h.home, 'cas', 'sha256', d.slice(7));
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.from([data[data.length - 10]! ^ 0xff]), 0, 1, data.length - 10);
    fs.closeSync(fd);
    const bad = await runBuilt(h.env(), ['cas', 'get', d]);
    expect(bad.stderr).toMatch(/CORRUPT: .*is corrupt/);
    expect(bad.status).toBe(EXIT_CODES.CORRUPT);
    expect(bad.stdout.length).toBeLessThan(data.length);
  }, 120_000);
});

describe('foxctl cas verify on a home damaged by hand (the built CLI)', () => {
  it('lists every loss, one line each with what to do, --json carries the kinds, and exits CORRUPT', async () => {
    const h = tempHome();
    const e = openEngine({ env: h.env() });
    const kept = (await e.cas.put(Buffer.from('kept whole'))).digest;
    const lost = (await e.cas.put(Buffer.from('bytes deleted by hand'))).digest;
    const pinned = (await e.cas.put(Buffer.from('pinned, then deleted by hand'), { pin: true })).digest;
    await e.close();
    const clean = await runBuilt(h.env(), ['cas', 'verify']);
    expect(clean.status).toBe(0);
    expect(clean.stdout.toString()).toMatch(/^checked 3 objects .*: no problems\n$/);
    const dir = path.join(h.home, 'cas', 'sha256');
    fs.unlinkSync(path.join(dir, lost.slice(7)));
    fs.unlinkSync(path.join(dir, pinned.slice(7)));
    fs.unlinkSync(path.join(dir, `${pinned.slice(7)}.json`));
    // What the Go foxctl leaves when it dies between renaming its bytes in and writing their metadata.
    const stray = Buffer.from('a Go put that died halfway');
    fs.writeFileSync(path.join(dir, digestBytes(stray).slice(7)), stray, { mode: 0o600 });

    const v = await runBuilt(h.env(), ['cas', 'verify']);
    expect(v.status).toBe(EXIT_CODES.CORRUPT);
    const out = v.stdout.toString();
    expect(out).toMatch(/^checked 2 objects .*: 3 problems \(1 missing_bytes, 1 orphan_bytes, 1 orphan_pin\)\n/);
    expect(out).toContain(`missing_bytes ${lost}: its bytes file is gone; its metadata file sha256/${lost.slice(7)}.json remains\n`);
    expect(out).toContain(`orphan_bytes ${digestBytes(stray)}: the bytes file sha256/${digestBytes(stray).slice(7)} has no metadata file (.json); the bytes hash to their name\n`);
    expect(out).toContain(`orphan_pin ${pinned}: the pin file pins/${pinned.slice(7)} remains; the object's bytes and metadata are gone\n`);
    expect(out).toMatch(/what to do:\n {2}missing_bytes: The bytes are lost: put the original content again/);
    expect(out).not.toContain(kept);
    const j = await runBuilt(h.env(), ['--json', 'cas', 'verify']);
    expect(j.status).toBe(EXIT_CODES.CORRUPT);
    const env = JSON.parse(j.stdout.toString()) as { status: string; data: { ok: boolean; missing: string[]; problems: { problem: string; digest: string; hint: string }[] } };
    expect(env).toMatchObject({ status: 'ok', data: { ok: false, missing: [lost] } });
    expect(env.data.problems.map((p) => `${p.problem} ${p.digest}`).sort()).toEqual([`missing_bytes ${lost}`, `orphan_bytes ${digestBytes(stray)}`, `orphan_pin ${pinned}`].sort());
    // The remedy the hint names works: put the original again.
    const file = path.join(h.home, 'original.txt');
    fs.writeFileSync(file, 'bytes deleted by hand');
    expect((await runBuilt(h.env(), ['cas', 'put', file])).stdout.toString().trim()).toBe(lost);
    expect((await runBuilt(h.env(), ['cas', 'verify'])).stdout.toString()).not.toContain('missing_bytes');
    // The other remedies it names: put the stray bytes again; rm --force the leftover pin (an hour old).
    fs.writeFileSync(file, stray);
    expect((await runBuilt(h.env(), ['cas', 'put', file])).status).toBe(0);
    const old = new Date(Date.now() - 2 * 3_600_000);
    fs.utimesSync(path.join(h.home, 'cas', 'pins', pinned.slice(7)), old, old);
    const rm = await runBuilt(h.env(), ['cas', 'rm', '--force', pinned]);
    expect(rm.stdout.toString()).toMatch(/^removed sha256:/);
    const after = await runBuilt(h.env(), ['cas', 'verify']);
    expect(after.stdout.toString()).toMatch(/^checked 3 objects .*: no problems\n$/);
    expect(after.status).toBe(0);
  }, 120_000);
});

describe('foxctl cas on a CAS path that cannot hold it (the built CLI, as users run it)', () => {
  it('/proc/self, /sys and /dev/null as FOXCTL_PATHS_CAS: a clear INVALID_INPUT within seconds, not an endless mkdir', async () => {
    const h = tempHome();
    const file = path.join(h.home, 'in.txt');
    fs.writeFileSync(file, 'x');
    const cases: [string, RegExp][] = [
      ['/proc/self', /cannot use \/proc\/self for the file CAS \(paths\.cas, \$FOXCTL_PATHS_CAS\): \/proc\/self is on procfs, a special file system/],
      ['/sys/kernel/foxctl-cas', /cannot use \/sys\/kernel\/foxctl-cas .*: \/sys\/kernel is on sysfs/],
      ['/dev/null', /cannot use \/dev\/null .*: \/dev\/null is a character device, not a directory/],
    ];
    for (const [dir, message] of cases) {
      // Before the fix Node's recursive mkdir spun here forever, deaf to SIGTERM; the kill timer catches a relapse.
      const r = await runBuilt(h.env({ FOXCTL_PATHS_CAS: dir }), ['cas', 'put', file], { killAfterMs: 15_000 });
      expect(r.signal).toBeNull();
      expect(r.stderr).toMatch(message);
      expect(r.status).toBe(EXIT_CODES.INVALID_INPUT);
      expect(r.ms).toBeLessThan(10_000);
    }
    expect(fs.existsSync('/sys/kernel/foxctl-cas')).toBe(false);
  }, 120_000);

  it('SIGTERM ends a put blocked on stdin: CANCELED within seconds, and its upload is removed', async () => {
    const h = tempHome();
    const tmp = path.join(h.home, 'cas', 'tmp');
    let pid = 0;
    const run = runBuilt(h.env(), ['cas', 'put'], { killAfterMs: 30_000, onStart: (p) => (pid = p) });
    // The upload's temp file exists once the put is under way (stdin stays open: no EOF ever comes).
    await expect.poll(() => (fs.existsSync(tmp) ? fs.readdirSync(tmp).filter((n) => n.endsWith('.upload')).length : 0), { timeout: 20_000 }).toBe(1);
    const t0 = Date.now();
    process.kill(pid, 'SIGTERM');
    const r = await run;
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(r.signal).toBeNull();
    expect(r.stderr).toMatch(/terminated: canceling/);
    expect(r.status).toBe(EXIT_CODES.CANCELED);
    expect(fs.readdirSync(tmp)).toEqual([]);
  }, 60_000);
});

describe('foxctl cas (in process)', () => {
  it('put FILE with --kind, --tag, --pin; rm refuses it; rm --force removes it', async () => {
    const h = tempHome();
    const file = path.join(h.home, 'in.bin');
    fs.writeFileSync(file, 'second object');
    const put = await inProcess(h.home, ['--json', 'cas', 'put', '--kind', 'text/plain', '--tag', 'a', '--tag', 'b', '--pin', file]);
    const env1 = JSON.parse(put.stdout) as { status: string; data: { digest: string }; meta: { cas_digest: string } };
    expect(env1).toMatchObject({ status: 'ok', command: 'foxctl.cas.put', data: { kind: 'text/plain', tags: ['a', 'b', 'name:in.bin'], pinned: true, existed: false } });
    expect(env1.meta.cas_digest).toBe(env1.data.digest);
    const rm = await inProcess(h.home, ['cas', 'rm', env1.data.digest]);
    expect(rm.status).toBe(EXIT_CODES.PINNED);
    expect(rm.stderr).toMatch(/PINNED: .*is pinned/);
    expect((await inProcess(h.home, ['cas', 'rm', '--dry-run', '--force', env1.data.digest])).stdout).toMatch(/would remove/);
    expect((await inProcess(h.home, ['cas', 'list'])).stdout).toContain(env1.data.digest);
    expect((await inProcess(h.home, ['cas', 'rm', '--force', env1.data.digest])).stdout).toMatch(/^removed sha256:/);
    expect((await inProcess(h.home, ['cas', 'list'])).stdout).toBe('no objects\n');
    const missing = await inProcess(h.home, ['cas', 'put', path.join(h.home, 'nope')]);
    expect(missing.status).toBe(EXIT_CODES.NOT_FOUND);
  });

  it('verify exits non-zero naming exactly the corrupt object; stats; a bad digest is INVALID_INPUT', async () => {
    const h = tempHome();
    const e = openEngine({ env: h.env() });
    const a = (await e.cas.put(Buffer.from('object a'))).digest;
    await e.cas.put(Buffer.from('object b'), { pin: true });
    await e.close();
    expect((await inProcess(h.home, ['cas', 'verify'])).status).toBe(0);
    fs.writeFileSync(path.join(h.home, 'cas', 'sha256', a.slice(7)), 'object A');
    const v = await inProcess(h.home, ['--json', 'cas', 'verify']);
    expect(v.status).toBe(EXIT_CODES.CORRUPT);
    expect(JSON.parse(v.stdout)).toMatchObject({ status: 'ok', data: { objects_checked: 2, corrupt: [a] } });
    expect((await inProcess(h.home, ['cas', 'stats'])).stdout).toMatch(/objects +2 .*\npinned +1/);
    const bad = await inProcess(h.home, ['cas', 'head', a.toUpperCase()]);
    expect(bad.status).toBe(EXIT_CODES.INVALID_INPUT);
    expect(bad.stderr).toMatch(/invalid digest.*lower case/);
    const dur = await inProcess(h.home, ['cas', 'gc', '--older-than', 'a week']);
    expect(dur.status).toBe(EXIT_CODES.INVALID_INPUT);
    expect(dur.stderr).toMatch(/--older-than/);
  });
});

describe('foxctl cas tag', () => {
  it('adds tags to an object, merged with its own, and names a bad digest', async () => {
    const h = tempHome();
    const e = openEngine({ env: h.env() });
    const a = (await e.cas.put(Buffer.from('tag me'), { tags: ['old'] })).digest;
    await e.close();
    const r = await inProcess(h.home, ['cas', 'tag', a, 'new', 'other']);
    expect(r.stderr).toBe('');
    // Sorted, as the Go foxctl stores tags.
    expect(r.stdout.trim()).toBe(`${a} tags: new, old, other`);
    const listed = await inProcess(h.home, ['--json', 'cas', 'list', '--tag', 'other']);
    expect((JSON.parse(listed.stdout) as { data: { items: { digest: string }[] } }).data.items.map((i) => i.digest)).toEqual([a]);
    const bad = await inProcess(h.home, ['cas', 'tag', 'sha256:nothex', 'x']);
    expect(bad.status).toBe(EXIT_CODES.INVALID_INPUT);
  });
});
