import path from 'node:path';
import type { Env } from '../../config/resolve.js';
import { FoxError } from '../../errors.js';
import type { StoreDef } from '../../registry/stores.js';

/** Where `db migrate` writes: a PostgreSQL server or a libSQL (Turso) database per store. */
export type MigrateTarget =
  | { kind: 'postgres'; dsn: string; display: string; secrets: string[] }
  | { kind: 'turso'; url: string; token: string | undefined; display: string; secrets: string[] };

/** The placeholder of a libSQL URL that names each store's database (`file:/data/{store}.db`). */
export const STORE_PLACEHOLDER = '{store}';

const SECRET_PARAMS = ['password', 'authToken', 'authtoken', 'token', 'sslpassword'];
const PG = new Set(['postgres:', 'postgresql:']);
const LIBSQL_REMOTE = new Set(['libsql:', 'https:', 'wss:']);
const LIBSQL_LOCAL = new Set(['file:', 'http:', 'ws:']);

/**
 * A DSN or URL safe to print: the password after `user:` and secret query parameters
 * (`password`, `authToken`, ...) become `***`. Text that does not parse as a URL still has its
 * `user:password@` part masked.
 */
export function maskDsn(dsn: string): string {
  const placeholder = dsn.includes(STORE_PLACEHOLDER);
  const raw = placeholder ? dsn.split(STORE_PLACEHOLDER).join('zzstoreplaceholderzz') : dsn;
  let out: string;
  try {
    const u = new URL(raw);
    if (u.password) u.password = '***';
    for (const p of SECRET_PARAMS) if (u.searchParams.has(p)) u.searchParams.set(p, '***');
    out = u.toString().replace('%2A%2A%2A', '***');
  } catch {
    out = raw.replace(/(\/\/[^:/@\s]*:)[^@\s]*@/, '$1***@').replace(/((?:password|authToken|token)=)[^&\s]*/gi, '$1***');
  }
  out = out.split('%2A%2A%2A').join('***');
  return placeholder ? out.split('zzstoreplaceholderzz').join(STORE_PLACEHOLDER) : out;
}

/** Every secret in a DSN/URL (password, secret parameters), so that messages can be scrubbed of them. */
function secretsOf(dsn: string, token: string | undefined): string[] {
  const found: string[] = [];
  try {
    const u = new URL(dsn.split(STORE_PLACEHOLDER).join('x'));
    if (u.password) found.push(u.password, decodeURIComponent(u.password));
    for (const p of SECRET_PARAMS) {
      const v = u.searchParams.get(p);
      if (v) found.push(v);
    }
  } catch {
    const m = /\/\/[^:/@\s]*:([^@\s]*)@/.exec(dsn);
    if (m?.[1]) found.push(m[1]);
  }
  if (token) found.push(token);
  return [...new Set(found.filter((s) => s.length > 0))];
}

/** Replaces every secret in a message with `***`. */
export function scrubSecrets(message: string, secrets: readonly string[]): string {
  return secrets.reduce((acc, s) => acc.split(s).join('***'), message);
}

/**
 * Parses `--target-dsn`: `postgres://` / `postgresql://` is a PostgreSQL server (one schema per
 * store); `libsql://`, `https://`, `wss://` (remote, need a token) and `file:`, `http://`,
 * `ws://` (local) are libSQL databases. INVALID_INPUT names what is wrong, never the password.
 */
export function parseTarget(raw: string, env: Env, token?: string): MigrateTarget {
  const dsn = raw.trim();
  if (dsn === '') throw new FoxError('INVALID_INPUT', '--target-dsn is empty: give a postgres:// DSN or a libSQL URL (libsql://, https://, file:)');
  const display = maskDsn(dsn);
  let u: URL;
  try {
    u = new URL(dsn.split(STORE_PLACEHOLDER).join('x'));
  } catch {
    throw new FoxError('INVALID_INPUT', `--target-dsn ${display} is not a URL: expected postgres://user:password@host:5432/db or a libSQL URL (libsql://, https://, file:)`);
  }
  if (PG.has(u.protocol)) {
    if (dsn.includes(STORE_PLACEHOLDER)) throw new FoxError('INVALID_INPUT', `--target-dsn ${display}: ${STORE_PLACEHOLDER} is for libSQL URLs; PostgreSQL gets one schema per store`);
    return { kind: 'postgres', dsn, display, secrets: secretsOf(dsn, undefined) };
  }
  if (LIBSQL_REMOTE.has(u.protocol) || LIBSQL_LOCAL.has(u.protocol)) {
    const tok = token?.trim() || undefined;
    return { kind: 'turso', url: dsn, token: tok, display, secrets: secretsOf(dsn, tok) };
  }
  throw new FoxError('INVALID_INPUT', `--target-dsn ${display} has an unsupported scheme "${u.protocol}": expected postgres://, postgresql://, libsql://, https://, wss:// or file:`);
}

/** The libSQL URL of one store: `{store}` replaced by the store's name in lower case. */
export function tursoUrlFor(url: string, store: StoreDef): string {
  return url.split(STORE_PLACEHOLDER).join(store.name.toLowerCase());
}

/** The token of a store's libSQL target: explicit, else FOXCTL_<STORE>_DB_TOKEN -> FOXCTL_TURSO_TOKEN -> TURSO_AUTH_TOKEN. */
export function tursoTokenFor(target: Extract<MigrateTarget, { kind: 'turso' }>, store: StoreDef, env: Env): string | undefined {
  if (target.token) return target.token;
  for (const name of [`FOXCTL_${store.name}_DB_TOKEN`, 'FOXCTL_TURSO_TOKEN', 'TURSO_AUTH_TOKEN']) {
    const v = env[name]?.trim();
    if (v) return v;
  }
  return undefined;
}

/**
 * Checks a libSQL target against the stores to copy: one database holds one store (their
 * `schema_migrations` and table names would collide), so several stores need `{store}` in the
 * URL; a remote URL needs a token; a `file:` URL must not be a source file itself.
 */
export function checkTursoTarget(target: Extract<MigrateTarget, { kind: 'turso' }>, stores: readonly StoreDef[], sourceFiles: readonly string[], env: Env): void {
  if (stores.length > 1 && !target.url.includes(STORE_PLACEHOLDER)) {
    throw new FoxError(
      'INVALID_INPUT',
      `a libSQL database holds one store, and ${stores.length} were selected (${stores.map((s) => s.name).join(', ')}): ` +
        `name one with --stores, or put ${STORE_PLACEHOLDER} in the URL (e.g. file:/data/${STORE_PLACEHOLDER}.db) to get one database per store`,
    );
  }
  for (const store of stores) {
    const url = new URL(tursoUrlFor(target.url, store));
    if (LIBSQL_REMOTE.has(url.protocol) && !url.searchParams.has('authToken') && !tursoTokenFor(target, store, env)) {
      throw new FoxError('INVALID_INPUT', `${maskDsn(url.toString())} is a remote libSQL database and needs a token: pass --target-token or set $FOXCTL_${store.name}_DB_TOKEN (or $FOXCTL_TURSO_TOKEN / $TURSO_AUTH_TOKEN)`);
    }
    if (url.protocol === 'file:') {
      const file = path.resolve(decodeURIComponent(url.pathname));
      if (sourceFiles.some((s) => path.resolve(s) === file)) throw new FoxError('INVALID_INPUT', `--target-dsn ${maskDsn(url.toString())} is the source database of store ${store.name} itself`);
    }
  }
}
