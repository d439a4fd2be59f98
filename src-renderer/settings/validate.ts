// Checks of the Settings forms as the user types: the same rules the engine applies on save
// (s3-config.ts, turso-config.ts, the postgres driver), so a form never sends what will be refused.

/** A field's problem, or null when it is fine. */
export type FieldError = string | null;

const BUCKET_RE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** An S3 bucket name: 3-63 lower-case letters, digits, dots and dashes. */
export function checkBucket(v: string): FieldError {
  if (v.trim() === '') return 'required';
  return BUCKET_RE.test(v.trim()) ? null : '3-63 lower-case letters, digits, dots and dashes; starts and ends with a letter or digit';
}

/** An AWS region such as us-east-1 (empty: $AWS_REGION, else us-east-1). */
export function checkRegion(v: string): FieldError {
  return v.trim() === '' || /^[a-z0-9]+(-[a-z0-9]+)*$/.test(v.trim()) ? null : 'a region such as us-east-1 or eu-west-3';
}

/** An endpoint URL: http(s)://host[:port], no user or password in it. */
export function checkEndpoint(v: string): FieldError {
  const s = v.trim();
  if (s === '') return null;
  let u: URL;
  try {
    u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(s) ? s : `https://${s}`);
  } catch {
    return 'not a URL (e.g. http://127.0.0.1:9000)';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'must be an http:// or https:// URL';
  if (u.username || u.password) return 'must not contain credentials: use the access key fields';
  return null;
}

/** A key prefix: no `..` segments. */
export function checkPrefix(v: string): FieldError {
  return v.split('/').some((seg) => seg === '..') || v.includes('\0') ? 'must not contain ".." segments' : null;
}

/** A libSQL URL; a remote one needs a token (typed or already saved). */
export function checkTursoUrl(v: string, hasToken: boolean): FieldError {
  const s = v.trim();
  if (s === '') return 'required';
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return 'not a URL (file:/path/db.sqlite, libsql://…, https://…)';
  }
  if (!['file:', 'libsql:', 'https:', 'wss:', 'http:', 'ws:'].includes(u.protocol)) return `unsupported scheme "${u.protocol}" (file:, libsql://, https://, wss://)`;
  if (['libsql:', 'https:', 'wss:'].includes(u.protocol) && !hasToken && !u.searchParams.has('authToken')) return 'a remote database needs a token';
  return null;
}

/** A PostgreSQL DSN: postgres:// or postgresql://, with a host and a database. */
export function checkDsn(v: string): FieldError {
  const s = v.trim();
  if (s === '') return 'required';
  if (!/^postgres(ql)?:\/\//i.test(s)) return 'must start with postgres:// or postgresql://';
  try {
    const u = new URL(s);
    if (!u.hostname) return 'no host';
    if (u.pathname.replace(/^\//, '') === '') return 'no database name (…/dbname)';
  } catch {
    return 'not a valid DSN (postgres://user@host:5432/db)';
  }
  return null;
}

/** A required text field. */
export function checkRequired(v: string): FieldError {
  return v.trim() === '' ? 'required' : null;
}

/** A TCP port. */
export function checkPort(v: string): FieldError {
  const n = Number(v);
  return /^\d+$/.test(v.trim()) && n >= 1 && n <= 65535 ? null : '1-65535';
}

/** A whole number of at least `min`. */
export function checkInt(v: string, min: number): FieldError {
  return /^\d+$/.test(v.trim()) && Number(v) >= min ? null : `a whole number, at least ${min}`;
}

/** PostgreSQL DSN fields, composed into a DSN without the password (that stays in the secret store). */
export interface PgFields {
  host: string;
  port: string;
  user: string;
  database: string;
  sslmode: string;
  /** Query parameters other than sslmode (application_name, connect_timeout...), kept as typed. */
  params: string;
}

/** The DSN of the fields (no password: it lives in the password field and the secret store). */
export function dsnOfFields(f: PgFields): string {
  const user = encodeURIComponent(f.user.trim());
  const q = new URLSearchParams(f.params);
  q.delete('sslmode');
  if (f.sslmode && f.sslmode !== 'default') q.set('sslmode', f.sslmode);
  const query = q.toString();
  return `postgres://${user}@${f.host.trim()}:${f.port.trim() || '5432'}/${encodeURIComponent(f.database.trim())}${query ? `?${query}` : ''}`;
}

/** A DSN taken apart: its fields and the password typed inside it (null when it has none). */
export interface PgDsnParts {
  fields: PgFields;
  password: string | null;
}

/**
 * The fields and password of a DSN (best effort), for switching from DSN to fields: nothing typed
 * is dropped, so the password moves to the password field and other parameters stay.
 */
export function partsOfDsn(dsn: string): PgDsnParts {
  try {
    const u = new URL(dsn);
    const params = new URLSearchParams(u.searchParams);
    params.delete('sslmode');
    const password = u.password === '' || u.password === '***' ? null : decodeURIComponent(u.password);
    return {
      fields: { host: u.hostname, port: u.port || '5432', user: decodeURIComponent(u.username), database: decodeURIComponent(u.pathname.replace(/^\//, '')), sslmode: u.searchParams.get('sslmode') ?? 'default', params: params.toString() },
      password,
    };
  } catch {
    return { fields: { host: '', port: '5432', user: '', database: '', sslmode: 'default', params: '' }, password: null };
  }
}

/** `KEY=value` lines as a shell would take them (values quoted when needed). */
export function envLines(vars: [string, string][]): string {
  return vars.map(([k, v]) => `${k}=${/^[A-Za-z0-9_./:@-]*$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`}`).join('\n');
}
