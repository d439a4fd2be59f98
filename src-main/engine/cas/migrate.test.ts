import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import { afterAll, describe, expect, it } from 'vitest';
import { openEngine } from '../engine.js';
import { S3RVER_CREDENTIALS, startS3rver } from '../../test/s3rver.js';
import { tempHome } from '../../test/temp-home.js';
import { expectCode } from './conformance.js';
import { createFileBackend } from './file-backend.js';
import { CasStore } from './guarded-store.js';
import { migrateCas, startCasMigrate } from './migrate.js';
import { createSqliteBackend } from './sqlite-backend.js';

const s3 = await startS3rver('migrate');
afterAll(() => s3.stop());

async function seeded(dir: string): Promise<{ store: CasStore; digests: string[]; pinned: string }> {
  const store = new CasStore(createFileBackend({ dir }));
  const digests: string[] = [];
  for (let i = 0; i < 6; i++) digests.push((await store.put(i === 5 ? randomBytes(3 << 20) : Buffer.from(`object ${i}`), { kind: 'text/plain', tags: [`t${i}`] })).digest);
  const pinned = (await store.put(Buffer.from('pinned one'), { pin: true })).digest;
  return { store, digests: [...digests, pinned], pinned };
}

describe('cas migrate', () => {
  it('copies every object with kind, tags and pins; a rerun skips them all', async () => {
    const home = tempHome().home;
    const { store: src, digests, pinned } = await seeded(path.join(home, 'cas'));
    const dst = new CasStore(createSqliteBackend({ file: path.join(home, 'cas.db') }));
    const seen: number[] = [];
    const r = await migrateCas(src, dst, { onProgress: (d) => seen.push(d) });
    expect(r).toMatchObject({ objects_migrated: 7, objects_skipped: 0, errors: 0 });
    expect(r.bytes_migrated).toBe((await src.stats()).bytes);
    expect(seen.at(-1)).toBe(7);
    for (const d of digests) expect((await buffer((await dst.get(d)).stream)).equals(await buffer((await src.get(d)).stream))).toBe(true);
    expect(await dst.head(digests[0]!)).toMatchObject({ kind: 'text/plain', tags: ['t0'], pinned: false });
    expect((await dst.head(pinned)).pinned).toBe(true);
    await dst.unpin(pinned);
    const again = await migrateCas(src, dst);
    expect(again).toMatchObject({ objects_migrated: 0, objects_skipped: 7, bytes_migrated: 0, errors: 0, pins_added: 1 });
    expect((await dst.head(pinned)).pinned).toBe(true);
    await src.close();
    await dst.close();
  });

  it('a corrupt source object is reported and not copied; the others are', async () => {
    const home = tempHome().home;
    const dir = path.join(home, 'cas');
    const { store: src, digests } = await seeded(dir);
    const bad = digests[5]!;
    const f = path.join(dir, 'sha256', bad.slice(7));
    const b = fs.readFileSync(f);
    b[100]! ^= 1;
    fs.writeFileSync(f, b);
    const dst = new CasStore(createSqliteBackend({ file: path.join(home, 'cas.db') }));
    const r = await migrateCas(src, dst);
    expect(r).toMatchObject({ objects_migrated: 6, errors: 1 });
    expect(r.failures).toEqual([expect.objectContaining({ digest: bad, code: 'CORRUPT' })]);
    expect(await dst.has(bad)).toBe(false);
    await src.close();
    await dst.close();
  });

  it('runs as an engine job from file to s3 and can be canceled between objects', async () => {
    const h = tempHome();
    const env = h.env({ FOXCTL_CAS_S3_BUCKET: s3.bucket, FOXCTL_CAS_S3_ENDPOINT: s3.endpoint, FOXCTL_CAS_S3_FORCE_PATH_STYLE: 'true', FOXCTL_CAS_S3_PREFIX: 'mig/' });
    const engine = openEngine({ env });
    try {
      const { store, digests } = await seeded(engine.config.casDir);
      await store.close();
      const overrides = { s3: { credentials: S3RVER_CREDENTIALS } };
      const controller = new AbortController();
      const canceled = startCasMigrate(engine, 's3', { overrides, signal: controller.signal, concurrency: 1, onProgress: (d) => d >= 2 && controller.abort() });
      await expectCode(canceled.done, 'CANCELED');
      const job = startCasMigrate(engine, 's3', { overrides });
      const r = await job.done;
      expect(r.objects_migrated + r.objects_skipped).toBe(7);
      expect(r.objects_skipped).toBeGreaterThanOrEqual(2);
      expect(engine.jobs.get(job.id)).toMatchObject({ kind: 'cas.migrate', state: 'ok' });
      const target = new CasStore((await import('./s3-backend.js')).createS3Backend({ settings: s3.settings({ prefix: 'mig/' }) }));
      expect((await target.list({ limit: 100 })).items.map((o) => o.digest).sort()).toEqual([...digests].sort());
      await target.close();
      expect(() => startCasMigrate(engine, 'file')).toThrow(/already uses/);
      expect(() => startCasMigrate(engine, 'floppy')).toThrow(/unknown CAS backend "floppy"/);
    } finally {
      await engine.close();
    }
  });
});
