import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine } from '../engine/engine.js';
import { S3RVER_CREDENTIALS, startS3rver, type TestS3 } from '../test/s3rver.js';
import { tempHome } from '../test/temp-home.js';
import { ApiDispatcher } from './dispatch.js';
import { createHandlers } from './handlers.js';
import { splitDsnPassword } from './settings-handlers.js';

const origin = { scope: 'test', requestId: 'r1' };

describe('settings.* handlers (browser mode: no cipher)', () => {
  let s3: TestS3;
  beforeAll(async () => {
    s3 = await startS3rver('handler-bucket', { checkSignatures: true });
  });
  afterAll(async () => {
    await s3.stop();
  });

  it('refuses secrets without consent before writing anything, then saves, uses and never returns them', async () => {
    const th = tempHome();
    const engine = openEngine({ env: th.env() });
    const api = new ApiDispatcher(createHandlers(engine, { mode: 'browser', version: 'test' }));
    const responses: unknown[] = [];
    const call = async (name: string, input: unknown) => {
      const r = await api.invoke(name as 'settings.get', input as Record<string, never>, origin);
      responses.push(r);
      return r as { ok: boolean; value?: Record<string, unknown>; error?: { code: string; message: string } };
    };
    try {
      const values = [
        { key: 'cas.s3.bucket', value: 'handler-bucket' },
        { key: 'cas.s3.endpoint', value: s3.endpoint },
        { key: 'cas.s3.force_path_style', value: true },
      ];
      const secrets = [
        { name: 's3.access_key_id', value: S3RVER_CREDENTIALS.accessKeyId },
        { name: 's3.secret_access_key', value: S3RVER_CREDENTIALS.secretAccessKey },
      ];
      const refused = await call('settings.save', { values, secrets });
      expect(refused.ok).toBe(false);
      expect(refused.error?.code).toBe('UNSUPPORTED');
      expect(refused.error?.message).toMatch(/^nothing was saved: no OS encryption is available/);
      expect(fs.existsSync(path.join(th.home, 'config.yaml'))).toBe(false);
      expect(fs.existsSync(path.join(th.home, 'secrets.json'))).toBe(false);

      const saved = await call('settings.save', { values, secrets, plaintextConsent: true });
      expect(saved.ok, JSON.stringify(saved.error)).toBe(true);
      // The running engine uses them at once: the S3 CAS opens on the saved bucket with the saved keys.
      const moved = await call('settings.save', { values: [{ key: 'cas.driver', value: 's3' }] });
      expect(moved.ok).toBe(true);
      expect(engine.cas.store.subject).toContain('handler-bucket');
      await expect(engine.cas.stats()).resolves.toMatchObject({ objects: 0 });
      // Test connection without typed keys uses the saved ones.
      const probe = await call('settings.test', { kind: 's3', bucket: 'handler-bucket', endpoint: s3.endpoint, forcePathStyle: true });
      expect(probe.value).toMatchObject({ ok: true });
      const wrong = await call('settings.test', { kind: 's3', bucket: 'handler-bucket', endpoint: s3.endpoint, forcePathStyle: true, secretAccessKey: 'not-the-secret-at-all' });
      expect(wrong.value).toMatchObject({ ok: false, code: 'SignatureDoesNotMatch' });

      // A password typed in the DSN goes to the secret store, not config.yaml.
      const pg = await call('settings.save', { values: [{ key: 'postgres.dsn', value: 'postgres://fox:pg-secret-pass-99@db.example:5432/foxctl' }], plaintextConsent: true });
      expect(pg.ok, JSON.stringify(pg.error)).toBe(true);
      expect(fs.readFileSync(path.join(th.home, 'config.yaml'), 'utf8')).toContain('dsn: postgres://fox@db.example:5432/foxctl');
      expect(fs.readFileSync(path.join(th.home, 'config.yaml'), 'utf8')).not.toContain('pg-secret-pass-99');
      expect(engine.config.env.FOXCTL_POSTGRES_DSN).toBe('postgres://fox:pg-secret-pass-99@db.example:5432/foxctl');

      const status = await call('secrets.status', {});
      expect(status.value?.entries).toContainEqual(expect.objectContaining({ name: 'postgres.password', set: true, last4: 's-99', stored: 'plain' }));
      const del = await call('secrets.delete', { name: 'postgres.password' });
      expect(del.value).toMatchObject({ set: false });
      expect(engine.config.env.FOXCTL_POSTGRES_DSN).toBe('postgres://fox@db.example:5432/foxctl');

      const all = JSON.stringify(responses);
      for (const secret of [S3RVER_CREDENTIALS.secretAccessKey, 'pg-secret-pass-99', 'not-the-secret-at-all']) expect(all).not.toContain(secret);
      expect(fs.statSync(path.join(th.home, 'secrets.json')).mode & 0o777).toBe(0o600);
    } finally {
      await engine.close();
    }
  });

  it('reports an env override of an edited key and never shows an env DSN password', async () => {
    const th = tempHome();
    const engine = openEngine({ env: th.env({ FOXCTL_EVENTS_SYNC_BATCH: '7', DATABASE_URL: 'postgres://u:env-pass-1234@h/db' }) });
    const api = new ApiDispatcher(createHandlers(engine, { mode: 'browser', version: 'test' }));
    try {
      const r = (await api.invoke('settings.save', { values: [{ key: 'events.sync_batch', value: 50 }] }, origin)) as { ok: true; value: { changes: unknown[]; settings: unknown } };
      expect(r.value.changes).toEqual([{ key: 'events.sync_batch', value: 50, overriddenBy: 'FOXCTL_EVENTS_SYNC_BATCH' }]);
      expect(JSON.stringify(r.value.settings)).not.toContain('env-pass-1234');
      const shown = JSON.stringify(await api.invoke('config.show', {}, origin));
      expect(shown).not.toContain('env-pass-1234');
      expect(shown).toContain('postgres://u:***@h/db');
      const bad = await api.invoke('settings.save', { values: [{ key: 'paths.nope', value: 'x' }] }, origin);
      expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
      // Switching the CAS to s3 without a bucket is refused and undone; the CAS stays usable.
      const noBucket = await api.invoke('settings.save', { values: [{ key: 'cas.driver', value: 's3' }] }, origin);
      expect(noBucket).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringContaining('the CAS was not switched to s3 (the other values were saved): the s3 CAS backend needs a bucket') } });
      expect(engine.config.casDriver).toBe('file');
      await expect(engine.cas.stats()).resolves.toMatchObject({ objects: 0 });
    } finally {
      await engine.close();
    }
  });

  it('splits a DSN password and ignores a masked one', () => {
    expect(splitDsnPassword('postgres://a:b%40c@h/db')).toEqual({ dsn: 'postgres://a@h/db', password: 'b@c' });
    expect(splitDsnPassword('postgres://a:***@h/db')).toEqual({ dsn: 'postgres://a@h/db', password: undefined });
    expect(splitDsnPassword('postgres://a@h/db')).toEqual({ dsn: 'postgres://a@h/db', password: undefined });
  });
});
