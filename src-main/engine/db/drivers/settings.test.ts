import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lookupStore } from '../../registry/stores.js';
import { tempHome } from '../../../test/temp-home.js';
import { expectCode } from './conformance.js';
import { defaultSchemaName, maskUrl, postgresStoreSettings, postgresTargetSettings, scrubSecrets, targetKind, tursoStoreSettings, tursoTargetSettings } from './settings.js';

const MEMORY = lookupStore('MEMORY');
const reject = (fn: () => unknown): Promise<unknown> => Promise.resolve().then(fn);

describe('store driver settings', () => {
  it('masks passwords and tokens in URLs and DSNs', () => {
    expect(maskUrl('postgres://alice:s3cr3t@db.example:5432/foxctl?sslmode=require')).toBe('postgres://alice:****@db.example:5432/foxctl?sslmode=require');
    expect(maskUrl('libsql://db-org.turso.io?authToken=abc.def')).toBe('libsql://db-org.turso.io?authToken=****');
    expect(maskUrl('postgresql://bob@host/db')).toBe('postgresql://bob@host/db');
    expect(maskUrl('file:/tmp/x.db')).toBe('file:/tmp/x.db');
    expect(maskUrl('not a url:pw@x?token=1')).not.toContain('token=1');
    expect(scrubSecrets('failed for p4ssw0rd at p4ssw0rd', ['p4ssw0rd'])).toBe('failed for **** at ****');
  });

  it('resolves the postgres DSN chain, schema and pool sizes', () => {
    const h = tempHome();
    const a = postgresStoreSettings(h.config({ DATABASE_URL: 'postgres://u:pw@h/d1' }), MEMORY);
    expect(a).toMatchObject({ dsn: 'postgres://u:pw@h/d1', dsnFrom: '$DATABASE_URL', schema: 'memory', maxConns: 10, maxIdleConns: 5, requireVector: false, location: 'postgres://u:****@h/d1' });
    const b = postgresStoreSettings(
      h.config({ DATABASE_URL: 'postgres://u:pw@h/d1', FOXCTL_POSTGRES_DSN: 'postgresql://u:pw@h/d2', FOXCTL_MEMORY_POSTGRES_DSN: 'postgres://u:pw@h/d3', FOXCTL_MEMORY_POSTGRES_SCHEMA: 'Mem_1', FOXCTL_POSTGRES_MAX_CONNS: '3', FOXCTL_POSTGRES_MAX_IDLE_CONNS: '9', FOXCTL_POSTGRES_REQUIRE_VECTOR: 'true' }),
      MEMORY,
    );
    expect(b).toMatchObject({ dsn: 'postgres://u:pw@h/d3', dsnFrom: '$FOXCTL_MEMORY_POSTGRES_DSN', schema: 'Mem_1', maxConns: 3, maxIdleConns: 3, requireVector: true });
    expect(postgresStoreSettings(h.config({ FOXCTL_POSTGRES_DSN: 'postgresql://u:pw@h/d2', DATABASE_URL: 'postgres://x' }), MEMORY).dsn).toBe('postgresql://u:pw@h/d2');
    expect(defaultSchemaName(lookupStore('EMBEDDING_QUEUE'))).toBe('embedding_queue');
    expect(postgresTargetSettings(h.config(), lookupStore('POST_REVIEW'), 'postgres://u:pw@h/d').schema).toBe('post_review');
  });

  it('names the variable in every postgres settings error, never the password', async () => {
    const h = tempHome();
    await expectCode(reject(() => postgresStoreSettings(h.config(), MEMORY)), 'INVALID_INPUT', /FOXCTL_MEMORY_POSTGRES_DSN.*FOXCTL_POSTGRES_DSN.*DATABASE_URL/);
    const e = await expectCode(reject(() => postgresStoreSettings(h.config({ DATABASE_URL: 'mysql://u:hunter22@h/d' }), MEMORY)), 'INVALID_INPUT', /\$DATABASE_URL must start with postgres:\/\/ or postgresql:\/\//);
    expect(e.message).not.toContain('hunter22');
    await expectCode(reject(() => postgresStoreSettings(h.config({ FOXCTL_POSTGRES_DSN: 'not a dsn' }), MEMORY)), 'INVALID_INPUT', /\$FOXCTL_POSTGRES_DSN is not a PostgreSQL DSN/);
    await expectCode(reject(() => postgresStoreSettings(h.config({ FOXCTL_POSTGRES_DSN: 'postgres://h/d', FOXCTL_MEMORY_POSTGRES_SCHEMA: 'a-b; drop' }), MEMORY)), 'INVALID_INPUT', /\$FOXCTL_MEMORY_POSTGRES_SCHEMA must be a schema name/);
    // Pool sizes are validated when the config resolves (config keys postgres.max_conns / max_idle_conns).
    await expectCode(reject(() => postgresStoreSettings(h.config({ FOXCTL_POSTGRES_DSN: 'postgres://h/d', FOXCTL_POSTGRES_MAX_CONNS: '0' }), MEMORY)), 'INVALID_INPUT', /FOXCTL_POSTGRES_MAX_CONNS/);
    await expectCode(reject(() => postgresStoreSettings(h.config({ FOXCTL_POSTGRES_DSN: 'postgres://h/d', FOXCTL_POSTGRES_MAX_IDLE_CONNS: 'x' }), MEMORY)), 'INVALID_INPUT', /FOXCTL_POSTGRES_MAX_IDLE_CONNS/);
    await expectCode(reject(() => postgresStoreSettings(h.config({ FOXCTL_POSTGRES_DSN: 'postgres://h/d', FOXCTL_POSTGRES_REQUIRE_VECTOR: 'maybe' }), MEMORY)), 'INVALID_INPUT', /\$FOXCTL_POSTGRES_REQUIRE_VECTOR must be true or false/);
  });

  it('resolves the turso URL and token chains, the replica file and the sync interval', () => {
    const h = tempHome();
    const local = tursoStoreSettings(h.config({ TURSO_DATABASE_URL: 'file:/tmp/m.db' }), MEMORY);
    expect(local).toMatchObject({ url: 'file:/tmp/m.db', remote: false, replicaPath: null, authToken: undefined, urlFrom: '$TURSO_DATABASE_URL', syncIntervalSec: 0 });
    const config = h.config({
      TURSO_DATABASE_URL: 'file:/tmp/m.db',
      FOXCTL_TURSO_URL: 'libsql://shared.turso.io',
      FOXCTL_MEMORY_DB_URL: 'libsql://mem-org.turso.io',
      TURSO_AUTH_TOKEN: 't1',
      FOXCTL_TURSO_TOKEN: 't2',
      FOXCTL_MEMORY_SYNC_INTERVAL: '60',
    });
    const remote = tursoStoreSettings(config, MEMORY);
    expect(remote).toMatchObject({ url: 'libsql://mem-org.turso.io', authToken: 't2', remote: true, syncIntervalSec: 60, replicaPath: path.join(config.storageRoot, 'memory.turso.replica') });
    expect(tursoStoreSettings(h.config({ FOXCTL_TURSO_URL: 'https://x.turso.io', TURSO_AUTH_TOKEN: 't1', FOXCTL_MEMORY_DB_TOKEN: 't0' }), MEMORY).authToken).toBe('t0');
    expect(tursoStoreSettings(h.config({ FOXCTL_TURSO_URL: 'libsql://x.turso.io?authToken=inline' }), MEMORY).location).toBe('libsql://x.turso.io?authToken=****');
    expect(tursoStoreSettings(h.config({ FOXCTL_TURSO_URL: 'http://127.0.0.1:8080' }), MEMORY)).toMatchObject({ remote: false, replicaPath: null });
    expect(tursoTargetSettings(h.config({ FOXCTL_TURSO_TOKEN: 'tt' }), 'libsql://t.turso.io', undefined)).toMatchObject({ authToken: 'tt', replicaPath: null });
  });

  it('names the variable in every turso settings error', async () => {
    const h = tempHome();
    await expectCode(reject(() => tursoStoreSettings(h.config(), MEMORY)), 'INVALID_INPUT', /no database URL: set \$FOXCTL_MEMORY_DB_URL/);
    await expectCode(reject(() => tursoStoreSettings(h.config({ FOXCTL_MEMORY_DB_URL: 'libsql://x.turso.io' }), MEMORY)), 'INVALID_INPUT', /remote libSQL database and needs an auth token: set \$FOXCTL_MEMORY_DB_TOKEN/);
    await expectCode(reject(() => tursoStoreSettings(h.config({ FOXCTL_TURSO_URL: 'ftp://x' }), MEMORY)), 'INVALID_INPUT', /\$FOXCTL_TURSO_URL has an unsupported scheme "ftp:"/);
    await expectCode(reject(() => tursoStoreSettings(h.config({ FOXCTL_TURSO_URL: '::nope' }), MEMORY)), 'INVALID_INPUT', /\$FOXCTL_TURSO_URL is not a valid libSQL URL/);
    await expectCode(reject(() => tursoStoreSettings(h.config({ FOXCTL_TURSO_URL: 'file:/x', FOXCTL_MEMORY_SYNC_INTERVAL: '-1' }), MEMORY)), 'INVALID_INPUT', /\$FOXCTL_MEMORY_SYNC_INTERVAL/);
    await expectCode(reject(() => tursoTargetSettings(h.config(), 'wss://t.turso.io', undefined)), 'INVALID_INPUT', /needs an auth token/);
  });

  it('classifies targets by scheme', async () => {
    expect(targetKind('postgres://h/d')).toBe('postgres');
    expect(targetKind('postgresql://h/d')).toBe('postgres');
    expect(targetKind('libsql://x')).toBe('turso');
    expect(targetKind('file:/x.db')).toBe('turso');
    await expectCode(reject(() => targetKind('mysql://h/d', '--target-dsn')), 'INVALID_INPUT', /--target-dsn has an unsupported scheme "mysql:"/);
  });
});
