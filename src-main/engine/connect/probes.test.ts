import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresForSuite } from '../../test/pg-db.js';
import { tempHome } from '../../test/temp-home.js';
import { S3RVER_CREDENTIALS, startS3rver, type TestS3 } from '../../test/s3rver.js';
import { probePostgres } from './postgres-probe.js';
import { probeS3 } from './s3-probe.js';
import { probeTurso } from './turso-probe.js';

describe('probeS3 against s3rver', () => {
  let s3: TestS3;
  beforeAll(async () => {
    s3 = await startS3rver('probe-bucket', { checkSignatures: true });
  });
  afterAll(async () => {
    await s3.stop();
  });
  const base = () => ({ bucket: 'probe-bucket', endpoint: s3.endpoint, region: 'us-east-1', prefix: 'cas/', forcePathStyle: true });

  it('answers with the latency when bucket and keys are right', async () => {
    const r = await probeS3({ ...base(), credentials: S3RVER_CREDENTIALS });
    expect(r).toMatchObject({ ok: true, target: `s3://probe-bucket/cas/ at ${s3.endpoint}` });
    expect(r.latencyMs).toBeGreaterThan(0);
  });

  it('gives the server\'s exact error for a wrong secret, without the secret', async () => {
    const wrong = 'definitely-not-the-secret-0001';
    const r = await probeS3({ ...base(), credentials: { accessKeyId: 'S3RVER', secretAccessKey: wrong } });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.code).toBe('SignatureDoesNotMatch');
    expect(r.message).toMatch(/^SignatureDoesNotMatch: The request signature we calculated does not match the signature you provided/);
    expect(r.message).toContain('[HTTP 403]');
    expect(JSON.stringify(r)).not.toContain(wrong);
  });

  it('names a missing bucket, an unknown key id, a bad bucket name and a dead endpoint', async () => {
    const missing = await probeS3({ ...base(), bucket: 'no-such-bucket', credentials: S3RVER_CREDENTIALS });
    expect(missing).toMatchObject({ ok: false, code: 'NoSuchBucket' });
    const badKey = await probeS3({ ...base(), credentials: { accessKeyId: 'NOBODY', secretAccessKey: 'S3RVER' } });
    expect(badKey).toMatchObject({ ok: false, code: 'InvalidAccessKeyId' });
    const badName = await probeS3({ ...base(), bucket: 'Bad_Bucket', credentials: S3RVER_CREDENTIALS });
    expect(badName).toMatchObject({ ok: false, code: 'INVALID_INPUT' });
    if (!badName.ok) expect(badName.message).toMatch(/not a valid bucket name/);
    const dead = await probeS3({ ...base(), endpoint: 'http://127.0.0.1:9', credentials: S3RVER_CREDENTIALS }, { timeoutMs: 4000 });
    expect(dead.ok).toBe(false);
    if (!dead.ok) expect(dead.message).toMatch(/ECONNREFUSED/);
  });
});

describe('probePostgres against the test cluster', () => {
  const pgs = postgresForSuite('connect-probe');
  it.skipIf(pgs.skip !== undefined)('connects with the right password and reports the version', async () => {
    const u = new URL(pgs.dsn!);
    const password = decodeURIComponent(u.password);
    u.password = '';
    const r = await probePostgres(tempHome().config(), { dsn: u.toString(), password });
    expect(r).toMatchObject({ ok: true });
    if (r.ok) expect(r.detail).toMatch(/^PostgreSQL 1\d.*; round trip [\d.]+ ms; schema "memory" not migrated yet; pgvector (absent|available|enabled)$/);
    expect(JSON.stringify(r)).not.toContain(password);
  });

  it.skipIf(pgs.skip !== undefined)('gives the server\'s exact error for a wrong password, masked', async () => {
    const u = new URL(pgs.dsn!);
    u.password = '';
    const wrong = 'wrong-password-123456';
    const r = await probePostgres(tempHome().config(), { dsn: u.toString(), password: wrong });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.code).toBe('UNAVAILABLE');
    expect(r.message).toMatch(new RegExp(`refused the credentials: password authentication failed for user "${u.username}"$`));
    expect(r.target).toContain(':***@');
    expect(JSON.stringify(r)).not.toContain(wrong);
  });

  it('refuses a DSN that is not PostgreSQL', async () => {
    expect(await probePostgres(tempHome().config(), { dsn: 'mysql://u:secretpw@h/db' })).toMatchObject({ ok: false, code: 'INVALID_INPUT', target: 'mysql://u:***@h/db' });
  });
});

describe('probeTurso with a file: URL', () => {
  it('opens a local libSQL database; a missing directory is the client\'s exact error', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'foxctl-probe-'));
    try {
      const ok = await probeTurso({ url: `file:${path.join(dir, 'x.db')}` });
      expect(ok).toMatchObject({ ok: true });
      if (ok.ok) expect(ok.detail).toMatch(/SQLite 3\./);
      const bad = await probeTurso({ url: `file:${path.join(dir, 'nope', 'x.db')}` });
      expect(bad.ok).toBe(false);
      if (!bad.ok) expect(bad.message).toMatch(/Unable to open connection to local database/);
      const remote = await probeTurso({ url: 'libsql://db.example.turso.io' });
      expect(remote).toMatchObject({ ok: false, code: 'INVALID_INPUT', message: 'libsql://db.example.turso.io is remote and needs a token' });
      const token = 'tok-abcdefghijklmnop';
      const unreachable = await probeTurso({ url: 'http://127.0.0.1:9', token }, { timeoutMs: 4000 });
      expect(unreachable.ok).toBe(false);
      expect(JSON.stringify(unreachable)).not.toContain(token);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
