import type { Env } from '../config/resolve.js';
import { FoxError, toFoxError } from '../errors.js';

/** Where the turso CAS lives: a libSQL URL and its token (FORMATS.md variable chains). */
export interface TursoSettings {
  url: string;
  /** Never printed: messages use `location`. */
  authToken: string | undefined;
  /** Busy timeout for local `file:` databases, ms. */
  timeoutMs: number;
}

/** Values set in the app that win over env (the GUI keeps the token with safeStorage). */
export type TursoOverrides = Partial<TursoSettings>;

const REMOTE = new Set(['libsql:', 'https:', 'wss:']);
const LOCAL_SERVER = new Set(['http:', 'ws:']);

function first(env: Env, names: readonly string[]): { name: string; value: string } | null {
  for (const name of names) {
    const v = env[name]?.trim();
    if (v) return { name, value: v };
  }
  return null;
}

/** Resolves FOXCTL_CAS_DB_URL -> FOXCTL_TURSO_URL -> TURSO_DATABASE_URL and the token chain; INVALID_INPUT naming the variable. */
export function resolveTursoSettings(env: Env, overrides: TursoOverrides = {}): TursoSettings {
  const urlVar = overrides.url ? { name: 'the configured URL', value: overrides.url } : first(env, ['FOXCTL_CAS_DB_URL', 'FOXCTL_TURSO_URL', 'TURSO_DATABASE_URL']);
  if (!urlVar) throw new FoxError('INVALID_INPUT', 'the turso CAS backend needs a database URL: set $FOXCTL_CAS_DB_URL (or $FOXCTL_TURSO_URL / $TURSO_DATABASE_URL)', { subject: 'cas turso' });
  let url: URL;
  try {
    url = new URL(urlVar.value);
  } catch {
    throw new FoxError('INVALID_INPUT', `${urlVar.name.startsWith('the') ? urlVar.name : `$${urlVar.name}`} is not a valid libSQL URL (expected file:, libsql://, https://, wss://)`, { subject: 'cas turso' });
  }
  const tokenVar = overrides.authToken ? { name: 'token', value: overrides.authToken } : first(env, ['FOXCTL_CAS_DB_TOKEN', 'FOXCTL_TURSO_TOKEN', 'TURSO_AUTH_TOKEN']);
  if (url.protocol !== 'file:' && !REMOTE.has(url.protocol) && !LOCAL_SERVER.has(url.protocol)) {
    throw new FoxError('INVALID_INPUT', `$${urlVar.name} has an unsupported scheme "${url.protocol}" (expected file:, libsql://, https://, wss://)`, { subject: 'cas turso' });
  }
  if (REMOTE.has(url.protocol) && !tokenVar && !url.searchParams.has('authToken')) {
    throw new FoxError('INVALID_INPUT', `the turso CAS at ${redactUrl(urlVar.value)} is remote and needs a token: set $FOXCTL_CAS_DB_TOKEN (or $FOXCTL_TURSO_TOKEN / $TURSO_AUTH_TOKEN)`, { subject: 'cas turso' });
  }
  const rawTimeout = env.FOXCTL_CAS_DB_TIMEOUT?.trim();
  const timeoutMs = overrides.timeoutMs ?? (rawTimeout ? Number(rawTimeout) : 5000);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 0) throw new FoxError('INVALID_INPUT', `$FOXCTL_CAS_DB_TIMEOUT must be a whole number of milliseconds (got "${rawTimeout}")`);
  return { url: urlVar.value, authToken: tokenVar?.value, timeoutMs };
}

/** A URL safe to print: no user info, no query string (libSQL accepts `?authToken=`). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    u.search = '';
    return u.toString();
  } catch {
    return url.replace(/\?.*$/, '');
  }
}

const NETWORK_RE = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EHOSTUNREACH|fetch failed|socket|network|websocket|HRANA|SERVER_ERROR|connect/i;
// libSQL reports a local file it cannot open as ConnectionFailed("...: 14"): SQLite's result code.
const LOCAL_OPEN_RE = /Unable to open connection to local database .*: (\d+)/;

/** Translates a libSQL error naming `subject`, with the token removed from the message. */
export function tursoError(err: unknown, subject: string, s: TursoSettings, what: string): FoxError {
  if (err instanceof FoxError) return err;
  const e = (err ?? {}) as { code?: unknown; message?: unknown; cause?: unknown };
  const secrets = [s.authToken, new URL(s.url).searchParams.get('authToken') ?? undefined].filter((x): x is string => !!x);
  const scrub = (m: string): string => secrets.reduce((acc, t) => acc.split(t).join('***'), m);
  const causeMsg = e.cause instanceof Error ? ` (${e.cause.message})` : '';
  const msg = scrub(`${typeof e.message === 'string' ? e.message : String(err)}${causeMsg}`);
  const code = typeof e.code === 'string' ? e.code : '';
  const scrubbed = err instanceof Error ? Object.assign(err, { message: msg }) : err;
  if (code === 'SERVER_ERROR' && /40[13]/.test(msg)) return new FoxError('UNAVAILABLE', `${what}: ${subject} refused the token: check $FOXCTL_CAS_DB_TOKEN: ${msg}`, { subject, cause: scrubbed });
  const local = LOCAL_OPEN_RE.exec(msg);
  if (local) {
    const codeOf: Record<string, string> = { '14': 'SQLITE_CANTOPEN', '26': 'SQLITE_NOTADB', '11': 'SQLITE_CORRUPT', '5': 'SQLITE_BUSY', '8': 'SQLITE_READONLY' };
    const f = toFoxError(Object.assign(new Error(msg), { code: codeOf[local[1]!] ?? 'SQLITE_IOERR' }), `${what} in ${subject}`);
    return new FoxError(f.code, f.message, { subject, cause: scrubbed });
  }
  if (!s.url.startsWith('file:') && !code.startsWith('SQLITE_') && NETWORK_RE.test(`${code} ${msg}`)) return new FoxError('UNAVAILABLE', `${what}: cannot reach ${subject}: ${msg}`, { subject, cause: scrubbed });
  const f = toFoxError(Object.assign(new Error(msg), { code }), `${what} in ${subject}`);
  return new FoxError(f.code, f.message, { subject, cause: scrubbed });
}
