import { createHash, type Hash } from 'node:crypto';
import { FoxError } from '../errors.js';

/** The only digest algorithm of the CAS, as it prefixes every digest. */
export const DIGEST_PREFIX = 'sha256:';

const HEX_RE = /^[0-9a-f]{64}$/;

/** Whether `value` is a digest the CAS accepts: `sha256:` + 64 lower-case hex. */
export function isDigest(value: unknown): boolean {
  return typeof value === 'string' && value.startsWith(DIGEST_PREFIX) && HEX_RE.test(value.slice(DIGEST_PREFIX.length));
}

/** Whether `hex` is 64 lower-case hex digits (the name of an object on disk). */
export function isHex(hex: string): boolean {
  return HEX_RE.test(hex);
}

/** Says what is wrong with a rejected digest, so the user can fix it. */
function why(value: string): string {
  if (value.includes('\0')) return 'it contains a NUL byte';
  if (/[/\\]|\.\./.test(value)) return 'it looks like a path';
  const colon = value.indexOf(':');
  if (colon < 0) return `it has no "${DIGEST_PREFIX}" prefix`;
  const algo = value.slice(0, colon);
  if (algo.toLowerCase() === 'sha256' && algo !== 'sha256') return 'it must be lower case';
  if (algo !== 'sha256') return `the algorithm "${algo.slice(0, 16)}" is not sha256`;
  const hex = value.slice(colon + 1);
  if (/[A-F]/.test(hex) && /^[0-9a-fA-F]+$/.test(hex)) return 'its hex digits must be lower case';
  if (!/^[0-9a-f]*$/.test(hex)) return 'it has characters other than 0-9 and a-f';
  return `it has ${hex.length} hex digits, not 64`;
}

/**
 * Checks a digest and returns its 64 hex digits. Anything but `sha256:` + 64 lower-case hex is
 * INVALID_INPUT naming what is wrong; it runs before any I/O so a bad name never reaches a path.
 */
export function parseDigest(value: unknown, what = 'digest'): string {
  if (typeof value !== 'string') throw new FoxError('INVALID_INPUT', `invalid ${what}: expected a string like sha256:<64 hex>, got ${typeof value}`);
  if (isDigest(value)) return value.slice(DIGEST_PREFIX.length);
  const shown = JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  throw new FoxError('INVALID_INPUT', `invalid ${what} ${shown}: ${why(value)} (expected sha256: + 64 lower-case hex digits)`);
}

/** The digest of 64 hex digits. */
export function digestOf(hex: string): string {
  return `${DIGEST_PREFIX}${hex}`;
}

/** A new SHA-256 hasher. */
export function newHasher(): Hash {
  return createHash('sha256');
}

/** The digest of bytes in memory (small values only). */
export function digestBytes(data: Buffer | string): string {
  return digestOf(createHash('sha256').update(data).digest('hex'));
}
