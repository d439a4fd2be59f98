import { FoxError, toFoxError, type ErrorCode } from '../../errors.js';
import { scrubSecrets } from './settings.js';

const CONNECTION_RE = /Connection terminated|timeout exceeded when trying to connect|connection timeout|not queryable|ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EPIPE|server closed the connection|terminating connection|Client was closed/i;

/** The FoxError code of a PostgreSQL SQLSTATE (or null when the class says nothing we map). */
export function sqlStateCode(state: string): ErrorCode | null {
  if (state.startsWith('23')) return 'CONFLICT';
  if (state === '40001' || state === '40P01') return 'CONFLICT';
  if (state.startsWith('28') || state.startsWith('08') || state.startsWith('53') || state === '3D000') return 'UNAVAILABLE';
  if (state === '57P01' || state === '57P02' || state === '57P03') return 'UNAVAILABLE';
  if (state === '57014') return 'CANCELED';
  if (state === '25006' || state === '0A000') return 'UNSUPPORTED';
  if (state.startsWith('42') || state.startsWith('22') || state.startsWith('2B') || state.startsWith('3F')) return 'INVALID_INPUT';
  return null;
}

/**
 * Translates an error of `pg` into a FoxError naming `subject` ("store X (masked DSN)"): wrong
 * credentials, refused/lost/timed-out connections and a server shutting down become UNAVAILABLE;
 * constraint violations CONFLICT; syntax and missing objects INVALID_INPUT. Every secret is
 * scrubbed from the message, and the native error is not kept as the cause (it may hold the DSN).
 */
export function pgError(err: unknown, subject: string, storeSubject: string, secrets: readonly string[], what: string): FoxError {
  if (err instanceof FoxError) return err;
  const e = (err ?? {}) as { code?: unknown; message?: unknown; errors?: unknown };
  let message = typeof e.message === 'string' && e.message ? e.message : String(err);
  // AggregateError (IPv4 and IPv6 both refused) has an empty message: take the first inner one.
  if (!message && Array.isArray(e.errors) && e.errors[0] instanceof Error) message = e.errors[0].message;
  const msg = scrubSecrets(message, secrets);
  const raw = typeof e.code === 'string' ? e.code : '';
  let code: ErrorCode | null = /^[0-9A-Z]{5}$/.test(raw) ? sqlStateCode(raw) : null;
  if (code === null && CONNECTION_RE.test(`${raw} ${msg}`)) code = 'UNAVAILABLE';
  if (code === null) code = toFoxError(Object.assign(new Error(msg), { code: raw })).code;
  if (raw.startsWith('28')) return new FoxError('UNAVAILABLE', `${what}: ${subject} refused the credentials: ${msg}`, { subject: storeSubject });
  if (code === 'UNAVAILABLE') return new FoxError('UNAVAILABLE', `${what}: cannot reach ${subject}: ${msg}`, { subject: storeSubject });
  return new FoxError(code, `${what} in ${subject}: ${msg}`, { subject: storeSubject });
}
