import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isFoxError } from '../errors.js';
import { savedSettingsEnv } from '../secrets/saved-settings.js';
import { SecretStore } from '../secrets/store.js';
import { writeGoConfig } from '../../test/go-home/config.js';
import { tempHome } from '../../test/temp-home.js';
import { setConfigValue } from './edit.js';
import { describeSource, resolveConfig, type FoxConfig } from './resolve.js';

const sourceOf = (c: FoxConfig, key: string): string => describeSource(c.values.find((v) => v.key === key)!.source);
const valueOf = (c: FoxConfig, key: string): unknown => c.values.find((v) => v.key === key)!.value;

describe('a config file written for the Go foxctl', () => {
  it('is found as config.json, config.yaml or config.yml, in the order Go looks for them', () => {
    const h = tempHome();
    writeGoConfig(h.home, { storage: { root: 'from-yml' } }, 'yml');
    expect(h.config().configFile).toBe(path.join(h.home, 'config.yml'));
    expect(h.config().storageRoot).toBe(path.join(h.home, 'from-yml'));
    writeGoConfig(h.home, { storage: { root: 'from-yaml' } }, 'yaml');
    expect(h.config().storageRoot).toBe(path.join(h.home, 'from-yaml'));
    writeGoConfig(h.home, { storage: { root: 'from-json' }, cas: { store: false } }, 'json');
    const c = h.config();
    expect(c.configFile).toBe(path.join(h.home, 'config.json'));
    expect(c.configFileLoaded).toBe(true);
    expect(c.storageRoot).toBe(path.join(h.home, 'from-json'));
    expect(c.casStore).toBe(false);
    expect(sourceOf(c, 'cas.store')).toBe(`file ${path.join(h.home, 'config.json')}`);
    expect(c.warnings).toEqual([]);
  });

  it("without FOXCTL_HOME, takes the home from ~/.foxctl/config.yaml's `home` as Go does; the defaults stay in ~/.foxctl", () => {
    const h = tempHome();
    const user = path.dirname(h.home); // $HOME of the temp home; h.home is $HOME/.foxctl
    const file = writeGoConfig(h.home, { paths: { jobs: 'rel-jobs' } });
    fs.appendFileSync(file, 'home: ~/data-home\n');
    const c = resolveConfig({ env: { HOME: user } });
    expect(c.configFile).toBe(file);
    expect(c.home).toBe(path.join(user, 'data-home'));
    expect(c.values.find((v) => v.key === 'home')).toMatchObject({ value: path.join(user, 'data-home'), source: { kind: 'file', file } });
    // Go's backups, memory and sessions live under cfg.Home; its path defaults under ~/.foxctl.
    expect(c.backupsDir).toBe(path.join(user, 'data-home', 'backups'));
    expect(c.storageRoot).toBe(path.join(h.home, 'storage'));
    expect(c.casDir).toBe(path.join(h.home, 'cas'));
    // A relative value of the file resolves under the home (Go's resolvePath(p, cfg.Home)).
    expect(c.jobsDir).toBe(path.join(user, 'data-home', 'rel-jobs'));
    // FOXCTL_HOME wins over the file's home.
    expect(resolveConfig({ env: { HOME: user, FOXCTL_HOME: h.home } }).home).toBe(h.home);
  });

  it('reads database.driver, database.turso.url and its auth_token, saying which key each value came from', () => {
    const h = tempHome();
    const file = writeGoConfig(h.home, { database: { driver: 'turso', turso: { url: 'libsql://fox.turso.io', auth_token: 'tok-secret-9876' } } });
    const c = h.config();
    // Go's stores do not follow database.driver (their loader reads FOXCTL_<STORE>_DB_DRIVER -> FOXCTL_DB_DRIVER -> sqlite): ours neither.
    expect(valueOf(c, 'database.driver')).toBe('turso');
    expect(sourceOf(c, 'database.driver')).toBe(`file ${file}`);
    expect(c.dbDriver).toBe('sqlite');
    expect(h.config({ FOXCTL_DATABASE_DRIVER: 'postgres' }).values.find((v) => v.key === 'database.driver')?.source).toEqual({ kind: 'env', variable: 'FOXCTL_DATABASE_DRIVER' });
    expect(valueOf(c, 'turso.url')).toBe('libsql://fox.turso.io');
    expect(sourceOf(c, 'turso.url')).toBe(`file ${file} (database.turso.url)`);
    // The token is read, never shown.
    expect(valueOf(c, 'turso.auth_token')).toBe('set (…9876)');
    expect(JSON.stringify(c.values)).not.toContain('tok-secret-9876');
    // Go's keys are not listed a second time as "not used by Storage Studio".
    expect(c.values.filter((v) => v.key.startsWith('database.')).map((v) => v.key)).toEqual(['database.driver']);
    // The drivers read them through the layered env; a saved secret or the env still wins.
    const env = savedSettingsEnv({}, file, new SecretStore(h.home));
    expect(env).toMatchObject({ FOXCTL_TURSO_URL: 'libsql://fox.turso.io', FOXCTL_TURSO_TOKEN: 'tok-secret-9876' });
    expect(savedSettingsEnv({ TURSO_AUTH_TOKEN: 'from-env' }, file, new SecretStore(h.home)).FOXCTL_TURSO_TOKEN).toBeUndefined();
    // Ours wins over Go's when both are written; env over both.
    fs.appendFileSync(file, 'turso:\n  url: "libsql://ours.turso.io"\n');
    expect(valueOf(h.config(), 'turso.url')).toBe('libsql://ours.turso.io');
    expect(sourceOf(h.config(), 'turso.url')).toBe(`file ${file}`);
    expect(valueOf(h.config({ FOXCTL_TURSO_URL: 'libsql://env.turso.io' }), 'turso.url')).toBe('libsql://env.turso.io');
  });

  it("takes Go's empty strings for unset, and refuses to write a token into config.yaml", () => {
    const h = tempHome();
    const file = writeGoConfig(h.home, { database: { driver: 'sqlite', turso: { url: '', auth_token: '' } } });
    const c = h.config();
    expect(valueOf(c, 'turso.url')).toBe('');
    expect(sourceOf(c, 'turso.url')).toBe('default');
    expect(sourceOf(c, 'turso.auth_token')).toBe('default');
    let code = '';
    try {
      setConfigValue(file, 'turso.auth_token', 'abc');
    } catch (err) {
      code = isFoxError(err) ? `${err.code}: ${err.message}` : String(err);
    }
    expect(code).toMatch(/^INVALID_INPUT: turso.auth_token is a secret/);
    expect(fs.readFileSync(file, 'utf8')).not.toContain('abc');
  });
});
