import path from 'node:path';
import type { FoxConfig } from '../../config/resolve.js';
import { FoxError } from '../../errors.js';
import { storePath } from '../../registry/paths.js';
import type { StoreDef } from '../../registry/stores.js';

/** Schemes of a libSQL server reached over the network with a token. */
const TURSO_REMOTE = new Set(['libsql:', 'https:', 'wss:']);
/** Plain-HTTP libSQL servers (a local `sqld`): no token needed. */
const TURSO_LOCAL_SERVER = new Set(['http:', 'ws:']);
const POSTGRES_SCHEMES = new Set(['postgres:', 'postgresql:']);
const SCHEMA_RE = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Where a turso store lives (FORMATS.md "Database drivers"). */
export interface TursoStoreSettings {
  /** The database URL: `file:...`, `libsql://`, `https://`, `wss://`, or `http://`/`ws://` for a local server. */
  url: string;
  /** Never printed: use `location`. */
  authToken: string | undefined;
  /** A `libsql://`/`https://`/`wss://` URL: shared, reached over the network, needs a token. */
  remote: boolean;
  /** The URL with its secret masked, safe to print. */
  location: string;
  /** Remote URLs: the embedded replica file `<root>/<name>.turso.replica`; null for `file:` and explicit targets. */
  replicaPath: string | null;
  /** Seconds between replica syncs (`FOXCTL_<STORE>_SYNC_INTERVAL`); 0 = on demand (at open and by `sync`). */
  syncIntervalSec: number;
  /** The variable the URL came from (for messages), e.g. `$FOXCTL_MEMORY_DB_URL`. */
  urlFrom: string;
  /** Busy timeout for `file:` databases, ms (`FOXCTL_<STORE>_DB_TIMEOUT`, default 5000). */
  timeoutMs: number;
}

/** Where a postgres store lives and how its pool is sized. */
export interface PostgresStoreSettings {
  /** The DSN with its password. Never printed: use `location`. */
  dsn: string;
  /** The DSN with the password masked. */
  location: string;
  /** The store's schema (search_path). */
  schema: string;
  /** `FOXCTL_POSTGRES_MAX_CONNS` (default 10). */
  maxConns: number;
  /** `FOXCTL_POSTGRES_MAX_IDLE_CONNS` (default 5): connections kept open while idle. */
  maxIdleConns: number;
  /** `FOXCTL_POSTGRES_REQUIRE_VECTOR=true`: fail when pgvector cannot be enabled. */
  requireVector: boolean;
  /** The variable the DSN came from (for messages). */
  dsnFrom: string;
}

/** The first set variable of a chain, with its name. */
function firstOf(config: FoxConfig, names: readonly string[]): { name: string; value: string } | null {
  for (const name of names) {
    const v = config.env[name]?.trim();
    if (v) return { name, value: v };
  }
  return null;
}

/** A non-negative whole number from a variable, or the default; INVALID_INPUT naming the variable. */
function envInt(config: FoxConfig, name: string, dflt: number, min = 0): number {
  const raw = config.env[name]?.trim();
  if (!raw) return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) {
    throw new FoxError('INVALID_INPUT', `$${name} must be a whole number${min > 0 ? ` of at least ${min}` : ''} (got "${raw}")`);
  }
  return n;
}

/** A boolean variable (`true/false/1/0/yes/no/on/off`), or the default. */
function envBool(config: FoxConfig, name: string, dflt: boolean): boolean {
  const v = config.env[name]?.trim().toLowerCase();
  if (!v) return dflt;
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new FoxError('INVALID_INPUT', `$${name} must be true or false (got "${v}")`);
}

/**
 * A URL or DSN safe to print: the password (or user-info token) and secret query parameters
 * (`authToken`, `password`, `token`, ...) replaced by `****`. Text that is not a URL is returned
 * with anything after `?` removed.
 */
export function maskUrl(url: string): string {
  if (url.startsWith('file:')) return url.replace(/\?.*$/, '');
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return url.replace(/\?.*$/, '').replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:****@');
  }
  if (u.password) u.password = '****';
  for (const key of [...u.searchParams.keys()]) {
    if (/token|password|secret|key|sslpassword/i.test(key)) u.searchParams.set(key, '****');
  }
  return u.toString().replace(/%2A%2A%2A%2A/g, '****');
}

/** The secrets inside a URL/DSN (password, token query parameters), to scrub from messages. */
export function urlSecrets(url: string): string[] {
  const out: string[] = [];
  try {
    const u = new URL(url);
    if (u.password) out.push(u.password, decodeURIComponent(u.password));
    for (const [k, v] of u.searchParams) if (v && /token|password|secret|key/i.test(k)) out.push(v);
  } catch {
    /* not a URL: nothing to take out */
  }
  return out.filter((s) => s.length > 0);
}

/** Replaces every secret in `text` by `****`. */
export function scrubSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 3) out = out.split(s).join('****');
  return out;
}

/** The default schema of a store on PostgreSQL: its name in lower case, sanitised to `[A-Za-z0-9_]`. */
export function defaultSchemaName(store: StoreDef): string {
  const s = store.name.toLowerCase().replace(/[^A-Za-z0-9_]/g, '_');
  return /^[0-9]/.test(s) ? `_${s}` : s;
}

/** Classifies a target URL/DSN by scheme: postgres or turso; INVALID_INPUT for anything else. */
export function targetKind(urlOrDsn: string, from = 'the target'): 'postgres' | 'turso' {
  let u: URL;
  try {
    u = new URL(urlOrDsn);
  } catch {
    throw new FoxError('INVALID_INPUT', `${from} is not a URL (expected postgres://, postgresql://, libsql://, https:// or file:)`);
  }
  if (POSTGRES_SCHEMES.has(u.protocol)) return 'postgres';
  if (u.protocol === 'file:' || TURSO_REMOTE.has(u.protocol) || TURSO_LOCAL_SERVER.has(u.protocol)) return 'turso';
  throw new FoxError('INVALID_INPUT', `${from} has an unsupported scheme "${u.protocol}" (expected postgres://, postgresql://, libsql://, https:// or file:)`);
}

/** Checks a turso URL and its token; returns whether it is remote. */
function checkTursoUrl(url: string, from: string, hasToken: boolean, tokenHelp: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new FoxError('INVALID_INPUT', `${from} is not a valid libSQL URL (expected file:, libsql://, https://, wss://)`);
  }
  if (u.protocol !== 'file:' && !TURSO_REMOTE.has(u.protocol) && !TURSO_LOCAL_SERVER.has(u.protocol)) {
    throw new FoxError('INVALID_INPUT', `${from} has an unsupported scheme "${u.protocol}" (expected file:, libsql://, https://, wss://)`);
  }
  const remote = TURSO_REMOTE.has(u.protocol);
  if (remote && !hasToken && !u.searchParams.has('authToken')) {
    throw new FoxError('INVALID_INPUT', `${maskUrl(url)} (from ${from}) is a remote libSQL database and needs an auth token: ${tokenHelp}`);
  }
  return remote;
}

/**
 * The turso settings of a store: URL `FOXCTL_<STORE>_DB_URL` -> `FOXCTL_TURSO_URL` ->
 * `TURSO_DATABASE_URL`, token `FOXCTL_<STORE>_DB_TOKEN` -> `FOXCTL_TURSO_TOKEN` ->
 * `TURSO_AUTH_TOKEN` (required for remote URLs), the replica file and sync interval. Values saved
 * in the app (config.yaml, the secret store) reach these chains through the engine's layered env.
 */
export function tursoStoreSettings(config: FoxConfig, store: StoreDef): TursoStoreSettings {
  const urlVars = [`FOXCTL_${store.name}_DB_URL`, 'FOXCTL_TURSO_URL', 'TURSO_DATABASE_URL'];
  const tokenVars = [`FOXCTL_${store.name}_DB_TOKEN`, 'FOXCTL_TURSO_TOKEN', 'TURSO_AUTH_TOKEN'];
  const url = firstOf(config, urlVars);
  if (!url) {
    throw new FoxError('INVALID_INPUT', `store ${store.name} uses the turso driver but has no database URL: set $${urlVars[0]} (or $FOXCTL_TURSO_URL / $TURSO_DATABASE_URL)`, {
      subject: `store ${store.name}`,
    });
  }
  const token = firstOf(config, tokenVars);
  const from = `$${url.name}`;
  const remote = checkTursoUrl(url.value, from, token !== null, `set $${tokenVars[0]} (or $FOXCTL_TURSO_TOKEN / $TURSO_AUTH_TOKEN)`);
  const syncIntervalSec = envInt(config, `FOXCTL_${store.name}_SYNC_INTERVAL`, 0);
  return {
    url: url.value,
    authToken: token?.value,
    remote,
    location: maskUrl(url.value),
    replicaPath: remote ? path.join(config.storageRoot, `${store.name.toLowerCase()}.turso.replica`) : null,
    syncIntervalSec,
    urlFrom: from,
    timeoutMs: envInt(config, `FOXCTL_${store.name}_DB_TIMEOUT`, 5000),
  };
}

/**
 * The libsql settings of a store, as the Go foxctl's libsql driver takes them
 * (internal/storage/dbdriver/config_loader.go, loadLibSQLConfig): a local libSQL file
 * `FOXCTL_<STORE>_DB_PATH`, else the store's file under storage.root with `.db` turned into
 * `.libsql`; with `FOXCTL_<STORE>_SYNC_URL` -> `FOXCTL_LIBSQL_SYNC_URL` it is an embedded replica
 * of that server, token `FOXCTL_<STORE>_SYNC_TOKEN` -> `FOXCTL_LIBSQL_SYNC_TOKEN` (optional, as in
 * Go), synced every `FOXCTL_<STORE>_SYNC_INTERVAL` seconds (0: at open and on `sync()`).
 */
export function libsqlStoreSettings(config: FoxConfig, store: StoreDef): TursoStoreSettings {
  const explicit = config.env[`FOXCTL_${store.name}_DB_PATH`]?.trim();
  const file = explicit ? storePath(config, store) : storePath(config, store).replace(/\.db$/, '.libsql');
  const sync = firstOf(config, [`FOXCTL_${store.name}_SYNC_URL`, 'FOXCTL_LIBSQL_SYNC_URL']);
  const token = firstOf(config, [`FOXCTL_${store.name}_SYNC_TOKEN`, 'FOXCTL_LIBSQL_SYNC_TOKEN']);
  const timeoutMs = envInt(config, `FOXCTL_${store.name}_DB_TIMEOUT`, 5000);
  if (!sync) return { url: `file:${file}`, authToken: undefined, remote: false, location: file, replicaPath: null, syncIntervalSec: 0, urlFrom: file, timeoutMs };
  let u: URL;
  try {
    u = new URL(sync.value);
  } catch {
    throw new FoxError('INVALID_INPUT', `$${sync.name} is not a valid libSQL URL (expected libsql://, https://, wss://, http:// or ws://)`, { subject: `store ${store.name}` });
  }
  if (!TURSO_REMOTE.has(u.protocol) && !TURSO_LOCAL_SERVER.has(u.protocol)) {
    throw new FoxError('INVALID_INPUT', `$${sync.name} has an unsupported scheme "${u.protocol}" (expected libsql://, https://, wss://, http:// or ws://)`, { subject: `store ${store.name}` });
  }
  return {
    url: sync.value,
    authToken: token?.value,
    remote: true,
    location: `${file} (syncs with ${maskUrl(sync.value)})`,
    replicaPath: file,
    syncIntervalSec: envInt(config, `FOXCTL_${store.name}_SYNC_INTERVAL`, 0),
    urlFrom: `$${sync.name}`,
    timeoutMs,
  };
}

/** Turso settings for an explicit target URL (e.g. `db migrate --target-dsn libsql://...`): no replica. */
export function tursoTargetSettings(config: FoxConfig, url: string, token: string | undefined): TursoStoreSettings {
  const tok = token ?? firstOf(config, ['FOXCTL_TURSO_TOKEN', 'TURSO_AUTH_TOKEN'])?.value;
  const remote = checkTursoUrl(url, 'the target URL', tok !== undefined, 'pass a token or set $FOXCTL_TURSO_TOKEN / $TURSO_AUTH_TOKEN');
  return { url, authToken: tok, remote, location: maskUrl(url), replicaPath: null, syncIntervalSec: 0, urlFrom: 'the target URL', timeoutMs: 5000 };
}

/** The pool sizes and the pgvector requirement, shared by every postgres store. */
function postgresPool(config: FoxConfig): Pick<PostgresStoreSettings, 'maxConns' | 'maxIdleConns' | 'requireVector'> {
  const maxConns = envInt(config, 'FOXCTL_POSTGRES_MAX_CONNS', 10, 1);
  const maxIdleConns = envInt(config, 'FOXCTL_POSTGRES_MAX_IDLE_CONNS', 5);
  return { maxConns, maxIdleConns: Math.min(maxIdleConns, maxConns), requireVector: envBool(config, 'FOXCTL_POSTGRES_REQUIRE_VECTOR', false) };
}

/** Checks a DSN's scheme; INVALID_INPUT naming where it came from (the DSN itself is masked). */
function checkDsn(dsn: string, from: string): void {
  let u: URL;
  try {
    u = new URL(dsn);
  } catch {
    throw new FoxError('INVALID_INPUT', `${from} is not a PostgreSQL DSN (expected postgres://user:password@host:port/database)`);
  }
  if (!POSTGRES_SCHEMES.has(u.protocol)) {
    throw new FoxError('INVALID_INPUT', `${from} must start with postgres:// or postgresql:// (got "${u.protocol}//...")`);
  }
}

/** Checks a schema name given explicitly. */
function checkSchema(schema: string, from: string): string {
  if (!SCHEMA_RE.test(schema)) {
    throw new FoxError('INVALID_INPUT', `${from} must be a schema name of letters, digits and _ (not starting with a digit, at most 63 characters); got "${schema}"`);
  }
  return schema;
}

/**
 * The postgres settings of a store: DSN `FOXCTL_<STORE>_POSTGRES_DSN` -> `FOXCTL_POSTGRES_DSN` ->
 * `DATABASE_URL`, schema `FOXCTL_<STORE>_POSTGRES_SCHEMA` else the sanitised lower-case store name,
 * pool sizes and `FOXCTL_POSTGRES_REQUIRE_VECTOR`.
 */
export function postgresStoreSettings(config: FoxConfig, store: StoreDef): PostgresStoreSettings {
  const dsnVars = [`FOXCTL_${store.name}_POSTGRES_DSN`, 'FOXCTL_POSTGRES_DSN', 'DATABASE_URL'];
  const dsn = firstOf(config, dsnVars);
  if (!dsn) {
    throw new FoxError('INVALID_INPUT', `store ${store.name} uses the postgres driver but has no DSN: set $${dsnVars[0]} (or $FOXCTL_POSTGRES_DSN / $DATABASE_URL)`, {
      subject: `store ${store.name}`,
    });
  }
  const dsnFrom = `$${dsn.name}`;
  checkDsn(dsn.value, dsnFrom);
  const schemaVar = `FOXCTL_${store.name}_POSTGRES_SCHEMA`;
  const explicit = config.env[schemaVar]?.trim();
  return {
    dsn: dsn.value,
    location: maskUrl(dsn.value),
    schema: explicit ? checkSchema(explicit, `$${schemaVar}`) : defaultSchemaName(store),
    dsnFrom,
    ...postgresPool(config),
  };
}

/** Postgres settings for an explicit target DSN (`db migrate --target-dsn`), the store's schema unless given. */
export function postgresTargetSettings(config: FoxConfig, store: StoreDef, dsn: string, schema?: string): PostgresStoreSettings {
  checkDsn(dsn, 'the target DSN');
  const schemaVar = `FOXCTL_${store.name}_POSTGRES_SCHEMA`;
  const fromEnv = config.env[schemaVar]?.trim();
  const chosen = schema ? checkSchema(schema, 'the target schema') : fromEnv ? checkSchema(fromEnv, `$${schemaVar}`) : defaultSchemaName(store);
  return { dsn, location: maskUrl(dsn), schema: chosen, dsnFrom: 'the target DSN', ...postgresPool(config) };
}
