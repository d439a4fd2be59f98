import { STORES } from '../registry/stores.js';
import { maskToken, maskUrlSecrets } from './mask.js';

/** The kind of a config value: decides how a raw string from env or YAML is parsed. */
export type ConfigKind = 'path' | 'int' | 'string' | 'bool' | 'duration';

/** One known config key: its YAML key, default, env variables (first wins) and meaning. */
export interface ConfigKeyDef {
  key: string;
  kind: ConfigKind;
  /** Default as written (paths may start with `~` or be relative to the home). */
  default: string | number | boolean;
  /**
   * Env variables, highest precedence first. `FOXCTL_<A>_<B>` is always accepted for key `a.b`,
   * except the per-store driver keys `stores.<store>.driver`, set by `FOXCTL_<STORE>_DB_DRIVER` only.
   */
  env: string[];
  description: string;
  /** Smallest accepted value for an int. */
  min?: number;
  /** Allowed values for a string. */
  choices?: readonly string[];
  /** Masks secrets inside a shown value (a DSN's password); the engine reads the raw value from env. */
  mask?: (value: string) => string;
  /**
   * The Go foxctl's name of the same setting in config.yaml (go-keys.ts), read when the file has
   * no value under our name: `database.driver` for `db.driver`. Ours wins when both are set.
   */
  goKey?: string;
}

/** The env name every key `a.b` may be set with: `FOXCTL_A_B`. */
export function genericEnvName(key: string): string {
  return `FOXCTL_${key.replace(/[^A-Za-z0-9]+/g, '_').toUpperCase()}`;
}

const def = (d: Omit<ConfigKeyDef, 'env'> & { env?: string[] }): ConfigKeyDef => {
  const generic = genericEnvName(d.key);
  const env = d.env ?? [];
  return { ...d, env: env.includes(generic) ? env : [...env, generic] };
};

/** Every key the engine knows, in display order. Unknown keys of config.yaml are kept and shown too. */
export const CONFIG_KEYS: readonly ConfigKeyDef[] = [
  def({ key: 'storage.root', kind: 'path', default: 'storage', env: ['FOXCTL_STORAGE_ROOT'], description: 'Directory of the SQLite stores' }),
  def({ key: 'paths.cas', kind: 'path', default: 'cas', env: ['FOXCTL_PATHS_CAS'], description: 'Content-addressable store (file backend)' }),
  def({ key: 'paths.cache', kind: 'path', default: 'cache', env: ['FOXCTL_PATHS_CACHE'], description: 'Cache directory' }),
  def({ key: 'paths.jobs', kind: 'path', default: 'jobs', env: ['FOXCTL_PATHS_JOBS'], description: 'Job working files' }),
  def({ key: 'paths.observability', kind: 'path', default: 'observability', env: ['FOXCTL_OBS_DIR'], description: 'Events (NDJSON streams and events.db)' }),
  def({ key: 'paths.backups', kind: 'path', default: 'backups', env: ['FOXCTL_PATHS_BACKUPS'], description: 'Backup archives' }),
  def({ key: 'inline_output_kb', kind: 'int', default: 32, min: 1, description: 'JSON outputs larger than this (KiB) are moved to the CAS by foxctl cas artifactize, as the Go foxctl does for skill runs' }),
  def({ key: 'db.driver', kind: 'string', default: 'sqlite', env: ['FOXCTL_DB_DRIVER'], choices: ['sqlite', 'turso', 'postgres', 'libsql'], description: 'Default database driver of every store' }),
  // The Go foxctl's platform setting: its per-store loader (internal/storage/dbdriver/config_loader.go,
  // loadConfig) takes FOXCTL_<STORE>_DB_DRIVER -> FOXCTL_DB_DRIVER -> sqlite and never reads it, so
  // neither do our stores: it is shown, with where it came from, and applied to nothing.
  def({
    key: 'database.driver',
    kind: 'string',
    default: '',
    description: "The Go foxctl's platform database driver; its stores and ours follow FOXCTL_<STORE>_DB_DRIVER, FOXCTL_DB_DRIVER and db.driver instead",
  }),
  def({ key: 'cas.driver', kind: 'string', default: 'file', env: ['FOXCTL_CAS_DRIVER'], choices: ['file', 'sqlite', 'turso', 's3'], description: 'CAS backend' }),
  def({ key: 'cas.store', kind: 'bool', default: true, env: ['FOXCTL_CAS_STORE'], description: 'Store large command outputs in the CAS (the Go foxctl\'s CAS policy; false keeps them inline)' }),
  def({ key: 'events.sync_interval', kind: 'duration', default: '30s', env: ['FOXCTL_EVENTS_SYNC_INTERVAL'], description: 'How often the syncer copies NDJSON into events.db' }),
  def({ key: 'events.sync_batch', kind: 'int', default: 100, min: 1, env: ['FOXCTL_EVENTS_SYNC_BATCH'], description: 'Rows per syncer transaction' }),
  def({ key: 'backup.schedule.enabled', kind: 'bool', default: false, description: 'Take a nightly backup while Storage Studio runs' }),
  def({ key: 'backup.schedule.time', kind: 'string', default: '02:00', description: 'Time of day of the nightly backup (HH:MM, 24-hour)' }),
  def({ key: 'backup.schedule.zone', kind: 'string', default: 'local', choices: ['local', 'utc'], description: 'Clock of backup.schedule.time: local time or UTC' }),
  def({ key: 'backup.schedule.keep', kind: 'int', default: 7, min: 1, description: 'Nightly backups kept (older nightly ones are pruned; other backups are never touched)' }),
  def({ key: 'backup.schedule.push', kind: 'bool', default: false, description: 'Push each nightly backup to the backup bucket (FOXCTL_BACKUP_S3_*) after it is taken' }),
  // Connection settings (the Settings view's forms). Secrets never live here: see engine/secrets.
  def({ key: 'cas.s3.bucket', kind: 'string', default: '', description: 'S3 bucket of the CAS (and of pushed backups)' }),
  def({ key: 'cas.s3.region', kind: 'string', default: '', description: 'S3 region (empty: $AWS_REGION, else us-east-1)' }),
  def({ key: 'cas.s3.endpoint', kind: 'string', default: '', description: 'S3-compatible endpoint URL (empty: AWS)' }),
  def({ key: 'cas.s3.prefix', kind: 'string', default: 'cas/', description: 'Key prefix of the CAS objects in the bucket' }),
  def({ key: 'cas.s3.force_path_style', kind: 'bool', default: false, description: 'Path-style bucket URLs (MinIO, s3rver)' }),
  def({ key: 'cas.s3.disable_ssl', kind: 'bool', default: false, description: 'Plain HTTP to the endpoint' }),
  def({ key: 'turso.url', kind: 'string', default: '', mask: maskUrlSecrets, env: ['FOXCTL_TURSO_URL', 'TURSO_DATABASE_URL'], goKey: 'database.turso.url', description: 'libSQL / Turso database URL' }),
  def({
    key: 'turso.auth_token',
    kind: 'string',
    default: '',
    mask: maskToken,
    env: ['FOXCTL_TURSO_TOKEN', 'TURSO_AUTH_TOKEN'],
    goKey: 'database.turso.auth_token',
    description: 'libSQL / Turso auth token (read from a Go config.yaml; Storage Studio saves it in the secret store, never here)',
  }),
  def({ key: 'postgres.dsn', kind: 'string', default: '', mask: maskUrlSecrets, env: ['FOXCTL_POSTGRES_DSN', 'DATABASE_URL'], description: 'PostgreSQL DSN (the password lives in the secret store)' }),
  def({ key: 'postgres.max_conns', kind: 'int', default: 10, min: 1, env: ['FOXCTL_POSTGRES_MAX_CONNS'], description: 'PostgreSQL pool size' }),
  def({ key: 'postgres.max_idle_conns', kind: 'int', default: 5, min: 0, env: ['FOXCTL_POSTGRES_MAX_IDLE_CONNS'], description: 'PostgreSQL idle connections kept' }),
];

/** The config key of a store's own driver: `stores.<store in lower case>.driver`. */
export function storeDriverKey(storeName: string): string {
  return `stores.${storeName.toLowerCase()}.driver`;
}

/**
 * The per-store driver keys (FORMATS.md "Database drivers"), one per writable store: each is set
 * by `FOXCTL_<STORE>_DB_DRIVER` alone (the variable the drivers read), empty means `db.driver`.
 */
export const STORE_DRIVER_KEYS: readonly ConfigKeyDef[] = STORES.filter((s) => !s.readOnly).map((s) => ({
  key: storeDriverKey(s.name),
  kind: 'string',
  default: '',
  env: [`FOXCTL_${s.name}_DB_DRIVER`],
  choices: ['sqlite', 'turso', 'postgres', 'libsql'],
  description: `Database driver of the ${s.name} store (empty: db.driver)`,
}));

const ALL_KEYS: readonly ConfigKeyDef[] = [...CONFIG_KEYS, ...STORE_DRIVER_KEYS];

/** The definition of a known key, or undefined. */
export function findKeyDef(key: string): ConfigKeyDef | undefined {
  return ALL_KEYS.find((k) => k.key === key);
}
