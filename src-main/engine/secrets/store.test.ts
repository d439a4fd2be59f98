import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isFoxError } from '../errors.js';
import { tempHome } from '../../test/temp-home.js';
import { setConfigValue } from '../config/edit.js';
import { openEngine } from '../engine.js';
import { resolveBackupS3Settings } from '../backup/remote-settings.js';
import { resolveS3Settings } from '../cas/s3-config.js';
import type { SecretCipher, SecretProtection } from './cipher.js';
import { SecretStore } from './store.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

/**
 * A real (AES-256-GCM) cipher standing in for safeStorage, which exists only inside Electron:
 * the store must keep whatever it returns, never the plain value.
 */
function aesCipher(protection: SecretProtection = 'os'): SecretCipher {
  const key = crypto.randomBytes(32);
  return {
    name: 'test-aes',
    protection: () => protection,
    encrypt(plain) {
      const iv = crypto.randomBytes(12);
      const c = crypto.createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return Buffer.concat([iv, c.getAuthTag(), body]);
    },
    decrypt(data) {
      const d = crypto.createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
      d.setAuthTag(data.subarray(12, 28));
      return Buffer.concat([d.update(data.subarray(28)), d.final()]).toString('utf8');
    },
  };
}

function caught(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (err) {
    if (isFoxError(err)) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected a FoxError');
}

/** Every file under `dir` whose bytes contain `needle`. */
function filesContaining(dir: string, needle: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const p = path.join(e.parentPath, e.name);
    if (fs.readFileSync(p).includes(needle)) out.push(p);
  }
  return out;
}

describe('SecretStore', () => {
  it('encrypts with an OS cipher: the file is 0600, the value nowhere in plain text, status shows only last4', () => {
    const h = tempHome();
    const store = new SecretStore(h.home, aesCipher());
    const st = store.set('s3.secret_access_key', SECRET);
    expect(st).toEqual({ name: 's3.secret_access_key', label: 'S3 secret access key', set: true, last4: 'EKEY', stored: 'os', readable: true, updatedAt: expect.any(String) });
    expect(fs.statSync(store.file).mode & 0o777).toBe(0o600);
    expect(filesContaining(h.home, SECRET)).toEqual([]);
    expect(filesContaining(h.home, Buffer.from(SECRET).toString('base64'))).toEqual([]);
    expect(JSON.stringify(store.status())).not.toContain(SECRET);
    expect(store.reveal('s3.secret_access_key')).toBe(SECRET);
    // Another process without the cipher (the CLI) sees it is set but cannot read it.
    const cli = new SecretStore(h.home);
    expect(cli.status().entries.find((e) => e.name === 's3.secret_access_key')).toMatchObject({ set: true, readable: false, last4: 'EKEY' });
    expect(cli.reveal('s3.secret_access_key')).toBeUndefined();
  });

  it('refuses without a cipher unless the user consented, then keeps a 0600 file', () => {
    const h = tempHome();
    const store = new SecretStore(h.home);
    expect(store.status()).toMatchObject({ protection: 'none', consentRequired: true, cipher: null });
    const e = caught(() => store.set('turso.token', SECRET));
    expect(e.code).toBe('UNSUPPORTED');
    expect(e.message).toMatch(/Turso auth token was not saved: no OS encryption is available/);
    expect(e.message).toContain('I understand');
    expect(e.message).not.toContain(SECRET);
    expect(fs.existsSync(store.file)).toBe(false);
    store.set('turso.token', SECRET, { plaintextConsent: true });
    expect(fs.statSync(store.file).mode & 0o777).toBe(0o600);
    expect(store.status().entries.find((x) => x.name === 'turso.token')).toMatchObject({ set: true, stored: 'plain', last4: 'EKEY' });
    expect(filesContaining(h.home, SECRET)).toEqual([store.file]);
  });

  it('asks for consent under safeStorage\'s basic_text backend too, and says why', () => {
    const h = tempHome();
    const store = new SecretStore(h.home, aesCipher('basic_text'));
    expect(caught(() => store.set('postgres.password', 'hunter2hunter2')).message).toMatch(/basic_text/);
    expect(store.set('postgres.password', 'hunter2hunter2', { plaintextConsent: true }).stored).toBe('basic_text');
    expect(filesContaining(h.home, 'hunter2hunter2')).toEqual([]);
  });

  it('refuses bad names and values with the reason, and never echoes the value', () => {
    const h = tempHome();
    const store = new SecretStore(h.home, aesCipher());
    expect(caught(() => store.set('aws.key', 'x')).message).toMatch(/unknown secret "aws.key"/);
    expect(caught(() => store.set('turso.token', '')).message).toMatch(/is empty/);
    const nl = caught(() => store.set('turso.token', 'abc\ndefsecretvalue'));
    expect(nl.message).toMatch(/line break/);
    expect(nl.message).not.toContain('defsecretvalue');
    fs.writeFileSync(store.file, `{"version":1,"secrets":{"turso.token":"${SECRET}"`);
    const bad = caught(() => store.status());
    expect(bad.code).toBe('CORRUPT');
    expect(bad.message).not.toContain(SECRET);
  });

  it('short secrets show no last 4; delete removes', () => {
    const h = tempHome();
    const store = new SecretStore(h.home, aesCipher());
    expect(store.set('postgres.password', 'pw12').last4).toBe('');
    expect(store.delete('postgres.password')).toMatchObject({ set: false });
    expect(store.reveal('postgres.password')).toBeUndefined();
  });
});

describe('saved settings reach the engine (env > secret store / config file > default)', () => {
  it('layers saved S3 settings and keys under env, and env wins', async () => {
    const h = tempHome();
    const file = path.join(h.home, 'config.yaml');
    setConfigValue(file, 'cas.s3.bucket', 'saved-bucket');
    setConfigValue(file, 'cas.s3.endpoint', 'http://127.0.0.1:9');
    setConfigValue(file, 'cas.s3.force_path_style', true);
    const cipher = aesCipher();
    new SecretStore(h.home, cipher).set('s3.access_key_id', 'AKIDSAVED0001');
    new SecretStore(h.home, cipher).set('s3.secret_access_key', SECRET);
    const engine = openEngine({ env: h.env(), secretCipher: cipher });
    try {
      const s = resolveS3Settings(engine.config.env);
      expect(s).toMatchObject({ bucket: 'saved-bucket', endpoint: 'http://127.0.0.1:9', forcePathStyle: true, credentials: { accessKeyId: 'AKIDSAVED0001', secretAccessKey: SECRET } });
      // Backup push/pull read the same saved bucket and keys (under their own prefix).
      expect(resolveBackupS3Settings(engine.config.env)).toMatchObject({ bucket: 'saved-bucket', prefix: 'backups/', credentials: { accessKeyId: 'AKIDSAVED0001', secretAccessKey: SECRET } });
      // Saving a new value applies to the running engine after reloadSettings.
      setConfigValue(file, 'cas.s3.bucket', 'other-bucket');
      await engine.reloadSettings();
      expect(resolveS3Settings(engine.config.env).bucket).toBe('other-bucket');
      // config.show never carries a secret.
      expect(JSON.stringify(engine.config.values)).not.toContain(SECRET);
    } finally {
      await engine.close();
    }
    const envWins = openEngine({ env: h.env({ FOXCTL_CAS_S3_BUCKET: 'env-bucket', AWS_ACCESS_KEY_ID: 'AKIDENV', AWS_SECRET_ACCESS_KEY: 'envsecret' }), secretCipher: cipher });
    try {
      expect(resolveS3Settings(envWins.config.env)).toMatchObject({ bucket: 'env-bucket', credentials: { accessKeyId: 'AKIDENV', secretAccessKey: 'envsecret' } });
    } finally {
      await envWins.close();
    }
  });

  it('puts the saved PostgreSQL password into the saved DSN, and masks DSNs in config values', async () => {
    const h = tempHome();
    setConfigValue(path.join(h.home, 'config.yaml'), 'postgres.dsn', 'postgres://fox@db.example:5432/foxctl');
    new SecretStore(h.home).set('postgres.password', 'p@ss word!', { plaintextConsent: true });
    const engine = openEngine({ env: h.env() });
    try {
      expect(engine.config.env.FOXCTL_POSTGRES_DSN).toBe('postgres://fox:p%40ss%20word!@db.example:5432/foxctl');
    } finally {
      await engine.close();
    }
    const fromEnv = openEngine({ env: h.env({ DATABASE_URL: 'postgres://u:envpassword@h/db' }) });
    try {
      const v = fromEnv.config.values.find((x) => x.key === 'postgres.dsn')!;
      expect(v.value).toBe('postgres://u:***@h/db');
      expect(fromEnv.config.env.FOXCTL_POSTGRES_DSN).toBeUndefined();
    } finally {
      await fromEnv.close();
    }
  });
});
