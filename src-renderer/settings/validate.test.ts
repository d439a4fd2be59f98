import { describe, expect, it } from 'vitest';
import { checkBucket, checkDsn, checkEndpoint, checkInt, checkPort, checkPrefix, checkRegion, checkTursoUrl, dsnOfFields, envLines, partsOfDsn } from './validate';

describe('Settings form checks', () => {
  it('bucket names follow S3 rules', () => {
    expect(checkBucket('my-bucket.1')).toBeNull();
    expect(checkBucket('')).toBe('required');
    expect(checkBucket('Bad_Bucket')).toMatch(/lower-case/);
    expect(checkBucket('ab')).toMatch(/3-63/);
  });

  it('regions, endpoints and prefixes', () => {
    expect(checkRegion('')).toBeNull();
    expect(checkRegion('eu-west-3')).toBeNull();
    expect(checkRegion('EU West')).not.toBeNull();
    expect(checkEndpoint('')).toBeNull();
    expect(checkEndpoint('127.0.0.1:9000')).toBeNull();
    expect(checkEndpoint('http://minio:9000')).toBeNull();
    expect(checkEndpoint('ftp://x')).toMatch(/http/);
    expect(checkEndpoint('http://k:s@h')).toMatch(/credentials/);
    expect(checkPrefix('a/../b')).toMatch(/\.\./);
    expect(checkPrefix('cas/')).toBeNull();
  });

  it('libSQL URLs: remote needs a token', () => {
    expect(checkTursoUrl('file:/tmp/x.db', false)).toBeNull();
    expect(checkTursoUrl('libsql://db.turso.io', false)).toMatch(/token/);
    expect(checkTursoUrl('libsql://db.turso.io', true)).toBeNull();
    expect(checkTursoUrl('mysql://x', true)).toMatch(/unsupported scheme/);
  });

  it('PostgreSQL DSNs and fields round-trip: the password moves out, other parameters stay', () => {
    expect(checkDsn('postgres://u@h:5432/db')).toBeNull();
    expect(checkDsn('postgresql://u@h/')).toMatch(/database/);
    expect(checkDsn('mysql://u@h/db')).toMatch(/postgres:\/\//);
    const { fields, password } = partsOfDsn('postgres://fox:p%40ss@db.local:6543/foxctl?sslmode=require&application_name=studio');
    expect(password).toBe('p@ss');
    expect(fields).toEqual({ host: 'db.local', port: '6543', user: 'fox', database: 'foxctl', sslmode: 'require', params: 'application_name=studio' });
    expect(dsnOfFields(fields)).toBe('postgres://fox@db.local:6543/foxctl?application_name=studio&sslmode=require');
    expect(partsOfDsn('postgres://fox:***@db.local/foxctl').password).toBeNull();
    expect(checkPort('70000')).not.toBeNull();
    expect(checkInt('0', 1)).toMatch(/at least 1/);
  });

  it('env lines quote what a shell would split', () => {
    expect(envLines([['A', 'x/y:1'], ['B', '<secret>'], ['C', "it's"]])).toBe("A=x/y:1\nB='<secret>'\nC='it'\\''s'");
  });
});
