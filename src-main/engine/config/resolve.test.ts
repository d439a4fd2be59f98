import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isFoxError } from '../errors.js';
import { tempHome } from '../../test/temp-home.js';
import { describeSource, resolveConfig, type FoxConfig } from './resolve.js';

const valueOf = (c: FoxConfig, key: string): { value: unknown; source: string } => {
  const v = c.values.find((x) => x.key === key);
  if (!v) throw new Error(`no value for ${key}`);
  return { value: v.value, source: describeSource(v.source) };
};

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

describe('resolveConfig', () => {
  it('uses the defaults under the home when nothing is set, each marked default', () => {
    const h = tempHome();
    const c = h.config();
    expect(c.home).toBe(h.home);
    expect(c.configFileLoaded).toBe(false);
    expect(c.storageRoot).toBe(path.join(h.home, 'storage'));
    expect(c.casDir).toBe(path.join(h.home, 'cas'));
    expect(c.cacheDir).toBe(path.join(h.home, 'cache'));
    expect(c.jobsDir).toBe(path.join(h.home, 'jobs'));
    expect(c.obsDir).toBe(path.join(h.home, 'observability'));
    expect(c.backupsDir).toBe(path.join(h.home, 'backups'));
    expect(c.inlineOutputKb).toBe(32);
    expect(c.eventsSyncIntervalMs).toBe(30_000);
    expect(c.eventsSyncBatch).toBe(100);
    // The home itself comes from $FOXCTL_HOME (a temp home); everything else is a default.
    expect(c.values[0]).toMatchObject({ key: 'home', value: h.home, source: { kind: 'env', variable: 'FOXCTL_HOME' } });
    for (const v of c.values.slice(1)) expect(v.source).toEqual({ kind: 'default' });
  });

  it('applies default < config file < environment, and says where each value came from', () => {
    const h = tempHome();
    fs.writeFileSync(path.join(h.home, 'config.yaml'), 'storage:\n  root: /srv/from-file\npaths:\n  cas: /srv/cas-file\ninline_output_kb: 64\n');
    const c = h.config({ FOXCTL_STORAGE_ROOT: '/srv/from-env' });
    expect(c.configFileLoaded).toBe(true);
    expect(valueOf(c, 'storage.root')).toEqual({ value: '/srv/from-env', source: 'env $FOXCTL_STORAGE_ROOT' });
    expect(valueOf(c, 'paths.cas')).toEqual({ value: '/srv/cas-file', source: `file ${path.join(h.home, 'config.yaml')}` });
    expect(valueOf(c, 'inline_output_kb')).toEqual({ value: 64, source: `file ${path.join(h.home, 'config.yaml')}` });
    expect(valueOf(c, 'paths.cache').source).toBe('default');
    expect(c.storageRoot).toBe('/srv/from-env');
    expect(c.casDir).toBe('/srv/cas-file');
    expect(c.inlineOutputKb).toBe(64);
  });

  it('accepts FOXCTL_A_B for any key a.b, below the specific variable', () => {
    const h = tempHome();
    const generic = h.config({ FOXCTL_PATHS_OBSERVABILITY: '/g/obs', FOXCTL_EVENTS_SYNC_BATCH: '7', FOXCTL_INLINE_OUTPUT_KB: '8' });
    expect(valueOf(generic, 'paths.observability')).toEqual({ value: '/g/obs', source: 'env $FOXCTL_PATHS_OBSERVABILITY' });
    expect(generic.eventsSyncBatch).toBe(7);
    expect(generic.inlineOutputKb).toBe(8);
    const both = h.config({ FOXCTL_PATHS_OBSERVABILITY: '/g/obs', FOXCTL_OBS_DIR: '/specific/obs' });
    expect(valueOf(both, 'paths.observability')).toEqual({ value: '/specific/obs', source: 'env $FOXCTL_OBS_DIR' });
  });

  it('expands ~ to the user home and resolves relative paths under the foxctl home', () => {
    const h = tempHome();
    const userHome = path.dirname(h.home);
    fs.writeFileSync(path.join(h.home, 'config.yaml'), 'paths:\n  cache: ~/somewhere/cache\n  jobs: rel/jobs\n');
    const c = h.config({ FOXCTL_PATHS_BACKUPS: '~' });
    expect(c.cacheDir).toBe(path.join(userHome, 'somewhere/cache'));
    expect(c.jobsDir).toBe(path.join(h.home, 'rel/jobs'));
    expect(c.backupsDir).toBe(userHome);
    const rooted = h.config({ FOXCTL_STORAGE_ROOT: 'data/../stores' });
    expect(rooted.storageRoot).toBe(path.join(h.home, 'stores'));
  });

  it('refuses an explicit config file that does not exist, naming it', () => {
    const h = tempHome();
    const missing = path.join(h.home, 'nope.yaml');
    const e = caught(() => resolveConfig({ env: h.env(), configFile: missing }));
    expect(e.code).toBe('NOT_FOUND');
    expect(e.message).toContain(missing);
    const viaEnv = caught(() => resolveConfig({ env: h.env({ FOXCTL_CONFIG: missing }) }));
    expect(viaEnv.code).toBe('NOT_FOUND');
  });

  it('uses an explicit config file instead of the default one', () => {
    const h = tempHome();
    fs.writeFileSync(path.join(h.home, 'config.yaml'), 'paths:\n  cas: /default-file\n');
    const other = path.join(h.home, 'other.yaml');
    fs.writeFileSync(other, 'paths:\n  cache: /explicit-file\n');
    const c = resolveConfig({ env: h.env(), configFile: other });
    expect(c.configFile).toBe(other);
    expect(c.cacheDir).toBe('/explicit-file');
    expect(c.casDir).toBe(path.join(h.home, 'cas'));
  });

  it('names the file and the line of invalid YAML', () => {
    const h = tempHome();
    const file = path.join(h.home, 'config.yaml');
    fs.writeFileSync(file, 'storage:\n  root: /ok\npaths:\n  cas: [unclosed\n  cache: /x\n');
    const e = caught(() => h.config());
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.message).toContain(file);
    expect(e.message).toMatch(/line \d+/);
  });

  it('refuses a config file that is not a mapping', () => {
    const h = tempHome();
    fs.writeFileSync(path.join(h.home, 'config.yaml'), '- a\n- b\n');
    expect(caught(() => h.config()).code).toBe('INVALID_INPUT');
  });

  it('names the key and the source of an invalid number', () => {
    const h = tempHome();
    const fromEnv = caught(() => h.config({ FOXCTL_EVENTS_SYNC_BATCH: 'lots' }));
    expect(fromEnv.code).toBe('INVALID_INPUT');
    expect(fromEnv.message).toContain('events.sync_batch');
    expect(fromEnv.message).toContain('$FOXCTL_EVENTS_SYNC_BATCH');
    const file = path.join(h.home, 'config.yaml');
    fs.writeFileSync(file, 'inline_output_kb: 0\n');
    const fromFile = caught(() => h.config());
    expect(fromFile.message).toContain('inline_output_kb');
    expect(fromFile.message).toContain(file);
    expect(fromFile.message).toContain('at least 1');
  });

  it('refuses an unknown driver name and a bad duration', () => {
    const h = tempHome();
    expect(caught(() => h.config({ FOXCTL_DB_DRIVER: 'mysql' })).message).toContain('db.driver');
    expect(caught(() => h.config({ FOXCTL_EVENTS_SYNC_INTERVAL: 'soon' })).message).toContain('events.sync_interval');
  });

  it('keeps and shows keys of the file it does not know', () => {
    const h = tempHome();
    fs.writeFileSync(path.join(h.home, 'config.yaml'), 'storage:\n  root: /r\n  rooot: /typo\nextra: 3\n');
    const c = h.config();
    expect(valueOf(c, 'storage.rooot')).toEqual({ value: '/typo', source: `file ${path.join(h.home, 'config.yaml')}` });
    expect(valueOf(c, 'extra').value).toBe(3);
    expect(c.values.find((v) => v.key === 'extra')?.description).toMatch(/not a key/);
  });

  it('treats an empty config file as no settings', () => {
    const h = tempHome();
    fs.writeFileSync(path.join(h.home, 'config.yaml'), '');
    const c = h.config();
    expect(c.configFileLoaded).toBe(true);
    expect(c.storageRoot).toBe(path.join(h.home, 'storage'));
  });

  it('warns of each unknown key with its line and the key it likely meant, never of a key the Go foxctl or a store has', () => {
    const h = tempHome();
    const file = path.join(h.home, 'config.yaml');
    fs.writeFileSync(
      file,
      [
        'storage:',
        '  rooot: /typo', // 2
        'Paths:',
        '  CAS: /x', // 4
        'storge.root: /y', // 5
        'events:',
        '  sync_bach: 5', // 7
        'backup:',
        '  schedule:',
        '    enabled: true',
        '    tme: "03:00"', // 11
        'stores:',
        '  memory:',
        '    driver: sqlite',
        '  memroy:',
        '    driver: sqlite', // 16
        'wholly_unrelated: 1', // 17
        '# the Go foxctl shares this file: its keys are no typos',
        'home: ~/.foxctl',
        'max_capture_kb: 10240',
        'paths:',
        '  skills: ~/.foxctl/skills',
        'cas:',
        '  store: true',
        '  expose: hint',
        'logging: {level: debug, format: json, output: stderr}',
        'memory: {auto_cache_ttl: 24h, default_named_ttl: 720h, auto_load_workspace: true}',
        'cache: {default_mode: auto}',
        'database:',
        '  driver: turso',
        '  turso: {url: "libsql://x.turso.io", auth_token: ""}',
        '  postgres: {dsn: "", max_open_conns: 5, require_vector: false}',
        '  vector: {enabled: true, dimensions: 4096}',
        'embedding: {provider: voyage, models: {code: voyage-code-3}}',
        'indexing: {post_review: {enabled: false, indexers: [{id: a, kind: semantic_file_index}]}}',
        'llm: {provider: groq, groq_api_key: ""}',
        'openapi: {plugin_path: [plugins]}',
        'curator: {enabled: true, dream_interval: 24h}',
        'turso:',
        '  url: ""',
        '',
      ].join('\n'),
    );
    const c = h.config();
    expect(c.warnings.map((w) => [w.key, w.line, w.suggestion])).toEqual([
      ['storage.rooot', 2, 'storage.root'],
      ['Paths.CAS', 4, 'paths.cas'],
      ['storge.root', 5, 'storage.root'],
      ['events.sync_bach', 7, 'events.sync_batch'],
      ['backup.schedule.tme', 11, 'backup.schedule.time'],
      ['stores.memroy.driver', 16, 'stores.memory.driver'],
      ['wholly_unrelated', 17, null],
    ]);
    expect(c.warnings[0]!.message).toBe(`${file} line 2: unknown key storage.rooot, ignored: did you mean storage.root?`);
    expect(c.warnings[6]!.message).toBe(`${file} line 17: unknown key wholly_unrelated, ignored`);
    // Still shown with their values; the Go keys say whose they are; the defaults apply to the typos.
    expect(c.values.find((v) => v.key === 'logging.level')?.description).toMatch(/Go foxctl/);
    expect(c.storageRoot).toBe(path.join(h.home, 'storage'));
    expect(c.eventsSyncBatch).toBe(100);
  });

  it('has no warnings without a file, for an empty section, or for keys given by merge keys', () => {
    const h = tempHome();
    expect(h.config().warnings).toEqual([]);
    fs.writeFileSync(path.join(h.home, 'config.yaml'), 'defaults: &d\n  sync_batch: 7\nevents:\n  <<: *d\nstorage:\n');
    const c = h.config();
    expect(c.eventsSyncBatch).toBe(7);
    // The anchor's own section is read by no one: that is worth saying; the merged key is not.
    expect(c.warnings.map((w) => w.key)).toEqual(['defaults.sync_batch']);
  });

  it('refuses a self-referencing YAML alias with INVALID_INPUT naming the file and the line', () => {
    const h = tempHome();
    const file = path.join(h.home, 'config.yaml');
    for (const [text, line] of [
      ['storage:\n  root: /r\na: &x [*x]\n', 3],
      ['a: &x\n  b:\n    c: *x\n', 3],
      ['a: &x {<<: *x}\n', 1],
    ] as const) {
      fs.writeFileSync(file, text);
      const e = caught(() => h.config());
      expect(e.code, text).toBe('INVALID_INPUT');
      expect(e.message).toBe(`config file ${file} at line ${line}: the alias *x refers to a value that contains it (a self-referencing YAML alias); write the value out instead`);
    }
    fs.writeFileSync(file, 'a: *nowhere\n');
    expect(caught(() => h.config()).message).toMatch(/line 1: the alias \*nowhere has no anchor/);
    // A valid alias (a value used twice) is fine.
    fs.writeFileSync(file, 'shared: &p /data/foxctl\nstorage:\n  root: *p\n');
    expect(h.config().storageRoot).toBe('/data/foxctl');
  });
});
