import type { Env } from '../config/resolve.js';
import { FoxError } from '../errors.js';

/** Credentials set in the app (the GUI keeps them with safeStorage); the SDK's default chain otherwise. */
export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
}

/** Where and how to reach a bucket: FORMATS.md's FOXCTL_CAS_S3_* variables, resolved and checked. */
export interface S3Settings {
  bucket: string;
  region: string;
  /** A custom endpoint (MinIO, s3rver, R2 ...) as a URL, or undefined for AWS. */
  endpoint: string | undefined;
  /** Key prefix, always ending in `/` (or empty). */
  prefix: string;
  forcePathStyle: boolean;
  credentials: S3Credentials | undefined;
  /** Attempts per request (SDK retries); low so that an unreachable endpoint fails in seconds. */
  maxAttempts: number;
  /** ms to wait for a TCP connection. */
  connectTimeoutMs: number;
}

/** Explicit values that win over the environment (the GUI's stored settings, tests). */
export type S3Overrides = Partial<Omit<S3Settings, 'credentials'>> & { credentials?: S3Credentials | undefined };

const BUCKET_RE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Parses a boolean variable: true/1/yes/on or false/0/no/off (empty = the default). */
export function envBool(env: Env, name: string, dflt: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return dflt;
  if (['true', '1', 'yes', 'on'].includes(raw)) return true;
  if (['false', '0', 'no', 'off'].includes(raw)) return false;
  throw new FoxError('INVALID_INPUT', `$${name} must be true or false (got "${env[name]}")`);
}

/** Normalises a key prefix: no leading slash, exactly one trailing slash (empty stays empty). */
export function normalizePrefix(raw: string, name: string): string {
  const p = raw.trim().replace(/^\/+/, '');
  if (p.includes('\0') || p.split('/').some((seg) => seg === '..')) throw new FoxError('INVALID_INPUT', `${name} "${raw}" is not a valid key prefix`);
  return p === '' ? '' : p.replace(/\/*$/, '/');
}

/** AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (/ AWS_SESSION_TOKEN) of `env` when both are set. */
function envCredentials(env: Env): S3Credentials | undefined {
  const accessKeyId = env.AWS_ACCESS_KEY_ID?.trim();
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY?.trim();
  if (!accessKeyId || !secretAccessKey) return undefined;
  const sessionToken = env.AWS_SESSION_TOKEN?.trim() || undefined;
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
}

/** Resolves the CAS bucket settings from env (FORMATS.md) and overrides; INVALID_INPUT naming the variable on a bad value. */
export function resolveS3Settings(env: Env, overrides: S3Overrides = {}): S3Settings {
  const bucket = (overrides.bucket ?? env.FOXCTL_CAS_S3_BUCKET ?? '').trim();
  if (!bucket) throw new FoxError('INVALID_INPUT', 'the s3 CAS backend needs a bucket: set $FOXCTL_CAS_S3_BUCKET', { subject: 'cas s3' });
  if (!BUCKET_RE.test(bucket)) throw new FoxError('INVALID_INPUT', `$FOXCTL_CAS_S3_BUCKET "${bucket}" is not a valid bucket name (3-63 lower-case letters, digits, dots and dashes)`, { subject: 'cas s3' });
  const region = (overrides.region ?? (env.FOXCTL_CAS_S3_REGION?.trim() || env.AWS_REGION?.trim() || 'us-east-1')).trim();
  const disableSsl = envBool(env, 'FOXCTL_CAS_S3_DISABLE_SSL', false);
  let endpoint = overrides.endpoint ?? (env.FOXCTL_CAS_S3_ENDPOINT?.trim() || undefined);
  if (endpoint !== undefined) {
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint)) endpoint = `${disableSsl ? 'http' : 'https'}://${endpoint}`;
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw new FoxError('INVALID_INPUT', `$FOXCTL_CAS_S3_ENDPOINT "${endpoint}" is not a valid URL`, { subject: 'cas s3' });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new FoxError('INVALID_INPUT', `$FOXCTL_CAS_S3_ENDPOINT "${endpoint}" must be an http:// or https:// URL`, { subject: 'cas s3' });
    if (url.username || url.password) throw new FoxError('INVALID_INPUT', '$FOXCTL_CAS_S3_ENDPOINT must not contain credentials: use AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY', { subject: 'cas s3' });
    if (disableSsl) url.protocol = 'http:';
    endpoint = url.toString().replace(/\/$/, '');
  }
  // Explicit credentials, else the env's key pair (the app layers its saved keys there), else the SDK's chain.
  const creds = overrides.credentials ?? envCredentials(env);
  if (creds && (!creds.accessKeyId || !creds.secretAccessKey)) {
    throw new FoxError('INVALID_INPUT', 'S3 credentials need both an access key id and a secret access key', { subject: 'cas s3' });
  }
  return {
    bucket,
    region,
    endpoint,
    prefix: overrides.prefix !== undefined ? normalizePrefix(overrides.prefix, 'prefix') : normalizePrefix(env.FOXCTL_CAS_S3_PREFIX ?? 'cas/', '$FOXCTL_CAS_S3_PREFIX'),
    forcePathStyle: overrides.forcePathStyle ?? envBool(env, 'FOXCTL_CAS_S3_FORCE_PATH_STYLE', false),
    credentials: creds,
    maxAttempts: overrides.maxAttempts ?? 3,
    connectTimeoutMs: overrides.connectTimeoutMs ?? 3000,
  };
}

/** Where the settings point, for messages: `s3://bucket/prefix` (never a secret). */
export function s3Location(s: S3Settings): string {
  return `s3://${s.bucket}/${s.prefix}${s.endpoint ? ` at ${s.endpoint}` : ''}`;
}

