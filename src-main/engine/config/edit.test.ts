import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isFoxError } from '../errors.js';
import { tempHome } from '../../test/temp-home.js';
import { editConfig, setConfigValue } from './edit.js';
import { describeSource } from './resolve.js';

/** The FoxError a call throws (fails the test when it does not throw one). */
function caught(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (err) {
    if (isFoxError(err)) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected a FoxError');
}

const ORIGINAL = `# my foxctl config
storage:
  root: ~/data/stores # where the stores live

# the CAS
cas:
  driver: file
custom_thing: 42 # not a key foxctl knows
`;

describe('editConfig', () => {
  it('writes a value and keeps comments, order and unknown keys', () => {
    const h = tempHome();
    const file = path.join(h.home, 'config.yaml');
    fs.writeFileSync(file, ORIGINAL);
    editConfig(file, [
      { key: 'cas.s3.bucket', value: 'my-bucket' },
      { key: 'inline_output_kb', value: '64' },
      { key: 'cas.s3.force_path_style', value: 'true' },
    ]);
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toContain('# my foxctl config');
    expect(text).toContain('root: ~/data/stores # where the stores live');
    expect(text).toContain('# the CAS');
    expect(text).toContain('custom_thing: 42 # not a key foxctl knows');
    expect(text.indexOf('storage:')).toBeLessThan(text.indexOf('cas:'));
    // Typed: an int and a bool are written as YAML numbers and booleans.
    expect(text).toMatch(/inline_output_kb: 64\n/);
    expect(text).toMatch(/force_path_style: true\n/);
    const c = h.config();
    const v = (k: string) => c.values.find((x) => x.key === k)!;
    expect(v('cas.s3.bucket').value).toBe('my-bucket');
    expect(describeSource(v('cas.s3.bucket').source)).toBe(`file ${file}`);
    expect(c.inlineOutputKb).toBe(64);
    expect(c.casDriver).toBe('file');
    expect(c.storageRoot).toBe(path.join(path.dirname(h.home), 'data', 'stores'));
  });

  it('creates the file when absent, and null removes a key (empty parents pruned)', () => {
    const h = tempHome();
    const file = path.join(h.home, 'sub', 'config.yaml');
    setConfigValue(file, 'cas.s3.region', 'eu-west-1');
    expect(fs.readFileSync(file, 'utf8')).toBe('cas:\n  s3:\n    region: eu-west-1\n');
    const ch = setConfigValue(file, 'cas.s3.region', null);
    expect(ch.previous).toBe('eu-west-1');
    expect(fs.readFileSync(file, 'utf8').trim()).toBe('{}');
  });

  it('updates a literal dotted key where the file uses one', () => {
    const h = tempHome();
    const file = path.join(h.home, 'config.yaml');
    fs.writeFileSync(file, 'cas.driver: file\n');
    setConfigValue(file, 'cas.driver', 'S3');
    expect(fs.readFileSync(file, 'utf8')).toBe('cas.driver: s3\n');
  });

  it('replaces the file by rename (new inode, no temp left) and keeps its mode', () => {
    const h = tempHome();
    const file = path.join(h.home, 'config.yaml');
    fs.writeFileSync(file, ORIGINAL, { mode: 0o640 });
    fs.chmodSync(file, 0o640);
    const before = fs.statSync(file).ino;
    setConfigValue(file, 'paths.cache', '/tmp/x');
    expect(fs.statSync(file).ino).not.toBe(before);
    expect(fs.statSync(file).mode & 0o777).toBe(0o640);
    expect(fs.readdirSync(h.home).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('leaves the old file whole when the write dies before the rename', () => {
    const h = tempHome();
    const file = path.join(h.home, 'config.yaml');
    fs.writeFileSync(file, ORIGINAL);
    let seenTemp = '';
    expect(() =>
      setConfigValue(file, 'paths.cache', '/tmp/x', {
        beforeRename: (tmp) => {
          seenTemp = tmp;
          expect(fs.readFileSync(tmp, 'utf8')).toContain('cache: /tmp/x');
          throw new Error('simulated crash');
        },
      }),
    ).toThrow(/simulated crash/);
    expect(fs.readFileSync(file, 'utf8')).toBe(ORIGINAL);
    expect(fs.existsSync(seenTemp)).toBe(false);
  });

  it('refuses an unknown key and a bad value, naming them, and writes nothing', () => {
    const h = tempHome();
    const file = path.join(h.home, 'config.yaml');
    fs.writeFileSync(file, ORIGINAL);
    const unknown = caught(() => setConfigValue(file, 'cas.bukket', 'x'));
    expect(unknown.code).toBe('INVALID_INPUT');
    expect(unknown.message).toContain('unknown config key "cas.bukket"');
    const badInt = caught(() => editConfig(file, [{ key: 'cas.s3.bucket', value: 'ok' }, { key: 'inline_output_kb', value: 'lots' }]));
    expect(badInt.message).toMatch(/inline_output_kb from the edit is invalid: expected a whole number \(got "lots"\)/);
    const badChoice = caught(() => setConfigValue(file, 'cas.driver', 'ftp'));
    expect(badChoice.message).toMatch(/expected one of file, sqlite, turso, s3/);
    const badDuration = caught(() => setConfigValue(file, 'events.sync_interval', 'soon'));
    expect(badDuration.code).toBe('INVALID_INPUT');
    const badMin = caught(() => setConfigValue(file, 'postgres.max_conns', 0));
    expect(badMin.message).toContain('must be at least 1');
    expect(fs.readFileSync(file, 'utf8')).toBe(ORIGINAL);
  });

  it('refuses to edit a file that is not valid YAML instead of clobbering it', () => {
    const h = tempHome();
    const file = path.join(h.home, 'config.yaml');
    fs.writeFileSync(file, 'storage:\n  root: [unclosed\n');
    const e = caught(() => setConfigValue(file, 'paths.cache', '/x'));
    expect(e.message).toMatch(/is not valid YAML/);
    expect(fs.readFileSync(file, 'utf8')).toBe('storage:\n  root: [unclosed\n');
  });

  it('reports the env variable that overrides an edited key', () => {
    const h = tempHome();
    const file = path.join(h.home, 'config.yaml');
    const ch = setConfigValue(file, 'storage.root', '/srv/stores', { env: h.env({ FOXCTL_STORAGE_ROOT: '/elsewhere' }) });
    expect(ch.overriddenBy).toBe('FOXCTL_STORAGE_ROOT');
    expect(setConfigValue(file, 'paths.cache', '/c', { env: h.env() }).overriddenBy).toBeNull();
  });
});
