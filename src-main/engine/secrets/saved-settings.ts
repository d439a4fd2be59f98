import { findKeyDef, STORE_DRIVER_KEYS } from '../config/keys.js';
import { readConfigValue } from '../config/edit.js';
import { resolveConfig, type Env, type FoxConfig } from '../config/resolve.js';
import type { SecretStore } from './store.js';

/**
 * Connection keys of config.yaml that the engine reads through env variables (FORMATS.md):
 * their file value is layered under the key's first env variable when no env variable is set.
 */
export const LAYERED_KEYS = [
  'cas.s3.bucket',
  'cas.s3.region',
  'cas.s3.endpoint',
  'cas.s3.prefix',
  'cas.s3.force_path_style',
  'cas.s3.disable_ssl',
  'turso.url',
  'turso.auth_token',
  'postgres.dsn',
  'postgres.max_conns',
  'postgres.max_idle_conns',
] as const;

const isSet = (env: Env, names: readonly string[]): boolean => names.some((n) => (env[n] ?? '').trim() !== '');

/** A DSN with `password` put in its user info (when it has none). */
export function dsnWithPassword(dsn: string, password: string | undefined): string {
  if (!password) return dsn;
  try {
    const u = new URL(dsn);
    if (u.password) return dsn;
    u.password = password;
    return u.toString();
  } catch {
    return dsn;
  }
}

/**
 * The values saved in the app (LAYERED_KEYS and the per-store `stores.<store>.driver` keys), as env variables the engine's drivers read, for the variables the
 * real environment leaves unset. Resolution order (documented in the Settings view):
 * env > secret store / config file > default.
 */
export function savedSettingsEnv(base: Env, configFile: string, secrets: SecretStore): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of [...LAYERED_KEYS, ...STORE_DRIVER_KEYS.map((k) => k.key)]) {
    const d = findKeyDef(key);
    if (!d || isSet(base, d.env)) continue;
    let raw: unknown;
    try {
      raw = readConfigValue(configFile, key);
    } catch {
      continue; // A broken file is reported by resolveConfig itself.
    }
    if (raw === undefined || raw === null || String(raw).trim() === '') continue;
    out[d.env[0]!] = String(raw).trim();
  }
  const reveal = (name: Parameters<SecretStore['reveal']>[0]): string | undefined => {
    try {
      return secrets.reveal(name);
    } catch {
      return undefined; // A corrupt store shows in the Settings view; the engine still starts.
    }
  };
  if (!isSet(base, ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'])) {
    const id = reveal('s3.access_key_id');
    const secret = reveal('s3.secret_access_key');
    if (id && secret) {
      out.AWS_ACCESS_KEY_ID = id;
      out.AWS_SECRET_ACCESS_KEY = secret;
    }
  }
  if (!isSet(base, ['FOXCTL_TURSO_TOKEN', 'TURSO_AUTH_TOKEN'])) {
    const token = reveal('turso.token');
    if (token) out.FOXCTL_TURSO_TOKEN = token;
  }
  if (out.FOXCTL_POSTGRES_DSN) out.FOXCTL_POSTGRES_DSN = dsnWithPassword(out.FOXCTL_POSTGRES_DSN, reveal('postgres.password'));
  return out;
}

/**
 * The engine's view of saved settings: one env object (the real environment over the saved
 * values) that the engine's config holds, refreshed in place after the Settings view saves, so
 * drivers opened afterwards (S3, Turso, PostgreSQL, backup push/pull) use the new values.
 */
export class SavedSettings {
  /** The engine's config; its `env` is the layered env, updated in place by refresh(). */
  readonly config: FoxConfig;
  readonly secrets: SecretStore;
  /** The real environment (what `env` wins over nothing). */
  readonly baseEnv: Env;
  private readonly explicitConfig: string | undefined;
  private readonly layered: Record<string, string | undefined>;

  constructor(config: FoxConfig, secrets: SecretStore, explicitConfig?: string) {
    this.baseEnv = config.env;
    this.secrets = secrets;
    this.explicitConfig = explicitConfig;
    this.layered = {};
    this.config = { ...config, env: this.layered };
    this.fill();
  }

  /** The config as resolved now from the real env and the file (fresh sources for display). */
  resolveFresh(): FoxConfig {
    return resolveConfig({ env: this.baseEnv, ...(this.explicitConfig ? { configFile: this.explicitConfig } : {}) });
  }

  /** Re-reads config.yaml and the secret store into the engine's env; returns the fresh config. */
  refresh(): FoxConfig {
    const fresh = this.resolveFresh();
    this.fill();
    return fresh;
  }

  private fill(): void {
    for (const k of Object.keys(this.layered)) delete this.layered[k];
    const saved = savedSettingsEnv(this.baseEnv, this.config.configFile, this.secrets);
    Object.assign(this.layered, saved);
    // The real environment wins, except an empty variable (unset, as resolveConfig treats it).
    for (const [k, v] of Object.entries(this.baseEnv)) if (v !== undefined && !(v.trim() === '' && k in saved)) this.layered[k] = v;
  }
}
