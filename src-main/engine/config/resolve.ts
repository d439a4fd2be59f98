import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FoxError } from '../errors.js';
import { parseDuration } from '../util/duration.js';
import { isGoKey } from './go-keys.js';
import { CONFIG_KEYS, findKeyDef, genericEnvName, type ConfigKeyDef } from './keys.js';
import { readConfigFile } from './read-file.js';
import { unknownKeyWarnings, type ConfigWarning } from './unknown-keys.js';

export type { ConfigWarning } from './unknown-keys.js';

/** Environment variables as the engine sees them (process.env or a test's own object). */
export type Env = Readonly<Record<string, string | undefined>>;

/** Where an effective value came from. */
export type ConfigSource =
  | { kind: 'default' }
  | { kind: 'file'; file: string; /** The Go foxctl's key it was read under (`database.driver`), when not ours. */ key?: string }
  | { kind: 'env'; variable: string };

/** One effective value with its source. */
export interface ConfigValue {
  key: string;
  value: string | number | boolean;
  source: ConfigSource;
  description: string;
  /** The env variables that would override this key, highest precedence first. */
  env: string[];
}

/** The resolved configuration: typed paths for the engine plus every value with its source. */
export interface FoxConfig {
  /** The foxctl home (FOXCTL_HOME or ~/.foxctl), absolute. */
  home: string;
  /** The config file that applies (explicit --config, FOXCTL_CONFIG, or <home>/config.yaml). */
  configFile: string;
  /** Whether that file exists and was read. */
  configFileLoaded: boolean;
  storageRoot: string;
  casDir: string;
  cacheDir: string;
  jobsDir: string;
  obsDir: string;
  backupsDir: string;
  inlineOutputKb: number;
  dbDriver: string;
  casDriver: string;
  /** cas.store: whether large outputs go to the CAS (the Go foxctl's policy, default true). */
  casStore: boolean;
  eventsSyncIntervalMs: number;
  eventsSyncBatch: number;
  /** Every known key and every key of the file, in display order. */
  values: ConfigValue[];
  /** Keys of the file that nothing reads (typos), each with its line and a suggestion: shown, never fatal. */
  warnings: ConfigWarning[];
  /** The environment the config was resolved from; drivers read per-store variables here. */
  env: Env;
}

/** Inputs of resolveConfig. */
export interface ResolveConfigOptions {
  env?: Env;
  /** An explicit config file (`--config FILE`): it must exist. */
  configFile?: string;
}

/** The user's home directory as `~` means it: $HOME from env, else the OS's. */
function userHome(env: Env): string {
  return env.HOME && env.HOME.length > 0 ? env.HOME : os.homedir();
}

/** Expands `~` and `~/x`, and resolves a relative path under `base`. */
export function expandPath(p: string, base: string, env: Env): string {
  let out = p.trim();
  if (out === '~') out = userHome(env);
  else if (out.startsWith('~/')) out = path.join(userHome(env), out.slice(2));
  return path.resolve(base, out);
}

/** Parses a raw value of a known key; an invalid one is INVALID_INPUT naming key and source. */
export function parseValue(d: ConfigKeyDef, raw: unknown, from: string): string | number | boolean {
  const bad = (why: string): never => {
    throw new FoxError('INVALID_INPUT', `${d.key} from ${from} is invalid: ${why} (got ${JSON.stringify(raw)})`);
  };
  switch (d.kind) {
    case 'int': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : NaN;
      if (!Number.isInteger(n)) return bad('expected a whole number');
      if (d.min !== undefined && n < d.min) return bad(`must be at least ${d.min}`);
      return n;
    }
    case 'bool': {
      if (typeof raw === 'boolean') return raw;
      const s = String(raw).trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(s)) return true;
      if (['0', 'false', 'no', 'off'].includes(s)) return false;
      return bad('expected true or false');
    }
    case 'duration': {
      const s = typeof raw === 'number' ? `${raw}s` : String(raw);
      parseDuration(s, d.key);
      return s.trim();
    }
    case 'path':
    case 'string': {
      if (typeof raw !== 'string' && typeof raw !== 'number') return bad('expected a string');
      const s = String(raw).trim();
      // A key whose default is '' is optional: empty means "not set".
      if (s.length === 0) return d.default === '' ? '' : bad('must not be empty');
      if (d.choices && !d.choices.includes(s.toLowerCase())) return bad(`expected one of ${d.choices.join(', ')}`);
      return d.choices ? s.toLowerCase() : s;
    }
  }
}

/**
 * The config file of a home when none is given: `config.json`, `config.yaml` or `config.yml`,
 * the first that exists in that order (the order the Go foxctl's viper searches
 * SetConfigName("config") in), else `config.yaml`. All are read as YAML, as Go reads them.
 */
export function defaultConfigFile(home: string): string {
  for (const name of ['config.json', 'config.yaml', 'config.yml']) {
    const file = path.join(home, name);
    if (fs.existsSync(file)) return file;
  }
  return path.join(home, 'config.yaml');
}

/**
 * Resolves the effective configuration: environment > config file > defaults.
 * Paths expand `~`; values from env or the file resolve relative to the home. Never reads
 * anything but the config file.
 *
 * The home follows the newest Go loader (internal/platform/config/config.go, Load and
 * finalizeConfig): `FOXCTL_HOME`, else the config file's `home` key, else `~/.foxctl`; the file
 * is looked for in `~/.foxctl`, and the defaults of storage.root and paths.* lie under
 * `~/.foxctl` even when `home` names another directory. One deliberate difference: with
 * FOXCTL_HOME set, the file and the defaults are under FOXCTL_HOME (Go keeps them in
 * ~/.foxctl), so a throwaway home never reads or writes the user's real one.
 */
export function resolveConfig(opts: ResolveConfigOptions = {}): FoxConfig {
  const env = opts.env ?? process.env;
  const envHome = env.FOXCTL_HOME && env.FOXCTL_HOME.trim() ? expandPath(env.FOXCTL_HOME, process.cwd(), env) : undefined;
  const defaultHome = envHome ?? expandPath('~/.foxctl', process.cwd(), env);
  const explicit = opts.configFile ?? (env.FOXCTL_CONFIG && env.FOXCTL_CONFIG.trim() ? env.FOXCTL_CONFIG : undefined);
  const configFile = explicit ? path.resolve(expandPath(explicit, process.cwd(), env)) : defaultConfigFile(defaultHome);
  const file = readConfigFile(configFile, explicit !== undefined);
  const fileValues = file?.values;
  const fileHome = fileValues?.get('home');
  const homeFromFile = envHome === undefined && typeof fileHome === 'string' && fileHome.trim() !== '';
  // Go's absPath: `~` is the user's home, a relative home is relative to the user's home too.
  const home = envHome ?? (homeFromFile ? expandPath(fileHome, userHome(env), env) : defaultHome);

  const values: ConfigValue[] = [
    {
      key: 'home',
      value: home,
      source: envHome !== undefined ? { kind: 'env', variable: 'FOXCTL_HOME' } : homeFromFile ? { kind: 'file', file: configFile } : { kind: 'default' },
      description: 'The foxctl home (backups, memory, sessions; relative paths resolve under it)',
      env: ['FOXCTL_HOME'],
    },
  ];
  for (const d of CONFIG_KEYS) {
    let raw: unknown = d.default;
    let source: ConfigSource = { kind: 'default' };
    let from = 'the defaults';
    const fileKey = fileValues?.has(d.key) ? d.key : d.goKey !== undefined && fileValues?.has(d.goKey) ? d.goKey : undefined;
    // Go writes empty strings for settings it leaves unset (`auth_token: ""`): those are no value.
    if (fileKey !== undefined && !(fileKey !== d.key && (fileValues!.get(fileKey) === '' || fileValues!.get(fileKey) === null))) {
      raw = fileValues!.get(fileKey);
      source = fileKey === d.key ? { kind: 'file', file: configFile } : { kind: 'file', file: configFile, key: fileKey };
      from = fileKey === d.key ? configFile : `${configFile} (${fileKey})`;
    }
    for (const variable of d.env) {
      const v = env[variable];
      if (v !== undefined && v.trim() !== '') {
        raw = v;
        source = { kind: 'env', variable };
        from = `$${variable}`;
        break;
      }
    }
    let value = parseValue(d, raw, from);
    // Go's applyDefaults puts these under ~/.foxctl; our paths.backups is Go's <cfg.Home>/backups.
    const defaultsUnderDefaultHome = source.kind === 'default' && d.key !== 'paths.backups';
    if (d.kind === 'path') value = expandPath(String(value), defaultsUnderDefaultHome ? defaultHome : home, env);
    // A value with a secret inside (a DSN's password) is shown masked; drivers read env / the file.
    if (d.mask && typeof value === 'string') value = d.mask(value);
    values.push({ key: d.key, value, source, description: d.description, env: d.env });
  }
  // Keys the engine does not know are kept and shown, so a typo is visible rather than lost.
  const goKeysRead = new Set(CONFIG_KEYS.flatMap((d) => (d.goKey ? [d.goKey] : [])));
  for (const [key, raw] of fileValues ?? []) {
    if (findKeyDef(key) || goKeysRead.has(key) || key === 'home') continue;
    const variable = genericEnvName(key);
    const fromEnv = env[variable];
    values.push({
      key,
      value: fromEnv ?? (typeof raw === 'object' ? JSON.stringify(raw) : (raw as string | number | boolean)),
      source: fromEnv !== undefined ? { kind: 'env', variable } : { kind: 'file', file: configFile },
      description: isGoKey(key) ? 'a key of the Go foxctl (Storage Studio does not use it)' : 'not a key this version knows',
      env: [variable],
    });
  }

  const get = (key: string): ConfigValue['value'] => values.find((v) => v.key === key)!.value;
  return {
    home,
    configFile,
    configFileLoaded: fileValues !== undefined,
    storageRoot: get('storage.root') as string,
    casDir: get('paths.cas') as string,
    cacheDir: get('paths.cache') as string,
    jobsDir: get('paths.jobs') as string,
    obsDir: get('paths.observability') as string,
    backupsDir: get('paths.backups') as string,
    inlineOutputKb: get('inline_output_kb') as number,
    dbDriver: get('db.driver') as string,
    casDriver: get('cas.driver') as string,
    casStore: get('cas.store') as boolean,
    eventsSyncIntervalMs: parseDuration(get('events.sync_interval') as string),
    eventsSyncBatch: get('events.sync_batch') as number,
    values,
    warnings: file ? unknownKeyWarnings(file.values, file.lines, configFile) : [],
    env,
  };
}

/** A short human label of a source: `default`, `config.yaml`, `$FOXCTL_X`. */
export function describeSource(source: ConfigSource): string {
  switch (source.kind) {
    case 'default':
      return 'default';
    case 'file':
      return source.key ? `file ${source.file} (${source.key})` : `file ${source.file}`;
    case 'env':
      return `env $${source.variable}`;
  }
}
