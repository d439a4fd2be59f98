import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { startS3rver } from '../../test/s3rver.js';
import { tempHome } from '../../test/temp-home.js';
import { casConformance, expectCode } from './conformance.js';
import { createCasBackend } from './create.js';
import { CasStore } from './guarded-store.js';
import { createS3Backend } from './s3-backend.js';
import { createS3Client } from './s3-client.js';
import { resolveS3Settings, type S3Settings } from './s3-config.js';

// In-process s3rver: it cannot be "missing", so a failure to start fails the suite (never a skip).
const s3 = await startS3rver();
afterAll(() => s3.stop());
const raw = createS3Client(s3.settings());
afterAll(() => raw.destroy());

let n = 0;
/** Small sizes so that the suite's 2.5-5 MiB objects take the multipart path. */
const SIZES = { smallLimit: 64 * 1024, partSize: 5 << 20, queueSize: 2 };

async function keys(prefix: string): Promise<string[]> {
  const r = await raw.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix }));
  return (r.Contents ?? []).map((o) => o.Key!).sort();
}

function s3Fixture(settings: S3Settings) {
  const blobKey = (hex: string): string => `${settings.prefix}blob/sha256:${hex}`;
  const metaKey = (hex: string): string => `${settings.prefix}meta/sha256:${hex}.json`;
  return {
    open: (o: { tmpSafeAgeMs?: number } = {}) => createS3Backend({ settings, ...SIZES, ...o }),
    corrupt: async (hex: string) => {
      const Key = `${settings.prefix}blob/sha256:${hex}`;
      const got = Buffer.from(await (await raw.send(new GetObjectCommand({ Bucket: s3.bucket, Key }))).Body!.transformToByteArray());
      got[Math.floor(got.length / 2)]! ^= 0x01;
      await raw.send(new PutObjectCommand({ Bucket: s3.bucket, Key, Body: got }));
    },
    tempCount: async () => (await keys(`${settings.prefix}tmp/`)).length,
    // Another client of the bucket (a lifecycle rule, a console user, the Go foxctl dying between its two PUTs).
    damage: {
      dropBytes: async (hex: string) => void (await raw.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: blobKey(hex) }))),
      truncate: async (hex: string) => {
        const got = await (await raw.send(new GetObjectCommand({ Bucket: s3.bucket, Key: blobKey(hex) }))).Body!.transformToByteArray();
        await raw.send(new PutObjectCommand({ Bucket: s3.bucket, Key: blobKey(hex), Body: Buffer.from(got).subarray(0, 1000) }));
      },
      dropMeta: async (hex: string) => void (await raw.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: metaKey(hex) }))),
      removeByHand: async (hex: string) => {
        await raw.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: blobKey(hex) }));
        await raw.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: metaKey(hex) }));
      },
      pinsApart: false,
      metaApart: true,
      // S3 files the meta after the blob: a meta without blob is never a put in progress.
      ageRecords: async () => undefined,
    },
  };
}

casConformance('s3', async () => s3Fixture(s3.settings({ prefix: `t${n++}/cas/` })));

describe('s3 CAS: layout, settings and faults', () => {
  it('stores FORMATS.md keys; a second device sees tags and pins from the meta object', async () => {
    const settings = s3.settings({ prefix: 'layout/' });
    const a = new CasStore(createS3Backend({ settings }));
    const r = await a.put(Buffer.from('{"x":1}'), { kind: 'application/json', tags: ['t'] });
    const hex = r.digest.slice(7);
    expect(await keys('layout/')).toEqual([`layout/blob/sha256:${hex}`, `layout/meta/sha256:${hex}.json`]);
    const meta = JSON.parse(await (await raw.send(new GetObjectCommand({ Bucket: s3.bucket, Key: `layout/meta/sha256:${hex}.json` }))).Body!.transformToString()) as Record<string, unknown>;
    expect(meta).toMatchObject({ digest: r.digest, size: 7, kind: 'application/json', tags: ['t'], pinned: false, created_at: r.created });
    const b = new CasStore(createS3Backend({ settings }));
    await b.pin(r.digest);
    expect((await a.head(r.digest)).pinned).toBe(true);
    await expectCode(a.remove(r.digest), 'PINNED');
    // Stored as the plain bytes (no aws-chunked framing), on the multipart path too.
    const big = randomBytes(6 << 20);
    const m = new CasStore(createS3Backend({ settings, ...SIZES }));
    const mr = await m.put(big);
    const stored = Buffer.from(await (await raw.send(new GetObjectCommand({ Bucket: s3.bucket, Key: `layout/blob/${mr.digest}` }))).Body!.transformToByteArray());
    expect(stored.equals(big)).toBe(true);
    expect(await keys('layout/tmp/')).toEqual([]);
    await m.close();
    await a.close();
    await b.close();
  });

  it('resolves settings from env with FORMATS.md defaults and clear errors', () => {
    expect(() => resolveS3Settings({})).toThrow(/FOXCTL_CAS_S3_BUCKET/);
    const s = resolveS3Settings({ FOXCTL_CAS_S3_BUCKET: 'b1b', AWS_REGION: 'eu-west-3', FOXCTL_CAS_S3_PREFIX: '/team//', FOXCTL_CAS_S3_ENDPOINT: 'localhost:9000', FOXCTL_CAS_S3_DISABLE_SSL: 'true', FOXCTL_CAS_S3_FORCE_PATH_STYLE: '1' });
    expect(s).toMatchObject({ bucket: 'b1b', region: 'eu-west-3', prefix: 'team/', endpoint: 'http://localhost:9000', forcePathStyle: true });
    expect(resolveS3Settings({ FOXCTL_CAS_S3_BUCKET: 'b1b', FOXCTL_CAS_S3_REGION: 'ap-south-1', AWS_REGION: 'x' })).toMatchObject({ region: 'ap-south-1', prefix: 'cas/', endpoint: undefined });
    expect(resolveS3Settings({ FOXCTL_CAS_S3_BUCKET: 'b1b' }).region).toBe('us-east-1');
    expect(() => resolveS3Settings({ FOXCTL_CAS_S3_BUCKET: 'Bad_Bucket' })).toThrow(/not a valid bucket/);
    expect(() => resolveS3Settings({ FOXCTL_CAS_S3_BUCKET: 'b1b', FOXCTL_CAS_S3_DISABLE_SSL: 'maybe' })).toThrow(/FOXCTL_CAS_S3_DISABLE_SSL/);
    expect(() => resolveS3Settings({ FOXCTL_CAS_S3_BUCKET: 'b1b', FOXCTL_CAS_S3_ENDPOINT: 'ftp://x' })).toThrow(/http/);
    expect(() => resolveS3Settings({ FOXCTL_CAS_S3_BUCKET: 'b1b', FOXCTL_CAS_S3_PREFIX: 'a/../b' })).toThrow(/prefix/);
    expect(() => resolveS3Settings({ FOXCTL_CAS_S3_BUCKET: 'b1b' }, { credentials: { accessKeyId: 'k', secretAccessKey: '' } })).toThrow(/secret access key/);
    const cfg = tempHome().config({ FOXCTL_CAS_DRIVER: 's3', FOXCTL_CAS_S3_BUCKET: 'b1b' });
    expect(createCasBackend(cfg).name).toBe('s3');
    expect(() => createCasBackend(tempHome().config({ FOXCTL_CAS_DRIVER: 's3' }))).toThrow(/FOXCTL_CAS_S3_BUCKET/);
  });

  it('wrong credentials: UNAVAILABLE within 10 s naming the backend, without the secret', async () => {
    const secret = 'wrong-secret-Zq9xVb7Lk2';
    const store = new CasStore(createS3Backend({ settings: s3.settings({ prefix: 'auth/', credentials: { accessKeyId: 'NOBODY', secretAccessKey: secret } }) }));
    const t0 = Date.now();
    const err = (await store.put(Buffer.from('x')).catch((e: unknown) => e)) as Error & { code: string };
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(err).toMatchObject({ name: 'FoxError', code: 'UNAVAILABLE' });
    expect(err.message).toMatch(/s3 CAS.*refused the credentials/);
    expect(JSON.stringify({ m: err.message, s: err.stack, c: String((err as { cause?: unknown }).cause) })).not.toContain(secret);
    await store.close();
  });

  it('an unreachable endpoint is UNAVAILABLE within 10 s', async () => {
    const dead = await startS3rver('dead-bucket');
    await dead.stop();
    const store = new CasStore(createS3Backend({ settings: dead.settings() }));
    const t0 = Date.now();
    await expectCode(store.list(), 'UNAVAILABLE', /cannot reach the s3 CAS/);
    expect(Date.now() - t0).toBeLessThan(10_000);
    await store.close();
  });

  it('a server that dies during a large put: a clear UNAVAILABLE, the local source untouched', async () => {
    const dying = await startS3rver('dying');
    const file = path.join(tempHome().home, 'big.bin');
    const data = randomBytes(24 << 20);
    fs.writeFileSync(file, data);
    const store = new CasStore(createS3Backend({ settings: dying.settings(), ...SIZES }));
    await store.open();
    const t0 = Date.now();
    const put = store.put(fs.createReadStream(file, { highWaterMark: 256 * 1024 }), { onProgress: (b) => void (b > 8 << 20 && dying.kill()) });
    await expectCode(put, 'UNAVAILABLE', /s3 CAS/);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(fs.readFileSync(file).equals(data)).toBe(true);
    await store.close();
    await dying.stop();
  });

  it('a server that dies during a get: the stream fails UNAVAILABLE naming the backend', async () => {
    const dying = await startS3rver('dying-get');
    const store = new CasStore(createS3Backend({ settings: dying.settings(), ...SIZES }));
    const r = await store.put(randomBytes(32 << 20));
    const got = await store.get(r.digest);
    let n = 0;
    const t0 = Date.now();
    const err = await (async () => {
      for await (const c of got.stream) if ((n += (c as Buffer).length) > 1 << 20) void dying.kill();
    })().catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'FoxError', code: 'UNAVAILABLE' });
    expect((err as Error).message).toMatch(/s3 CAS/);
    expect(Date.now() - t0).toBeLessThan(10_000);
    await store.close();
    await dying.stop();
  });

  it('the SDK client is a plain S3Client (the GUI passes credentials explicitly)', () => {
    expect(createS3Client(s3.settings())).toBeInstanceOf(S3Client);
  });
});
