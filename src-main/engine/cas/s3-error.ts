import { FoxError, toFoxError } from '../errors.js';
import type { S3Settings } from './s3-config.js';

interface S3Native {
  name?: string;
  code?: string;
  message?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
}

const AUTH = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied', 'ExpiredToken', 'InvalidToken', 'CredentialsProviderError', 'InvalidClientTokenId']);
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'EPIPE', 'EAI_AGAIN', 'TimeoutError', 'RequestTimeout', 'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_SOCKET']);

/** True when `err` is S3's "no such key" (GetObject/HeadObject of an absent key). */
export function isS3NotFound(err: unknown): boolean {
  const e = err as S3Native | null;
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.Code === 'NoSuchKey' || (e?.$metadata?.httpStatusCode === 404 && e?.name !== 'NoSuchBucket');
}

/** Removes any secret of the settings from a message (SDK messages should not carry them; be sure). */
export function scrubSecrets(message: string, s: S3Settings): string {
  const secrets = [s.credentials?.secretAccessKey, s.credentials?.sessionToken, process.env.AWS_SECRET_ACCESS_KEY, process.env.AWS_SESSION_TOKEN].filter((x): x is string => !!x && x.length >= 4);
  let out = message;
  for (const secret of secrets) out = out.split(secret).join('***');
  return out;
}

/**
 * Translates an SDK or network error into a FoxError naming `subject`: refused credentials, a
 * missing bucket and an unreachable or vanished server are UNAVAILABLE with a hint; the native
 * error is kept as the cause (its message scrubbed of secrets).
 */
export function s3Error(err: unknown, subject: string, s: S3Settings, what: string): FoxError {
  if (err instanceof FoxError) return err;
  const e = (err ?? {}) as S3Native;
  const name = e.name ?? '';
  const code = e.code ?? e.Code ?? '';
  const raw = scrubSecrets(typeof e.message === 'string' && e.message ? e.message : String(err), s);
  const status = e.$metadata?.httpStatusCode;
  const cause = err instanceof Error ? Object.assign(err, { message: raw }) : err;
  if (AUTH.has(name) || AUTH.has(code) || status === 403) {
    return new FoxError('UNAVAILABLE', `${what}: ${subject} refused the credentials (${name || code || `HTTP ${status}`}): check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or the keys set in the app`, { subject, cause });
  }
  if (name === 'NoSuchBucket' || code === 'NoSuchBucket') {
    return new FoxError('UNAVAILABLE', `${what}: bucket "${s.bucket}" does not exist at ${s.endpoint ?? 'AWS'} (${subject}); create it or fix $FOXCTL_CAS_S3_BUCKET`, { subject, cause });
  }
  if (NETWORK.has(name) || NETWORK.has(code) || /socket hang up|ECONNRE|EPIPE|premature close|connect ETIMEDOUT/i.test(raw)) {
    return new FoxError('UNAVAILABLE', `${what}: cannot reach ${subject}: ${raw}`, { subject, cause });
  }
  if (typeof status === 'number' && status >= 500) {
    return new FoxError('UNAVAILABLE', `${what}: ${subject} failed with HTTP ${status} (${name || code}): ${raw}`, { subject, cause });
  }
  const f = toFoxError(cause, `${what} in ${subject}`, 'IO');
  return f.message.includes(raw) ? f : new FoxError(f.code, `${what} in ${subject}: ${raw}`, { subject, cause });
}
