import fs from 'node:fs';
import path from 'node:path';
import { buffer } from 'node:stream/consumers';
import { afterEach, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../engine.js';
import type { JobInfo } from '../jobs/types.js';
import { tempHome } from '../../test/temp-home.js';
import { expectCode } from './conformance.js';
import { digestBytes } from './digest.js';

const engines: Engine[] = [];
afterEach(async () => {
  for (const e of engines.splice(0)) await e.close();
});

function engine(extra: Record<string, string> = {}): { e: Engine; home: string } {
  const h = tempHome();
  const e = openEngine({ env: h.env(extra) });
  engines.push(e);
  return { e, home: h.home };
}

describe('engine.cas', () => {
  it('defaults to the file backend at paths.cas and puts files as jobs with progress in bytes', async () => {
    const { e, home } = engine();
    expect(e.cas.backend).toBe('file');
    const file = path.join(home, 'big.bin');
    fs.writeFileSync(file, Buffer.alloc(9 << 20, 3));
    const seen: JobInfo[] = [];
    e.jobs.subscribe((j) => seen.push(j));
    const job = e.cas.startPut({ path: file }, { kind: 'application/x-test', tags: ['t'] });
    const r = await job.done;
    expect(r).toMatchObject({ digest: digestBytes(fs.readFileSync(file)), size_bytes: 9 << 20, kind: 'application/x-test', existed: false });
    expect(fs.existsSync(path.join(home, 'cas', 'sha256', r.digest.slice(7)))).toBe(true);
    const last = seen.filter((j) => j.id === job.id).at(-1)!;
    expect(last).toMatchObject({ kind: 'cas.put', state: 'ok', progress: { unit: 'bytes', total: 9 << 20, done: 9 << 20 } });
    expect(e.jobs.get(job.id).state).toBe('ok');
    expect((await e.cas.put({ path: file })).existed).toBe(true);
  });

  it('put of a missing file or a directory is a clear error', async () => {
    const { e, home } = engine();
    await expectCode(e.cas.put({ path: path.join(home, 'nope.bin') }), 'NOT_FOUND', /nope\.bin does not exist/);
    await expectCode(e.cas.put({ path: home }), 'INVALID_INPUT', /is a directory/);
    await expectCode(e.cas.startPut({ path: path.join(home, 'nope.bin') }).done, 'NOT_FOUND');
  });

  it('FOXCTL_CAS_DRIVER=sqlite uses FOXCTL_CAS_DB_PATH; turso and s3 without their settings name the missing variable', async () => {
    const h = tempHome();
    const dbFile = path.join(h.home, 'elsewhere', 'my-cas.db');
    const e = openEngine({ env: h.env({ FOXCTL_CAS_DRIVER: 'sqlite', FOXCTL_CAS_DB_PATH: dbFile }) });
    engines.push(e);
    expect(e.cas.backend).toBe('sqlite');
    const r = await e.cas.put(Buffer.from('in sqlite'));
    expect(fs.existsSync(dbFile)).toBe(true);
    expect(await buffer((await e.cas.get(r.digest)).stream)).toEqual(Buffer.from('in sqlite'));
    for (const [driver, variable] of [['turso', 'FOXCTL_CAS_DB_URL'], ['s3', 'FOXCTL_CAS_S3_BUCKET']] as const) {
      const other = openEngine({ env: tempHome().env({ FOXCTL_CAS_DRIVER: driver }) });
      engines.push(other);
      expect(() => other.cas).toThrow(new RegExp(`${driver} CAS backend needs .*\\$${variable}`));
    }
    expect(() => openEngine({ env: tempHome().env({ FOXCTL_CAS_DRIVER: 'ftp' }) })).toThrow(/cas\.driver/);
  });

  it('verify runs as a job that can be canceled; gc runs as a job with progress in objects', async () => {
    const { e, home } = engine();
    for (let i = 0; i < 40; i++) await e.cas.put(Buffer.from(`object ${i}`));
    const job = e.cas.startVerify();
    job.cancel('user canceled');
    await expectCode(job.done, 'CANCELED');
    expect(e.jobs.get(job.id).state).toBe('canceled');
    const ok = await e.cas.startVerify().done;
    expect(ok).toMatchObject({ objects_checked: 40, corrupt: [], ok: true });
    const hex = (await e.cas.list({ limit: 1 })).items[0]!.digest.slice(7);
    fs.writeFileSync(path.join(home, 'cas', 'sha256', hex), 'flipped');
    expect((await e.cas.startVerify().done).corrupt).toEqual([`sha256:${hex}`]);
    const gc = e.cas.startGc({ olderThanMs: 0, dryRun: true });
    expect((await gc.done).objects_deleted).toBe(40);
    expect(e.jobs.get(gc.id)).toMatchObject({ kind: 'cas.gc', state: 'ok', progress: { unit: 'objects' } });
  });

  it('rm refuses a pinned object, --dry-run removes nothing, --force removes it', async () => {
    const { e } = engine();
    const r = await e.cas.put(Buffer.from('keep me'), { pin: true });
    await expectCode(e.cas.rm(r.digest), 'PINNED', /unpin it first/);
    await expectCode(e.cas.rm(r.digest, { dryRun: true }), 'PINNED');
    expect(await e.cas.rm(r.digest, { dryRun: true, force: true })).toMatchObject({ removed: false, dry_run: true, pinned: true });
    expect((await e.cas.head(r.digest)).pinned).toBe(true);
    expect(await e.cas.rm(r.digest, { force: true })).toMatchObject({ removed: true, pinned: true });
    await expectCode(e.cas.head(r.digest), 'NOT_FOUND');
  });
});
